// Package eventgen produces realistic, reproducible demo events across the
// catalog's modules, for `auditlog seed` and the benchmarks. The same seed
// and options always give the same events: every choice comes from the
// seeded generator, never from the wall clock or map order.
package eventgen

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/catalog"
)

// Options shape the generated events. The zero value is usable.
type Options struct {
	// Now is the end of the period events occur in; a fixed date
	// (2025-06-30 UTC) when zero, so output never depends on the clock.
	Now time.Time
	// Span is how far before Now events occur; 90 days when zero.
	Span time.Duration
	// Tenant is set on every event; "demo" when empty. The write path
	// replaces it with the caller's tenant anyway.
	Tenant string
	// Components restricts the modules events come from; every catalog
	// module except the service's own (AUDITLOG) when empty.
	Components []string
	// Domain is the e-mail and web domain of the demo company;
	// "acme.example" when empty.
	Domain string
	// NoIDs leaves ids empty so that the write path assigns them.
	NoIDs bool
}

// Generator produces demo events. It is not safe for concurrent use.
type Generator struct {
	rng    *rand.Rand
	opts   Options
	comps  []weighted[catalog.Component]
	acts   map[string][]weighted[audit.Activity]
	people []person
	cands  []person
	seq    int
}

type weighted[T any] struct {
	v T
	w int
}

type person struct {
	id, name, email string
	ip, altIP       string
	agent           string
}

// componentWeight is how busy each module is relative to the others.
var componentWeight = map[string]int{"KMS": 35, "SET": 25, "CMS": 20, "ONBOARDING": 12, "OFFBOARDING": 8}

// activityWeight makes the everyday activities more frequent than the rare
// ones; activities not listed weigh 2.
var activityWeight = map[string]int{
	"USER_LOGIN": 40, "PROFILE_UPDATED": 6, "PASSWORD_CHANGED": 5, "USER_CREATED": 4, "ROLE_CHANGED": 3,
	"ARTICLE_DOWNLOADED": 12, "ARTICLE_CREATED": 8, "ARTICLE_SENT_FOR_REVIEW": 6, "ARTICLE_PUBLISHED": 6,
	"FORM_UPDATED_BY_CANDIDATE": 8, "TASK_TRIGGER_COMPLETED": 6, "TASK_TRIGGER_IN_PROGRESS": 5,
	"ACTION_TRIGGER_SUCCEEDED": 6, "CANDIDATE_ADDED": 4, "FORM_APPROVED": 4,
	"UPDATE_USER_GROUP": 4, "UPDATE_CATEGORY": 3, "UPDATE_SLA_POLICY": 3, "UPDATE_CANNED_RESPONSE": 3,
	"USER_DEACTIVATED": 1, "USER_REACTIVATED": 1, "CONNECTOR_DISCONNECTED": 1,
}

