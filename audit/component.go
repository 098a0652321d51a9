package audit

import "time"

// RetentionUnit is the unit of a retention period.
type RetentionUnit string

// Retention units.
const (
	Days   RetentionUnit = "DAYS"
	Weeks  RetentionUnit = "WEEKS"
	Months RetentionUnit = "MONTHS"
	Years  RetentionUnit = "YEARS"
)

// Retention is how long captured events are kept, counted from OccurredAt.
type Retention struct {
	Value int           `json:"value"`
	Unit  RetentionUnit `json:"unit"`
}

// Cutoff returns the instant before which events have expired at now: an
// event expires once now reaches its OccurredAt plus the retention. Months
// and years are calendar months and years; a date that a shorter month
// lacks is clamped to that month's last day (31 January + 1 month = 28
// February). So on 31 March a 1-month retention has expired everything
// before 1 March, nothing expires early, and the cutoff never moves back as
// now advances. Days, months and years are those of UTC, whatever now's
// location: in a zone with daylight saving a local day can be 23 hours, and
// replicas in different zones must agree on what has expired.
func (r Retention) Cutoff(now time.Time) time.Time {
	now = now.UTC()
	switch r.Unit {
	case Days:
		return now.AddDate(0, 0, -r.Value)
	case Weeks:
		return now.AddDate(0, 0, -7*r.Value)
	case Months:
		return monthsBefore(now, r.Value)
	case Years:
		return monthsBefore(now, 12*r.Value)
	}
	return time.Time{}
}

// monthsBefore returns the earliest instant whose expiry, n calendar months
// later with the day clamped, is after t.
func monthsBefore(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m-time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	if last := first.AddDate(0, 1, -1).Day(); d > last {
		// Every instant of the shorter month's last day has expired,
		// since each expires on that day of t's month, before t.
		return time.Date(y, m-time.Month(n)+1, 1, 0, 0, 0, 0, t.Location())
	}
	return first.AddDate(0, 0, d-1)
}

// Period bounds when capture is active, judged at ingest time.
type Period struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Contains reports whether t lies in [Start, End].
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.Start) && !t.After(p.End)
}

// Criteria are the opt-in capture criteria of a component. A nil or empty
// criterion applies no constraint.
type Criteria struct {
	// Activities, when non-nil, is the set of event types captured; nil
	// captures every activity, including ones registered later.
	Activities         []string   `json:"activities"`
	MinPriority        Priority   `json:"minPriority,omitempty"`
	LoggingPeriod      *Period    `json:"loggingPeriod,omitempty"`
	CaptureDescription bool       `json:"captureDescription"`
	Statuses           []Status   `json:"statuses,omitempty"`
	CaptureIPAddress   bool       `json:"captureIpAddress"`
	Retention          *Retention `json:"retention,omitempty"`
}

// ComponentConfig is the capture configuration of one component of a tenant.
type ComponentConfig struct {
	Tenant         string    `json:"tenant"`
	ComponentID    string    `json:"componentId"`
	LoggingEnabled bool      `json:"loggingEnabled"`
	Criteria       Criteria  `json:"criteria"`
	UpdatedAt      time.Time `json:"updatedAt"`
	// UpdatedBy is the admin who saved this version.
	UpdatedBy User `json:"updatedBy"`
	// Version counts saves; 0 means never configured. A save must name the
	// version it read, so concurrent saves cannot silently overwrite each other.
	Version int64 `json:"version"`
}

// DefaultConfig is the configuration of a component nobody configured:
// capture everything, with description and IP address, kept forever.
func DefaultConfig(tenant, componentID string) ComponentConfig {
	return ComponentConfig{
		Tenant:         tenant,
		ComponentID:    componentID,
		LoggingEnabled: true,
		Criteria:       Criteria{CaptureDescription: true, CaptureIPAddress: true},
	}
}

// Activity is an event type a component emits.
type Activity struct {
	Code            string   `json:"code"`
	Name            string   `json:"name"`
	Area            string   `json:"area,omitempty"`
	DefaultPriority Priority `json:"defaultPriority"`
}

// SuppressReason says why an event was not captured.
type SuppressReason string

// Reasons an event is not captured.
const (
	ReasonLoggingDisabled     SuppressReason = "LOGGING_DISABLED"
	ReasonActivityNotSelected SuppressReason = "ACTIVITY_NOT_SELECTED"
	ReasonBelowMinPriority    SuppressReason = "BELOW_MIN_PRIORITY"
	ReasonOutsidePeriod       SuppressReason = "OUTSIDE_LOGGING_PERIOD"
	ReasonStatusNotSelected   SuppressReason = "STATUS_NOT_SELECTED"
	// ReasonExpired: the event occurred longer ago than the component's
	// retention; stored, it would never be shown and soon be deleted.
	ReasonExpired SuppressReason = "EXPIRED"
)

// SuppressReasons returns every reason, in the order capture checks them.
func SuppressReasons() []SuppressReason {
	return []SuppressReason{ReasonLoggingDisabled, ReasonActivityNotSelected, ReasonBelowMinPriority,
		ReasonOutsidePeriod, ReasonStatusNotSelected, ReasonExpired}
}

// CaptureStats counts the events a component captured and suppressed since
// its configuration last changed.
type CaptureStats struct {
	Captured   int64
	Suppressed map[SuppressReason]int64
}

// SavedFilter is a named filter that belongs to one dashboard user.
type SavedFilter struct {
	ID          string    `json:"id"`
	Tenant      string    `json:"tenant"`
	OwnerID     string    `json:"ownerId"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Filter      Filter    `json:"filter"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// Notification tells a user that one of their actions was flagged.
type Notification struct {
	ID        string `json:"id"`
	Tenant    string `json:"tenant"`
	Recipient User   `json:"recipient"`
	EventID   string `json:"eventId"`
	// EventType and ComponentID let the user see what was flagged without
	// opening the event.
	EventType   string     `json:"eventType"`
	ComponentID string     `json:"componentId"`
	FlaggedBy   User       `json:"flaggedBy"`
	FlaggedAt   time.Time  `json:"flaggedAt"`
	Note        string     `json:"note,omitempty"`
	ReadAt      *time.Time `json:"readAt,omitempty"`
}
