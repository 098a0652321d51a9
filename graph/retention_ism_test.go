package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/retention"
	"github.com/auditlog/auditlog/store/opensearch"
)

// ismDay is a day of retention in this file's ISM policies: ISM runs every
// minute at best, so a (scaled) day of 1 DAYS retention has the policy
// decide to delete an index at the first ISM run at least 40 s after its
// rollover.
const ismDay = 20 * time.Second

// TestISMRetentionThroughTheAPI is retention on a cluster with ISM, driven
// and watched as an admin would, through GraphQL: a component's retention
// becomes its series' ISM policy; ISM rolls the series over and decides to
// delete the rolled-over index once its (scaled) day has passed;
// lengthening the retention then rescues that index, whose events are not
// expired under the new one; shortening it again applies to the existing
// index, which ISM deletes while the fresh index and its event stay. At
// every step Component.indices agrees with ISM's explain API. The
// lifecycle also runs every few seconds, as serve runs it every 15
// minutes: repeated runs must not hold ISM up.
func TestISMRetentionThroughTheAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{backend: "opensearch", logs: true, lifecycle: func(st *opensearch.Store) *opensearch.Lifecycle {
		lc, err := opensearch.NewLifecycle(st, opensearch.LifecycleOptions{
			Mode:     opensearch.LifecycleISM,
			Rollover: retention.Rollover{MaxAge: 30 * retention.Day, MaxDocs: 2},
			Interval: 5 * time.Second,
			Day:      ismDay,
			Logger:   slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
		})
		if err != nil {
			if !st.HasISM() && os.Getenv("OPENSEARCH_REQUIRE_ISM") != "1" {
				t.Skip("the OpenSearch node has no ISM plugin (opensearch-index-management); set OPENSEARCH_REQUIRE_ISM=1 to fail instead")
			}
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			lc.Run(ctx)
		}()
		t.Cleanup(func() {
			cancel()
			<-done
		})
		return lc
	}})
	node := ismNode{t: t, base: e.osURL}
	node.fast()
	admin := e.key("acme", audit.RoleAdmin, audit.User{Type: audit.UserDashboard, ID: "u-admin", Name: "Ada"})
	alias := e.prefix + "-events-acme-cms"
	first, second := alias+"-000001", alias+"-000002"

	oneDay := audit.Retention{Value: 1, Unit: audit.Days}
	e.configureRetention(admin, "CMS", oneDay)
	if desc := node.policy(alias).Policy.Description; !strings.Contains(desc, "kept 1 DAYS") {
		t.Fatalf("series policy after configuring 1 day: %q", desc)
	}
	now := time.Now().UTC()
	e.ingest("acme", cmsEvent("old-1", now), cmsEvent("old-2", now))

	// ISM manages the first index from birth and rolls it over once it
	// holds two events (or is a scaled day old: later indices roll over
	// by age, one every other ISM run); the ISM template gives the new
	// index the policy soon after its creation.
	view := e.waitIndices(admin, node, 4*time.Minute, "ISM to roll "+alias+" over", func(ix []indexView) bool {
		return len(ix) >= 2 && ix[0].Name == first && !ix[0].WriteIndex && ix[1].Name == second && ix[len(ix)-1].ManagedBy == "ISM"
	})
	for _, ix := range view {
		if ix.ManagedBy != "ISM" || ix.Policy != alias {
			t.Errorf("index %s managed by %s, policy %q; want ISM, %s", ix.Name, ix.ManagedBy, ix.Policy, alias)
		}
		if ix.WriteIndex != (ix.Name == view[len(view)-1].Name) || (ix.DeleteAt == nil) != ix.WriteIndex {
			t.Errorf("index %s: write index %v, deletion date %v; want only the last one written, and deleted at no date", ix.Name, ix.WriteIndex, ix.DeleteAt)
		}
	}
	if old := view[0]; old.RolledOverAt == nil || old.DeleteAt == nil ||
		!old.DeleteAt.Equal(old.RolledOverAt.Add(retention.DeleteAfter(oneDay, ismDay))) {
		t.Errorf("rolled-over index: rolled over %v, deleted at %v; want deletion %s after the rollover",
			old.RolledOverAt, old.DeleteAt, retention.DeleteAfter(oneDay, ismDay))
	}

	// Its day passed, ISM sets out to delete the first index.
	e.waitIndices(admin, node, 4*time.Minute, "ISM to decide to delete "+first, func(ix []indexView) bool {
		return len(ix) > 0 && ix[0].Name == first && ix[0].State == retention.StateDelete
	})

	// Lengthening the retention rescues it: its events are kept 30 days
	// now. ISM initialises it on the new policy version, back in hot,
	// instead of deleting it.
	month := audit.Retention{Value: 30, Unit: audit.Days}
	e.configureRetention(admin, "CMS", month)
	version := node.policy(alias).version()
	view = e.waitIndices(admin, node, 4*time.Minute, first+" back in hot on the new policy version", func(ix []indexView) bool {
		return len(ix) > 0 && ix[0].Name == first && ix[0].State == retention.StateHot && node.explain(first).version() == version
	})
	if old := view[0]; old.DeleteAt == nil || !old.DeleteAt.Equal(old.RolledOverAt.Add(retention.DeleteAfter(month, ismDay))) {
		t.Errorf("rescued index deletes at %v, want %s after its rollover %v", old.DeleteAt, retention.DeleteAfter(month, ismDay), old.RolledOverAt)
	}
	if n := e.cmsEvents(admin); n != 2 {
		t.Errorf("after the rescue, CMS has %d events, want 2", n)
	}
	e.ingest("acme", cmsEvent("fresh-1", time.Now().UTC()))

	// Shortening it again applies to the existing indices: they move to
	// the new policy version, and ISM deletes the first one; what
	// auditlog shows is what is left.
	e.configureRetention(admin, "CMS", oneDay)
	e.waitIndices(admin, node, 6*time.Minute, "ISM to delete "+first, func(ix []indexView) bool {
		return len(ix) > 0 && ix[0].Name != first
	})
	if node.explain(first) != nil {
		t.Errorf("%s is gone from Component.indices but ISM still explains it", first)
	}
	var old struct{ Event *struct{ ID string } }
	e.query(admin, `{ event(id: "old-1") { id } }`, nil, &old)
	if old.Event != nil {
		t.Errorf("event old-1 of the deleted index is still found")
	}
	// Searches find what the indices hold: the events of the deleted
	// index are gone. (ISM keeps rolling over and deleting the later
	// indices meanwhile, by their 20-second days: both are read between
	// two of its runs.)
	e.waitIndices(admin, node, 2*time.Minute, "searches to find the events the indices hold", func(ix []indexView) bool {
		docs := 0
		for _, x := range ix {
			docs += x.Documents
		}
		return e.cmsEvents(admin) == docs
	})
}

