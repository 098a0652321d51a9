package export_test

import (
	"testing"

	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/opensearch"
	"github.com/auditlog/auditlog/store/opensearch/opensearchtest"
)

// openOpenSearch returns a store on the shared test node under a prefix of
// its own, deleted when the test ends; it skips without a node.
func openOpenSearch(t *testing.T) store.Store {
	t.Helper()
	url := opensearchtest.URL(t)
	return openOpenSearchAt(t, url, opensearchtest.Prefix(t, url))
}

func openOpenSearchAt(t *testing.T, url, prefix string) *opensearch.Store {
	t.Helper()
	st, err := opensearch.New(ctx(t), opensearch.Config{URLs: []string{url}, Prefix: prefix})
	if err != nil {
		t.Fatalf("open opensearch store at %s: %v", url, err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
