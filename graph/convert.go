package graph

import (
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/capture"
	"github.com/auditlog/auditlog/graph/model"
)

// This file converts between GraphQL models and the audit vocabulary.
// Optional strings are null in GraphQL and "" in audit.

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// eventFromInput converts an ingested event. Its details come from gqlgen's
// Map scalar as decoded: numbers given in variables as json.Number (gqlgen's
// transports decode requests with UseNumber), so exact whatever their size;
// numbers written as literals in the query document as int64 or float64
// (an integer literal beyond int64 fails validation). Every store writes
// them with encoding/json and reads them back as json.Number, so details
// keep the numbers they were sent with.
func eventFromInput(in model.EventInput) audit.Event {
	ev := audit.Event{
		ID:          str(in.ID),
		ComponentID: in.ComponentID,
		Submodule:   str(in.Submodule),
		EventType:   in.EventType,
		Description: str(in.Description),
		Status:      in.Status,
		OccurredAt:  in.OccurredAt,
		RedirectURL: str(in.RedirectURL),
		Details:     in.Details,
	}
	if in.Priority != nil {
		ev.Priority = *in.Priority
	}
	if in.ActionUser != nil {
		ev.ActionUser = userFromInput(*in.ActionUser)
	}
	if in.TargetUser != nil {
		u := userFromInput(*in.TargetUser)
		ev.TargetUser = &u
	}
	return ev
}

func userFromInput(in model.UserInput) audit.User {
	u := audit.User{
		Type:      in.Type,
		ID:        str(in.ID),
		Name:      str(in.Name),
		Email:     str(in.Email),
		IPAddress: str(in.IPAddress),
		UserAgent: str(in.UserAgent),
	}
	if in.AccountStatus != nil {
		u.AccountStatus = *in.AccountStatus
	}
	return u
}

func eventModel(ev audit.Event) model.Event {
	m := model.Event{
		ID:            ev.ID,
		Tenant:        ev.Tenant,
		ComponentID:   ev.ComponentID,
		Submodule:     opt(ev.Submodule),
		EventType:     ev.EventType,
		EventTypeName: opt(ev.EventTypeName),
		Area:          opt(ev.Area),
		Description:   opt(ev.Description),
		Priority:      ev.Priority,
		Status:        ev.Status,
		OccurredAt:    ev.OccurredAt,
		IngestedAt:    ev.IngestedAt,
		RedirectURL:   opt(ev.RedirectURL),
		Details:       ev.Details,
		ActionUser:    userModel(ev.ActionUser),
	}
	if ev.TargetUser != nil {
		m.TargetUser = userModel(*ev.TargetUser)
	}
	if ev.Flag != nil {
		m.Flag = &model.Flag{By: userModel(ev.Flag.By), At: ev.Flag.At, Note: opt(ev.Flag.Note)}
	}
	return m
}

func userModel(u audit.User) *model.User {
	m := &model.User{
		Type:      u.Type,
		ID:        opt(u.ID),
		Name:      opt(u.Name),
		Email:     opt(u.Email),
		IPAddress: opt(u.IPAddress),
		UserAgent: opt(u.UserAgent),
	}
	if u.AccountStatus != "" {
		s := u.AccountStatus
		m.AccountStatus = &s
	}
	return m
}

func filterFromInput(in model.EventFilter) audit.Filter {
	f := audit.Filter{
		Components: in.Components,
		EventTypes: in.EventTypes,
		Submodules: in.Submodules,
		Statuses:   in.Statuses,
		Priorities: in.Priorities,
		ActionUser: str(in.ActionUser),
		TargetUser: str(in.TargetUser),
		Flagged:    in.Flagged,
		Text:       str(in.Text),
	}
	// Times are kept in UTC so that the same instant always makes the same
	// filter (cursors are bound to a hash of it).
	if in.From != nil {
		t := in.From.UTC()
		f.From = &t
	}
	if in.To != nil {
		t := in.To.UTC()
		f.To = &t
	}
	return f
}

func filterModel(f audit.Filter) *model.SavedEventFilter {
	return &model.SavedEventFilter{
		Components: f.Components,
		EventTypes: f.EventTypes,
		Submodules: f.Submodules,
		Statuses:   f.Statuses,
		Priorities: f.Priorities,
		From:       f.From,
		To:         f.To,
		ActionUser: opt(f.ActionUser),
		TargetUser: opt(f.TargetUser),
		Flagged:    f.Flagged,
		Text:       opt(f.Text),
	}
}

