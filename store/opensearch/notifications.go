package opensearch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// AddNotifications stores notifications; an id already stored for the
// tenant is kept as it was (create: a conflict is no error). The flag path
// sends a notification again, with the same id, for every event the
// caller's flag is on; replacing it would mark unread again what its
// recipient has read.
func (s *Store) AddNotifications(ctx context.Context, ns []audit.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	var buf bytes.Buffer
	for _, n := range ns {
		n.FlaggedAt = msUTC(n.FlaggedAt)
		if n.ReadAt != nil {
			t := msUTC(*n.ReadAt)
			n.ReadAt = &t
		}
		action := obj{"create": obj{"_index": s.index(notificationsIndex), "_id": docID(n.Tenant, n.ID)}}
		if err := ndjson(&buf, action, n); err != nil {
			return fmt.Errorf("opensearch: encode notification %s: %w", n.ID, err)
		}
	}
	items, err := s.bulk(ctx, buf.Bytes(), url.Values{"refresh": {"true"}})
	if err != nil {
		return fmt.Errorf("opensearch: add notifications: %w", err)
	}
	if len(items) != len(ns) {
		return fmt.Errorf("opensearch: add notifications: %d results for %d notifications", len(items), len(ns))
	}
	for i, it := range items {
		if it.Error != nil && it.Status != http.StatusConflict {
			return fmt.Errorf("opensearch: add notification %s: %w", ns[i].ID, it.err())
		}
	}
	return nil
}

// recipientQuery matches the tenant's notifications addressed to user: by
// id, or by email for recipients without an id.
func recipientQuery(tenant string, user audit.User) (obj, bool) {
	var who []obj
	if user.ID != "" {
		who = append(who, term("recipient.id", user.ID))
	}
	if user.Email != "" {
		who = append(who, obj{"bool": obj{
			"filter":   []obj{term("recipient.email.lower", user.Email)},
			"must_not": []obj{{"exists": obj{"field": "recipient.id"}}},
		}})
	}
	if len(who) == 0 {
		return nil, false
	}
	return boolFilter([]obj{term("tenant", tenant), {"bool": obj{"should": who, "minimum_should_match": 1}}}), true
}

// ListNotifications returns the user's notifications, newest first.
func (s *Store) ListNotifications(ctx context.Context, tenant string, user audit.User, q store.NotificationQuery) ([]audit.Notification, error) {
	query, ok := recipientQuery(tenant, user)
	if !ok {
		return nil, nil
	}
	filter := []obj{query}
	var mustNot []obj
	if q.UnreadOnly {
		mustNot = append(mustNot, obj{"exists": obj{"field": "readAt"}})
	}
	if a := q.After; a != nil {
		at := formatTime(a.FlaggedAt)
		filter = append(filter, obj{"bool": obj{"should": []obj{
			{"range": obj{"flaggedAt": obj{"lt": at}}},
			{"bool": obj{"filter": []obj{term("flaggedAt", at), {"range": obj{"id": obj{"lt": a.ID}}}}}},
		}, "minimum_should_match": 1}})
	}
	query = obj{"bool": obj{"filter": filter, "must_not": mustNot}}
	sort := []obj{{"flaggedAt": "desc"}, {"id": "desc"}}
	var out []audit.Notification
	add := func(h searchHit) error {
		var n audit.Notification
		if err := json.Unmarshal(h.Source, &n); err != nil {
			return fmt.Errorf("decode notification %s: %w", h.ID, err)
		}
		out = append(out, n)
		return nil
	}
	var err error
	if q.Limit > 0 {
		var resp *searchResponse
		resp, err = s.search(ctx, s.index(notificationsIndex), obj{"size": q.Limit, "query": query, "sort": sort, "track_total_hits": false})
		for i := 0; err == nil && i < len(resp.Hits.Hits); i++ {
			err = add(resp.Hits.Hits[i])
		}
	} else {
		err = s.searchAll(ctx, s.index(notificationsIndex), query, sort, add)
	}
	if err != nil {
		return nil, fmt.Errorf("opensearch: list notifications: %w", err)
	}
	return out, nil
}

// MarkNotificationsRead marks the user's unread notifications with these
// ids read, and returns how many changed.
func (s *Store) MarkNotificationsRead(ctx context.Context, tenant string, user audit.User, ids []string, at time.Time) (int, error) {
	query, ok := recipientQuery(tenant, user)
	if !ok || len(ids) == 0 {
		return 0, nil
	}
	query = obj{"bool": obj{
		"filter":   []obj{query, terms("id", ids)},
		"must_not": []obj{{"exists": obj{"field": "readAt"}}},
	}}
	var hits []searchHit
	err := s.searchAll(ctx, s.index(notificationsIndex), query, []obj{{"id": "asc"}}, func(h searchHit) error {
		hits = append(hits, h)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("opensearch: mark notifications read: %w", err)
	}
	if len(hits) == 0 {
		return 0, nil
	}
	var buf bytes.Buffer
	for _, h := range hits {
		// Conditional on the version read: a notification marked read
		// meanwhile is not counted twice.
		action := obj{"update": obj{"_index": s.index(notificationsIndex), "_id": h.ID, "if_seq_no": h.SeqNo, "if_primary_term": h.PrimaryTerm}}
		if err := ndjson(&buf, action, obj{"doc": obj{"readAt": msUTC(at)}}); err != nil {
			return 0, fmt.Errorf("opensearch: encode read mark: %w", err)
		}
	}
	items, err := s.bulk(ctx, buf.Bytes(), url.Values{"refresh": {"true"}})
	if err != nil {
		return 0, fmt.Errorf("opensearch: mark notifications read: %w", err)
	}
	n := 0
	for _, it := range items {
		switch {
		case it.Error == nil:
			n++
		case it.Status != http.StatusConflict:
			return n, fmt.Errorf("opensearch: mark notification read: %w", it.err())
		}
	}
	return n, nil
}
