package model

// EventFacets holds the facet counts of a listing. They are computed together
// with the page, in one store query, for the facets the GraphQL query selects.
type EventFacets struct {
	EventType []FacetCount
	Status    []FacetCount
	Priority  []FacetCount
	Submodule []FacetCount
	// Histogram was computed at the interval every histogram selection of
	// the query asked for (the events resolver refuses differing ones).
	Histogram []HistogramBucket
}
