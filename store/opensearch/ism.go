package opensearch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/auditlog/auditlog/audit"
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
	// TransitionTo is set between ISM's decision to move the index to
	// another state and its next run, which enters it; meanwhile explain
	// shows no state or action, and ISM refuses change_policy.
	TransitionTo *string `json:"transition_to"`
	State        *struct {
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

func (e ismExplain) transitionTo() string {
	if e.TransitionTo == nil {
		return ""
	}
	return *e.TransitionTo
}

// deleting reports whether ISM has decided to delete the index: it is in
// the delete state, or on its way there.
func (e ismExplain) deleting() bool {
	return e.state() == retention.StateDelete || e.transitionTo() == retention.StateDelete
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
	names := make([]string, len(sr.indices))
	for i, ix := range sr.indices {
		names[i] = ix.name
	}
	return s.explainIndices(ctx, sr.alias, names)
}

// explainIndices returns ISM's view of the named indices of a series; an
// index deleted meanwhile is absent from the answer.
func (s *Store) explainIndices(ctx context.Context, alias string, names []string) (map[string]ismExplain, error) {
	out := map[string]ismExplain{}
	for start := 0; start < len(names); start += 100 {
		chunk := names[start:min(start+100, len(names))]
		var raw map[string]json.RawMessage
		err := s.do(ctx, http.MethodGet, "/_plugins/_ism/explain/"+seg(strings.Join(chunk, ",")), nil, nil, &raw)
		if indicesGone(err) {
			continue // every one of them deleted since the listing (by ISM, say)
		}
		if err != nil {
			return nil, fmt.Errorf("opensearch: ISM explain %s: %w", alias, err)
		}
		for _, name := range chunk {
			data, ok := raw[name]
			if !ok {
				continue
			}
			var e ismExplain
			if err := json.Unmarshal(data, &e); err != nil {
				return nil, fmt.Errorf("opensearch: ISM explain %s: decode %s: %w", alias, name, err)
			}
			out[name] = e
		}
	}
	return out, nil
}

// indicesGone reports an explain answer for indices none of which exists:
// ISM says 400 "no documents to get" (it looks their ids up), not 404.
func indicesGone(err error) bool {
	var ae *apiError
	return statusOf(err) == http.StatusNotFound ||
		errors.As(err, &ae) && ae.Status == http.StatusBadRequest && strings.Contains(ae.Reason, "no documents to get")
}

// ismChange is the answer of ISM's add, change_policy and remove APIs.
type ismChange struct {
	UpdatedIndices int          `json:"updated_indices"`
	Failures       bool         `json:"failures"`
	FailedIndices  []ismFailure `json:"failed_indices"`
}

type ismFailure struct {
	IndexName string `json:"index_name"`
	Reason    string `json:"reason"`
}

// ISM's refusals that are not failures of a reconciliation: the index got
// a policy (from an ISM template) after explain showed it without one, or
// ISM is between two states of it; the next run judges such an index again.
const (
	ismHasPolicy    = "already has a policy"
	ismInTransition = "while transitioning to new state"
	ismNotManaged   = "This index is not being managed"
)

// changeTrustedFor is how long a change_policy call is trusted to be under
// way: ISM applies it within a job interval (5 minutes by default) unless
// the index's job has stopped (a failed action), which asking again does
// not undo either.
const changeTrustedFor = time.Hour

// pendingChanges remembers the change_policy calls a lifecycle made that
// ISM has not applied yet. ISM applies one at the index's next job run but
// shows it nowhere before; every call rewrites the index's job and
// reschedules it, so a reconciler repeating the call for an index already
// moving postpones the move indefinitely. A pending change to a policy
// lands on the policy's newest version, whichever version was current when
// it was asked for. Each replica remembers its own calls: at worst each
// asks once.
type pendingChanges struct {
	mu sync.Mutex
	m  map[string]pendingChange // by index name
}

type pendingChange struct {
	policy string
	at     time.Time
}

// moving reports whether index is known to be moving to policy: asked for
// within changeTrustedFor.
func (p *pendingChanges) moving(index, policy string, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.m[index]
	return ok && c.policy == policy && now.Sub(c.at) < changeTrustedFor
}

func (p *pendingChanges) asked(indices []string, policy string, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[string]pendingChange{}
	}
	for _, ix := range indices {
		p.m[ix] = pendingChange{policy: policy, at: now}
	}
}

func (p *pendingChanges) done(index string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.m, index)
}

// followed counts what followPolicy did to a series' indices.
type followed struct {
	added, changed, rescued int
}

