package graph

import (
	"context"
	"math"

	gqlcomplexity "github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/graph/generated"
	"github.com/auditlog/auditlog/graph/model"
)

// Costs of the complexity limit (ComplexityLimit; the server sets the
// limit). A field costs 1 plus what it selects; a list costs what each
// element selects times how many elements it may hold; an operation that
// reads or writes the store costs StoreCallCost more, so that aliasing one
// cheap operation many times cannot turn one request into thousands of
// store calls (at most limit/StoreCallCost). Each facet and the histogram
// of an events listing are store calls of their own (aggregations, and up
// to two more searches for the histogram's time range), charged once per
// listing, not per event of its page.
const (
	// StoreCallCost is the price of one store round trip.
	StoreCallCost = 100
	// Sizes assumed for lists that no argument bounds.
	componentsCost   = 32  // the catalog's modules plus registered ones
	activitiesCost   = 64  // activities of one component
	savedFiltersCost = 50  // saved filters of one user
	facetValuesCost  = 100 // values of one facet: about the activities of a tenant's modules
	// histogramCalls are the store calls of a histogram: the oldest and
	// newest matching events (when the filter leaves the range open) and
	// the counts.
	histogramCalls = 3
)

// complexity returns the cost functions of the schema's lists, connections
// and store operations.
func complexity() generated.ComplexityRoot {
	var c generated.ComplexityRoot
	// At least one item is charged, so that every field costs at least 1
	// plus what it selects (server's expansion limit relies on that), an
	// empty list argument too.
	perItem := func(child, n int) int { return StoreCallCost + child*max(n, 1) }
	c.Query.Events = func(child int, _ model.EventFilter, first *int, _ *string, _ *audit.Order) int {
		return perItem(child, pageSize(first))
	}
	c.Query.Event = func(child int, _ string) int { return StoreCallCost + child }
	c.Query.Components = func(child int) int { return perItem(child, componentsCost) }
	c.Query.Component = func(child int, _ string) int { return StoreCallCost + child }
	c.Query.SavedFilters = func(child int) int { return perItem(child, savedFiltersCost) }
	c.Query.Notifications = func(child int, _ *bool, first *int, _ *string) int {
		return perItem(child, pageSize(first))
	}
	c.Query.UserSuggestions = func(child int, _ audit.UserRole, _ string, first *int) int {
		n := DefaultSuggestions
		if first != nil {
			n = min(max(*first, 1), MaxSuggestions)
		}
		return perItem(child, n)
	}
	// One store read per user it is asked of.
	c.User.CurrentAccountStatus = func(child int) int { return StoreCallCost + child }
	c.Component.Activities = func(child int) int { return 1 + child*activitiesCost }
	facet := func(child int) int { return StoreCallCost + child*facetValuesCost }
	c.EventFacets.EventType = facet
	c.EventFacets.Status = facet
	c.EventFacets.Priority = facet
	c.EventFacets.Submodule = facet
	c.EventFacets.Histogram = func(child int, _ *model.HistogramInterval, _ *string) int {
		return histogramCalls*StoreCallCost + child*targetBuckets
	}

	c.Mutation.IngestEvent = func(child int, _ model.EventInput) int { return ingestEventsCost(child, 1) }
	c.Mutation.IngestEvents = func(child int, events []model.EventInput) int {
		return ingestEventsCost(child, len(events))
	}
	c.Mutation.FlagEvents = func(child int, ids []string, _ *string) int { return perItem(child, min(len(ids), MaxIDs)) }
	c.Mutation.UnflagEvents = func(child int, ids []string) int { return perItem(child, min(len(ids), MaxIDs)) }
	c.Mutation.ConfigureComponent = func(child int, _ string, _ model.ComponentConfigInput) int {
		return StoreCallCost + child
	}
	c.Mutation.SaveFilter = func(child int, _ model.SavedFilterInput) int { return StoreCallCost + child }
	c.Mutation.UpdateSavedFilter = func(child int, _ string, _ model.SavedFilterInput) int {
		return StoreCallCost + child
	}
	c.Mutation.DeleteSavedFilter = func(child int, _ string) int { return StoreCallCost + child }
	c.Mutation.ExportEvents = func(child int, _ *model.EventFilter, _ []string) int { return StoreCallCost + child }
	c.Mutation.MarkNotificationsRead = func(child int, _ []string) int { return StoreCallCost + child }
	return c
}

