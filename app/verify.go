package app

import (
	"context"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/checkpoint"
	"github.com/auditlog/auditlog/verify"
)

// Verify checks p's tenant against its checkpoints signed by keys over
// [from, to) of ingest time, calling fn for each window, and records the
// verification (and its failure) in the trail.
func (a *App) Verify(ctx context.Context, p audit.Principal, keys *checkpoint.Keyring, from, to time.Time, fn func(verify.Window) error) (verify.Summary, error) {
	sum, err := verify.New(a.visible, keys, a.capture.Cutoffs).Verify(ctx, p.Tenant, from, to, fn)
	a.audit.Verified(ctx, p, from, to, sum, err)
	return sum, err
}
