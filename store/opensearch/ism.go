package opensearch

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/auditlog/auditlog/retention"
)

// HasISM reports whether the cluster runs the ISM plugin
// (opensearch-index-management).
func (s *Store) HasISM() bool { return s.ism }

// ismPolicies is the ISM policy API.
const ismPolicies = "/_plugins/_ism/policies/"

// defaultPolicyID names the policy of series that have none of their own
// yet: its ISM template matches every event index at the lowest priority,
// so a new series is rolled over from birth and never deleted until the
// lifecycle gives it the policy of its component.
func (s *Store) defaultPolicyID() string { return s.prefix + "-events" }

// The policy of a series is named like its write alias.
func seriesPolicyID(alias string) string { return alias }

// seriesPriority is the ISM template priority of a series' policy: as for
// the series' index template, a longer, more specific pattern wins where
// patterns of two series overlap ("acme-cms-*" also matches tenant
// "acme-cms"'s "acme-cms-x-000001").
func seriesPriority(alias string) int { return 1000 + len(alias) }

// policyVersion identifies a stored version of a policy.
type policyVersion struct {
	SeqNo       int64 `json:"_seq_no"`
	PrimaryTerm int64 `json:"_primary_term"`
}

// putPolicy makes the stored policy id equal to p: created when absent,
// replaced under optimistic concurrency (if_seq_no, if_primary_term) when
// it differs, left alone when it is p already (same description, which
// ends with p's fingerprint). A concurrent writer (another replica) makes
// it read and decide again. It returns the stored version and whether it
// wrote.
func (s *Store) putPolicy(ctx context.Context, id string, p retention.Policy) (policyVersion, bool, error) {
	path := ismPolicies + seg(id)
	const attempts = 5
	for range attempts {
		var cur struct {
			policyVersion
			Policy struct {
				Description string `json:"description"`
			} `json:"policy"`
		}
		q := url.Values{}
		err := s.do(ctx, http.MethodGet, path, nil, nil, &cur)
		switch {
		case err == nil && cur.Policy.Description == p.Policy.Description:
			return cur.policyVersion, false, nil
		case err == nil:
			q.Set("if_seq_no", strconv.FormatInt(cur.SeqNo, 10))
			q.Set("if_primary_term", strconv.FormatInt(cur.PrimaryTerm, 10))
		case statusOf(err) == http.StatusNotFound:
			// Created without a version: ISM rejects the create with 409
			// when another writer created it first.
		default:
			return policyVersion{}, false, fmt.Errorf("opensearch: read ISM policy %s: %w", id, err)
		}
		var out policyVersion
		err = s.do(ctx, http.MethodPut, path, q, p, &out)
		if err == nil {
			return out, true, nil
		}
		if statusOf(err) != http.StatusConflict {
			return policyVersion{}, false, fmt.Errorf("opensearch: put ISM policy %s: %w", id, err)
		}
	}
	return policyVersion{}, false, fmt.Errorf("opensearch: put ISM policy %s: still conflicting after %d attempts", id, attempts)
}

// ismExplain is one index of ISM's explain API.
type ismExplain struct {
	PolicyID          *string `json:"index.plugins.index_state_management.policy_id"`
	PolicySeqNo       *int64  `json:"policy_seq_no"`
	PolicyPrimaryTerm *int64  `json:"policy_primary_term"`
	State             *struct {
		Name string `json:"name"`
	} `json:"state"`
	Action *struct {
		Name   string `json:"name"`
		Failed bool   `json:"failed"`
	} `json:"action"`
	RetryInfo *struct {
		Failed bool `json:"failed"`
	} `json:"retry_info"`
	Info map[string]any `json:"info"`
}

func (e ismExplain) policyID() string {
	if e.PolicyID == nil {
		return ""
	}
	return *e.PolicyID
}

func (e ismExplain) state() string {
	if e.State == nil {
		return ""
	}
	return e.State.Name
}

func (e ismExplain) action() string {
	if e.Action == nil {
		return ""
	}
	return e.Action.Name
}

func (e ismExplain) failed() bool {
	return (e.Action != nil && e.Action.Failed) || (e.RetryInfo != nil && e.RetryInfo.Failed)
}

func (e ismExplain) info() string {
	if msg, ok := e.Info["message"].(string); ok {
		return msg
	}
	return ""
}

