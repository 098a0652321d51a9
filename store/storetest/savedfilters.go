package storetest

import "testing"

func testSavedFilters(t *testing.T, newStore Factory) {
	t.Skip("conformance cases for SavedFilters are not written yet")
}
