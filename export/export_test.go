package export_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/token"
)

func TestExportOneEvent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st store.Store) {
		p := viewer(t, st, tenant, "key-1", audit.RoleViewer)
		writeEvents(t, st, []audit.Event{
			event(tenant, "ev-1", "KMS", t0),
			event(tenant, "ev-2", "KMS", t0.Add(time.Minute)),
		})
		x := newExporter(t, st, export.Options{})

		link := x.link(t, p, export.Request{IDs: []string{"ev-2"}})
		if !strings.HasPrefix(link.URL, x.srv.URL+"/export/") {
			t.Fatalf("link %q is not under %s/export/", link.URL, x.srv.URL)
		}
		if d := time.Until(link.ExpiresAt); d <= 0 || d > export.DefaultTTL {
			t.Fatalf("link expires in %v, want within %v", d, export.DefaultTTL)
		}
		d := get(t, link.URL)
		rows := d.rows(t)
		if got := ids(rows); !slices.Equal(got, []string{"ev-2"}) {
			t.Fatalf("exported %q, want [ev-2]", got)
		}
		if ct := d.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("Content-Type = %q", ct)
		}
		if fn := filename(t, d); fn != "auditlog-event-ev-2.csv" {
			t.Errorf("filename = %q", fn)
		}
		if !strings.HasSuffix(string(d.body), "\r\n# complete: 1 rows\r\n") {
			t.Errorf("body does not end with the CRLF trailer: %q", d.body)
		}
		e := waitExported(t, x)
		if e.Rows != 1 || !e.Complete || e.P.Tenant != tenant || e.P.User.ID != alice.ID || !slices.Equal(e.Req.IDs, []string{"ev-2"}) {
			t.Errorf("OnExported got %+v", e)
		}
	})
}

func TestExportSelectedIDsOfOwnTenantOnly(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st store.Store) {
		p := viewer(t, st, tenant, "key-1", audit.RoleAdmin)
		writeEvents(t, st, []audit.Event{
			event(tenant, "a-1", "KMS", t0),
			event(tenant, "a-2", "CMS", t0.Add(1*time.Minute)),
			event(tenant, "a-3", "SET", t0.Add(2*time.Minute)),
			event("globex", "b-1", "KMS", t0.Add(3*time.Minute)),
			// Same id in another tenant: only acme's may come out.
			event("globex", "a-3", "KMS", t0.Add(4*time.Minute)),
		})
		x := newExporter(t, st, export.Options{})

		link := x.link(t, p, export.Request{IDs: []string{"a-1", "a-3", "missing", "b-1", "a-3"}})
		rows := get(t, link.URL).rows(t)
		if got := ids(rows); !slices.Equal(got, []string{"a-3", "a-1"}) {
			t.Fatalf("exported %q, want [a-3 a-1] (newest first, own tenant, no repeats)", got)
		}
		if rows[0]["Component"] != "SET" {
			t.Errorf("a-3 exported from component %q, want acme's SET event", rows[0]["Component"])
		}

		link = x.link(t, p, export.Request{IDs: []string{"a-1", "a-3"}, Order: audit.OldestFirst})
		if got := ids(get(t, link.URL).rows(t)); !slices.Equal(got, []string{"a-1", "a-3"}) {
			t.Fatalf("oldest first exported %q, want [a-1 a-3]", got)
		}
	})
}

