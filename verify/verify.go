// Package verify recomputes the checkpoints of a time range from the
// stored events and reports, window by window, what no longer matches:
// events altered, missing or inserted, checkpoints altered or missing, a
// broken chain; and what retention removed, which is not tampering.
package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/checkpoint"
	"github.com/auditlog/auditlog/checkpointer"
	"github.com/auditlog/auditlog/store"
)

// Status is the verdict on one window.
type Status string

// Statuses of a window.
const (
	// Intact: every committed event is stored unchanged, nothing was added.
	Intact Status = "INTACT"
	// Tampered: see the window's problems.
	Tampered Status = "TAMPERED"
	// Expired: every committed event is gone, and each had passed its
	// component's retention.
	Expired Status = "EXPIRED"
	// PartlyExpired: the events that are gone had passed their retention,
	// the rest are intact.
	PartlyExpired Status = "PARTLY_EXPIRED"
	// Pending: events not checkpointed yet (their window is not closed, or
	// the checkpointer has not run since); nothing to check them against.
	Pending Status = "PENDING"
)

// Kind is a kind of damage.
type Kind string

// Kinds of damage.
const (
	EventsAltered     Kind = "EVENTS_ALTERED"
	EventsMissing     Kind = "EVENTS_MISSING"
	EventsInserted    Kind = "EVENTS_INSERTED"
	CheckpointAltered Kind = "CHECKPOINT_ALTERED"
	CheckpointMissing Kind = "CHECKPOINT_MISSING"
	ChainBroken       Kind = "CHAIN_BROKEN"
)

// MaxIDs bounds the event ids a problem lists; Count has them all.
const MaxIDs = 100

// Problem is one kind of damage in a window.
type Problem struct {
	Kind Kind
	// Count is the number of events concerned (altered, missing or
	// inserted), or of checkpoints missing.
	Count int64
	// EventIDs are the first MaxIDs of them; Leaves their positions in the
	// checkpoint's tree (altered and missing events).
	EventIDs []string
	Leaves   []int64
	Detail   string
}

// Window is the verdict on one checkpoint's window, or on a stretch of a
// series that no checkpoint covers (Seq 0).
type Window struct {
	Tenant      string
	ComponentID string
	Seq         int64
	Start, End  time.Time
	// Committed is the number of events the checkpoint commits to; Events
	// the number found in the window now; Expired the committed events gone
	// by retention.
	Committed, Events, Expired int64
	Status                     Status
	Problems                   []Problem
}

// Summary counts the windows of a verification by status.
type Summary struct {
	Windows, Intact, Tampered, Expired, PartlyExpired, Pending int
	// Events is the number of stored events read.
	Events int64
}

// OK reports that nothing was found tampered.
func (s Summary) OK() bool { return s.Tampered == 0 }

func (s *Summary) add(w Window) {
	s.Windows++
	s.Events += w.Events
	switch w.Status {
	case Intact:
		s.Intact++
	case Tampered:
		s.Tampered++
	case Expired:
		s.Expired++
	case PartlyExpired:
		s.PartlyExpired++
	case Pending:
		s.Pending++
	}
}

// CutoffsFunc returns, per component of a tenant, the instant before which
// events have passed their retention (capture.Service.Cutoffs).
type CutoffsFunc func(ctx context.Context, tenant string) (map[string]time.Time, error)

// Verifier verifies a tenant's checkpoints against its events.
type Verifier struct {
	st      store.CheckpointStore
	keys    *checkpoint.Keyring
	cutoffs CutoffsFunc
}

// New returns a Verifier checking signatures with keys; cutoffs may be nil
// (no retention: every missing event is tampering).
func New(st store.CheckpointStore, keys *checkpoint.Keyring, cutoffs CutoffsFunc) *Verifier {
	return &Verifier{st: st, keys: keys, cutoffs: cutoffs}
}