// followPolicy puts every index of the series on version v of policy id,
// for events kept for r (nil: forever):
//   - an index no policy manages is added to it (one an ISM template gave
//     a policy meanwhile is judged again at once);
//   - one managed by another policy, or by an older version of this one,
//     is changed to it, unless such a change is already pending: ISM
//     switches at the index's next run, once it is between actions;
//   - one that ISM, under another policy or version, has set out to delete
//     although the new policy keeps it (retention lengthened) is taken off
//     its policy and added again, back in the hot state: ISM refuses to
//     change the policy of an index between states, and applies no change
//     once its deletion has started. One the new policy deletes too, or
//     that runs version v, is left to ISM;
//   - one whose policy ISM has not initialised yet is judged on the next
//     run.
func (l *Lifecycle) followPolicy(ctx context.Context, sr *series, id string, v policyVersion, r *audit.Retention) (followed, error) {
	var did followed
	names := make([]string, len(sr.indices))
	byName := map[string]seriesIndex{}
	for i, ix := range sr.indices {
		names[i] = ix.name
		byName[ix.name] = ix
	}
	now := l.clock()
	// A second round judges the indices an ISM template claimed between
	// explain and add.
	for round := 0; round < 2 && len(names) > 0; round++ {
		explained, err := l.s.explainIndices(ctx, sr.alias, names)
		if err != nil {
			return did, err
		}
		var add, change, rescue []string
		for _, name := range names {
			e, ok := explained[name]
			onWanted := ok && e.policyID() == id && e.runs(v)
			if !ok || onWanted {
				l.pending.done(name) // deleted since the listing, or moved
			}
			switch {
			case !ok, onWanted:
			case e.policyID() == "":
				add = append(add, name)
			case e.deleting():
				if l.keeps(byName[name], r, now) {
					rescue = append(rescue, name)
				}
			case e.transitionTo() != "":
				// Between states: ISM refuses a change until it has entered the next one.
			case e.policyID() == id && e.PolicySeqNo == nil:
				// Added, not initialised yet: judged on the next run.
			case l.pending.moving(name, id, time.Now()):
			default:
				change = append(change, name)
			}
		}
		if len(add)+len(change)+len(rescue) > 0 {
			if err := l.s.setRolloverAlias(ctx, sr); err != nil {
				return did, err
			}
		}
		if len(rescue) > 0 {
			// Off the old policy, so that its pending deletion is gone
			// with its job; added again below.
			if _, _, err := l.s.ismCall(ctx, "remove", rescue, nil, ismNotManaged); err != nil {
				return did, fmt.Errorf("opensearch: ISM remove %s: %w", sr.alias, err)
			}
			add = append(add, rescue...)
		}
		names = nil
		if len(add) > 0 {
			n, claimed, err := l.s.ismCall(ctx, "add", add, obj{"policy_id": id}, ismHasPolicy)
			did.added += n
			if err != nil {
				return did, fmt.Errorf("opensearch: ISM add %s: %w", sr.alias, err)
			}
			names = claimed
			for _, name := range rescue {
				if !slices.Contains(names, name) {
					did.rescued++
				}
			}
		}
		if len(change) > 0 {
			n, refused, err := l.s.ismCall(ctx, "change_policy", change, obj{"policy_id": id}, ismInTransition)
			did.changed += n
			if err != nil {
				return did, fmt.Errorf("opensearch: ISM change_policy %s: %w", sr.alias, err)
			}
			l.pending.asked(slices.DeleteFunc(change, func(name string) bool { return slices.Contains(refused, name) }), id, time.Now())
		}
	}
	return did, nil
}

// keeps reports whether an index that ISM is deleting under an earlier
// retention is kept under r, by the age rule of the new policy: it is
// not the write index, and its rollover is less than DeleteAfter ago.
func (l *Lifecycle) keeps(ix seriesIndex, r *audit.Retention, now time.Time) bool {
	if ix.write || ix.rolledOver == nil {
		return false // never deleted by age; nothing to judge
	}
	return r == nil || now.Before(ix.rolledOver.Add(retention.DeleteAfter(*r, l.day)))
}

// setRolloverAlias gives the series' write index the setting its template
// now gives new indices: a write index created while the cluster had no ISM
// lacks it, and without it ISM's rollover action fails and the series
// never rolls over.
func (s *Store) setRolloverAlias(ctx context.Context, sr *series) error {
	w, ok := sr.writeIndex()
	if !ok {
		return nil
	}
	settings := obj{"index.plugins.index_state_management.rollover_alias": sr.alias}
	if err := s.do(ctx, http.MethodPut, "/"+seg(w.name)+"/_settings", nil, settings, nil); err != nil {
		return fmt.Errorf("opensearch: set rollover alias of %s: %w", w.name, err)
	}
	return nil
}

// ismCall calls ISM's add, change_policy or remove API on indices. It
// returns how many indices ISM updated and which it refused for a reason
// containing benign; any other refusal is an error.
func (s *Store) ismCall(ctx context.Context, api string, indices []string, body any, benign string) (int, []string, error) {
	var res ismChange
	if err := s.do(ctx, http.MethodPost, "/_plugins/_ism/"+api+"/"+seg(strings.Join(indices, ",")), nil, body, &res); err != nil {
		return 0, nil, err
	}
	var refused, reasons []string
	for _, f := range res.FailedIndices {
		if strings.Contains(f.Reason, benign) {
			refused = append(refused, f.IndexName)
		} else {
			reasons = append(reasons, f.IndexName+": "+f.Reason)
		}
	}
	if len(reasons) > 0 {
		sort.Strings(reasons)
		return res.UpdatedIndices, refused, errors.New(strings.Join(reasons, "; "))
	}
	return res.UpdatedIndices, refused, nil
}
