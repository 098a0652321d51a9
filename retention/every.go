package retention

import (
	"context"
	"time"
)

// Every runs fn at once and then every interval until ctx is done; a run
// that takes longer than interval delays the next rather than overlapping it.
func Every(ctx context.Context, interval time.Duration, fn func(ctx context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		fn(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
