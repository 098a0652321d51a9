package graph

import (
	"time"

	"github.com/auditlog/auditlog/graph/model"
)

// histogramLadder lists the bucket widths a histogram may use, narrowest first.
var histogramLadder = []struct {
	interval model.HistogramInterval
	width    time.Duration
}{
	{model.HistogramIntervalMinute, time.Minute},
	{model.HistogramIntervalFiveMinutes, 5 * time.Minute},
	{model.HistogramIntervalFifteenMinutes, 15 * time.Minute},
	{model.HistogramIntervalHour, time.Hour},
	{model.HistogramIntervalThreeHours, 3 * time.Hour},
	{model.HistogramIntervalTwelveHours, 12 * time.Hour},
	{model.HistogramIntervalDay, 24 * time.Hour},
	{model.HistogramIntervalWeek, 7 * 24 * time.Hour},
	{model.HistogramIntervalThirtyDays, 30 * 24 * time.Hour},
}

const (
	// targetBuckets is how many buckets an automatic histogram aims at most for.
	targetBuckets = 100
	// maxBuckets bounds a histogram whose interval the client chose.
	maxBuckets = 10000
)

// autoWidth returns the narrowest ladder width that covers span in at most
// targetBuckets buckets, or the widest one.
func autoWidth(span time.Duration) time.Duration {
	for _, step := range histogramLadder {
		if span <= step.width*targetBuckets {
			return step.width
		}
	}
	return histogramLadder[len(histogramLadder)-1].width
}

func intervalWidth(i model.HistogramInterval) (time.Duration, bool) {
	for _, step := range histogramLadder {
		if step.interval == i {
			return step.width, true
		}
	}
	return 0, false
}