// Verify checks every checkpoint of the tenant whose window overlaps
// [from, to), in order of component then number, and the events they
// commit to; then reports the events after each series' last checkpoint
// as pending. It calls fn with each window's verdict as soon as it is
// known, holding one window's leaves at a time.
func (v *Verifier) Verify(ctx context.Context, tenant string, from, to time.Time, fn func(Window) error) (Summary, error) {
	var sum Summary
	emit := func(w Window) error {
		sum.add(w)
		return fn(w)
	}
	var cutoffs map[string]time.Time
	if v.cutoffs != nil {
		var err error
		if cutoffs, err = v.cutoffs(ctx, tenant); err != nil {
			return sum, fmt.Errorf("verify: retention cutoffs: %w", err)
		}
	}
	var prev *audit.Checkpoint
	prevAltered := false
	err := v.st.ScanCheckpoints(ctx, tenant, "", from, to, func(cp audit.Checkpoint) error {
		if prev != nil && prev.ComponentID != cp.ComponentID {
			prev, prevAltered = nil, false
		}
		if err := v.link(ctx, prev, prevAltered, cp, emit); err != nil {
			return err
		}
		w, err := v.window(ctx, cp, cutoffs[cp.ComponentID])
		if err != nil {
			return err
		}
		if err := emit(w); err != nil {
			return err
		}
		prev = &cp
		prevAltered = len(w.Problems) > 0 && w.Problems[0].Kind == CheckpointAltered
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("verify %s: %w", tenant, err)
	}
	if err := v.pending(ctx, tenant, from, to, emit); err != nil {
		return sum, fmt.Errorf("verify %s: %w", tenant, err)
	}
	return sum, nil
}

// link checks that cp follows the checkpoint before it (prev, or the one
// read from the store when cp is the first of the range), and reports a
// gap in the numbering as missing checkpoints, and a wrong link as a
// broken chain. The link to an altered checkpoint (prevAltered) is broken
// by that alteration, already reported on its own window.
func (v *Verifier) link(ctx context.Context, prev *audit.Checkpoint, prevAltered bool, cp audit.Checkpoint, emit func(Window) error) error {
	if prev == nil && cp.Seq > 1 {
		p, err := v.st.GetCheckpoint(ctx, cp.Tenant, cp.ComponentID, cp.Seq-1)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// Deleted, or cp's number was altered. The gap ends where cp
			// starts; where it began is not known here.
			return emit(Window{
				Tenant: cp.Tenant, ComponentID: cp.ComponentID, End: cp.Start, Status: Tampered,
				Problems: []Problem{{Kind: CheckpointMissing, Count: 1, Detail: fmt.Sprintf("checkpoint %d, before %d, is missing", cp.Seq-1, cp.Seq)}},
			})
		case err != nil:
			return fmt.Errorf("checkpoint %d of %s: %w", cp.Seq-1, cp.ComponentID, err)
		}
		prev = &p
	}
	if prev == nil {
		if len(cp.Prev) != 0 || !cp.Start.Equal(checkpointer.Epoch()) {
			return emit(brokenChain(cp, "the first checkpoint links to a predecessor or does not start at the epoch"))
		}
		return nil
	}
	if gap := cp.Seq - prev.Seq - 1; gap > 0 {
		w := Window{
			Tenant: cp.Tenant, ComponentID: cp.ComponentID, Start: prev.End, End: cp.Start, Status: Tampered,
			Problems: []Problem{{Kind: CheckpointMissing, Count: gap, Detail: fmt.Sprintf("checkpoints %d to %d are missing", prev.Seq+1, cp.Seq-1)}},
		}
		return emit(w)
	}
	if !prevAltered && (!bytes.Equal(cp.Prev, checkpoint.Hash(*prev)) || !cp.Start.Equal(prev.End)) {
		return emit(brokenChain(cp, fmt.Sprintf("checkpoint %d does not link to checkpoint %d as stored", cp.Seq, prev.Seq)))
	}
	return nil
}

func brokenChain(cp audit.Checkpoint, detail string) Window {
	return Window{
		Tenant: cp.Tenant, ComponentID: cp.ComponentID, Seq: cp.Seq, Start: cp.Start, End: cp.End,
		Status: Tampered, Problems: []Problem{{Kind: ChainBroken, Count: 1, Detail: detail}},
	}
}