// New returns a generator over the catalog's activities.
func New(cat *catalog.Catalog, seed uint64, opts Options) *Generator {
	if opts.Now.IsZero() {
		opts.Now = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	}
	if opts.Span <= 0 {
		opts.Span = 90 * 24 * time.Hour
	}
	if opts.Tenant == "" {
		opts.Tenant = "demo"
	}
	if opts.Domain == "" {
		opts.Domain = "acme.example"
	}
	g := &Generator{
		rng:  rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		opts: opts,
		acts: map[string][]weighted[audit.Activity]{},
	}
	for _, c := range cat.Components() {
		if len(opts.Components) > 0 {
			if !contains(opts.Components, c.ID) {
				continue
			}
		} else if c.ID == "AUDITLOG" {
			continue
		}
		w := componentWeight[c.ID]
		if w == 0 {
			w = 5
		}
		g.comps = append(g.comps, weighted[catalog.Component]{c, w})
		for _, a := range c.Activities {
			aw := activityWeight[a.Code]
			if aw == 0 {
				aw = 2
			}
			g.acts[c.ID] = append(g.acts[c.ID], weighted[audit.Activity]{a, aw})
		}
	}
	g.people = g.makePeople(people, "u-", opts.Domain)
	g.cands = g.makePeople(candidates, "cand-", "mail.example")
	return g
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// makePeople gives each person a home address and browser, as one person
// mostly works from one device.
func (g *Generator) makePeople(pool []string, idPrefix, domain string) []person {
	out := make([]person, len(pool))
	for i, entry := range pool {
		name, local, _ := strings.Cut(entry, "|")
		out[i] = person{
			id:    fmt.Sprintf("%s%03d", idPrefix, i+1),
			name:  name,
			email: local + "@" + domain,
			ip:    g.ipAddress(),
			altIP: g.ipAddress(),
			agent: userAgents[g.rng.IntN(len(userAgents))],
		}
	}
	return out
}

// ipAddress returns an address of a documentation range: mostly IPv4, a
// quarter IPv6.
func (g *Generator) ipAddress() string {
	if g.rng.IntN(4) == 0 {
		var b [16]byte
		copy(b[:], []byte{0x20, 0x01, 0x0d, 0xb8})
		binary.BigEndian.PutUint64(b[8:], g.rng.Uint64())
		b[4], b[5] = byte(g.rng.IntN(256)), byte(g.rng.IntN(256))
		return netip.AddrFrom16(b).String()
	}
	nets := [][3]byte{{192, 0, 2}, {198, 51, 100}, {203, 0, 113}}
	n := nets[g.rng.IntN(len(nets))]
	return netip.AddrFrom4([4]byte{n[0], n[1], n[2], byte(1 + g.rng.IntN(254))}).String()
}

func pick[T any](g *Generator, list []T) T { return list[g.rng.IntN(len(list))] }

func pickWeighted[T any](g *Generator, list []weighted[T]) T {
	total := 0
	for _, e := range list {
		total += e.w
	}
	n := g.rng.IntN(total)
	for _, e := range list {
		if n < e.w {
			return e.v
		}
		n -= e.w
	}
	return list[len(list)-1].v
}

// chance reports true with probability pct percent.
func (g *Generator) chance(pct int) bool { return g.rng.IntN(100) < pct }

// Next returns the next event.
func (g *Generator) Next() audit.Event {
	g.seq++
	comp := pickWeighted(g, g.comps)
	act := pickWeighted(g, g.acts[comp.ID])
	ev := audit.Event{
		Tenant:        g.opts.Tenant,
		ComponentID:   comp.ID,
		Submodule:     act.Area,
		EventType:     act.Code,
		EventTypeName: act.Name,
		Area:          act.Area,
		Priority:      act.DefaultPriority,
		Status:        audit.StatusSuccess,
		OccurredAt:    g.occurredAt(),
	}
	switch r := g.rng.IntN(100); {
	case r < 6:
		ev.Status = audit.StatusFailed
	case r < 9 && (comp.ID == "ONBOARDING" || comp.ID == "OFFBOARDING" || act.Code == "CONNECTOR_SYNC_TRIGGERED"):
		ev.Status = audit.StatusInProgress
	}
	d := &draft{g: g, ev: &ev, actor: g.dashboardUser()}
	switch comp.ID {
	case "CMS":
		d.cms()
	case "KMS":
		d.kms()
	case "SET":
		d.set()
	case "ONBOARDING", "OFFBOARDING":
		d.onboarding(strings.ToLower(comp.Name))
	default:
		d.describe("%s: %s", d.actorName(), strings.ToLower(act.Name))
	}
	if ev.Status == audit.StatusFailed && !strings.Contains(ev.Description, "fail") {
		reason := pick(g, failures)
		ev.Description += " (failed: " + reason + ")"
		if ev.Details == nil {
			ev.Details = map[string]any{}
		}
		ev.Details["error"] = reason
	}
	if !g.opts.NoIDs {
		ev.ID = g.id(ev.OccurredAt)
	}
	return ev
}

// occurredAt spreads events over the span, most of them in working hours.
func (g *Generator) occurredAt() time.Time {
	span := g.opts.Span.Milliseconds()
	var t time.Time
	for try := 0; try < 3; try++ {
		t = g.opts.Now.Add(-time.Duration(g.rng.Int64N(span)+1) * time.Millisecond).UTC()
		if h := t.Hour(); h >= 3 && h < 17 && t.Weekday() != time.Saturday && t.Weekday() != time.Sunday {
			break
		}
	}
	return t
}

// id returns a ULID for the event's time with entropy from the seed.
func (g *Generator) id(at time.Time) string {
	var id ulid.ULID
	_ = id.SetTime(ulid.Timestamp(at)) // times within the span are in ULID's range
	var e [10]byte
	binary.BigEndian.PutUint64(e[:8], g.rng.Uint64())
	binary.BigEndian.PutUint16(e[8:], uint16(g.rng.Uint32()))
	_ = id.SetEntropy(e[:]) // always 10 bytes
	return id.String()
}

// dashboardUser picks a person; a few admins do most of the work.
func (g *Generator) dashboardUser() audit.User {
	i := min(g.rng.IntN(len(g.people)), g.rng.IntN(len(g.people)))
	p := g.people[i]
	ip := p.ip
	if g.chance(15) {
		ip = p.altIP
	}
	return audit.User{Type: audit.UserDashboard, ID: p.id, Name: p.name, Email: p.email, IPAddress: ip, UserAgent: p.agent}
}

func (g *Generator) person() person { return pick(g, g.people) }

func (g *Generator) candidate() person { return pick(g, g.cands) }

var (
	notifier  = audit.User{Type: audit.UserSystem, ID: "svc-notifications", Name: "Leena AI notifications", IPAddress: "10.20.0.15"}
	scheduler = audit.User{Type: audit.UserSystem, ID: "svc-onboarding-scheduler", Name: "Onboarding scheduler", IPAddress: "10.20.1.7"}
	workflow  = audit.User{Type: audit.UserSystem, ID: "svc-workflow", Name: "Workflow engine", IPAddress: "10.20.1.11"}
)

// draft is an event being filled in by its module's templates.
type draft struct {
	g     *Generator
	ev    *audit.Event
	actor audit.User
}

func (d *draft) actorName() string { return d.actor.Name }

func (d *draft) describe(format string, args ...any) {
	d.ev.ActionUser = d.actor
	d.ev.Description = fmt.Sprintf(format, args...)
}

func (d *draft) target(p person, status audit.AccountStatus) string {
	d.ev.TargetUser = &audit.User{Type: audit.UserDashboard, ID: p.id, Name: p.name, Email: p.email, AccountStatus: status}
	return p.name
}

func (d *draft) url(path string, args ...any) {
	d.ev.RedirectURL = "https://" + d.g.opts.Domain + fmt.Sprintf(path, args...)
}

func (d *draft) entityID(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, 100+d.g.rng.IntN(900))
}