func TestExportWholeFilteredLog(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st store.Store) {
		p := viewer(t, st, tenant, "key-1", audit.RoleViewer)
		var events []audit.Event
		for i := range 30 {
			comp := "KMS"
			if i%3 == 0 {
				comp = "CMS"
			}
			events = append(events, event(tenant, fmt.Sprintf("ev-%02d", i), comp, t0.Add(time.Duration(i)*time.Hour)))
		}
		events = append(events, event("globex", "other", "KMS", t0.Add(5*time.Hour+time.Minute)))
		writeEvents(t, st, events)
		// A page size smaller than the result checks that pages join up.
		x := newExporter(t, st, export.Options{PageSize: 4})

		from, to := t0.Add(2*time.Hour), t0.Add(20*time.Hour)
		f := &audit.Filter{Components: []string{"KMS"}, From: &from, To: &to}
		var want []string
		for i := len(events) - 2; i >= 0; i-- {
			e := events[i]
			if e.ComponentID == "KMS" && !e.OccurredAt.Before(from) && e.OccurredAt.Before(to) {
				want = append(want, e.ID)
			}
		}
		d := get(t, x.link(t, p, export.Request{Filter: f}).URL)
		if got := ids(d.rows(t)); !slices.Equal(got, want) {
			t.Fatalf("exported %q\nwant %q", got, want)
		}
		if fn := filename(t, d); fn != "auditlog-KMS-20260110T113000Z-20260111T053000Z.csv" {
			t.Errorf("filename = %q", fn)
		}

		// An empty filter is the tenant's whole log.
		all := ids(get(t, x.link(t, p, export.Request{Filter: &audit.Filter{}}).URL).rows(t))
		if len(all) != 30 || slices.Contains(all, "other") {
			t.Fatalf("whole log exported %d rows %q, want acme's 30", len(all), all)
		}
	})
}

func TestExportHidesExpiredEvents(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st store.Store) {
		p := viewer(t, st, tenant, "key-1", audit.RoleViewer)
		writeEvents(t, st, []audit.Event{
			event(tenant, "old", "KMS", t0),
			event(tenant, "new", "KMS", t0.Add(48*time.Hour)),
			event(tenant, "cms", "CMS", t0),
		})
		x := newExporter(t, st, export.Options{
			Cutoffs: func(_ context.Context, tn string) (map[string]time.Time, error) {
				if tn != tenant {
					t.Errorf("cutoffs asked for tenant %q", tn)
				}
				return map[string]time.Time{"KMS": t0.Add(24 * time.Hour)}, nil
			},
		})
		got := ids(get(t, x.link(t, p, export.Request{Filter: &audit.Filter{}}).URL).rows(t))
		if !slices.Equal(got, []string{"new", "cms"}) {
			t.Fatalf("exported %q, want [new cms]: the expired KMS event must not be exported", got)
		}
	})
}

