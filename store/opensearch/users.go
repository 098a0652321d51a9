package opensearch

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// suggestShardSize is how many users each shard proposes before the top
// ones are picked: the counts of the top users are exact as long as no
// shard holds more matching users than that.
const suggestShardSize = 1000

// userFields is the object field of a role's user in an event document.
func userField(r audit.UserRole) string {
	if r == audit.TargetUserRole {
		return "targetUser"
	}
	return "actionUser"
}

// SuggestUsers matches the prefix on the user's keyword fields (a prefix
// query reads the term dictionary, not the events) and counts the matching
// events per distinct user with a multi_terms aggregation.
func (s *Store) SuggestUsers(ctx context.Context, q audit.UserQuery) ([]audit.UserSuggestion, error) {
	out := []audit.UserSuggestion{}
	if q.Limit <= 0 || q.Prefix == "" || !q.Role.Valid() || !audit.ValidTenant(q.Tenant) {
		return out, nil
	}
	f := userField(q.Role)
	lc := strings.ToLower(q.Prefix)
	match := obj{"bool": obj{
		"should": []obj{
			{"prefix": obj{f + ".id": obj{"value": q.Prefix, "case_insensitive": true}}},
			{"prefix": obj{f + ".email.lower": obj{"value": lc}}},
			{"prefix": obj{f + ".name.lower": obj{"value": lc}}},
			// A later word of the name. The leading wildcard walks the
			// distinct names of a shard, not its events.
			{"wildcard": obj{f + ".name.lower": obj{"value": "* " + escapeWildcard(lc) + "*"}}},
		},
		"minimum_should_match": 1,
	}}
	filters := append([]obj{term("tenant", q.Tenant), match}, cutoffFilters(q.Cutoffs)...)
	key := func(field string) obj { return obj{"field": f + "." + field, "missing": ""} }
	body := obj{
		"size":             0,
		"track_total_hits": false,
		"query":            boolFilter(filters),
		"aggs": obj{"users": obj{"multi_terms": obj{
			"terms":      []obj{key("type"), key("id"), key("name"), key("email")},
			"size":       q.Limit,
			"shard_size": max(suggestShardSize, q.Limit),
			"order":      []obj{{"_count": "desc"}, {"_key": "asc"}},
		}}},
	}
	resp, err := s.search(ctx, s.tenantEvents(q.Tenant), body)
	if err != nil {
		return nil, fmt.Errorf("opensearch: suggest users: %w", err)
	}
	if len(resp.Aggregations) == 0 {
		return out, nil
	}
	var aggs struct {
		Users struct {
			Buckets []struct {
				Key      []string `json:"key"`
				DocCount int64    `json:"doc_count"`
			} `json:"buckets"`
		} `json:"users"`
	}
	if err := json.Unmarshal(resp.Aggregations, &aggs); err != nil {
		return nil, fmt.Errorf("opensearch: decode user suggestions: %w", err)
	}
	for _, b := range aggs.Users.Buckets {
		if len(b.Key) != 4 {
			return nil, fmt.Errorf("opensearch: decode user suggestions: a key of %d terms", len(b.Key))
		}
		out = append(out, audit.UserSuggestion{
			User:   audit.User{Type: audit.UserType(b.Key[0]), ID: b.Key[1], Name: b.Key[2], Email: b.Key[3]},
			Events: b.DocCount,
		})
	}
	return out, nil
}

// escapeWildcard quotes the characters a wildcard query gives a meaning.
func escapeWildcard(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`).Replace(s)
}

// LatestAccountStatus reads the newest event naming the target user that
// records a status.
func (s *Store) LatestAccountStatus(ctx context.Context, tenant string, user audit.User, cutoffs map[string]time.Time) (audit.AccountStatus, error) {
	if !audit.ValidTenant(tenant) {
		return "", nil
	}
	filters := []obj{term("tenant", tenant), {"exists": obj{"field": "targetUser.accountStatus"}}}
	switch {
	case user.ID != "":
		filters = append(filters, term("targetUser.id", user.ID))
	case user.Email != "":
		filters = append(filters, term("targetUser.email.lower", user.Email))
	default:
		return "", nil
	}
	filters = append(filters, cutoffFilters(cutoffs)...)
	resp, err := s.search(ctx, s.tenantEvents(tenant), obj{
		"size":             1,
		"track_total_hits": false,
		"query":            boolFilter(filters),
		"sort":             sortClause(audit.NewestFirst),
		"_source":          []string{"targetUser.accountStatus"},
	})
	if err != nil {
		return "", fmt.Errorf("opensearch: latest account status: %w", err)
	}
	if len(resp.Hits.Hits) == 0 {
		return "", nil
	}
	var doc struct {
		TargetUser struct {
			AccountStatus audit.AccountStatus `json:"accountStatus"`
		} `json:"targetUser"`
	}
	if err := json.Unmarshal(resp.Hits.Hits[0].Source, &doc); err != nil {
		return "", fmt.Errorf("opensearch: decode account status: %w", err)
	}
	return doc.TargetUser.AccountStatus, nil
}