// cms describes a Helpdesk configuration change: every one carries a link
// to the changed configuration page.
func (d *draft) cms() {
	g, ev := d.g, d.ev
	type kind struct {
		noun, slug string
		names      []string
	}
	kinds := map[string]kind{
		"USER_GROUP": {"user group", "user-groups", userGroups}, "DEPARTMENT": {"department", "departments", departments},
		"CATEGORY": {"category", "categories", categories}, "SLA_POLICY": {"SLA policy", "sla-policies", slaPolicies},
		"TICKET_SCHEMA": {"ticket schema", "schemas/ticket", schemas}, "PRIORITY_SCHEMA": {"priority schema", "schemas/priority", schemas},
		"STATUS_SCHEMA": {"status schema", "schemas/status", schemas}, "EMAIL_CONFIGURATION": {"email configuration", "email/configurations", mailboxes},
		"EMAIL_AUTOMATION": {"email automation", "email/automations", automations}, "TICKET_FORM": {"ticket form", "forms", ticketForms},
		"CANNED_RESPONSE": {"canned response", "canned-responses", canned}, "REPORT_CONFIGURATION": {"report configuration", "reports", reports},
		"LOCALIZATION": {"localization", "localization", locales},
	}
	switch ev.EventType {
	case "UPDATE_EMAIL_SETTINGS":
		change := pick(g, mailSettings)
		d.describe("%s updated email settings: %s", d.actorName(), change)
		ev.Details = map[string]any{"change": change}
		d.url("/helpdesk/admin/email/settings")
		return
	case "UPDATE_GENERAL_SETTINGS":
		change := pick(g, cmsSettings)
		d.describe("%s updated general settings: %s", d.actorName(), change)
		ev.Details = map[string]any{"change": change}
		d.url("/helpdesk/admin/settings")
		return
	}
	verb, rest, _ := strings.Cut(ev.EventType, "_")
	k, ok := kinds[rest]
	if !ok {
		d.describe("%s: %s", d.actorName(), strings.ToLower(ev.EventTypeName))
		return
	}
	name, id := pick(g, k.names), d.entityID(strings.ToUpper(k.slug[:3]))
	if verb == "CREATE" {
		d.describe("%s created %s '%s'", d.actorName(), k.noun, name)
		ev.Details = map[string]any{"entityId": id, "entityName": name}
	} else {
		field := pick(g, cmsFields)
		d.describe("%s updated %s '%s': %s changed", d.actorName(), k.noun, name, field)
		ev.Details = map[string]any{"entityId": id, "entityName": name, "changedFields": []any{field}}
	}
	d.url("/helpdesk/admin/%s/%s", k.slug, id)
}