func TestExportColumns(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st store.Store) {
		p := viewer(t, st, tenant, "key-1", audit.RoleViewer)
		full := audit.Event{
			ID:            "full",
			Tenant:        tenant,
			ComponentID:   "SET",
			Submodule:     "Users",
			EventType:     "ROLE_CHANGED",
			EventTypeName: "Role changed",
			Description:   "Role of Bob changed to \"admin\", was viewer\nsecond line",
			Priority:      audit.PriorityCritical,
			Status:        audit.StatusFailed,
			ActionUser: audit.User{Type: audit.UserDashboard, ID: "u-alice", Name: "Alice, Admin", Email: "alice@acme.test",
				IPAddress: "203.0.113.7", UserAgent: "Mozilla/5.0 (X11)"},
			TargetUser: &audit.User{Type: audit.UserBot, ID: "u-bob", Name: "Bob", Email: "bob@acme.test",
				AccountStatus: audit.AccountTerminated},
			OccurredAt:  time.Date(2026, 2, 3, 4, 5, 6, 789e6, time.UTC),
			IngestedAt:  time.Date(2026, 2, 3, 4, 5, 7, 1e6, time.UTC),
			RedirectURL: "https://app.acme.test/settings/users/u-bob?tab=roles&x=1",
			Details:     map[string]any{"old": "viewer", "new": "admin", "count": 2.0, "nested": map[string]any{"html": "<b>&</b>"}},
		}
		bare := event(tenant, "bare", "KMS", full.OccurredAt.Add(-time.Hour))
		bare.Submodule, bare.Description, bare.EventTypeName = "", "", ""
		bare.IngestedAt = full.IngestedAt
		writeEvents(t, st, []audit.Event{full, bare})
		flagger := audit.User{Type: audit.UserDashboard, ID: "u-carol", Name: "Carol", Email: "carol@acme.test"}
		flagAt := time.Date(2026, 2, 4, 0, 0, 0, 0, time.UTC)
		if _, err := st.FlagEvents(ctx(t), tenant, []string{"full"}, audit.Flag{By: flagger, At: flagAt, Note: "check, please"}); err != nil {
			t.Fatalf("flag: %v", err)
		}
		refresh(t, st)
		x := newExporter(t, st, export.Options{})

		rows := get(t, x.link(t, p, export.Request{IDs: []string{"full", "bare"}}).URL).rows(t)
		if len(rows) != 2 {
			t.Fatalf("got %d rows, want 2", len(rows))
		}
		wantFull := map[string]string{
			"Event ID":                   "full",
			"Component":                  "SET",
			"Submodule":                  "Users",
			"Event Type":                 "ROLE_CHANGED",
			"Event Type Name":            "Role changed",
			"Description":                "Role of Bob changed to \"admin\", was viewer\nsecond line",
			"Priority":                   "CRITICAL",
			"Status":                     "FAILED",
			"Action User Type":           "DASHBOARD",
			"Action User ID":             "u-alice",
			"Action User Name":           "Alice, Admin",
			"Action User Email":          "alice@acme.test",
			"Action User IP Address":     "203.0.113.7",
			"Action User Agent":          "Mozilla/5.0 (X11)",
			"Target User Type":           "BOT",
			"Target User ID":             "u-bob",
			"Target User Name":           "Bob",
			"Target User Email":          "bob@acme.test",
			"Target User Account Status": "TERMINATED",
			"Occurred At":                "2026-02-03T04:05:06.789Z",
			"Ingested At":                "2026-02-03T04:05:07.001Z",
			"Flagged":                    "true",
			"Flagged By":                 "Carol <carol@acme.test>",
			"Flagged At":                 "2026-02-04T00:00:00.000Z",
			"Flag Note":                  "check, please",
			"Redirect URL":               "https://app.acme.test/settings/users/u-bob?tab=roles&x=1",
			"Details":                    `{"count":2,"nested":{"html":"<b>&</b>"},"new":"admin","old":"viewer"}`,
		}
		wantBare := map[string]string{
			"Event ID": "bare", "Component": "KMS", "Submodule": "", "Event Type": "ARTICLE_PUBLISHED",
			"Event Type Name": "", "Description": "", "Priority": "HIGH", "Status": "SUCCESS",
			"Action User Type": "DASHBOARD", "Action User ID": "u-alice", "Action User Name": "Alice Admin",
			"Action User Email": "alice@acme.test", "Action User IP Address": "", "Action User Agent": "",
			"Target User Type": "", "Target User ID": "", "Target User Name": "", "Target User Email": "",
			"Target User Account Status": "", "Occurred At": "2026-02-03T03:05:06.789Z",
			"Ingested At": "2026-02-03T04:05:07.001Z", "Flagged": "false", "Flagged By": "", "Flagged At": "",
			"Flag Note": "", "Redirect URL": "", "Details": "",
		}
		for i, want := range []map[string]string{wantFull, wantBare} {
			for _, col := range export.Columns {
				if rows[i][col] != want[col] {
					t.Errorf("row %s, column %q = %q, want %q", want["Event ID"], col, rows[i][col], want[col])
				}
			}
		}
	})
}

