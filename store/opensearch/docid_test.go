package opensearch

import (
	"slices"
	"testing"
)

// TestDocIDLeavesItsArgumentsAlone: docID escapes a copy, so a caller's
// slice (passed with parts...) still holds the natural key afterwards.
func TestDocIDLeavesItsArgumentsAlone(t *testing.T) {
	parts := []string{"acme", "a/b c", "100%"}
	want := slices.Clone(parts)
	id := docID(parts...)
	if !slices.Equal(parts, want) {
		t.Errorf("docID changed its arguments to %q, want %q", parts, want)
	}
	if id != "acme/a%2Fb%20c/100%25" {
		t.Errorf("docID(%q) = %q", want, id)
	}
}
