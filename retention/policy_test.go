package retention_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/retention"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata from the current output")

// TestPolicyGolden compares the policy of a series for each retention unit,
// and for no retention, with the reviewed documents in testdata.
func TestPolicyGolden(t *testing.T) {
	for _, tc := range []struct {
		name      string
		retention *audit.Retention
		rollover  retention.Rollover
	}{
		{"days", &audit.Retention{Value: 30, Unit: audit.Days}, retention.DefaultRollover},
		{"days-short", &audit.Retention{Value: 1, Unit: audit.Days}, retention.DefaultRollover},
		{"weeks", &audit.Retention{Value: 2, Unit: audit.Weeks}, retention.DefaultRollover},
		{"months", &audit.Retention{Value: 6, Unit: audit.Months}, retention.DefaultRollover},
		{"years", &audit.Retention{Value: 5, Unit: audit.Years}, retention.DefaultRollover},
		{"none", nil, retention.DefaultRollover},
		{"custom-rollover", &audit.Retention{Value: 1, Unit: audit.Years}, retention.Rollover{MaxAge: 7 * retention.Day, MaxPrimaryShardSize: 512 << 20, MaxDocs: 1_000_000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := retention.NewPolicy(retention.Spec{
				Subject:      "acme/CMS",
				IndexPattern: "auditlog-events-acme-cms-*",
				Priority:     1017,
				Retention:    tc.retention,
				Rollover:     tc.rollover,
			})
			got, err := json.MarshalIndent(p, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", tc.name+".golden.json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden file (run go test ./retention -update to create it): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("policy differs from %s (review, then go test ./retention -update):\n%s", path, got)
			}
		})
	}
}

// TestPolicyChangesWithEverySetting: the fingerprint in the description
// changes whenever anything else in the policy does, so a reconciler that
// compares descriptions updates every changed policy.
func TestPolicyChangesWithEverySetting(t *testing.T) {
	base := retention.Spec{Subject: "acme/CMS", IndexPattern: "p-*", Priority: 10,
		Retention: &audit.Retention{Value: 30, Unit: audit.Days}, Rollover: retention.DefaultRollover}
	variants := map[string]func(s *retention.Spec){
		"value":    func(s *retention.Spec) { s.Retention = &audit.Retention{Value: 31, Unit: audit.Days} },
		"unit":     func(s *retention.Spec) { s.Retention = &audit.Retention{Value: 30, Unit: audit.Weeks} },
		"none":     func(s *retention.Spec) { s.Retention = nil },
		"pattern":  func(s *retention.Spec) { s.IndexPattern = "q-*" },
		"priority": func(s *retention.Spec) { s.Priority = 11 },
		"size":     func(s *retention.Spec) { s.Rollover.MaxPrimaryShardSize = 1 << 30 },
		"docs":     func(s *retention.Spec) { s.Rollover.MaxDocs = 5 },
		"day":      func(s *retention.Spec) { s.Day = time.Second },
	}
	seen := map[string]string{retention.NewPolicy(base).Policy.Description: "base"}
	for name, change := range variants {
		s := base
		change(&s)
		d := retention.NewPolicy(s).Policy.Description
		if other, dup := seen[d]; dup {
			t.Errorf("variant %q has the same description as %q: %s", name, other, d)
		}
		seen[d] = name
	}
	if a, b := retention.NewPolicy(base), retention.NewPolicy(base); a.Policy.Description != b.Policy.Description {
		t.Errorf("the same spec gives two descriptions: %q, %q", a.Policy.Description, b.Policy.Description)
	}
}

func TestDeleteAfterNeverUndercutsTheCalendar(t *testing.T) {
	// Whatever day the index rolled over, the age-based rule waits until the
	// cutoff has reached the newest event the index can hold (the calendar
	// rule deletes a millisecond later, once the cutoff has passed it).
	for _, r := range []audit.Retention{{Value: 1, Unit: audit.Days}, {Value: 3, Unit: audit.Weeks},
		{Value: 1, Unit: audit.Months}, {Value: 13, Unit: audit.Months}, {Value: 1, Unit: audit.Years}, {Value: 5, Unit: audit.Years}} {
		after := retention.DeleteAfter(r, retention.Day)
		for d := range 4 * 366 {
			rolled := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, d)
			if exp := retention.ExpiresAt(rolled, r); rolled.Add(after).Before(exp.Add(-time.Millisecond)) {
				t.Fatalf("%d %s rolled over %s: age rule deletes at %s, before the calendar expiry %s",
					r.Value, r.Unit, rolled.Format(time.DateOnly), rolled.Add(after), exp)
			}
		}
	}
}

func TestExpiry(t *testing.T) {
	r := audit.Retention{Value: 1, Unit: audit.Months}
	rolled := time.Date(2025, 1, 31, 10, 0, 0, 0, time.UTC)
	// The index may hold an event that claimed to occur a day after the
	// rollover: it expires one calendar month after that.
	newest := rolled.Add(audit.MaxClockSkew)
	if retention.Expired(rolled, r, newest.AddDate(0, 1, 0).Add(-time.Millisecond)) {
		t.Errorf("expired before its newest event did")
	}
	at := retention.ExpiresAt(rolled, r)
	if !retention.Expired(rolled, r, at) || retention.Expired(rolled, r, at.Add(-time.Millisecond)) {
		t.Errorf("ExpiresAt = %s is not the first expired millisecond", at)
	}
	if !r.Cutoff(at).After(newest) {
		t.Errorf("at %s the cutoff %s does not pass the newest event %s", at, r.Cutoff(at), newest)
	}
}

func TestRolloverAge(t *testing.T) {
	ro := retention.DefaultRollover
	for _, tc := range []struct {
		r    *audit.Retention
		want string
	}{
		{nil, "30d"},
		{&audit.Retention{Value: 1, Unit: audit.Days}, "1d"},    // a quarter of 2d is below the floor
		{&audit.Retention{Value: 7, Unit: audit.Days}, "2d"},    // (7d+1d)/4
		{&audit.Retention{Value: 30, Unit: audit.Days}, "186h"}, // (30d+1d)/4 in whole hours
		{&audit.Retention{Value: 5, Unit: audit.Years}, "30d"},  // capped
		{&audit.Retention{Value: 2, Unit: audit.Weeks}, "90h"},  // (14d+1d)/4 in whole hours
	} {
		if got := retention.Duration(ro.Age(tc.r, retention.Day)); got != tc.want {
			t.Errorf("Age(%v) = %s, want %s", tc.r, got, tc.want)
		}
	}
}

func TestDurationAndBytes(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * retention.Day: "30d", 36 * time.Hour: "36h", 90 * time.Second: "90s", 1500 * time.Millisecond: "1500ms", 2 * time.Minute: "2m",
	} {
		if got := retention.Duration(d); got != want {
			t.Errorf("Duration(%s) = %s, want %s", d, got, want)
		}
	}
	for n, want := range map[int64]string{30 << 30: "30gb", 512 << 20: "512mb", 1536 << 20: "1536mb", 1000: "1000b", 2 << 40: "2tb"} {
		if got := retention.Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %s, want %s", n, got, want)
		}
	}
}
