package graph

import (
	"context"
	"fmt"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/checkpoint"
	"github.com/auditlog/auditlog/checkpointer"
	"github.com/auditlog/auditlog/graph/model"
	"github.com/auditlog/auditlog/verify"
)

// maxNotIntact bounds the windows a verification lists.
const maxNotIntact = 1000

// verifyLog checks the caller's tenant against its checkpoints over
// [from, to) of ingest time, and records the verification.
func (r *Resolver) verifyLog(ctx context.Context, from, to *time.Time) (*model.Verification, error) {
	p, err := auth.Require(ctx, auth.Verify)
	if err != nil {
		return nil, err
	}
	if r.keys == nil {
		return nil, fmt.Errorf("verify: no signing keys configured")
	}
	start, end := checkpointer.Epoch(), r.now().UTC()
	if from != nil {
		start = from.UTC()
	}
	if to != nil {
		end = to.UTC()
	}
	if !end.After(start) {
		return nil, audit.Invalid("to", "must be after from")
	}
	out := &model.Verification{From: start, To: end, NotIntact: []model.VerifiedWindow{}}
	sum, err := r.app.Verify(ctx, p, r.keys, start, end, func(w verify.Window) error {
		if w.Status == verify.Intact {
			return nil
		}
		if len(out.NotIntact) == maxNotIntact {
			out.Truncated = true
			return nil
		}
		out.NotIntact = append(out.NotIntact, windowModel(w))
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Ok = sum.OK()
	out.Windows, out.Intact, out.Tampered = sum.Windows, sum.Intact, sum.Tampered
	out.Expired, out.PartlyExpired, out.Pending = sum.Expired, sum.PartlyExpired, sum.Pending
	out.Events = int(sum.Events)
	return out, nil
}

func windowModel(w verify.Window) model.VerifiedWindow {
	m := model.VerifiedWindow{
		Component: w.ComponentID, End: w.End, Committed: int(w.Committed), Events: int(w.Events),
		Expired: int(w.Expired), Status: w.Status, Problems: []model.TamperProblem{},
	}
	if w.Seq > 0 {
		seq := int(w.Seq)
		m.Seq = &seq
	}
	if !w.Start.IsZero() {
		start := w.Start
		m.Start = &start
	}
	for _, p := range w.Problems {
		tp := model.TamperProblem{Kind: p.Kind, Count: int(p.Count), EventIds: p.EventIDs, Leaves: []int{}}
		if tp.EventIds == nil {
			tp.EventIds = []string{}
		}
		for _, l := range p.Leaves {
			tp.Leaves = append(tp.Leaves, int(l))
		}
		if p.Detail != "" {
			d := p.Detail
			tp.Detail = &d
		}
		m.Problems = append(m.Problems, tp)
	}
	return m
}

// signingKeys lists the public keys of the keyring.
func (r *Resolver) signingKeys(ctx context.Context) ([]model.SigningKey, error) {
	if _, err := auth.Require(ctx, auth.Read); err != nil {
		return nil, err
	}
	out := []model.SigningKey{}
	if r.keys == nil {
		return out, nil
	}
	for _, k := range r.keys.PublicKeys() {
		out = append(out, model.SigningKey{ID: k.ID, Algorithm: "Ed25519", PublicKey: checkpoint.EncodePublicKey(k.Key), Signing: k.ID == r.keys.KeyID()})
	}
	return out, nil
}
