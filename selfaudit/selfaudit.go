// Package selfaudit records what people do to auditlog itself — capture
// configuration changes, flags, saved-filter changes, exports and API key
// changes — as events of the component AUDITLOG (catalog.ServiceComponent),
// ingested through the indexer like any module's events, so admins search
// them in the same Explore view. The caller is the action user; the details
// carry the change (never a key itself).
package selfaudit

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/catalog"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/indexer"
)

// Activity codes of AUDITLOG, as in the activity catalog.
const (
	ComponentConfigured = "COMPONENT_CONFIGURED"
	EventsFlagged       = "EVENTS_FLAGGED"
	EventsUnflagged     = "EVENTS_UNFLAGGED"
	EventsExported      = "EVENTS_EXPORTED"
	SavedFilterCreated  = "SAVED_FILTER_CREATED"
	SavedFilterUpdated  = "SAVED_FILTER_UPDATED"
	SavedFilterDeleted  = "SAVED_FILTER_DELETED"
	APIKeyCreated       = "API_KEY_CREATED"
	APIKeyRevoked       = "API_KEY_REVOKED"
)

// Submodules of AUDITLOG events: the catalog's areas.
const (
	areaFilterManagement = "Filter Management"
	areaReview           = "Event review"
	areaSavedFilters     = "Saved filters"
	areaKeys             = "API keys"
)

// recordTimeout bounds one record. Records outlive the request that caused
// them: a client hanging up must not lose the trace of what it did.
const recordTimeout = 30 * time.Second

// Ingester writes the service's own events on behalf of a principal;
// *indexer.Indexer is one.
type Ingester interface {
	IngestOwn(ctx context.Context, p audit.Principal, events []audit.Event) []indexer.Result
}

// Options tune a Recorder. The zero value is usable.
type Options struct {
	// Clock dates the events; time.Now when nil.
	Clock func() time.Time
	// Logger receives records that failed or were not captured;
	// slog.Default() when nil.
	Logger *slog.Logger
}

// Recorder turns actions into AUDITLOG events. It is safe for concurrent
// use. Its methods never fail the action they record, which has already
// happened: a record that cannot be written is logged as an error. A nil
// Recorder records nothing.
type Recorder struct {
	ix  Ingester
	now func() time.Time
	log *slog.Logger
}