func (d *draft) kms() {
	g, ev := d.g, d.ev
	a := d.actorName()
	title, folder := pick(g, articles), pick(g, folders)
	articleID := d.entityID("KB")
	article := func() {
		ev.Details = map[string]any{"articleId": articleID, "title": title, "folder": folder, "version": 1 + g.rng.IntN(8)}
		d.url("/km/articles/%s", articleID)
	}
	date := func() string {
		return ev.OccurredAt.AddDate(0, 1+g.rng.IntN(11), 0).Format("2 Jan 2006")
	}
	switch ev.EventType {
	case "ARTICLE_CREATED":
		d.describe("%s created article '%s' in folder %s", a, title, folder)
		article()
	case "ARTICLE_SENT_FOR_REVIEW":
		d.describe("%s sent article '%s' for review to %s", a, title, d.target(g.person(), audit.AccountActive))
		article()
	case "ARTICLE_PUBLISHED":
		d.describe("%s published article '%s' in folder %s", a, title, folder)
		article()
	case "ARTICLE_REJECTED":
		d.describe("%s rejected article '%s': %s", a, title, pick(g, rejectReasons))
		article()
	case "ARTICLE_ARCHIVED":
		d.describe("%s archived article '%s'", a, title)
		article()
	case "ARTICLE_RESTORED":
		d.describe("%s restored article '%s' from the archive", a, title)
		article()
	case "ARTICLE_DOWNLOADED":
		d.describe("%s downloaded article '%s' as PDF", a, title)
		article()
	case "ARTICLE_ACKNOWLEDGMENT_SENT":
		if g.chance(50) {
			d.actor = notifier
		}
		d.describe("%s sent an acknowledgment request for article '%s' to %s", d.actorName(), title, pick(g, audiences))
		article()
	case "ARTICLE_EXPIRY_DATE_UPDATED":
		d.describe("%s changed the expiry date of article '%s' to %s", a, title, date())
		article()
	case "ARTICLE_PUBLISH_DATE_UPDATED":
		d.describe("%s scheduled article '%s' to publish on %s", a, title, date())
		article()
	case "ARTICLE_ACCESS_UPDATED":
		d.describe("%s added %s as a collaborator on article '%s'", a, d.target(g.person(), audit.AccountActive), title)
		article()
	case "ARTICLE_RATING_CONFIG_UPDATED":
		d.describe("%s turned article ratings on for folder %s", a, folder)
		ev.Details = map[string]any{"folder": folder, "ratings": true}
	case "CONNECTOR_CONNECTED", "CONNECTOR_DISCONNECTED", "CONNECTOR_SYNC_TRIGGERED", "CONNECTOR_AUTO_SYNC_UPDATED":
		c := pick(g, connectors)
		connectorID := d.entityID("CON")
		ev.Details = map[string]any{"connector": c, "connectorId": connectorID}
		switch ev.EventType {
		case "CONNECTOR_CONNECTED":
			d.describe("%s connected %s", a, c)
		case "CONNECTOR_DISCONNECTED":
			d.describe("%s disconnected %s", a, c)
		case "CONNECTOR_SYNC_TRIGGERED":
			n := 20 + g.rng.IntN(2000)
			d.describe("%s triggered a manual sync of %s (%d documents)", a, c, n)
			ev.Details["documents"] = n
		default:
			f := pick(g, syncFrequencies)
			d.describe("%s changed auto-sync of %s to every %s", a, c, f)
			ev.Details["frequency"] = f
		}
		d.url("/km/connectors/%s", connectorID)
	case "APPROVAL_MATRIX_CREATED", "APPROVAL_MATRIX_UPDATED":
		m, n := pick(g, approvalMatrices), 1+g.rng.IntN(4)
		verb := map[bool]string{true: "created", false: "updated"}[ev.EventType == "APPROVAL_MATRIX_CREATED"]
		d.describe("%s %s approval matrix '%s' with %d approvers", a, verb, m, n)
		ev.Details = map[string]any{"matrix": m, "approvers": n}
	case "AUDIENCE_CREATED", "AUDIENCE_UPDATED":
		aud, n := pick(g, audiences), 10+g.rng.IntN(5000)
		verb := map[bool]string{true: "created", false: "updated"}[ev.EventType == "AUDIENCE_CREATED"]
		d.describe("%s %s audience '%s' (%d members)", a, verb, aud, n)
		ev.Details = map[string]any{"audience": aud, "members": n}
	case "TAG_CREATED", "TAG_UPDATED":
		tag := pick(g, tags)
		verb := map[bool]string{true: "created", false: "renamed"}[ev.EventType == "TAG_CREATED"]
		d.describe("%s %s tag '%s'", a, verb, tag)
		ev.Details = map[string]any{"tag": tag}
	case "DASHBOARD_SETTING_UPDATED":
		change := pick(g, dashboardChanges)
		if strings.Contains(change, "%s") {
			change = fmt.Sprintf(change, g.person().name)
		}
		d.describe("%s updated KM dashboard settings: %s", a, change)
		ev.Details = map[string]any{"change": change}
	case "BOT_AI_CONFIG_UPDATED":
		change := pick(g, aiChanges)
		d.describe("%s updated the bot's AI configuration: %s", a, change)
		ev.Details = map[string]any{"change": change}
	case "BOT_LANGUAGE_UPDATED":
		lang := pick(g, languages)
		d.describe("%s added %s to the bot's languages", a, lang)
		ev.Details = map[string]any{"added": []any{lang}}
	case "FOLDER_ACCESS_UPDATED":
		aud := pick(g, audiences)
		d.describe("%s gave audience '%s' access to folder %s", a, aud, folder)
		ev.Details = map[string]any{"folder": folder, "audience": aud, "access": "read"}
	default:
		d.describe("%s: %s", a, strings.ToLower(ev.EventTypeName))
	}
}

