// Package retention turns a component's retention period into the rules
// that delete its expired events: an ISM policy per OpenSearch index series
// (built here by pure functions) and the expiry rule auditlog applies
// itself where the cluster has no ISM. It imports no store: each backend
// enforces these rules its own way (store.RetentionEnforcer).
//
// Retention counts from when an event occurred. An index holds events that
// occurred up to audit.MaxClockSkew after it stopped being the write index
// (its rollover), so an index is deleted only once retention has passed for
// that instant; until then, searches hide its expired events by cutoffs.
package retention

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// Day is the length of a retention day.
const Day = 24 * time.Hour

// Rollover says when the write index of a series is rolled over: as soon as
// any condition is met.
type Rollover struct {
	// MaxAge rolls over an index this long after its creation. A short
	// retention shortens it further, see Rollover.Age.
	MaxAge time.Duration
	// MaxPrimaryShardSize rolls over an index whose primary shard holds this
	// many bytes (event indices have one primary shard).
	MaxPrimaryShardSize int64
	// MaxDocs rolls over an index holding this many events; 0 sets no limit.
	MaxDocs int64
}

// DefaultRollover keeps shards in the size range OpenSearch recommends and
// the number of indices per series small: a month of events or 30 GiB,
// whichever comes first, gives about 60 indices for the longest retention.
var DefaultRollover = Rollover{MaxAge: 30 * Day, MaxPrimaryShardSize: 30 << 30}

// Age is how old the write index may grow before it is rolled over when
// events are kept for r (nil: forever), with days of length day: at most a
// quarter of the time an index waits for deletion after its rollover, so
// that expired events linger on disk only briefly, but at least one day and
// at most MaxAge (when set).
func (ro Rollover) Age(r *audit.Retention, day time.Duration) time.Duration {
	age := ro.MaxAge
	if r == nil {
		if age <= 0 {
			age = 30 * day
		}
		return age
	}
	q := DeleteAfter(*r, day) / 4
	if hour := day / 24; hour > 0 {
		q -= q % hour // whole hours (of a scaled day)
	}
	q = max(q, day)
	if age <= 0 || q < age {
		age = q
	}
	return age
}

// unitDays bounds the days of one unit from above, so that an age-based
// rule never deletes an event that a calendar-exact cutoff still keeps.
var unitDays = map[audit.RetentionUnit]int{
	audit.Days:   1,
	audit.Weeks:  7,
	audit.Months: 31,
	audit.Years:  366,
}

// DeleteAfter is how long after its rollover an index of a component kept
// for r is deleted by an age-based rule (ISM's min_rollover_age): the
// retention counted in days (at least as long as any calendar months or
// years it spans), plus audit.MaxClockSkew for events that claimed to occur
// after the rollover. day is the length of a day; tests shorten it.
func DeleteAfter(r audit.Retention, day time.Duration) time.Duration {
	skew := audit.MaxClockSkew
	if day != Day {
		skew = time.Duration(float64(skew) * (float64(day) / float64(Day))).Round(time.Millisecond)
	}
	return time.Duration(r.Value*unitDays[r.Unit])*day + skew
}

// Expired reports whether an index that stopped being the write index at
// rolledOverAt holds only events that have expired at now, with the
// calendar-exact rule of audit.Retention.Cutoff.
func Expired(rolledOverAt time.Time, r audit.Retention, now time.Time) bool {
	newest := rolledOverAt.Add(audit.MaxClockSkew)
	return newest.Before(r.Cutoff(now))
}