// window compares a checkpoint's leaves with the events now stored in its
// window.
func (v *Verifier) window(ctx context.Context, cp audit.Checkpoint, cutoff time.Time) (Window, error) {
	w := Window{Tenant: cp.Tenant, ComponentID: cp.ComponentID, Seq: cp.Seq, Start: cp.Start, End: cp.End, Committed: cp.Count}
	if err := v.keys.Verify(cp); err != nil {
		w.Status = Tampered
		w.Problems = []Problem{{Kind: CheckpointAltered, Count: 1, Detail: err.Error()}}
		return w, nil
	}
	leaves, err := checkpoint.CheckLeaves(cp)
	if err != nil {
		w.Status = Tampered
		w.Problems = []Problem{{Kind: CheckpointAltered, Count: 1, Detail: err.Error()}}
		return w, nil
	}
	index := make(map[string]int, len(leaves))
	for i, l := range leaves {
		index[l.ID] = i
	}
	seen := make([]bool, len(leaves))
	altered := Problem{Kind: EventsAltered}
	inserted := Problem{Kind: EventsInserted}
	err = v.st.ScanIngested(ctx, cp.Tenant, cp.ComponentID, cp.Start, cp.End, func(e audit.Event) error {
		w.Events++
		i, ok := index[e.ID]
		if !ok || seen[i] {
			inserted.note(e.ID, -1)
			return nil
		}
		seen[i] = true
		h, err := checkpoint.EventLeaf(e)
		if err != nil {
			return err
		}
		if h != leaves[i].Hash {
			altered.note(e.ID, int64(i))
		}
		return nil
	})
	if err != nil {
		return w, fmt.Errorf("events of checkpoint %s #%d: %w", cp.ComponentID, cp.Seq, err)
	}
	missing := Problem{Kind: EventsMissing}
	for i, ok := range seen {
		if ok {
			continue
		}
		if !cutoff.IsZero() && leaves[i].OccurredAt.Before(cutoff) {
			w.Expired++
			continue
		}
		missing.note(leaves[i].ID, int64(i))
	}
	for _, p := range []Problem{altered, missing, inserted} {
		if p.Count > 0 {
			w.Problems = append(w.Problems, p)
		}
	}
	switch {
	case len(w.Problems) > 0:
		w.Status = Tampered
	case w.Expired > 0 && w.Expired == w.Committed:
		w.Status = Expired
	case w.Expired > 0:
		w.Status = PartlyExpired
	default:
		w.Status = Intact
	}
	return w, nil
}

func (p *Problem) note(id string, leaf int64) {
	p.Count++
	if len(p.EventIDs) < MaxIDs {
		p.EventIDs = append(p.EventIDs, id)
		if leaf >= 0 {
			p.Leaves = append(p.Leaves, leaf)
		}
	}
}

// pending reports, per series of the tenant, the events of [from, to)
// ingested after its last checkpoint.
func (v *Verifier) pending(ctx context.Context, tenant string, from, to time.Time, emit func(Window) error) error {
	series, err := v.st.ListSeries(ctx, from)
	if err != nil {
		return err
	}
	for _, s := range series {
		if s.Tenant != tenant {
			continue
		}
		start := checkpointer.Epoch()
		last, err := v.st.LastCheckpoint(ctx, s.Tenant, s.ComponentID)
		switch {
		case err == nil:
			start = last.End
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		if !start.Before(to) {
			continue
		}
		if start.Before(from) {
			start = from
		}
		w := Window{Tenant: s.Tenant, ComponentID: s.ComponentID, Start: start, End: to, Status: Pending}
		err = v.st.ScanIngested(ctx, s.Tenant, s.ComponentID, start, to, func(audit.Event) error {
			w.Events++
			return nil
		})
		if err != nil {
			return err
		}
		if w.Events > 0 {
			if err := emit(w); err != nil {
				return err
			}
		}
	}
	return nil
}
