package graph

import (
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/graph/generated"
	"github.com/auditlog/auditlog/graph/model"
)

// Costs of the complexity limit (gqlgen's complexity extension; the server
// sets the limit). A field costs 1 plus what it selects; a list costs what
// each element selects times how many elements it may hold; an operation
// that reads or writes the store costs StoreCallCost more, so that aliasing
// one cheap operation many times cannot turn one request into thousands of
// store calls (at most limit/StoreCallCost).
const (
	// StoreCallCost is the price of one store round trip.
	StoreCallCost = 100
	// Sizes assumed for lists that no argument bounds.
	componentsCost    = 32  // the catalog's modules plus registered ones
	activitiesCost    = 64  // activities of one component
	savedFiltersCost  = 50  // saved filters of one user
	notificationsCost = 100 // notifications of one user
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
		n := DefaultPageSize
		if first != nil {
			// Out-of-range sizes are refused by the resolver; clamping keeps
			// the product from overflowing meanwhile.
			n = min(max(*first, 1), MaxPageSize)
		}
		return perItem(child, n)
	}
	c.Query.Event = func(child int, _ string) int { return StoreCallCost + child }
	c.Query.Components = func(child int) int { return perItem(child, componentsCost) }
	c.Query.Component = func(child int, _ string) int { return StoreCallCost + child }
	c.Query.SavedFilters = func(child int) int { return perItem(child, savedFiltersCost) }
	c.Query.Notifications = func(child int, _ *bool) int { return perItem(child, notificationsCost) }
	c.Component.Activities = func(child int) int { return 1 + child*activitiesCost }

	c.Mutation.IngestEvent = func(child int, _ model.EventInput) int { return StoreCallCost + child }
	c.Mutation.IngestEvents = func(child int, events []model.EventInput) int {
		return perItem(child, min(len(events), MaxIngestBatch))
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
