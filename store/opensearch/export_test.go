package opensearch

// SetAfterSeriesLookup makes s call f in WriteEvents after it read the
// series of a batch's tenants and before it writes, so that a test can roll
// a series over exactly there, as another process might.
func SetAfterSeriesLookup(s *Store, f func()) {
	s.afterSeriesLookup = f
}
