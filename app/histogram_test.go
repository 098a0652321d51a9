package app

import (
	"testing"
	"time"
)

func TestAutoWidthFitsAbout100Buckets(t *testing.T) {
	day := 24 * time.Hour
	for _, c := range []struct {
		span, want time.Duration
	}{
		{0, time.Minute},
		{100 * time.Minute, time.Minute},
		{101 * time.Minute, 5 * time.Minute},
		{7*time.Hour + 30*time.Minute, 5 * time.Minute},
		{24 * time.Hour, 15 * time.Minute},
		{7 * day, 3 * time.Hour},
		{90 * day, day},
		{365 * day, 7 * day},
		{5 * 365 * day, 30 * day},
		{30 * 365 * day, 30 * day}, // the widest width, whatever the span
	} {
		if got := autoWidth(c.span); got != c.want {
			t.Errorf("autoWidth(%v) = %v, want %v", c.span, got, c.want)
		}
	}
}