func (d *draft) set() {
	g, ev := d.g, d.ev
	a := d.actorName()
	other := g.person()
	for other.id == d.actor.ID {
		other = g.person()
	}
	switch ev.EventType {
	case "USER_LOGIN":
		if ev.Status == audit.StatusInProgress {
			ev.Status = audit.StatusSuccess
		}
		if ev.Status == audit.StatusFailed {
			reason := pick(g, loginFailures)
			d.describe("%s failed to log in: %s", a, reason)
			ev.Details = map[string]any{"method": "SSO", "provider": "Okta", "failure": reason}
		} else {
			d.describe("%s logged in via SSO", a)
			ev.Details = map[string]any{"method": "SSO", "provider": "Okta"}
		}
		return
	case "USER_CREATED":
		role := pick(g, roles)
		d.describe("%s created dashboard user %s with role %s", a, d.target(other, audit.AccountActive), role)
		ev.Details = map[string]any{"role": role}
	case "PASSWORD_CHANGED":
		if g.chance(70) {
			d.describe("%s changed their password", a)
			d.ev.TargetUser = &audit.User{Type: audit.UserDashboard, ID: d.actor.ID, Name: d.actor.Name, Email: d.actor.Email, AccountStatus: audit.AccountActive}
		} else {
			d.describe("%s reset the password of %s", a, d.target(other, audit.AccountActive))
		}
	case "PROFILE_UPDATED":
		field := pick(g, profileFields)
		d.describe("%s updated the profile of %s: %s changed", a, d.target(other, audit.AccountActive), field)
		ev.Details = map[string]any{"changedFields": []any{field}}
	case "ROLE_CHANGED":
		from, to := pick(g, roles), pick(g, roles)
		for to == from {
			to = pick(g, roles)
		}
		d.describe("%s changed the role of %s from %s to %s", a, d.target(other, audit.AccountActive), from, to)
		ev.Details = map[string]any{"previousRole": from, "role": to}
	case "USER_DEACTIVATED":
		d.describe("%s deactivated dashboard user %s", a, d.target(other, audit.AccountTerminated))
		ev.Details = map[string]any{"reason": "left the company"}
	case "USER_REACTIVATED":
		d.describe("%s reactivated dashboard user %s", a, d.target(other, audit.AccountActive))
	default:
		d.describe("%s: %s", a, strings.ToLower(ev.EventTypeName))
	}
	if ev.TargetUser != nil {
		d.url("/settings/users/%s", ev.TargetUser.ID)
	}
}

