package graph

import (
	"context"
	"errors"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/graph/model"
	"github.com/auditlog/auditlog/live"
)

// errNoLiveTail answers a subscription on a server built without a live
// tail (Deps.Live).
var errNoLiveTail = errors.New("the live tail is not enabled on this server")

// eventsAdded resolves Subscription.eventsAdded: the caller's tenant's
// events matching filter as they are ingested, with the role and
// retention rules of Query.events.
func (r *Resolver) eventsAdded(ctx context.Context, filter *model.EventFilter) (<-chan *model.Event, error) {
	p, err := auth.Require(ctx, auth.Read)
	if err != nil {
		return nil, err
	}
	var f audit.Filter
	if filter != nil {
		f = filterFromInput(*filter)
	}
	if err := app.CheckFilter("filter", f); err != nil {
		return nil, err
	}
	if r.live == nil {
		return nil, errNoLiveTail
	}
	if !live.Connected(ctx) {
		// Over HTTP the request would hold a worker until its timeout.
		return nil, invalid("eventsAdded", "subscriptions are served over WebSocket only (GET /graphql, subprotocol graphql-transport-ws)")
	}
	sub, err := r.live.Subscribe(ctx, p.KeyID, audit.Query{Tenant: p.Tenant, Filter: f})
	if err != nil {
		return nil, err
	}
	// Unbuffered: the subscription's own buffer is the one bound.
	out := make(chan *model.Event)
	go func() {
		defer close(out)
		for e := range sub.Events() {
			m := eventModel(e)
			select {
			case out <- &m:
			case <-ctx.Done():
				return
			}
		}
		if err := sub.Err(); err != nil && !errors.Is(err, live.ErrSlow) && !errors.Is(err, live.ErrRevoked) {
			r.log.ErrorContext(ctx, "live tail ended", "tenant", p.Tenant, "err", err)
		}
	}()
	return out, nil
}