// cmsEvent is an ingest input of CMS occurring at at.
func cmsEvent(id string, at time.Time) map[string]any {
	return map[string]any{
		"id": id, "componentId": "CMS", "eventType": "CREATE_USER_GROUP", "status": "SUCCESS",
		"occurredAt": at.Format(time.RFC3339Nano), "actionUser": map[string]any{"type": "SYSTEM", "name": "sync"},
	}
}

// configureRetention sets the retention of a component through
// configureComponent, logging on, as the admin of key.
func (e *env) configureRetention(key, component string, r audit.Retention) {
	e.t.Helper()
	var cur struct{ Component struct{ Version int } }
	e.query(key, `query($id: ID!) { component(id: $id) { version } }`, map[string]any{"id": component}, &cur)
	var got struct {
		ConfigureComponent struct {
			Criteria struct{ Retention *struct{ Value int } }
		}
	}
	e.query(key, `mutation($id: ID!, $c: ComponentConfigInput!) { configureComponent(id: $id, config: $c) { criteria { retention { value } } } }`,
		map[string]any{"id": component, "c": map[string]any{
			"loggingEnabled": true, "version": cur.Component.Version,
			"retention": map[string]any{"value": r.Value, "unit": string(r.Unit)},
		}}, &got)
	if rr := got.ConfigureComponent.Criteria.Retention; rr == nil || rr.Value != r.Value {
		e.t.Fatalf("configureComponent stored retention %+v, want %d %s", rr, r.Value, r.Unit)
	}
}

// cmsEvents counts the CMS events the admin of key finds.
func (e *env) cmsEvents(key string) int {
	e.t.Helper()
	e.refresh()
	var got struct{ Events struct{ TotalCount int } }
	e.query(key, `{ events(filter: {components: ["CMS"]}) { totalCount } }`, nil, &got)
	return got.Events.TotalCount
}

// indexView is an index as Component.indices shows it.
type indexView struct {
	Name         string
	WriteIndex   bool
	RolledOverAt *time.Time
	ManagedBy    string
	Policy       string
	State        string
	DeleteAt     *time.Time
	Documents    int
}

