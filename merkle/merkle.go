// Package merkle computes Merkle tree hashes and inclusion proofs as
// RFC 9162 (Certificate Transparency 2.0) defines them, over SHA-256:
// leaves and interior nodes are hashed with distinct one-byte prefixes
// (0x00, 0x01), so no leaf can pass for a node.
package merkle

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/bits"
)

// HashSize is the size of every hash of the tree.
const HashSize = sha256.Size

// Hash is a leaf, node or root hash.
type Hash [HashSize]byte

// EmptyRoot is the root of a tree with no leaves: the hash of nothing.
func EmptyRoot() Hash { return sha256.Sum256(nil) }

// LeafHash is the hash of a leaf holding data: SHA-256(0x00 || data).
func LeafHash(data []byte) Hash {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(data)
	var out Hash
	h.Sum(out[:0])
	return out
}

// NodeHash is the hash of an interior node: SHA-256(0x01 || left || right).
func NodeHash(left, right Hash) Hash {
	var buf [1 + 2*HashSize]byte
	buf[0] = 1
	copy(buf[1:], left[:])
	copy(buf[1+HashSize:], right[:])
	return sha256.Sum256(buf[:])
}

// Builder computes the root of a tree from its leaf hashes, given in order,
// holding one hash per level (O(log n) memory): the tree of RFC 9162 is the
// largest complete subtrees from the left, which the stack holds, joined
// from the right at the end.
type Builder struct {
	stack []subtree
	n     uint64
}

type subtree struct {
	size uint64
	hash Hash
}

// Add appends a leaf hash.
func (b *Builder) Add(leaf Hash) {
	b.n++
	t := subtree{size: 1, hash: leaf}
	for len(b.stack) > 0 && b.stack[len(b.stack)-1].size == t.size {
		left := b.stack[len(b.stack)-1]
		b.stack = b.stack[:len(b.stack)-1]
		t = subtree{size: 2 * t.size, hash: NodeHash(left.hash, t.hash)}
	}
	b.stack = append(b.stack, t)
}

// Size is the number of leaves added.
func (b *Builder) Size() uint64 { return b.n }

// Root returns the root of the leaves added so far.
func (b *Builder) Root() Hash {
	if len(b.stack) == 0 {
		return EmptyRoot()
	}
	root := b.stack[len(b.stack)-1].hash
	for i := len(b.stack) - 2; i >= 0; i-- {
		root = NodeHash(b.stack[i].hash, root)
	}
	return root
}

// Root returns the root of a tree whose leaf hashes are leaves.
func Root(leaves []Hash) Hash {
	var b Builder
	for _, l := range leaves {
		b.Add(l)
	}
	return b.Root()
}

// InclusionProof returns the audit path of leaf index in the tree of
// leaves (RFC 9162, 2.1.3.1): the sibling hashes from the leaf up.
func InclusionProof(leaves []Hash, index int) ([]Hash, error) {
	if index < 0 || index >= len(leaves) {
		return nil, fmt.Errorf("merkle: leaf %d of a tree of %d", index, len(leaves))
	}
	return path(leaves, index), nil
}

func path(leaves []Hash, m int) []Hash {
	n := len(leaves)
	if n <= 1 {
		return nil
	}
	k := splitPoint(n)
	if m < k {
		return append(path(leaves[:k], m), Root(leaves[k:]))
	}
	return append(path(leaves[k:], m-k), Root(leaves[:k]))
}

// splitPoint is the largest power of two smaller than n (n > 1).
func splitPoint(n int) int {
	return 1 << (bits.Len(uint(n-1)) - 1)
}

// ErrProof is the error of a proof that does not prove inclusion.
var ErrProof = errors.New("merkle: inclusion proof does not verify")

// VerifyInclusion checks that leaf is leaf index of a tree of size leaves
// whose root is root, given its audit path (RFC 9162, 2.1.3.2).
func VerifyInclusion(leaf Hash, index, size uint64, proof []Hash, root Hash) error {
	if index >= size {
		return fmt.Errorf("%w: leaf %d of a tree of %d", ErrProof, index, size)
	}
	fn, sn := index, size-1
	r := leaf
	for _, p := range proof {
		if sn == 0 {
			return fmt.Errorf("%w: path too long", ErrProof)
		}
		if fn&1 == 1 || fn == sn {
			r = NodeHash(p, r)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = NodeHash(r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 {
		return fmt.Errorf("%w: path too short", ErrProof)
	}
	if !bytes.Equal(r[:], root[:]) {
		return ErrProof
	}
	return nil
}

// Tree holds every level of a tree, so that each inclusion proof costs
// O(log n) instead of InclusionProof's O(n). A level's last node without a
// sibling is carried up unchanged, which builds exactly RFC 9162's tree.
type Tree struct {
	levels [][]Hash
}

// NewTree builds the tree of leaves (2n hashes of memory).
func NewTree(leaves []Hash) *Tree {
	t := &Tree{levels: [][]Hash{leaves}}
	for level := leaves; len(level) > 1; {
		next := make([]Hash, 0, (len(level)+1)/2)
		for i := 0; i+1 < len(level); i += 2 {
			next = append(next, NodeHash(level[i], level[i+1]))
		}
		if len(level)%2 == 1 {
			next = append(next, level[len(level)-1])
		}
		t.levels = append(t.levels, next)
		level = next
	}
	return t
}

// Root is the tree's root.
func (t *Tree) Root() Hash {
	top := t.levels[len(t.levels)-1]
	if len(top) == 0 {
		return EmptyRoot()
	}
	return top[0]
}

// Proof is the audit path of leaf index, as InclusionProof returns it.
func (t *Tree) Proof(index int) ([]Hash, error) {
	if index < 0 || index >= len(t.levels[0]) {
		return nil, fmt.Errorf("merkle: leaf %d of a tree of %d", index, len(t.levels[0]))
	}
	var proof []Hash
	for _, level := range t.levels[:len(t.levels)-1] {
		if sibling := index ^ 1; sibling < len(level) {
			proof = append(proof, level[sibling])
		}
		index /= 2
	}
	return proof, nil
}