// onboarding describes the candidate journey; module is "onboarding" or
// "offboarding", as the tenant's bot is set.
func (d *draft) onboarding(module string) {
	g, ev := d.g, d.ev
	a := d.actorName()
	c := g.candidate()
	joining := ev.OccurredAt.AddDate(0, 0, 7+g.rng.IntN(60)).Format("2006-01-02")
	loc := pick(g, locations)
	dateKey, dateName := "joiningDate", "joining"
	if module == "offboarding" {
		dateKey, dateName = "lastWorkingDay", "last working day"
	}
	// Candidates use the bot, not the dashboard: they are bot users.
	candidate := func(status audit.AccountStatus) string {
		ev.TargetUser = &audit.User{Type: audit.UserBot, ID: c.id, Name: c.name, Email: c.email, AccountStatus: status}
		ev.Details = map[string]any{"candidateId": c.id, dateKey: joining, "location": loc}
		return c.name
	}
	switch ev.EventType {
	case "CANDIDATE_ADDED":
		d.describe("%s added candidate %s (%s %s, %s)", a, candidate(audit.AccountActive), dateName, joining, loc)
	case "CANDIDATES_ADDED_BULK":
		n, file := 5+g.rng.IntN(120), pick(g, uploadFiles)
		d.describe("%s added %d candidates from %s", a, n, file)
		ev.Details = map[string]any{"file": file, "candidates": n, "rejectedRows": g.rng.IntN(4)}
	case "CANDIDATE_ONBOARDED":
		if g.chance(50) {
			d.actor = scheduler
		}
		d.describe("%s marked %s as %s complete", d.actorName(), candidate(audit.AccountActive), module)
	case "CANDIDATE_ONBOARDING_STOPPED":
		reason := pick(g, stopReasons)
		d.describe("%s stopped the %s of %s: %s", a, module, candidate(audit.AccountTerminated), reason)
		ev.Details["reason"] = reason
	case "CANDIDATE_ONBOARDING_REINITIATED":
		d.describe("%s restarted the %s of %s", a, module, candidate(audit.AccountActive))
	case "CANDIDATE_PROFILE_UPDATED":
		field := pick(g, profileFields)
		d.describe("%s updated the profile of %s: %s changed", a, candidate(audit.AccountActive), field)
		ev.Details["changedFields"] = []any{field}
	case "FORM_UPDATED_BY_CANDIDATE":
		d.actor = audit.User{Type: audit.UserBot, ID: c.id, Name: c.name, Email: c.email, IPAddress: c.ip, UserAgent: c.agent}
		form := pick(g, onboardingForms)
		d.describe("%s updated the form '%s' in the Leena AI chat", candidate(audit.AccountActive), form)
		ev.Details["form"] = form
	case "FORM_APPROVED":
		form := pick(g, onboardingForms)
		d.describe("%s approved the form '%s' of %s", a, form, candidate(audit.AccountActive))
		ev.Details["form"] = form
	case "FORM_SENT_FOR_RESUBMISSION":
		form, reason := pick(g, onboardingForms), pick(g, resubmitReason)
		d.describe("%s sent the form '%s' back to %s: %s", a, form, candidate(audit.AccountActive), reason)
		ev.Details["form"] = form
	case "FORM_STATUS_UPDATED":
		form, state := pick(g, onboardingForms), pick(g, formStates)
		d.describe("%s set the form '%s' of %s to %s", a, form, candidate(audit.AccountActive), state)
		ev.Details["form"], ev.Details["state"] = form, state
	case "TASK_TRIGGER_IN_PROGRESS", "TASK_TRIGGER_COMPLETED":
		d.actor = scheduler
		task := pick(g, tasks)
		if ev.EventType == "TASK_TRIGGER_IN_PROGRESS" {
			ev.Status = audit.StatusInProgress
			d.describe("Task '%s' for %s started", task, candidate(audit.AccountActive))
		} else {
			d.describe("Task '%s' for %s completed", task, candidate(audit.AccountActive))
		}
		ev.Details["task"] = task
	case "TASK_STATUS_UPDATED":
		task, state := pick(g, tasks), pick(g, taskStates)
		d.describe("%s marked the task '%s' for %s as %s", a, task, candidate(audit.AccountActive), state)
		ev.Details["task"], ev.Details["state"] = task, state
	case "ACTION_TRIGGER_SUCCEEDED":
		d.actor = workflow
		action := pick(g, actions)
		ev.Status = audit.StatusSuccess
		d.describe("Action '%s' for %s succeeded", action, candidate(audit.AccountActive))
		ev.Details["action"] = action
	case "ACTION_TRIGGER_FAILED":
		d.actor = workflow
		action, reason := pick(g, actions), pick(g, actionErrors)
		ev.Status = audit.StatusFailed
		d.describe("Action '%s' for %s failed: %s", action, candidate(audit.AccountActive), reason)
		ev.Details["action"], ev.Details["error"] = action, reason
	case "ONBOARDING_SETTING_ADDED", "ONBOARDING_SETTING_UPDATED":
		setting := pick(g, onboardingSettings)
		verb := map[bool]string{true: "added", false: "updated"}[ev.EventType == "ONBOARDING_SETTING_ADDED"]
		d.describe("%s %s the %s setting '%s'", a, verb, module, setting)
		ev.Details = map[string]any{"setting": setting}
	case "USER_PERMISSIONS_UPDATED":
		perm := pick(g, permissions)
		d.describe("%s allowed %s to %s", a, d.target(g.person(), audit.AccountActive), perm)
		ev.Details = map[string]any{"permission": perm}
	case "TABLE_FILTERS_UPDATED":
		f := pick(g, tableFilters)
		d.describe("%s added the candidate table filter '%s'", a, f)
		ev.Details = map[string]any{"filter": f}
	default:
		d.describe("%s: %s", a, strings.ToLower(ev.EventTypeName))
	}
	if ev.TargetUser != nil {
		d.url("/%s/candidates/%s", module, ev.TargetUser.ID)
	}
}