func TestExportEscapesFormulas(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st store.Store) {
		p := viewer(t, st, tenant, "key-1", audit.RoleViewer)
		triggers := []string{"=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"}
		var events []audit.Event
		for i, tr := range triggers {
			e := event(tenant, "f-"+string(rune('a'+i)), "KMS", t0.Add(time.Duration(i)*time.Minute))
			e.Description = tr + "HYPERLINK(\"http://evil.test\",\"x\")"
			e.Submodule = tr + "sub"
			e.ActionUser.Name = tr + "cmd|' /C calc'!A0"
			e.TargetUser = &audit.User{Type: audit.UserDashboard, Name: tr + "target"}
			e.Details = map[string]any{"delta": -5.0, "label": tr + "x"}
			events = append(events, e)
		}
		writeEvents(t, st, events)
		x := newExporter(t, st, export.Options{})

		rows := get(t, x.link(t, p, export.Request{Filter: &audit.Filter{}, Order: audit.OldestFirst}).URL).rows(t)
		if len(rows) != len(triggers) {
			t.Fatalf("got %d rows, want %d", len(rows), len(triggers))
		}
		for i, tr := range triggers {
			r, e := rows[i], events[i]
			for col, orig := range map[string]string{
				"Description":      e.Description,
				"Submodule":        e.Submodule,
				"Action User Name": e.ActionUser.Name,
				"Target User Name": e.TargetUser.Name,
			} {
				if r[col] != "'"+orig {
					t.Errorf("trigger %q: %s = %q, want %q", tr, col, r[col], "'"+orig)
				}
			}
			var details map[string]any
			if err := json.Unmarshal([]byte(r["Details"]), &details); err != nil {
				t.Errorf("trigger %q: details %q are not JSON: %v", tr, r["Details"], err)
				continue
			}
			if details["delta"] != -5.0 || details["label"] != tr+"x" {
				t.Errorf("trigger %q: details = %v", tr, details)
			}
		}
	})
}

func TestCreateLinkChecksRequestAndCaller(t *testing.T) {
	st := openSQLite(t)
	p := viewer(t, st, tenant, "key-1", audit.RoleViewer)
	x := newExporter(t, st, export.Options{})
	many := make([]string, export.MaxIDs+1)
	for i := range many {
		many[i] = "id-" + strings.Repeat("x", i%5) + string(rune('a'+i%26))
	}
	for _, tc := range []struct {
		name  string
		req   export.Request
		field string
	}{
		{"neither", export.Request{}, "filter"},
		{"both", export.Request{Filter: &audit.Filter{}, IDs: []string{"a"}}, "ids"},
		{"empty ids", export.Request{IDs: []string{}}, "ids"},
		{"blank id", export.Request{IDs: []string{"a", ""}}, "ids[1]"},
		{"too many ids", export.Request{IDs: many}, "ids"},
		{"bad order", export.Request{IDs: []string{"a"}, Order: "SIDEWAYS"}, "order"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := x.svc.CreateLink(ctx(t), p, tc.req)
			if !isInvalid(err, tc.field) {
				t.Fatalf("err = %v, want invalid %q", err, tc.field)
			}
		})
	}
	for _, tc := range []struct {
		name string
		p    audit.Principal
	}{
		{"emitter", audit.Principal{Tenant: tenant, Role: audit.RoleEmitter, KeyID: "key-1"}},
		{"no role", audit.Principal{Tenant: tenant, KeyID: "key-1"}},
		{"no tenant", audit.Principal{Role: audit.RoleAdmin, KeyID: "key-1"}},
		{"no key", audit.Principal{Tenant: tenant, Role: audit.RoleAdmin}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := x.svc.CreateLink(ctx(t), tc.p, export.Request{Filter: &audit.Filter{}})
			if !errors.Is(err, export.ErrForbidden) {
				t.Fatalf("err = %v, want ErrForbidden", err)
			}
		})
	}
}