// runs reports whether the index runs exactly version v of a policy.
func (e ismExplain) runs(v policyVersion) bool {
	return e.PolicySeqNo != nil && e.PolicyPrimaryTerm != nil && *e.PolicySeqNo == v.SeqNo && *e.PolicyPrimaryTerm == v.PrimaryTerm
}

// explain returns ISM's view of the indices of a series, by index name.
func (s *Store) explain(ctx context.Context, sr *series) (map[string]ismExplain, error) {
	out := map[string]ismExplain{}
	for start := 0; start < len(sr.indices); start += 100 {
		var names []string
		for _, ix := range sr.indices[start:min(start+100, len(sr.indices))] {
			names = append(names, ix.name)
		}
		var raw map[string]json.RawMessage
		if err := s.do(ctx, http.MethodGet, "/_plugins/_ism/explain/"+seg(strings.Join(names, ",")), nil, nil, &raw); err != nil {
			return nil, fmt.Errorf("opensearch: ISM explain %s: %w", sr.alias, err)
		}
		for _, name := range names {
			data, ok := raw[name]
			if !ok {
				continue
			}
			var e ismExplain
			if err := json.Unmarshal(data, &e); err != nil {
				return nil, fmt.Errorf("opensearch: ISM explain %s: decode %s: %w", sr.alias, name, err)
			}
			out[name] = e
		}
	}
	return out, nil
}

// ismChange is the answer of ISM's add and change_policy APIs.
type ismChange struct {
	UpdatedIndices int  `json:"updated_indices"`
	Failures       bool `json:"failures"`
	FailedIndices  []struct {
		IndexName string `json:"index_name"`
		Reason    string `json:"reason"`
	} `json:"failed_indices"`
}

func (c ismChange) err() error {
	if !c.Failures {
		return nil
	}
	var reasons []string
	for _, f := range c.FailedIndices {
		reasons = append(reasons, f.IndexName+": "+f.Reason)
	}
	sort.Strings(reasons)
	return fmt.Errorf("%s", strings.Join(reasons, "; "))
}

// followPolicy puts every index of the series on version v of policy id:
// an index no policy manages is added to it; one managed by another policy,
// or by an older version of this one, is changed to it (ISM switches once
// the index is between actions, so a running rollover or delete finishes
// first). Indices already deleting are left alone, as are indices whose
// policy ISM has not initialised yet. It returns how many indices it
// attached or moved.
func (s *Store) followPolicy(ctx context.Context, sr *series, id string, v policyVersion) (int, error) {
	explained, err := s.explain(ctx, sr)
	if err != nil {
		return 0, err
	}
	var add, change []string
	for _, ix := range sr.indices {
		e, ok := explained[ix.name]
		switch {
		case !ok:
			// Deleted since the listing.
		case e.policyID() == "":
			add = append(add, ix.name)
		case e.state() == retention.StateDelete:
		case e.policyID() != id:
			change = append(change, ix.name)
		case e.PolicySeqNo == nil:
			// Added, not initialised yet: judged on the next run.
		case !e.runs(v):
			change = append(change, ix.name)
		}
	}
	if w, ok := sr.writeIndex(); ok && len(add)+len(change) > 0 {
		// A write index created while the cluster had no ISM lacks the
		// setting the series template now gives new indices; without it
		// ISM's rollover action fails and the series never rolls over.
		settings := obj{"index.plugins.index_state_management.rollover_alias": sr.alias}
		if err := s.do(ctx, http.MethodPut, "/"+seg(w.name)+"/_settings", nil, settings, nil); err != nil {
			return 0, fmt.Errorf("opensearch: set rollover alias of %s: %w", w.name, err)
		}
	}
	moved := 0
	for _, step := range []struct {
		api     string
		indices []string
	}{{"add", add}, {"change_policy", change}} {
		if len(step.indices) == 0 {
			continue
		}
		var res ismChange
		path := "/_plugins/_ism/" + step.api + "/" + seg(strings.Join(step.indices, ","))
		if err := s.do(ctx, http.MethodPost, path, nil, obj{"policy_id": id}, &res); err != nil {
			return moved, fmt.Errorf("opensearch: ISM %s %s: %w", step.api, sr.alias, err)
		}
		moved += res.UpdatedIndices
		if err := res.err(); err != nil {
			return moved, fmt.Errorf("opensearch: ISM %s %s: %w", step.api, sr.alias, err)
		}
	}
	return moved, nil
}
