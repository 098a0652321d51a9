package opensearch_test

import (
	"testing"

	"github.com/auditlog/auditlog/store/storetest"
)

// BenchmarkConformanceSearch is the Explore benchmark every backend runs on
// the same seeded data (see storetest.BenchmarkSearch).
func BenchmarkConformanceSearch(b *testing.B) {
	s, _, _ := newStore(b)
	storetest.BenchmarkSearch(b, s)
}