func componentModel(v capture.ComponentView) model.Component {
	m := model.Component{
		ID:             v.ID,
		Name:           v.Name,
		LoggingEnabled: v.LoggingEnabled,
		UpdatedAt:      v.UpdatedAt,
		Version:        int(v.Version),
		Activities:     make([]model.Activity, len(v.Activities)),
		Criteria:       criteriaModel(v.Criteria),
		Stats:          &model.ComponentStats{Captured: int(v.Stats.Captured), Suppressed: []model.SuppressedCount{}},
	}
	if v.UpdatedBy != nil {
		m.UpdatedBy = userModel(*v.UpdatedBy)
	}
	for i, a := range v.Activities {
		m.Activities[i] = model.Activity{Code: a.Code, Name: a.Name, Area: opt(a.Area), DefaultPriority: a.DefaultPriority, Captured: a.Captured}
	}
	// Reasons in a fixed order, so dashboards do not reshuffle.
	for _, r := range audit.SuppressReasons() {
		if n := v.Stats.Suppressed[r]; n > 0 {
			m.Stats.Suppressed = append(m.Stats.Suppressed, model.SuppressedCount{Reason: r, Count: int(n)})
		}
	}
	return m
}

func criteriaModel(c audit.Criteria) *model.Criteria {
	m := &model.Criteria{
		Activities:         c.Activities,
		CaptureDescription: c.CaptureDescription,
		Statuses:           c.Statuses,
		CaptureIPAddress:   c.CaptureIPAddress,
	}
	if c.MinPriority != "" {
		p := c.MinPriority
		m.MinPriority = &p
	}
	if c.LoggingPeriod != nil {
		m.LoggingPeriod = &model.Period{Start: c.LoggingPeriod.Start, End: c.LoggingPeriod.End}
	}
	if c.Retention != nil {
		m.Retention = &model.Retention{Value: c.Retention.Value, Unit: c.Retention.Unit}
	}
	return m
}

func configFromInput(in model.ComponentConfigInput) capture.ConfigInput {
	c := capture.ConfigInput{
		LoggingEnabled:     in.LoggingEnabled,
		MinPriority:        in.MinPriority,
		CaptureDescription: in.CaptureDescription,
		Statuses:           in.Statuses,
		CaptureIPAddress:   in.CaptureIPAddress,
	}
	// GraphQL cannot tell an absent list from null here; both mean "all".
	if in.Activities != nil {
		a := in.Activities
		c.Activities = &a
	}
	if in.LoggingPeriod != nil {
		c.LoggingPeriod = &audit.Period{Start: in.LoggingPeriod.Start.UTC(), End: in.LoggingPeriod.End.UTC()}
	}
	if in.Retention != nil {
		c.Retention = &audit.Retention{Value: in.Retention.Value, Unit: in.Retention.Unit}
	}
	if in.Version != nil {
		v := int64(*in.Version)
		c.Version = &v
	}
	return c
}

func savedFilterModel(f audit.SavedFilter) model.SavedFilter {
	return model.SavedFilter{
		ID:          f.ID,
		Name:        f.Name,
		Description: opt(f.Description),
		Filter:      filterModel(f.Filter),
		CreatedAt:   f.CreatedAt,
		UpdatedAt:   f.UpdatedAt,
	}
}

func notificationModel(n audit.Notification) model.Notification {
	return model.Notification{
		ID:          n.ID,
		EventID:     n.EventID,
		EventType:   n.EventType,
		ComponentID: n.ComponentID,
		FlaggedBy:   userModel(n.FlaggedBy),
		FlaggedAt:   n.FlaggedAt,
		Note:        opt(n.Note),
		ReadAt:      n.ReadAt,
		Cursor:      notificationCursor(n),
	}
}

func principalModel(p audit.Principal) *model.Principal {
	comps := p.Components
	if comps == nil {
		comps = []string{}
	}
	return &model.Principal{Tenant: p.Tenant, User: userModel(p.User), Role: p.Role, KeyID: p.KeyID, Components: comps}
}
