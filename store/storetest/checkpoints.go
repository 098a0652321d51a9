package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/checkpoint"
	"github.com/auditlog/auditlog/checkpointer"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/verify"
)

// cpBase is the start of the first closed window of the checkpoint cases.
var cpBase = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func signingKeys(t *testing.T) *checkpoint.Keyring {
	t.Helper()
	seed, err := checkpoint.GenerateSeed()
	if err != nil {
		t.Fatal(err)
	}
	kr, err := checkpoint.ParseKeyring(seed)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// ingestedEvent is an event of the series ingested at the given instant.
func ingestedEvent(tenant, id, component string, occurred, ingested time.Time) audit.Event {
	e := minimalEvent(tenant, id, component, occurred)
	e.IngestedAt = ingested
	e.ActionUser = audit.User{Type: audit.UserDashboard, ID: "u-" + id, Name: "Ana Müller"}
	e.Details = map[string]any{"n": 1.5, "tags": []any{"a", "b"}}
	return e
}

func testCheckpoints(t *testing.T, newStore Factory) {
	t.Run("ScanIngested", func(t *testing.T) { testScanIngested(t, newStore) })
	t.Run("CreateIfAbsent", func(t *testing.T) { testCreateCheckpoint(t, newStore) })
	t.Run("ReplicasOneChain", func(t *testing.T) { testReplicas(t, newStore) })
}

// testScanIngested: a series' events of a window, in ingest order (ties by
// id), none of another tenant, component or instant; the epoch as lower
// bound means none.
func testScanIngested(t *testing.T, newStore Factory) {
	s := newStore(t)
	at := func(d time.Duration) time.Time { return cpBase.Add(d) }
	events := []audit.Event{
		ingestedEvent("acme", "e3", "CMS", at(-time.Hour), at(10*time.Second)),
		ingestedEvent("acme", "e1", "CMS", at(time.Hour), at(10*time.Second)),
		ingestedEvent("acme", "e2", "CMS", at(0), at(5*time.Second)),
		ingestedEvent("acme", "e0", "CMS", at(0), at(-time.Minute)),
		ingestedEvent("acme", "e9", "CMS", at(0), at(time.Minute)), // the window's end: excluded
		ingestedEvent("acme", "k1", "KMS", at(0), at(5*time.Second)),
		ingestedEvent("acme-x", "x1", "CMS", at(0), at(5*time.Second)),
		ingestedEvent("acme-cms", "x2", "X", at(0), at(5*time.Second)),
	}
	writeEvents(t, s, events...)
	refresh(t, s)
	scan := func(from, to time.Time) []string {
		var ids []string
		err := s.ScanIngested(ctx(t), "acme", "CMS", from, to, func(e audit.Event) error {
			ids = append(ids, e.ID)
			return nil
		})
		if err != nil {
			t.Fatalf("ScanIngested: %v", err)
		}
		return ids
	}
	if got, want := scan(cpBase, at(time.Minute)), []string{"e2", "e1", "e3"}; !slices.Equal(got, want) {
		t.Errorf("window [base, base+1m): %v, want %v", got, want)
	}
	if got, want := scan(checkpointer.Epoch(), at(time.Minute)), []string{"e0", "e2", "e1", "e3"}; !slices.Equal(got, want) {
		t.Errorf("window [epoch, base+1m): %v, want %v", got, want)
	}
	var got audit.Event
	_ = s.ScanIngested(ctx(t), "acme", "CMS", cpBase, at(6*time.Second), func(e audit.Event) error { got = e; return nil })
	sameJSON(t, "event read by ingest time", stored(t, events[2]), got)

	series, err := s.ListSeries(ctx(t), time.Time{})
	if err != nil {
		t.Fatalf("ListSeries: %v", err)
	}
	for _, want := range []store.Series{
		{Tenant: "acme", ComponentID: "CMS"}, {Tenant: "acme", ComponentID: "KMS"},
		{Tenant: "acme-cms", ComponentID: "X"}, {Tenant: "acme-x", ComponentID: "CMS"},
	} {
		if !slices.Contains(series, want) {
			t.Errorf("ListSeries = %v, lacks %v", series, want)
		}
	}
}

func sealedCheckpoint(t *testing.T, kr *checkpoint.Keyring, tenant, component string, seq int64, prev []byte, start, end time.Time, events ...audit.Event) audit.Checkpoint {
	t.Helper()
	var tr checkpoint.Tree
	for _, e := range events {
		if err := tr.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	root := tr.Root()
	cp := audit.Checkpoint{Tenant: tenant, ComponentID: component, Seq: seq, Start: start, End: end,
		Count: tr.Count(), Root: root[:], Prev: prev, CreatedAt: end.Add(2 * time.Minute), Leaves: tr.LeafList()}
	if err := kr.Sign(&cp); err != nil {
		t.Fatal(err)
	}
	return cp
}

// testCreateCheckpoint: a checkpoint number is created once per series,
// the first kept; read back whole by number, as the last, and by a scan
// of the windows overlapping a range; tenants and components apart.
func testCreateCheckpoint(t *testing.T, newStore Factory) {
	s := newStore(t)
	kr := signingKeys(t)
	e := ingestedEvent("acme", "e1", "CMS", cpBase, cpBase)
	cp1 := sealedCheckpoint(t, kr, "acme", "CMS", 1, nil, checkpointer.Epoch(), cpBase.Add(time.Minute), e)
	cp2 := sealedCheckpoint(t, kr, "acme", "CMS", 2, checkpoint.Hash(cp1), cpBase.Add(time.Minute), cpBase.Add(2*time.Minute))
	other := sealedCheckpoint(t, kr, "acme", "KMS", 1, nil, checkpointer.Epoch(), cpBase.Add(time.Minute), ingestedEvent("acme", "k1", "KMS", cpBase, cpBase))
	otherTenant := sealedCheckpoint(t, kr, "acme-x", "CMS", 1, nil, checkpointer.Epoch(), cpBase.Add(time.Minute))
	for _, cp := range []audit.Checkpoint{cp1, cp2, other, otherTenant} {
		if err := s.CreateCheckpoint(ctx(t), cp); err != nil {
			t.Fatalf("CreateCheckpoint %s/%s/%d: %v", cp.Tenant, cp.ComponentID, cp.Seq, err)
		}
	}
	rival := sealedCheckpoint(t, kr, "acme", "CMS", 2, checkpoint.Hash(cp1), cpBase.Add(time.Minute), cpBase.Add(3*time.Minute), e)
	if err := s.CreateCheckpoint(ctx(t), rival); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("second checkpoint 2: %v, want ErrDuplicate", err)
	}
	got, err := s.GetCheckpoint(ctx(t), "acme", "CMS", 2)
	if err != nil {
		t.Fatalf("GetCheckpoint: %v", err)
	}
	sameJSON(t, "checkpoint 2 after a rival", cp2, got)
	if err := kr.Verify(got); err != nil {
		t.Errorf("stored checkpoint does not verify: %v", err)
	}
	got, err = s.GetCheckpoint(ctx(t), "acme", "CMS", 1)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "checkpoint 1", cp1, got)
	if _, err := checkpoint.CheckLeaves(got); err != nil {
		t.Errorf("stored leaf list: %v", err)
	}
	last, err := s.LastCheckpoint(ctx(t), "acme", "CMS")
	if err != nil || last.Seq != 2 {
		t.Errorf("LastCheckpoint = #%d, %v; want #2", last.Seq, err)
	}
	// The last checkpoint comes without its leaf list, all else as stored.
	sameJSON(t, "last checkpoint of KMS", func() audit.Checkpoint { c := other; c.Leaves = nil; return c }(), lastOf(t, s, "acme", "KMS"))
	if _, err := s.LastCheckpoint(ctx(t), "acme", "SET"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LastCheckpoint of a series without: %v, want ErrNotFound", err)
	}
	if _, err := s.GetCheckpoint(ctx(t), "acme", "CMS", 3); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetCheckpoint(3): %v, want ErrNotFound", err)
	}
	scan := func(component string, from, to time.Time) []string {
		var out []string
		err := s.ScanCheckpoints(ctx(t), "acme", component, from, to, func(cp audit.Checkpoint) error {
			out = append(out, fmt.Sprintf("%s#%d", cp.ComponentID, cp.Seq))
			return nil
		})
		if err != nil {
			t.Fatalf("ScanCheckpoints: %v", err)
		}
		return out
	}
	for _, c := range []struct {
		component string
		from, to  time.Time
		want      []string
	}{
		{"", checkpointer.Epoch(), cpBase.Add(time.Hour), []string{"CMS#1", "CMS#2", "KMS#1"}},
		{"CMS", checkpointer.Epoch(), cpBase.Add(time.Hour), []string{"CMS#1", "CMS#2"}},
		{"CMS", cpBase.Add(time.Minute), cpBase.Add(time.Hour), []string{"CMS#2"}},
		{"CMS", cpBase, cpBase.Add(time.Minute), []string{"CMS#1"}},
		{"", cpBase.Add(2 * time.Minute), cpBase.Add(time.Hour), nil},
	} {
		if got := scan(c.component, c.from, c.to); !slices.Equal(got, c.want) {
			t.Errorf("ScanCheckpoints(%q, %s, %s) = %v, want %v", c.component, c.from, c.to, got, c.want)
		}
	}
}

