package selfaudit

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// All stands for "no constraint" where a criterion is a list: every
// activity (including later ones), every status.
const All = "ALL"

// diffConfig returns the criteria that differ between two configurations,
// each as {"before": …, "after": …} in the field names of the API, and
// their names in the order Filter Management shows them. Activity lists
// also say which codes were added and removed.
func diffConfig(old, new audit.ComponentConfig) (map[string]any, []string) {
	o, n := old.Criteria, new.Criteria
	fields := []struct {
		name          string
		before, after any
	}{
		{"loggingEnabled", old.LoggingEnabled, new.LoggingEnabled},
		{"activities", list(o.Activities, o.Activities == nil), list(n.Activities, n.Activities == nil)},
		{"minPriority", optional(string(o.MinPriority)), optional(string(n.MinPriority))},
		{"loggingPeriod", period(o.LoggingPeriod), period(n.LoggingPeriod)},
		{"captureDescription", o.CaptureDescription, n.CaptureDescription},
		{"statuses", list(o.Statuses, len(o.Statuses) == 0), list(n.Statuses, len(n.Statuses) == 0)},
		{"captureIpAddress", o.CaptureIPAddress, n.CaptureIPAddress},
		{"retention", retention(o.Retention), retention(n.Retention)},
	}
	changes := map[string]any{}
	var names []string
	for _, f := range fields {
		if sameJSON(f.before, f.after) {
			continue
		}
		c := map[string]any{"before": f.before, "after": f.after}
		if f.name == "activities" && o.Activities != nil && n.Activities != nil {
			c["added"] = missingFrom(n.Activities, o.Activities)
			c["removed"] = missingFrom(o.Activities, n.Activities)
		}
		changes[f.name] = c
		names = append(names, f.name)
	}
	return changes, names
}

// list returns the sorted values of a list criterion, or All when it
// applies no constraint.
func list[T ~string](vs []T, all bool) any {
	if all {
		return All
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	slices.Sort(out)
	return out
}

// optional returns nil for an unset value, so the change reads as null.
func optional(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func period(p *audit.Period) any {
	if p == nil {
		return nil
	}
	return map[string]string{"start": p.Start.UTC().Format(time.RFC3339), "end": p.End.UTC().Format(time.RFC3339)}
}

func retention(r *audit.Retention) any {
	if r == nil {
		return nil
	}
	return map[string]any{"value": r.Value, "unit": string(r.Unit)}
}

// missingFrom returns the values of a not in b, sorted.
func missingFrom(a, b []string) []string {
	out := []string{}
	for _, v := range a {
		if !slices.Contains(b, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// joinNames lists names as "a, b and c".
func joinNames(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