// waitIndices polls Component.indices of CMS until cond holds for a view
// that agrees with ISM's explain API (same indices, policies and states),
// or fails after limit, saying what it last saw. ISM acts on its own
// schedule, so the test waits on its state, not for a time.
func (e *env) waitIndices(key string, node ismNode, limit time.Duration, what string, cond func([]indexView) bool) []indexView {
	e.t.Helper()
	const q = `{ component(id: "CMS") { indices { name writeIndex rolledOverAt managedBy policy state deleteAt documents } } }`
	deadline := time.Now().Add(limit)
	for {
		var got struct{ Component struct{ Indices []indexView } }
		e.query(key, q, nil, &got)
		view := got.Component.Indices
		disagree := node.disagreement(view)
		if disagree == "" && cond(view) {
			return view
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("after %s, still waiting for %s; Component.indices: %+v; %s", limit, what, view, disagree)
		}
		time.Sleep(2 * time.Second)
	}
}

// ismNode is the test's own look at the OpenSearch node, through its REST
// API, to check what auditlog reports against what ISM says.
type ismNode struct {
	t    *testing.T
	base string
}

func (n ismNode) call(method, path string, body, out any) int {
	n.t.Helper()
	var r bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&r).Encode(body); err != nil {
			n.t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, n.base+path, &r)
	if err != nil {
		n.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			n.t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

// fast makes ISM look at indices managed from now on every minute, its
// minimum, with little jitter. Transient settings, left in place: tests
// running in parallel rely on them.
func (n ismNode) fast() {
	n.t.Helper()
	settings := map[string]any{"transient": map[string]any{
		"plugins.index_state_management.job_interval": 1,
		"plugins.index_state_management.jitter":       0.1,
	}}
	if code := n.call(http.MethodPut, "/_cluster/settings", settings, nil); code != http.StatusOK {
		n.t.Fatalf("set ISM job interval: HTTP %d", code)
	}
}

type ismPolicy struct {
	SeqNo       *int64 `json:"_seq_no"`
	PrimaryTerm *int64 `json:"_primary_term"`
	Policy      struct {
		Description string `json:"description"`
	} `json:"policy"`
}

func (p ismPolicy) version() string {
	if p.SeqNo == nil || p.PrimaryTerm == nil {
		return ""
	}
	return fmt.Sprint(*p.SeqNo, "/", *p.PrimaryTerm)
}

func (n ismNode) policy(id string) ismPolicy {
	n.t.Helper()
	var p ismPolicy
	if code := n.call(http.MethodGet, "/_plugins/_ism/policies/"+id, nil, &p); code != http.StatusOK {
		n.t.Fatalf("GET ISM policy %s: HTTP %d", id, code)
	}
	return p
}

type explained struct {
	PolicyID     *string `json:"index.plugins.index_state_management.policy_id"`
	SeqNo        *int64  `json:"policy_seq_no"`
	PrimaryTerm  *int64  `json:"policy_primary_term"`
	TransitionTo string  `json:"transition_to"`
	State        *struct {
		Name string `json:"name"`
	} `json:"state"`
}

func (x *explained) version() string {
	if x == nil || x.SeqNo == nil || x.PrimaryTerm == nil {
		return ""
	}
	return fmt.Sprint(*x.SeqNo, "/", *x.PrimaryTerm)
}

// state is the state ISM has the index in, or is moving it to.
func (x *explained) state() string {
	switch {
	case x.TransitionTo != "":
		return x.TransitionTo
	case x.State != nil:
		return x.State.Name
	}
	return ""
}

// explain returns ISM's view of an index; nil when it does not exist (ISM
// answers 400 "no documents to get" for a deleted index).
func (n ismNode) explain(index string) *explained {
	n.t.Helper()
	var body map[string]json.RawMessage
	code := n.call(http.MethodGet, "/_plugins/_ism/explain/"+index, nil, &body)
	if code == http.StatusNotFound || code == http.StatusBadRequest {
		return nil
	}
	if code != http.StatusOK {
		n.t.Fatalf("ISM explain %s: HTTP %d", index, code)
	}
	raw, ok := body[index]
	if !ok {
		return nil
	}
	var x explained
	if err := json.Unmarshal(raw, &x); err != nil {
		n.t.Fatal(err)
	}
	return &x
}

// disagreement says how view differs from what ISM's explain API says of
// the same indices; "" when it does not.
func (n ismNode) disagreement(view []indexView) string {
	for _, ix := range view {
		x := n.explain(ix.Name)
		switch {
		case x == nil:
			return fmt.Sprintf("ISM does not know %s", ix.Name)
		case x.PolicyID == nil:
			if ix.ManagedBy == "ISM" {
				return fmt.Sprintf("%s shown managed by ISM, which explains no policy", ix.Name)
			}
		case *x.PolicyID != ix.Policy || x.state() != ix.State:
			return fmt.Sprintf("%s shown with policy %q, state %q; ISM explains %q, %q", ix.Name, ix.Policy, ix.State, *x.PolicyID, x.state())
		}
	}
	return ""
}
