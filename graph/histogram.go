package graph

import (
	"time"

	"github.com/auditlog/auditlog/graph/model"
)

// histogramLadder names the bucket widths of app.HistogramWidths in the schema.
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

// intervalWidth converts an interval of the schema to its width, one of
// app.HistogramWidths.
func intervalWidth(i model.HistogramInterval) (time.Duration, bool) {
	for _, step := range histogramLadder {
		if step.interval == i {
			return step.width, true
		}
	}
	return 0, false
}
