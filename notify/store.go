package notify

import (
	"context"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// WithWebhooks returns st whose AddNotifications, once the store has made
// the notifications durable, also hands them to w for delivery. Wrapping
// the store makes every stored notification a delivered one, whoever sends
// it, without the resolvers knowing about webhooks.
func WithWebhooks(st store.Store, w *Webhooks) store.Store {
	return webhookStore{Store: st, w: w}
}

type webhookStore struct {
	store.Store
	w *Webhooks
}

func (s webhookStore) AddNotifications(ctx context.Context, ns []audit.Notification) error {
	if err := s.Store.AddNotifications(ctx, ns); err != nil {
		return err
	}
	s.w.Notify(ctx, ns)
	return nil
}