func lastOf(t *testing.T, s store.Store, tenant, component string) audit.Checkpoint {
	t.Helper()
	cp, err := s.LastCheckpoint(ctx(t), tenant, component)
	if err != nil {
		t.Fatalf("LastCheckpoint(%s, %s): %v", tenant, component, err)
	}
	return cp
}

// testReplicas: checkpointers racing over one store make one chain: each
// number once, windows back to back, verifying intact.
func testReplicas(t *testing.T, newStore Factory) {
	s := newStore(t)
	kr := signingKeys(t)
	var events []audit.Event
	for i := range 30 {
		at := cpBase.Add(time.Duration(i) * 13 * time.Second)
		events = append(events, ingestedEvent("acme", fmt.Sprintf("e%02d", i), "CMS", at, at))
	}
	writeEvents(t, s, events...)
	refresh(t, s)
	for step := 1; step <= 7; step++ {
		clock := func() time.Time { return cpBase.Add(time.Duration(step)*time.Minute + checkpointer.DefaultMargin) }
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := checkpointer.New(s, kr, checkpointer.Options{Clock: clock})
				if _, err := c.RunOnce(ctx(t)); err != nil {
					t.Errorf("replica at step %d: %v", step, err)
				}
			}()
		}
		wg.Wait()
	}
	var cps []audit.Checkpoint
	err := s.ScanCheckpoints(ctx(t), "acme", "CMS", checkpointer.Epoch(), cpBase.Add(time.Hour), func(cp audit.Checkpoint) error {
		cps = append(cps, cp)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for i, cp := range cps {
		total += cp.Count
		if cp.Seq != int64(i+1) {
			t.Errorf("checkpoint %d has number %d", i+1, cp.Seq)
		}
		if i > 0 && (!cp.Start.Equal(cps[i-1].End) || string(cp.Prev) != string(checkpoint.Hash(cps[i-1]))) {
			t.Errorf("checkpoint %d does not follow %d", cp.Seq, cps[i-1].Seq)
		}
	}
	if total != int64(len(events)) || len(cps) != 7 {
		t.Errorf("%d checkpoints holding %d events, want 7 holding %d", len(cps), total, len(events))
	}
	sum, windows := runVerify(t, s, kr, "acme", nil)
	if !sum.OK() || sum.Intact != 7 || sum.Events != int64(len(events)) {
		t.Errorf("verify after racing replicas: %+v %v", sum, windows)
	}
}

func runVerify(t *testing.T, s store.Store, kr *checkpoint.Keyring, tenant string, cutoffs map[string]time.Time) (verify.Summary, []verify.Window) {
	t.Helper()
	refresh(t, s)
	v := verify.New(s, kr, func(_ context.Context, _ string) (map[string]time.Time, error) { return cutoffs, nil })
	var windows []verify.Window
	sum, err := v.Verify(ctx(t), tenant, checkpointer.Epoch(), cpBase.Add(24*time.Hour), func(w verify.Window) error {
		windows = append(windows, w)
		return nil
	})
	if err != nil {
		t.Fatalf("verify %s: %v", tenant, err)
	}
	return sum, windows
}

// describe is a window's verdict in one line: component#seq status, each
// problem's kind and event ids.
func describe(w verify.Window) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s#%d %s", w.ComponentID, w.Seq, w.Status)
	for _, p := range w.Problems {
		fmt.Fprintf(&b, " %s", p.Kind)
		if len(p.EventIDs) > 0 {
			fmt.Fprintf(&b, "%v", p.EventIDs)
		}
	}
	if w.Status == verify.Pending {
		fmt.Fprintf(&b, " %d", w.Events)
	}
	return b.String()
}
