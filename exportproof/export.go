package exportproof

import (
	"context"
	"io"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/checkpoint"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/store"
)

// Store is what an export with a manifest reads.
type Store interface {
	store.EventStore
	store.CheckpointStore
}

// Write writes the export of q to w as export.Write does, and returns its
// signed manifest.
func Write(ctx context.Context, w io.Writer, st Store, keys *checkpoint.Keyring, q audit.Query, now time.Time, progress func(rows int64)) (int64, Manifest, error) {
	b := NewBuilder(st, keys, q, now)
	rows, err := export.Write(ctx, b.Writer(w), observed{EventStore: st, b: b}, q, progress)
	if err != nil {
		return rows, Manifest{}, err
	}
	m, err := b.Finish(rows)
	return rows, m, err
}

// observed hands each scanned event to the manifest before it is written.
type observed struct {
	store.EventStore
	b *Builder
}

func (o observed) ScanEvents(ctx context.Context, q audit.Query, fn func(audit.Event) error) error {
	return o.EventStore.ScanEvents(ctx, q, func(e audit.Event) error {
		if err := o.b.Add(ctx, e); err != nil {
			return err
		}
		return fn(e)
	})
}