func TestBadLinksExportNothing(t *testing.T) {
	st := openSQLite(t)
	p := viewer(t, st, tenant, "key-1", audit.RoleViewer)
	revoked := viewer(t, st, tenant, "key-revoked", audit.RoleAdmin)
	writeEvents(t, st, []audit.Event{event(tenant, "secret-event", "KMS", t0)})
	x := newExporter(t, st, export.Options{})
	req := export.Request{Filter: &audit.Filter{}}

	good := x.link(t, p, req).URL
	tok := good[strings.LastIndexByte(good, '/')+1:]

	past, err := token.NewSigner(secret, token.WithClock(func() time.Time { return time.Now().Add(-time.Hour) }))
	if err != nil {
		t.Fatal(err)
	}
	expired := newExporterWithSigner(t, st, past, export.Options{}).link(t, p, req).URL
	expired = x.srv.URL + "/export" + expired[strings.LastIndexByte(expired, '/'):]

	otherSecret, err := token.NewSigner([]byte(strings.Repeat("s", 40)))
	if err != nil {
		t.Fatal(err)
	}
	forged := newExporterWithSigner(t, st, otherSecret, export.Options{}).link(t, p, req).URL
	forged = x.srv.URL + "/export" + forged[strings.LastIndexByte(forged, '/'):]

	// A token the server signed for another purpose, holding the same claims.
	var claims any
	if err := x.signer.For("export").Verify(tok, &claims); err != nil {
		t.Fatal(err)
	}
	cursor, err := x.signer.For("cursor").Sign(claims, time.Minute)
	if err != nil {
		t.Fatal(err)
	}

	// The good link's payload rewritten to another tenant, signature kept.
	body, sig, _ := strings.Cut(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"tenant":"acme"`) {
		t.Fatalf("token payload %s does not name the tenant as expected", raw)
	}
	raw = []byte(strings.ReplaceAll(string(raw), `"tenant":"acme"`, `"tenant":"acmf"`))
	tampered := base64.RawURLEncoding.EncodeToString(raw) + "." + sig

	revokedLink := x.link(t, revoked, req).URL
	if err := st.RevokeKey(ctx(t), "key-revoked", time.Now()); err != nil {
		t.Fatal(err)
	}

	for name, url := range map[string]string{
		"expired":       expired,
		"other secret":  forged,
		"other purpose": x.srv.URL + "/export/" + cursor,
		"tampered":      x.srv.URL + "/export/" + tampered,
		"garbage":       x.srv.URL + "/export/not-a-token",
		"revoked key":   revokedLink,
	} {
		t.Run(name, func(t *testing.T) {
			d := get(t, url)
			if d.status != http.StatusForbidden {
				t.Fatalf("status %d, want 403; body %q", d.status, d.body)
			}
			if strings.Contains(string(d.body), "secret-event") || strings.Contains(d.header.Get("Content-Type"), "csv") {
				t.Fatalf("a refused link exported data: %q", d.body)
			}
		})
	}
	if calls := x.calls(); len(calls) != 0 {
		t.Fatalf("refused links were recorded as exports: %+v", calls)
	}
	// The good link still works, so the refusals above are about the links.
	if got := ids(get(t, good).rows(t)); !slices.Equal(got, []string{"secret-event"}) {
		t.Fatalf("good link exported %q", got)
	}
}

func filename(t *testing.T, d download) string {
	t.Helper()
	disp, params, err := mime.ParseMediaType(d.header.Get("Content-Disposition"))
	if err != nil || disp != "attachment" {
		t.Fatalf("Content-Disposition %q: %v", d.header.Get("Content-Disposition"), err)
	}
	return params["filename"]
}

func TestStoreFailureBeforeFirstRowIsAnError(t *testing.T) {
	st := openSQLite(t)
	p := viewer(t, st, tenant, "key-1", audit.RoleViewer)
	writeEvents(t, st, []audit.Event{event(tenant, "ev-1", "KMS", t0)})
	x := newExporter(t, st, export.Options{
		Cutoffs: func(context.Context, string) (map[string]time.Time, error) {
			return nil, errors.New("capture configuration unavailable")
		},
	})
	d := get(t, x.link(t, p, export.Request{Filter: &audit.Filter{}}).URL)
	if d.status != http.StatusServiceUnavailable || strings.Contains(d.header.Get("Content-Type"), "csv") ||
		d.header.Get("Content-Disposition") != "" {
		t.Fatalf("status %d, headers %v: want a plain 503, not a file", d.status, d.header)
	}
}

func TestHeadShowsTheFileWithoutExporting(t *testing.T) {
	st := openSQLite(t)
	p := viewer(t, st, tenant, "key-1", audit.RoleViewer)
	x := newExporter(t, st, export.Options{})
	resp, err := http.Head(x.link(t, p, export.Request{IDs: []string{"ev-1"}}).URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("HEAD: status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if calls := x.calls(); len(calls) != 0 {
		t.Fatalf("HEAD was recorded as an export: %+v", calls)
	}
}
