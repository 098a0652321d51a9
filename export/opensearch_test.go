package export_test

import (
	"testing"

	"github.com/auditlog/auditlog/store"
)

func openOpenSearch(t *testing.T) store.Store {
	t.Skip("store/opensearch has not landed yet")
	return nil
}
