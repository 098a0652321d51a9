package app

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/errs"
)

// HistogramWidths are the bucket widths a histogram may use, narrowest first.
var HistogramWidths = []time.Duration{
	time.Minute, 5 * time.Minute, 15 * time.Minute,
	time.Hour, 3 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour,
}

const (
	// TargetBuckets is how many buckets an automatic histogram aims at most for.
	TargetBuckets = 100
	// MaxBuckets bounds a histogram whose width the client chose.
	MaxBuckets = 10000
)

// autoWidth returns the narrowest width that covers span in at most
// TargetBuckets buckets, or the widest one.
func autoWidth(span time.Duration) time.Duration {
	for _, w := range HistogramWidths {
		if span <= w*TargetBuckets {
			return w
		}
	}
	return HistogramWidths[len(HistogramWidths)-1]
}

// HistogramWidth returns the bucket width of a histogram over q: asked
// (one of HistogramWidths), or when 0 the narrowest that covers the
// filter's time range in about 100 buckets. An open end of the range is
// taken from the oldest or newest matching event, one search each. A
// width making more than MaxBuckets buckets is an invalid "interval".
func (a *App) HistogramWidth(ctx context.Context, q audit.Query, asked time.Duration) (time.Duration, error) {
	from, ok, err := a.rangeEnd(ctx, q, q.Filter.From, audit.OldestFirst)
	if err != nil || !ok {
		return time.Minute, err // nothing matches: no buckets at all
	}
	to, ok, err := a.rangeEnd(ctx, q, q.Filter.To, audit.NewestFirst)
	if err != nil || !ok {
		return time.Minute, err
	}
	span := max(to.Sub(from), 0)
	if asked == 0 {
		return autoWidth(span), nil
	}
	if n := span / asked; n > MaxBuckets {
		return 0, errs.InvalidField("interval", "makes %d buckets over this time range, at most %d are allowed; choose a wider interval or narrow the range", n, MaxBuckets)
	}
	return asked, nil
}

// rangeEnd returns bound if set, else the occurrence time of the first
// event matching q in order; false when none matches.
func (a *App) rangeEnd(ctx context.Context, q audit.Query, bound *time.Time, order audit.Order) (time.Time, bool, error) {
	if bound != nil {
		return *bound, true, nil
	}
	page, err := a.visible.SearchEvents(ctx, audit.Query{Tenant: q.Tenant, Filter: q.Filter, Order: order, Limit: 1,
		SkipTotal: true})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("find the time range for the histogram: %w", err)
	}
	if len(page.Events) == 0 {
		return time.Time{}, false, nil
	}
	return page.Events[0].OccurredAt, true, nil
}

// Bounds of SuggestUsers.
const (
	DefaultSuggestions = 10
	MaxSuggestions     = 50
	// MaxSuggestPrefix is the longest prefix, the longest email.
	MaxSuggestPrefix = 320
)

// SuggestUsers returns users of the tenant's visible events whose name,
// id or email starts with q.Prefix (the console's user picker). The
// tenant's retention cutoffs apply; q.Cutoffs is ignored. An unknown role
// is an invalid "role", a prefix of no or too many characters an invalid
// "prefix"; the caller bounds q.Limit.
func (a *App) SuggestUsers(ctx context.Context, q audit.UserQuery) ([]audit.UserSuggestion, error) {
	if !q.Role.Valid() {
		return nil, errs.InvalidField("role", "unknown role %q", q.Role)
	}
	if n := utf8.RuneCountInString(q.Prefix); n < 1 || n > MaxSuggestPrefix || !utf8.ValidString(q.Prefix) {
		return nil, errs.InvalidField("prefix", "must be 1 to %d characters, got %d", MaxSuggestPrefix, n)
	}
	cutoffs, err := a.capture.Cutoffs(ctx, q.Tenant)
	if err != nil {
		return nil, fmt.Errorf("retention cutoffs: %w", err)
	}
	q.Cutoffs = cutoffs
	found, err := a.visible.SuggestUsers(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("suggest users: %w", err)
	}
	return found, nil
}

// LatestAccountStatus returns the account status of u's latest visible
// event that sets one; "" when none does.
func (a *App) LatestAccountStatus(ctx context.Context, tenant string, u audit.User) (audit.AccountStatus, error) {
	cutoffs, err := a.capture.Cutoffs(ctx, tenant)
	if err != nil {
		return "", fmt.Errorf("retention cutoffs: %w", err)
	}
	status, err := a.visible.LatestAccountStatus(ctx, tenant, u, cutoffs)
	if err != nil {
		return "", fmt.Errorf("current account status: %w", err)
	}
	return status, nil
}

// ActivityNames maps the tenant's event type codes to their names, the
// labels of the eventType facet.
func (a *App) ActivityNames(ctx context.Context, tenant string) (map[string]string, error) {
	names, err := a.capture.ActivityNames(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("activity names: %w", err)
	}
	return names, nil
}
