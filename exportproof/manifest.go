// Package exportproof makes a CSV export prove itself: a manifest, signed
// with the checkpoint signing key, that holds the filter, the row count,
// the SHA-256 of the CSV bytes, the checkpoints covering the rows and, per
// row, the event's canonical encoding with its inclusion proof in its
// checkpoint's Merkle tree. Verify checks a file against its manifest with
// only the public keys, no server: each row is a committed event, rendered
// as exported, and the file is byte for byte what was exported.
package exportproof

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/checkpoint"
	"github.com/auditlog/auditlog/merkle"
	"github.com/auditlog/auditlog/store"
)

// signaturePrefix separates manifest signatures from checkpoint ones.
const signaturePrefix = "auditlog export manifest v1\n"

// MaxRows bounds the rows of an export with a manifest: the manifest holds
// each row's event and proof (about a kilobyte a row).
const MaxRows = 100_000

// Manifest is the signed manifest of an export. Body is kept as the exact
// bytes that were signed.
type Manifest struct {
	Body      json.RawMessage `json:"body"`
	KeyID     string          `json:"keyId"`
	Signature []byte          `json:"signature"`
}

// Body is what a manifest says about its export.
type Body struct {
	Version    int          `json:"version"`
	Tenant     string       `json:"tenant"`
	Filter     audit.Filter `json:"filter"`
	Order      audit.Order  `json:"order"`
	ExportedAt time.Time    `json:"exportedAt"`
	Rows       int64        `json:"rows"`
	// CSVSHA256 is the hex SHA-256 of the whole file.
	CSVSHA256   string       `json:"csvSha256"`
	Checkpoints []Checkpoint `json:"checkpoints"`
	Entries     []Entry      `json:"entries"`
}

