package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/checkpoint"
	"github.com/auditlog/auditlog/checkpointer"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/verify"
)

// Raw changes what a backend stores behind its API, as anyone with write
// access to the database could. The tamper-evidence cases use it; each
// backend implements it in its own tests, with its own tools (SQL on the
// SQLite file, REST calls on the OpenSearch indices).
type Raw interface {
	// SetActorName changes the stored name of an event's action user.
	SetActorName(t *testing.T, tenant, eventID, name string)
	// DeleteEvent deletes an event.
	DeleteEvent(t *testing.T, tenant, eventID string)
	// DeleteCheckpoint deletes a checkpoint.
	DeleteCheckpoint(t *testing.T, tenant, componentID string, seq int64)
	// SetCheckpointCount changes the stored count of a checkpoint.
	SetCheckpointCount(t *testing.T, tenant, componentID string, seq, count int64)
	// Expire deletes the component's events that occurred before cutoff,
	// as retention does on the backend.
	Expire(t *testing.T, tenant, componentID string, cutoff time.Time)
}

// RawFactory returns a new, empty store and raw access to what it stores.
type RawFactory func(t *testing.T) (store.Store, Raw)

// RunTamper runs the tamper-evidence cases: a store is checkpointed, then
// changed behind its API, and verification must report exactly the window
// and the kind of damage, and nothing on an intact store.
func RunTamper(t *testing.T, newStore RawFactory) {
	s, raw := newStore(t)
	kr := signingKeys(t)
	// Each case has a tenant of its own in one store (a store is costly
	// to set up on OpenSearch).
	tenants := []string{"intact", "actor", "deleted", "inserted", "cp-deleted", "cp-altered", "expired"}
	fixtures := map[string]*tamperFixture{}
	for _, tenant := range tenants {
		fixtures[tenant] = seedWindows(t, s, tenant)
	}
	refresh(t, s)
	for step := 1; step <= 3; step++ {
		checkpointAt(t, s, kr, step)
	}
	intact := []string{"CMS#1 INTACT", "CMS#2 INTACT", "CMS#3 INTACT"}

	t.Run("Intact", func(t *testing.T) {
		fx := fixtures["intact"]
		want := append(slices.Clone(intact), "KMS#1 INTACT")
		expectWindows(t, s, kr, "intact", nil, want)

		// Flags change by design: not tampering.
		if _, err := s.FlagEvents(ctx(t), "intact", fx.ids[1][:2], audit.Flag{By: audit.User{Type: audit.UserDashboard, ID: "rev"}, At: cpBase.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		expectWindows(t, s, kr, "intact", nil, want)

		// Events keep arriving: pending until their window closes, then
		// checkpointed and intact.
		var later []audit.Event
		for i := range 3 {
			at := cpBase.Add(3*time.Minute + time.Duration(i)*10*time.Second)
			later = append(later, ingestedEvent("intact", fmt.Sprintf("late-%d", i), "CMS", at, at))
		}
		writeEvents(t, s, later...)
		refresh(t, s)
		checkpointAt(t, s, kr, 3) // the window of the new events is not closed yet
		expectWindows(t, s, kr, "intact", nil, append(slices.Clone(want), "CMS#0 PENDING 3"))
		checkpointAt(t, s, kr, 4)
		expectWindows(t, s, kr, "intact", nil, []string{"CMS#1 INTACT", "CMS#2 INTACT", "CMS#3 INTACT", "CMS#4 INTACT", "KMS#1 INTACT"})
	})

	t.Run("ActorUpdated", func(t *testing.T) {
		id := fixtures["actor"].ids[1][2]
		raw.SetActorName(t, "actor", id, "Mallory")
		expectWindows(t, s, kr, "actor", nil, []string{"CMS#1 INTACT", "CMS#2 TAMPERED EVENTS_ALTERED[" + id + "]", "CMS#3 INTACT"})
	})

	t.Run("EventDeleted", func(t *testing.T) {
		id := fixtures["deleted"].ids[1][3]
		raw.DeleteEvent(t, "deleted", id)
		// A retention that has not reached the event: still tampering.
		cutoffs := map[string]time.Time{"CMS": cpBase.Add(-365 * 24 * time.Hour)}
		expectWindows(t, s, kr, "deleted", cutoffs, []string{"CMS#1 INTACT", "CMS#2 TAMPERED EVENTS_MISSING[" + id + "]", "CMS#3 INTACT"})
	})

	t.Run("EventInserted", func(t *testing.T) {
		at := cpBase.Add(time.Minute + 30*time.Second)
		writeEvents(t, s, ingestedEvent("inserted", "forged", "CMS", at, at))
		expectWindows(t, s, kr, "inserted", nil, []string{"CMS#1 INTACT", "CMS#2 TAMPERED EVENTS_INSERTED[forged]", "CMS#3 INTACT"})
	})

	t.Run("CheckpointDeleted", func(t *testing.T) {
		fx := fixtures["cp-deleted"]
		raw.DeleteCheckpoint(t, "cp-deleted", "CMS", 2)
		windows := expectWindows(t, s, kr, "cp-deleted", nil, []string{"CMS#1 INTACT", "CMS#0 TAMPERED CHECKPOINT_MISSING", "CMS#3 INTACT"})
		if len(windows) == 3 && (!windows[1].Start.Equal(fx.start(1)) || !windows[1].End.Equal(fx.start(2))) {
			t.Errorf("missing checkpoint reported for [%s, %s), want [%s, %s)", windows[1].Start, windows[1].End, fx.start(1), fx.start(2))
		}
	})

	t.Run("CheckpointAltered", func(t *testing.T) {
		raw.SetCheckpointCount(t, "cp-altered", "CMS", 2, 3)
		expectWindows(t, s, kr, "cp-altered", nil, []string{"CMS#1 INTACT", "CMS#2 TAMPERED CHECKPOINT_ALTERED", "CMS#3 INTACT"})
	})

	t.Run("ExpiredWindows", func(t *testing.T) {
		// The first window's events and half of the second's occurred a
		// month ago; retention of a week removes them: not tampering.
		cutoff := cpBase.Add(-7 * 24 * time.Hour)
		raw.Expire(t, "expired", "CMS", cutoff)
		cutoffs := map[string]time.Time{"CMS": cutoff}
		expectWindows(t, s, kr, "expired", cutoffs, []string{"CMS#1 EXPIRED", "CMS#2 PARTLY_EXPIRED", "CMS#3 INTACT"})
		// A deletion beside the expiry is still found.
		id := fixtures["expired"].ids[2][0]
		raw.DeleteEvent(t, "expired", id)
		expectWindows(t, s, kr, "expired", cutoffs, []string{"CMS#1 EXPIRED", "CMS#2 PARTLY_EXPIRED", "CMS#3 TAMPERED EVENTS_MISSING[" + id + "]"})
	})
}

// tamperFixture holds the ids of a tenant's CMS events, per window.
type tamperFixture struct {
	ids [3][]string
}

// start is the start of window w (0-based) as the checkpointer closes it.
func (tamperFixture) start(w int) time.Time { return cpBase.Add(time.Duration(w) * time.Minute) }

// seedWindows writes four CMS events into each of three one-minute windows
// of ingest time (and, for the intact tenant, a KMS event): those of the
// first window and two of the second occurred a month before.
func seedWindows(t *testing.T, s store.Store, tenant string) *tamperFixture {
	fx := &tamperFixture{}
	var events []audit.Event
	old := cpBase.Add(-30 * 24 * time.Hour)
	for w := range 3 {
		for i := range 4 {
			id := fmt.Sprintf("w%d-e%d", w, i)
			ingested := fx.start(w).Add(time.Duration(5+i*12)*time.Second + time.Duration(i)*time.Millisecond)
			occurred := ingested.Add(-time.Second)
			if w == 0 || (w == 1 && i < 2) {
				occurred = old.Add(time.Duration(w*4+i) * time.Minute)
			}
			events = append(events, ingestedEvent(tenant, id, "CMS", occurred, ingested))
			fx.ids[w] = append(fx.ids[w], id)
		}
	}
	if tenant == "intact" {
		events = append(events, ingestedEvent(tenant, "k1", "KMS", cpBase, cpBase.Add(time.Second)))
	}
	writeEvents(t, s, events...)
	return fx
}

// checkpointAt runs a checkpointer whose clock closes the windows before
// cpBase + step minutes.
func checkpointAt(t *testing.T, s store.Store, kr *checkpoint.Keyring, step int) {
	t.Helper()
	clock := func() time.Time { return cpBase.Add(time.Duration(step)*time.Minute + checkpointer.DefaultMargin) }
	if _, err := checkpointer.New(s, kr, checkpointer.Options{Clock: clock}).RunOnce(ctx(t)); err != nil {
		t.Fatalf("checkpoints at step %d: %v", step, err)
	}
}

// expectWindows verifies the tenant and compares each window's verdict.
func expectWindows(t *testing.T, s store.Store, kr *checkpoint.Keyring, tenant string, cutoffs map[string]time.Time, want []string) []verify.Window {
	t.Helper()
	sum, windows := runVerify(t, s, kr, tenant, cutoffs)
	var got []string
	tampered := 0
	for _, w := range windows {
		got = append(got, describe(w))
		if w.Status == verify.Tampered {
			tampered++
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("verify %s:\n got  %q\n want %q", tenant, got, want)
	}
	if sum.OK() != (tampered == 0) || sum.Windows != len(windows) {
		t.Errorf("verify %s: summary %+v for windows %q", tenant, sum, got)
	}
	return windows
}
