package merkle

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
)

// mth is RFC 9162's definition of the Merkle Tree Hash, written out
// literally and independently of Builder: split at the largest power of
// two below n, recurse.
func mth(data [][]byte) []byte {
	switch len(data) {
	case 0:
		s := sha256.Sum256(nil)
		return s[:]
	case 1:
		s := sha256.Sum256(append([]byte{0}, data[0]...))
		return s[:]
	}
	k := 1
	for k*2 < len(data) {
		k *= 2
	}
	buf := append([]byte{1}, mth(data[:k])...)
	buf = append(buf, mth(data[k:])...)
	s := sha256.Sum256(buf)
	return s[:]
}

func leavesOf(data [][]byte) []Hash {
	out := make([]Hash, len(data))
	for i, d := range data {
		out[i] = LeafHash(d)
	}
	return out
}

// ctLeaves and ctRoots are the test vectors of Certificate Transparency's
// reference implementations: the roots of the first 1..8 of these leaves.
var ctLeaves = [][]byte{
	{}, {0x00}, {0x10}, {0x20, 0x21}, {0x30, 0x31}, {0x40, 0x41, 0x42, 0x43},
	{0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57},
	{0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f},
}

var ctRoots = []string{
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}

func TestRootKnownVectors(t *testing.T) {
	if got, want := hex.EncodeToString(func() []byte { h := EmptyRoot(); return h[:] }()),
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"; got != want {
		t.Errorf("empty root = %s, want %s", got, want)
	}
	for n := 1; n <= len(ctLeaves); n++ {
		got := Root(leavesOf(ctLeaves[:n]))
		if hex.EncodeToString(got[:]) != ctRoots[n-1] {
			t.Errorf("root of %d leaves = %x, want %s", n, got, ctRoots[n-1])
		}
	}
}

// TestRootMatchesDefinition compares Builder with the recursive definition
// for every size up to 70 (all shapes of unbalanced trees in that range).
func TestRootMatchesDefinition(t *testing.T) {
	var data [][]byte
	for n := 0; n <= 70; n++ {
		got := Root(leavesOf(data))
		if want := mth(data); hex.EncodeToString(got[:]) != hex.EncodeToString(want) {
			t.Fatalf("root of %d leaves = %x, want %x", n, got, want)
		}
		data = append(data, []byte(fmt.Sprintf("leaf %d", n)))
	}
}

// TestLeafIsNotNode: domain separation; a leaf whose data is two hashes
// does not hash like the node of those hashes.
func TestLeafIsNotNode(t *testing.T) {
	a, b := LeafHash([]byte("a")), LeafHash([]byte("b"))
	if LeafHash(append(a[:], b[:]...)) == NodeHash(a, b) {
		t.Fatal("a leaf holding two hashes hashes like their node")
	}
}

func TestInclusionProofs(t *testing.T) {
	for n := 1; n <= 40; n++ {
		var data [][]byte
		for i := 0; i < n; i++ {
			data = append(data, []byte(fmt.Sprintf("event %d", i)))
		}
		leaves := leavesOf(data)
		root := Root(leaves)
		for i := 0; i < n; i++ {
			proof, err := InclusionProof(leaves, i)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyInclusion(leaves[i], uint64(i), uint64(n), proof, root); err != nil {
				t.Fatalf("leaf %d of %d: %v", i, n, err)
			}
			// The same proof does not hold for another leaf, position or size.
			other := LeafHash([]byte("forged"))
			if VerifyInclusion(other, uint64(i), uint64(n), proof, root) == nil {
				t.Fatalf("leaf %d of %d: a forged leaf verifies", i, n)
			}
			if n > 1 && VerifyInclusion(leaves[i], uint64((i+1)%n), uint64(n), proof, root) == nil && leaves[i] != leaves[(i+1)%n] {
				t.Fatalf("leaf %d of %d verifies at index %d", i, n, (i+1)%n)
			}
		}
	}
}

// TestSingleBitChanges: flipping any bit of a leaf's data, of a proof or of
// the root makes verification fail.
func TestSingleBitChanges(t *testing.T) {
	var data [][]byte
	for i := 0; i < 13; i++ {
		data = append(data, []byte(fmt.Sprintf(`{"id":"e%d","actor":"alice"}`, i)))
	}
	leaves := leavesOf(data)
	root := Root(leaves)
	const index = 6
	proof, err := InclusionProof(leaves, index)
	if err != nil {
		t.Fatal(err)
	}
	for bit := 0; bit < len(data[index])*8; bit++ {
		changed := append([]byte(nil), data[index]...)
		changed[bit/8] ^= 1 << (bit % 8)
		if VerifyInclusion(LeafHash(changed), index, uint64(len(leaves)), proof, root) == nil {
			t.Fatalf("data with bit %d flipped verifies", bit)
		}
		if Root(append(append(append([]Hash(nil), leaves[:index]...), LeafHash(changed)), leaves[index+1:]...)) == root {
			t.Fatalf("data with bit %d flipped gives the same root", bit)
		}
	}
	for p := range proof {
		for bit := 0; bit < HashSize*8; bit++ {
			forged := append([]Hash(nil), proof...)
			forged[p][bit/8] ^= 1 << (bit % 8)
			if VerifyInclusion(leaves[index], index, uint64(len(leaves)), forged, root) == nil {
				t.Fatalf("proof with bit %d of hash %d flipped verifies", bit, p)
			}
		}
	}
	for bit := 0; bit < HashSize*8; bit++ {
		r := root
		r[bit/8] ^= 1 << (bit % 8)
		if VerifyInclusion(leaves[index], index, uint64(len(leaves)), proof, r) == nil {
			t.Fatalf("root with bit %d flipped verifies", bit)
		}
	}
	if VerifyInclusion(leaves[index], index, uint64(len(leaves)), proof[:len(proof)-1], root) == nil {
		t.Fatal("a shortened proof verifies")
	}
	if VerifyInclusion(leaves[index], index, uint64(len(leaves)), append(proof, root), root) == nil {
		t.Fatal("a lengthened proof verifies")
	}
}

// TestTreeMatchesDefinition: the levelled tree has the root of the
// definition and the proofs of InclusionProof, for every size up to 70.
func TestTreeMatchesDefinition(t *testing.T) {
	for n := 0; n <= 70; n++ {
		var data [][]byte
		for i := 0; i < n; i++ {
			data = append(data, []byte(fmt.Sprintf("leaf %d", i)))
		}
		leaves := leavesOf(data)
		tree := NewTree(leaves)
		if got, want := tree.Root(), mth(data); hex.EncodeToString(got[:]) != hex.EncodeToString(want) {
			t.Fatalf("tree root of %d leaves = %x, want %x", n, got, want)
		}
		for i := 0; i < n; i++ {
			got, err := tree.Proof(i)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := InclusionProof(leaves, i)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("proof of leaf %d of %d differs from InclusionProof", i, n)
			}
		}
		if _, err := tree.Proof(n); err == nil {
			t.Fatalf("a proof of leaf %d of a tree of %d", n, n)
		}
	}
}
