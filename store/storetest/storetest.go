// Package storetest is the conformance suite of the storage seam: every
// behaviour a backend promises in package store is a case here, and every
// backend runs all of them from its own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return newTestStore(t) })
//	}
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/auditlog/auditlog/store"
)

// Factory returns a new, empty store for one test, closed when the test ends.
// Stores returned by one factory may share a server but never data.
type Factory func(t *testing.T) store.Store

// Run runs the whole conformance suite against the backend made by newStore.
func Run(t *testing.T, newStore Factory) {
	t.Run("Events", func(t *testing.T) { testEvents(t, newStore) })
	t.Run("Search", func(t *testing.T) { testSearch(t, newStore) })
	t.Run("Components", func(t *testing.T) { testComponents(t, newStore) })
	t.Run("Keys", func(t *testing.T) { testKeys(t, newStore) })
	t.Run("SavedFilters", func(t *testing.T) { testSavedFilters(t, newStore) })
	t.Run("Notifications", func(t *testing.T) { testNotifications(t, newStore) })
	t.Run("Retention", func(t *testing.T) { testRetention(t, newStore) })
	t.Run("HistogramZone", func(t *testing.T) { testHistogramZone(t, newStore) })
	t.Run("Users", func(t *testing.T) { testUsers(t, newStore) })
}

// refresh makes completed writes visible to searches on backends that
// publish writes periodically (store.Refresher); tests call it instead of
// sleeping.
func refresh(t *testing.T, s store.Store) {
	t.Helper()
	if r, ok := s.(store.Refresher); ok {
		if err := r.Refresh(context.Background()); err != nil {
			t.Fatalf("refresh: %v", err)
		}
	}
}

// ctx returns a context for one test, cancelled when it ends.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return c
}