// ComplexityLimit returns the handler extension that refuses, before
// anything runs, an operation costing more than limit (the costs above):
// gqlgen's complexity limit, with the code and message of its refusal
// (COMPLEXITY_LIMIT_EXCEEDED), whose calculation charges what an events
// listing selects besides its edges once per listing (see
// connectionCosts).
func ComplexityLimit(limit int) graphql.HandlerExtension {
	return &complexityLimit{limit: limit}
}

type complexityLimit struct {
	limit int
	es    graphql.ExecutableSchema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &complexityLimit{}

// complexityStats is where gqlgen keeps the calculated cost
// (extension.GetComplexityStats reads it).
const complexityStats = "ComplexityLimit"

func (*complexityLimit) ExtensionName() string { return complexityStats }

func (c *complexityLimit) Validate(es graphql.ExecutableSchema) error {
	c.es = es
	return nil
}

func (c *complexityLimit) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil {
		return nil
	}
	cost := gqlcomplexity.Calculate(ctx, &connectionCosts{ExecutableSchema: c.es}, opCtx.Operation, opCtx.Variables)
	opCtx.Stats.SetExtension(complexityStats, &extension.ComplexityStats{Complexity: cost, ComplexityLimit: c.limit})
	if cost > c.limit {
		err := gqlerror.Errorf("operation has complexity %d, which exceeds the limit of %d", cost, c.limit)
		errcode.Set(err, "COMPLEXITY_LIMIT_EXCEEDED")
		return err
	}
	return nil
}

// connectionCosts is the schema as one complexity calculation sees it.
// What an events listing selects besides its edges (totalCount, pageInfo,
// facets) is computed once per listing, so it is added to the listing's
// cost rather than multiplied by its page size with what each edge
// selects. gqlgen hands Query.events' cost function only the sum of what
// the listing selects; the calculation walks depth first, so the part of
// that sum computed once per listing is what the listing's other fields
// cost since the previous events field, noted in once.
type connectionCosts struct {
	graphql.ExecutableSchema
	once int
}

func (c *connectionCosts) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	switch {
	case typeName == "EventConnection" && field != "edges":
		cost, ok := c.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
		if !ok || cost < 1 {
			cost = addCost(1, child) // gqlgen's default
		}
		c.once = addCost(c.once, cost)
		return cost, true
	case typeName == "Mutation" && field == "ingestEvent":
		// As below: the generated function would decode the event first.
		return ingestEventsCost(child, 1), true
	case typeName == "Mutation" && field == "ingestEvents":
		// Only the number of events counts. The generated cost function
		// would decode every event to count them, a second decoding of
		// the whole batch: a tenth of batch ingest's CPU. A single event
		// where the list is expected is a list of one (GraphQL's input
		// coercion).
		n := 1
		if list, ok := args["events"].([]any); ok {
			n = len(list)
		}
		return ingestEventsCost(child, n), true
	case typeName == "Query" && field == "events":
		once := min(c.once, child)
		c.once = 0
		cost, ok := c.ExecutableSchema.Complexity(ctx, typeName, field, child-once, args)
		if !ok {
			return 0, false
		}
		return addCost(cost, once), true
	}
	return c.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
}

// pageSize is the number of items a first argument asks for. Sizes out of
// range are refused by the resolvers; clamping keeps the product of costs
// from overflowing meanwhile.
func pageSize(first *int) int {
	if first == nil {
		return DefaultPageSize
	}
	return min(max(*first, 1), MaxPageSize)
}

// ingestEventsCost is the cost of ingesting n events: a store call, and
// what the selection costs per event.
func ingestEventsCost(child, n int) int {
	return StoreCallCost + child*max(min(n, MaxIngestBatch), 1)
}

// addCost adds costs, saturating instead of overflowing.
func addCost(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}
