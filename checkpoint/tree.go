package checkpoint

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/merkle"
)

// Tree accumulates the events of a window, in ingest order, into a root and
// a leaf list.
type Tree struct {
	b      merkle.Builder
	leaves []byte
}

// Add appends an event.
func (t *Tree) Add(e audit.Event) error {
	h, err := EventLeaf(e)
	if err != nil {
		return err
	}
	t.b.Add(h)
	t.leaves = AppendLeaf(t.leaves, Leaf{ID: e.ID, OccurredAt: e.OccurredAt, Hash: h})
	return nil
}

// Count is the number of events added.
func (t *Tree) Count() int64 { return int64(t.b.Size()) }

// Root is the root of the events added.
func (t *Tree) Root() merkle.Hash { return t.b.Root() }

// LeafList is the leaf list of the events added.
func (t *Tree) LeafList() []byte { return t.leaves }

// ErrLeaves is the error of a checkpoint whose leaf list does not match its
// count and root: the checkpoint was altered.
var ErrLeaves = errors.New("checkpoint leaf list does not match its root")

// CheckLeaves decodes cp's leaf list and checks it against cp's count and
// root.
func CheckLeaves(cp audit.Checkpoint) ([]Leaf, error) {
	leaves, err := Leaves(cp.Leaves)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrLeaves, err)
	}
	if int64(len(leaves)) != cp.Count {
		return nil, fmt.Errorf("%w: %d leaves, count %d", ErrLeaves, len(leaves), cp.Count)
	}
	var b merkle.Builder
	for _, l := range leaves {
		b.Add(l.Hash)
	}
	if root := b.Root(); !bytes.Equal(root[:], cp.Root) {
		return nil, ErrLeaves
	}
	return leaves, nil
}