// New returns a Recorder ingesting through ix.
func New(ix Ingester, opts Options) *Recorder {
	r := &Recorder{ix: ix, now: opts.Clock, log: opts.Logger}
	if r.now == nil {
		r.now = time.Now
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	return r
}

// record is one action to write.
type record struct {
	tenant      string
	by          audit.User
	code, area  string
	description string
	status      audit.Status
	target      *audit.User
	details     map[string]any
}

func (r *Recorder) record(ctx context.Context, rec record) {
	if r == nil {
		return // a server without an indexer records nothing
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if rec.status == "" {
		rec.status = audit.StatusSuccess
	}
	details, err := fit(rec.details)
	if err != nil {
		r.log.ErrorContext(ctx, "self-audit: encode details", "tenant", rec.tenant, "event_type", rec.code, "err", err)
	}
	by := rec.by
	if by.Type == "" {
		by.Type = audit.UserDashboard
	}
	ev := audit.Event{
		ComponentID: catalog.ServiceComponent,
		Submodule:   rec.area,
		EventType:   rec.code,
		Description: rec.description,
		Status:      rec.status,
		ActionUser:  by,
		TargetUser:  rec.target,
		OccurredAt:  r.now().UTC(),
		Details:     details,
	}
	// The principal carries only what the indexer uses: the tenant, and no
	// component restriction (the caller's key may be limited to others).
	p := audit.Principal{Tenant: rec.tenant, User: by}
	res := r.ix.IngestOwn(ctx, p, []audit.Event{ev})[0]
	if fixed, ok := sanitised(ev, res.Err); ok {
		// A user no event can hold (a key made before key users were
		// checked): record the action with what can be kept of the user.
		r.log.WarnContext(ctx, "self-audit: user fields cut or dropped to record the action",
			"tenant", rec.tenant, "event_type", rec.code, "err", res.Err)
		ev, p.User = fixed, fixed.ActionUser
		res = r.ix.IngestOwn(ctx, p, []audit.Event{ev})[0]
	}
	log := r.log.With("tenant", rec.tenant, "event_type", rec.code, "event_id", res.ID)
	switch {
	case res.Err != nil:
		log.ErrorContext(ctx, "self-audit: record failed", "err", res.Err)
	case !res.Captured:
		// The tenant's AUDITLOG capture configuration decided so.
		log.InfoContext(ctx, "self-audit: not captured", "reason", res.Reason)
	}
}

// Configured records a change of a component's capture configuration, with
// the criteria that changed, before and after. Its signature is that of
// capture.Options.OnConfigured.
func (r *Recorder) Configured(ctx context.Context, old, new audit.ComponentConfig) {
	changes, names := diffConfig(old, new)
	desc := fmt.Sprintf("Capture configuration of %s saved (version %d)", new.ComponentID, new.Version)
	if len(names) == 0 {
		desc += " without changes"
	} else {
		desc += ": " + joinNames(names) + " changed"
	}
	r.record(ctx, record{
		tenant: new.Tenant, by: new.UpdatedBy, code: ComponentConfigured, area: areaFilterManagement,
		description: desc,
		details: map[string]any{
			"componentId":     new.ComponentID,
			"version":         new.Version,
			"previousVersion": old.Version,
			"changes":         changes,
		},
	})
}

// Flagged records that p flagged the events with these ids (those found).
func (r *Recorder) Flagged(ctx context.Context, p audit.Principal, ids []string, note string) {
	details := map[string]any{"eventIds": ids, "count": len(ids)}
	if note != "" {
		details["note"] = note
	}
	desc := fmt.Sprintf("Flagged %s", countEvents(ids))
	if note != "" {
		desc += ": " + note
	}
	r.record(ctx, record{tenant: p.Tenant, by: p.User, code: EventsFlagged, area: areaReview, description: desc, details: details})
}

// Unflagged records that p removed the flag of the events with these ids.
func (r *Recorder) Unflagged(ctx context.Context, p audit.Principal, ids []string) {
	r.record(ctx, record{
		tenant: p.Tenant, by: p.User, code: EventsUnflagged, area: areaReview,
		description: "Unflagged " + countEvents(ids),
		details:     map[string]any{"eventIds": ids, "count": len(ids)},
	})
}

// Saved filters belong to their user alone, while the trail is read by
// every viewer of the tenant: their records say who did what to which
// filter (its id), never its name, description or criteria.

// SavedFilterCreated records that p saved a new filter.
func (r *Recorder) SavedFilterCreated(ctx context.Context, p audit.Principal, f audit.SavedFilter) {
	r.record(ctx, record{
		tenant: p.Tenant, by: p.User, code: SavedFilterCreated, area: areaSavedFilters,
		description: "Saved a filter", details: savedFilterDetails(f),
	})
}

// SavedFilterUpdated records that p replaced one of their filters.
func (r *Recorder) SavedFilterUpdated(ctx context.Context, p audit.Principal, _, new audit.SavedFilter) {
	r.record(ctx, record{
		tenant: p.Tenant, by: p.User, code: SavedFilterUpdated, area: areaSavedFilters,
		description: "Updated a saved filter", details: savedFilterDetails(new),
	})
}

// SavedFilterDeleted records that p deleted one of their filters.
func (r *Recorder) SavedFilterDeleted(ctx context.Context, p audit.Principal, f audit.SavedFilter) {
	r.record(ctx, record{
		tenant: p.Tenant, by: p.User, code: SavedFilterDeleted, area: areaSavedFilters,
		description: "Deleted a saved filter", details: savedFilterDetails(f),
	})
}

// Exported records a CSV download: what was asked for (filter or ids) and
// how many rows were sent. An interrupted download is recorded FAILED, with
// the rows that did reach the client. Its signature is that of
// export.Options.OnExported.
func (r *Recorder) Exported(ctx context.Context, p audit.Principal, req export.Request, rows int64, complete bool) {
	details := map[string]any{"rows": rows, "complete": complete}
	what := "the filtered log"
	if req.Filter != nil {
		details["filter"] = req.Filter
	} else {
		details["eventIds"] = req.IDs
		what = "a selection of " + countEvents(req.IDs)
	}
	desc := fmt.Sprintf("Exported %s as CSV: %d rows", what, rows)
	status := audit.StatusSuccess
	if !complete {
		desc += ", download interrupted"
		status = audit.StatusFailed
	}
	r.record(ctx, record{tenant: p.Tenant, by: p.User, code: EventsExported, area: areaReview, description: desc, status: status, details: details})
}

// KeyCreated records that by created an API key. The details name the key
// by id with its role and scope; the key and its hash are never recorded.
func (r *Recorder) KeyCreated(ctx context.Context, by audit.User, key audit.APIKey) {
	r.keyChange(ctx, by, key, APIKeyCreated, "created")
}

// KeyRevoked records that by revoked an API key.
func (r *Recorder) KeyRevoked(ctx context.Context, by audit.User, key audit.APIKey) {
	r.keyChange(ctx, by, key, APIKeyRevoked, "revoked")
}

func (r *Recorder) keyChange(ctx context.Context, by audit.User, key audit.APIKey, code, verb string) {
	p := key.Principal
	details := map[string]any{"keyId": key.ID, "role": string(p.Role)}
	if len(p.Components) > 0 {
		details["components"] = p.Components
	}
	owner := p.User
	r.record(ctx, record{
		tenant: p.Tenant, by: by, code: code, area: areaKeys,
		description: fmt.Sprintf("API key %s (%s) %s", key.ID, p.Role, verb),
		target:      &owner,
		details:     details,
	})
}

// sanitised returns ev with the user fields that err says are invalid cut
// short or dropped, and false when err is not only about user fields.
func sanitised(ev audit.Event, err error) (audit.Event, bool) {
	ie, ok := audit.AsInvalid(err)
	if !ok {
		return ev, false
	}
	if ev.TargetUser != nil {
		tu := *ev.TargetUser
		ev.TargetUser = &tu
	}
	for _, f := range ie.Fields {
		var u *audit.User
		name, isAction := strings.CutPrefix(f.Field, "actionUser.")
		if isAction {
			u = &ev.ActionUser
		} else if name, ok = strings.CutPrefix(f.Field, "targetUser."); ok && ev.TargetUser != nil {
			u = ev.TargetUser
		} else {
			return ev, false
		}
		switch name {
		case "type":
			u.Type = audit.UserDashboard
		case "email":
			if u.Name == "" { // keep who it was, as a name
				u.Name = shorten(u.Email)
			}
			u.Email = ""
		case "ipAddress":
			u.IPAddress = ""
		case "accountStatus":
			u.AccountStatus = ""
		case "id":
			u.ID = shorten(u.ID)
		case "name":
			u.Name = shorten(u.Name)
		case "userAgent":
			u.UserAgent = shorten(u.UserAgent)
		default:
			return ev, false
		}
	}
	return ev, true
}

// shorten cuts s to well within every bound of a user's text fields.
func shorten(s string) string {
	const keep = 128
	if r := []rune(s); len(r) > keep {
		return string(r[:keep]) + "…"
	}
	return s
}

func savedFilterDetails(f audit.SavedFilter) map[string]any {
	return map[string]any{"savedFilterId": f.ID}
}

func countEvents(ids []string) string {
	if len(ids) == 1 {
		return "1 event"
	}
	return fmt.Sprintf("%d events", len(ids))
}

// fit returns details as plain JSON values within the limits of an event's
// details: long lists are cut (ending with a note of how many were left
// out), then long strings, so that a bulk action is still recorded.
func fit(details map[string]any) (map[string]any, error) {
	plain, err := asJSON(details)
	if err != nil {
		return nil, err
	}
	for _, maxItems := range []int{-1, 100, 20, 5, 1} {
		for _, maxRunes := range []int{-1, 256} {
			d := cut(plain, maxItems, maxRunes).(map[string]any)
			if b, _ := json.Marshal(d); len(b) <= audit.MaxDetailsBytes-1024 {
				return d, nil
			}
		}
	}
	return map[string]any{"truncated": "the details of this action were too large to record"}, nil
}

// asJSON converts v to the values encoding/json decodes into.
func asJSON(v map[string]any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// cut copies v with lists of at most maxItems values and strings of at most
// maxRunes runes; -1 leaves them whole.
func cut(v any, maxItems, maxRunes int) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, c := range t {
			out[k] = cut(c, maxItems, maxRunes)
		}
		return out
	case []any:
		n := len(t)
		if maxItems >= 0 && n > maxItems {
			n = maxItems
		}
		out := make([]any, 0, n+1)
		for _, c := range t[:n] {
			out = append(out, cut(c, maxItems, maxRunes))
		}
		if n < len(t) {
			out = append(out, fmt.Sprintf("… and %d more", len(t)-n))
		}
		return out
	case string:
		if r := []rune(t); maxRunes >= 0 && len(r) > maxRunes {
			return string(r[:maxRunes]) + "…"
		}
	}
	return v
}