// ExpiresAt is the first millisecond at which Expired holds for an index
// rolled over at rolledOverAt.
func ExpiresAt(rolledOverAt time.Time, r audit.Retention) time.Time {
	lo := rolledOverAt.Truncate(time.Millisecond)
	hi := lo.Add(DeleteAfter(r, Day) + Day) // certainly expired by then
	// Cutoff grows with now (calendar arithmetic jumps, never goes back),
	// so bisect for the first instant past the newest event.
	for hi.Sub(lo) > time.Millisecond {
		mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Millisecond)
		if Expired(rolledOverAt, r, mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// Spec is what the ISM policy of an index series is built from.
type Spec struct {
	// Subject says whose events the policy keeps, for its description,
	// e.g. "acme/CMS".
	Subject string
	// IndexPattern is the pattern of the policy's ISM template: every index
	// created under it later is managed by the policy from birth.
	IndexPattern string
	// Priority of the ISM template: where patterns of several policies
	// match an index, the highest wins.
	Priority int
	// Retention of the events; nil keeps them forever (rollover only).
	Retention *audit.Retention
	Rollover  Rollover
	// Day is the length of a day, Day when zero. Tests shorten it to watch
	// ISM act within minutes.
	Day time.Duration
}

// State names of the policies.
const (
	StateHot    = "hot"
	StateDelete = "delete"
)

// Policy is an ISM policy document as PUT to _plugins/_ism/policies/<id>.
type Policy struct {
	Policy PolicyBody `json:"policy"`
}

// PolicyBody is the policy itself.
type PolicyBody struct {
	Description  string        `json:"description"`
	DefaultState string        `json:"default_state"`
	States       []State       `json:"states"`
	ISMTemplate  []ISMTemplate `json:"ism_template"`
}

// State is one state of a policy.
type State struct {
	Name        string       `json:"name"`
	Actions     []Action     `json:"actions"`
	Transitions []Transition `json:"transitions"`
}

// Action is one action of a state; exactly one of Rollover and Delete is set.
type Action struct {
	Retry    Retry           `json:"retry"`
	Rollover *RolloverAction `json:"rollover,omitempty"`
	Delete   *struct{}       `json:"delete,omitempty"`
}

// Retry is how ISM retries a failed action.
type Retry struct {
	Count   int    `json:"count"`
	Backoff string `json:"backoff"`
	Delay   string `json:"delay"`
}

// RolloverAction rolls the write index over when any condition is met.
type RolloverAction struct {
	MinIndexAge         string `json:"min_index_age,omitempty"`
	MinPrimaryShardSize string `json:"min_primary_shard_size,omitempty"`
	MinDocCount         int64  `json:"min_doc_count,omitempty"`
}

// Transition moves an index to another state.
type Transition struct {
	StateName  string     `json:"state_name"`
	Conditions Conditions `json:"conditions"`
}

// Conditions of a transition.
type Conditions struct {
	MinRolloverAge string `json:"min_rollover_age,omitempty"`
}

// ISMTemplate attaches the policy to indices created under its patterns.
type ISMTemplate struct {
	IndexPatterns []string `json:"index_patterns"`
	Priority      int      `json:"priority"`
}

// retry is generous: a failed rollover or delete is retried for about an
// hour and a half before ISM gives up and the index shows as failed.
var retry = Retry{Count: 5, Backoff: "exponential", Delay: "10m"}

// NewPolicy builds the ISM policy of a series: a hot state whose rollover
// action rolls the write index over by age, primary shard size or document
// count, and, when events have a retention, a delete state the index enters
// once its rollover age exceeds DeleteAfter. Without a retention the
// policy only rolls over and never deletes.
//
// The description ends with a fingerprint of everything else, so that a
// reconciler can tell whether a stored policy is this one by comparing
// descriptions, whatever defaults the cluster adds to the stored document.
func NewPolicy(s Spec) Policy {
	day := s.Day
	if day <= 0 {
		day = Day
	}
	ro := s.Rollover
	action := &RolloverAction{MinIndexAge: Duration(ro.Age(s.Retention, day)), MinDocCount: ro.MaxDocs}
	if ro.MaxPrimaryShardSize > 0 {
		action.MinPrimaryShardSize = Bytes(ro.MaxPrimaryShardSize)
	}
	hot := State{Name: StateHot, Actions: []Action{{Retry: retry, Rollover: action}}, Transitions: []Transition{}}
	states := []State{hot}
	kept := "kept forever"
	if r := s.Retention; r != nil {
		after := Duration(DeleteAfter(*r, day))
		states[0].Transitions = []Transition{{StateName: StateDelete, Conditions: Conditions{MinRolloverAge: after}}}
		states = append(states, State{Name: StateDelete, Actions: []Action{{Retry: retry, Delete: &struct{}{}}}, Transitions: []Transition{}})
		kept = fmt.Sprintf("kept %d %s, indices deleted %s after rollover", r.Value, r.Unit, after)
	}
	rollover := "at " + action.MinIndexAge
	if action.MinPrimaryShardSize != "" {
		rollover += " or " + action.MinPrimaryShardSize
	}
	if action.MinDocCount > 0 {
		rollover += fmt.Sprintf(" or %d events", action.MinDocCount)
	}
	p := Policy{Policy: PolicyBody{
		Description:  fmt.Sprintf("auditlog: events of %s %s; rolled over %s", s.Subject, kept, rollover),
		DefaultState: StateHot,
		States:       states,
		ISMTemplate:  []ISMTemplate{{IndexPatterns: []string{s.IndexPattern}, Priority: s.Priority}},
	}}
	p.Policy.Description += " [" + p.fingerprint() + "]"
	return p
}

// fingerprint hashes the policy as built, before the description gets it.
func (p Policy) fingerprint() string {
	data, err := json.Marshal(p)
	if err != nil {
		panic(fmt.Sprintf("retention: marshal policy: %v", err)) // plain structs: cannot fail
	}
	sum := sha256.Sum256(data)
	return "v" + hex.EncodeToString(sum[:6])
}

// Duration renders d as an OpenSearch time value in the largest unit that
// divides it: "30d", "180h", "90s".
func Duration(d time.Duration) string {
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{Day, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if d >= u.unit && d%u.unit == 0 {
			return fmt.Sprintf("%d%s", d/u.unit, u.name)
		}
	}
	return fmt.Sprintf("%dms", d.Milliseconds())
}

// Bytes renders n as an OpenSearch byte size in the largest unit that
// divides it: "30gb", "512mb".
func Bytes(n int64) string {
	for _, u := range []struct {
		unit int64
		name string
	}{{1 << 40, "tb"}, {1 << 30, "gb"}, {1 << 20, "mb"}, {1 << 10, "kb"}} {
		if n >= u.unit && n%u.unit == 0 {
			return fmt.Sprintf("%d%s", n/u.unit, u.name)
		}
	}
	return fmt.Sprintf("%db", n)
}
