package graph

import (
	"slices"
	"testing"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/capture"
)

// TestComponentStatsShowEveryReason: a card lists the count of every
// reason events were suppressed for, EXPIRED included, in the order
// capture checks them, and no reason that suppressed nothing.
func TestComponentStatsShowEveryReason(t *testing.T) {
	v := capture.ComponentView{ID: "KMS", Stats: audit.CaptureStats{Captured: 3, Suppressed: map[audit.SuppressReason]int64{}}}
	var want []audit.SuppressReason
	for i, r := range audit.SuppressReasons() {
		if r == audit.ReasonOutsidePeriod {
			continue // suppressed nothing: not listed
		}
		v.Stats.Suppressed[r] = int64(i + 1)
		want = append(want, r)
	}
	m := componentModel(v)
	var got []audit.SuppressReason
	for _, c := range m.Stats.Suppressed {
		if int64(c.Count) != v.Stats.Suppressed[c.Reason] {
			t.Errorf("%s: count %d, want %d", c.Reason, c.Count, v.Stats.Suppressed[c.Reason])
		}
		got = append(got, c.Reason)
	}
	if !slices.Equal(got, want) {
		t.Errorf("reasons %v, want %v", got, want)
	}
	if !slices.Contains(got, audit.ReasonExpired) {
		t.Error("EXPIRED is not listed")
	}
}
