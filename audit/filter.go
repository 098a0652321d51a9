package audit

import "time"

// Filter narrows a listing of events. Every field is optional; an empty
// slice or nil pointer means "no constraint". Filters are saved by users
// (SavedFilter) as JSON, so fields may be added but never renamed.
type Filter struct {
	Components []string   `json:"components,omitempty"`
	EventTypes []string   `json:"eventTypes,omitempty"`
	Submodules []string   `json:"submodules,omitempty"`
	Statuses   []Status   `json:"statuses,omitempty"`
	Priorities []Priority `json:"priorities,omitempty"`
	// From is inclusive, To exclusive, both on OccurredAt.
	From *time.Time `json:"from,omitempty"`
	To   *time.Time `json:"to,omitempty"`
	// ActionUser and TargetUser match a user's id exactly, or their email or
	// name ignoring case (non-ASCII letters included).
	ActionUser string `json:"actionUser,omitempty"`
	TargetUser string `json:"targetUser,omitempty"`
	Flagged    *bool  `json:"flagged,omitempty"`
	// Text is an analyst's full-text query over descriptions and event type
	// names; see ParseText for the syntax. It never fails to parse. Case is
	// ignored, accents are not folded (cafe does not find café), and a phrase
	// never spans the event type name and the description.
	Text string `json:"text,omitempty"`
	// IDs restricts the listing to these event ids (export of a selection).
	IDs []string `json:"ids,omitempty"`
}

// Order is the direction of a listing.
type Order string

// Orders of a listing; ties on OccurredAt are broken by ID in the same direction.
const (
	NewestFirst Order = "NEWEST_FIRST"
	OldestFirst Order = "OLDEST_FIRST"
)

// Facet names a dimension whose value counts are returned with a listing.
type Facet string

// Facets a listing can count.
const (
	FacetEventType Facet = "eventType"
	FacetStatus    Facet = "status"
	FacetPriority  Facet = "priority"
	FacetSubmodule Facet = "submodule"
)

// AllFacets lists every term facet.
var AllFacets = []Facet{FacetEventType, FacetStatus, FacetPriority, FacetSubmodule}

// Query is a listing request against one tenant's events.
type Query struct {
	Tenant string
	Filter Filter
	Order  Order
	// After is the position of the last event of the previous page.
	After *SortKey
	// Limit is the page size; stores return at most Limit events.
	Limit int
	// Facets lists the term facets to count; empty means none. A facet's
	// counts ignore that facet's own selection and respect every other filter.
	Facets []Facet
	// Histogram, when non-zero, asks for event counts per bucket of this
	// width on OccurredAt, buckets aligned to the Unix epoch in UTC.
	Histogram time.Duration
	// HistogramZone, when set, counts the histogram on that zone's clock
	// (see BucketStart); nil counts in UTC.
	HistogramZone *time.Location
	// Cutoffs hides events strictly older than a per-component instant (an
	// event exactly at its cutoff stays visible): retention
	// counts from OccurredAt, so an expired event is never returned even
	// before the store has physically deleted it.
	Cutoffs map[string]time.Time
	// SkipTotal says that Total is not needed: a store may leave it 0
	// instead of counting every match (when only the first events count).
	SkipTotal bool
}

// Page is one page of a listing. Total, Facets and Histogram describe the
// whole listing, whatever the page's position.
type Page struct {
	Events []Event
	// Total is the exact number of events matching the query, all pages.
	Total int64
	// HasMore reports whether events follow the last one of this page.
	HasMore bool
	// Facets holds counts per value for each requested facet, largest first,
	// ties by value.
	Facets map[Facet][]Count
	// Histogram holds counts per bucket start, oldest first, empty buckets
	// omitted.
	Histogram []Bucket
}

// Count is the number of events with one value of a facet.
type Count struct {
	Value string
	Count int64
}

// Bucket is the number of events that occurred in [Start, Start+width).
type Bucket struct {
	Start time.Time
	Count int64
}