// Checkpoint is a checkpoint without its leaf list.
type Checkpoint struct {
	Tenant      string    `json:"tenant"`
	ComponentID string    `json:"componentId"`
	Seq         int64     `json:"seq"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Count       int64     `json:"count"`
	Root        []byte    `json:"root"`
	Prev        []byte    `json:"prev,omitempty"`
	KeyID       string    `json:"keyId"`
	Signature   []byte    `json:"signature"`
}

func (c Checkpoint) checkpoint() audit.Checkpoint {
	return audit.Checkpoint{Tenant: c.Tenant, ComponentID: c.ComponentID, Seq: c.Seq, Start: c.Start, End: c.End,
		Count: c.Count, Root: c.Root, Prev: c.Prev, KeyID: c.KeyID, Signature: c.Signature}
}

// Entry is one row: the event as committed (checkpoint.EncodeEvent), its
// flag when exported (flags change by design; the manifest signature covers
// it), and where it sits in which checkpoint. Checkpoint is -1 for an event
// not checkpointed yet: its row is not proven.
type Entry struct {
	Event      []byte      `json:"event"`
	Flag       *audit.Flag `json:"flag,omitempty"`
	Checkpoint int         `json:"checkpoint"`
	Leaf       int64       `json:"leaf"`
	Proof      [][]byte    `json:"proof,omitempty"`
}

// loaded is a checkpoint whose tree is built, for proofs.
type loaded struct {
	index int // in Body.Checkpoints
	cp    audit.Checkpoint
	ids   map[string]int
	tree  *merkle.Tree
}

// cacheSize is how many checkpoint trees a Builder keeps: rows come in
// occurrence order, which mostly follows ingest order.
const cacheSize = 8

// Builder makes the manifest of an export while it is written.
type Builder struct {
	st    store.CheckpointStore
	keys  *checkpoint.Keyring
	body  Body
	sum   hash.Hash
	known map[string]int // "component/seq" → index in body.Checkpoints
	cache []*loaded
}

// NewBuilder starts the manifest of an export of q.
func NewBuilder(st store.CheckpointStore, keys *checkpoint.Keyring, q audit.Query, now time.Time) *Builder {
	return &Builder{
		st: st, keys: keys, sum: sha256.New(), known: map[string]int{},
		body: Body{Version: 1, Tenant: q.Tenant, Filter: q.Filter, Order: q.Order, ExportedAt: now.UTC(),
			Checkpoints: []Checkpoint{}, Entries: []Entry{}},
	}
}

// Writer returns w, also hashing what is written to it.
func (b *Builder) Writer(w io.Writer) io.Writer { return io.MultiWriter(w, b.sum) }

// ErrTooManyRows is the error of an export longer than MaxRows.
var ErrTooManyRows = fmt.Errorf("an export with a manifest holds at most %d rows", MaxRows)

// Add records the next row's event.
func (b *Builder) Add(ctx context.Context, e audit.Event) error {
	if len(b.body.Entries) >= MaxRows {
		return ErrTooManyRows
	}
	enc, err := checkpoint.EncodeEvent(e)
	if err != nil {
		return err
	}
	entry := Entry{Event: enc, Flag: e.Flag, Checkpoint: -1}
	l, err := b.checkpointOf(ctx, e)
	if err != nil {
		return err
	}
	if l != nil {
		// An event the checkpoint does not hold is named with leaf -1, so
		// that the check reports it unproven by its checkpoint.
		entry.Checkpoint, entry.Leaf = l.index, -1
		if i, ok := l.ids[e.ID]; ok {
			proof, err := l.tree.Proof(i)
			if err != nil {
				return err
			}
			entry.Checkpoint, entry.Leaf = l.index, int64(i)
			for _, h := range proof {
				entry.Proof = append(entry.Proof, h[:])
			}
		}
	}
	b.body.Entries = append(b.body.Entries, entry)
	return nil
}

// checkpointOf returns the checkpoint whose window holds e, or nil.
func (b *Builder) checkpointOf(ctx context.Context, e audit.Event) (*loaded, error) {
	for i, l := range b.cache {
		if l.cp.ComponentID == e.ComponentID && !e.IngestedAt.Before(l.cp.Start) && e.IngestedAt.Before(l.cp.End) {
			copy(b.cache[1:i+1], b.cache[:i]) // most recent first
			b.cache[0] = l
			return l, nil
		}
	}
	var cp *audit.Checkpoint
	err := b.st.ScanCheckpoints(ctx, e.Tenant, e.ComponentID, e.IngestedAt, e.IngestedAt.Add(time.Millisecond), func(c audit.Checkpoint) error {
		cp = &c
		return errFound
	})
	if err != nil && !errors.Is(err, errFound) {
		return nil, fmt.Errorf("checkpoint of event %s: %w", e.ID, err)
	}
	if cp == nil {
		return nil, nil
	}
	leaves, err := checkpoint.CheckLeaves(*cp)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s #%d: %w", cp.ComponentID, cp.Seq, err)
	}
	hashes := make([]merkle.Hash, len(leaves))
	l := &loaded{cp: *cp, ids: make(map[string]int, len(leaves))}
	for i, lf := range leaves {
		hashes[i] = lf.Hash
		l.ids[lf.ID] = i
	}
	l.tree = merkle.NewTree(hashes)
	key := fmt.Sprintf("%s/%d", cp.ComponentID, cp.Seq)
	idx, ok := b.known[key]
	if !ok {
		idx = len(b.body.Checkpoints)
		b.known[key] = idx
		b.body.Checkpoints = append(b.body.Checkpoints, Checkpoint{Tenant: cp.Tenant, ComponentID: cp.ComponentID, Seq: cp.Seq,
			Start: cp.Start, End: cp.End, Count: cp.Count, Root: cp.Root, Prev: cp.Prev, KeyID: cp.KeyID, Signature: cp.Signature})
	}
	l.index = idx
	b.cache = append([]*loaded{l}, b.cache...)
	if len(b.cache) > cacheSize {
		b.cache = b.cache[:cacheSize]
	}
	return l, nil
}

var errFound = errors.New("found")

// Finish signs the manifest of an export of rows rows, once the file is
// written whole.
func (b *Builder) Finish(rows int64) (Manifest, error) {
	b.body.Rows = rows
	b.body.CSVSHA256 = hex.EncodeToString(b.sum.Sum(nil))
	body, err := json.Marshal(b.body)
	if err != nil {
		return Manifest{}, fmt.Errorf("encode manifest: %w", err)
	}
	sig, err := b.keys.SignData(signaturePrefix, body)
	if err != nil {
		return Manifest{}, err
	}
	return Manifest{Body: body, KeyID: b.keys.KeyID(), Signature: sig}, nil
}
