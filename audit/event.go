// Package audit holds the vocabulary of auditlog: events, users, priorities,
// filters and the component configuration that decides what is captured.
// It has no dependencies on storage or transport.
package audit

import (
	"time"
)

// Priority is how sensitive an action is. Higher ranks are more severe.
type Priority string

// Priorities, from least to most severe.
const (
	PriorityLow      Priority = "LOW"
	PriorityMedium   Priority = "MEDIUM"
	PriorityHigh     Priority = "HIGH"
	PriorityCritical Priority = "CRITICAL"
)

// Priorities lists every priority from least to most severe.
var Priorities = []Priority{PriorityLow, PriorityMedium, PriorityHigh, PriorityCritical}

// Rank orders priorities: LOW=1 … CRITICAL=4; unknown values rank 0.
func (p Priority) Rank() int {
	switch p {
	case PriorityLow:
		return 1
	case PriorityMedium:
		return 2
	case PriorityHigh:
		return 3
	case PriorityCritical:
		return 4
	}
	return 0
}

// AtLeast reports whether p is min or more severe.
func (p Priority) AtLeast(min Priority) bool { return p.Rank() >= min.Rank() }

// Valid reports whether p is one of the known priorities.
func (p Priority) Valid() bool { return p.Rank() > 0 }

// Status is the outcome of the audited action.
type Status string

// Statuses of an action.
const (
	StatusSuccess    Status = "SUCCESS"
	StatusFailed     Status = "FAILED"
	StatusInProgress Status = "IN_PROGRESS"
)

// Statuses lists every status.
var Statuses = []Status{StatusSuccess, StatusFailed, StatusInProgress}

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	return s == StatusSuccess || s == StatusFailed || s == StatusInProgress
}

// UserType says what kind of actor a user is.
type UserType string

// User types.
const (
	UserDashboard UserType = "DASHBOARD"
	UserBot       UserType = "BOT"
	UserSystem    UserType = "SYSTEM"
)

// AccountStatus is the current state of a target user's account.
type AccountStatus string

// Account states.
const (
	AccountActive     AccountStatus = "ACTIVE"
	AccountTerminated AccountStatus = "TERMINATED"
)

// User is the actor of an event, or the user the action was directed at.
type User struct {
	Type          UserType      `json:"type" validate:"required,oneof=DASHBOARD BOT SYSTEM"`
	ID            string        `json:"id,omitempty" validate:"max=256"`
	Name          string        `json:"name,omitempty" validate:"max=256"`
	Email         string        `json:"email,omitempty" validate:"omitempty,max=320,email"`
	IPAddress     string        `json:"ipAddress,omitempty" validate:"omitempty,ip"`
	UserAgent     string        `json:"userAgent,omitempty" validate:"max=1024"`
	AccountStatus AccountStatus `json:"accountStatus,omitempty" validate:"omitempty,oneof=ACTIVE TERMINATED"`
}

// Flag marks an event for later review.
type Flag struct {
	By   User      `json:"by"`
	At   time.Time `json:"at"`
	Note string    `json:"note,omitempty"`
}

// Event is one audited action, as stored and returned.
type Event struct {
	// ID is the client's idempotency key or a ULID assigned at ingest.
	ID string `json:"id" validate:"required,max=128,eventid"`
	// Tenant always comes from the caller's principal, never from a payload.
	Tenant      string `json:"tenant" validate:"required,tenant"`
	ComponentID string `json:"componentId" validate:"required,component"`
	Submodule   string `json:"submodule,omitempty" validate:"max=128"`
	EventType   string `json:"eventType" validate:"required,max=128,eventtype"`
	// EventTypeName and Area come from the activity catalog.
	EventTypeName string         `json:"eventTypeName,omitempty" validate:"max=256"`
	Area          string         `json:"area,omitempty" validate:"max=128"`
	Description   string         `json:"description,omitempty" validate:"max=8192"`
	Priority      Priority       `json:"priority" validate:"required,oneof=LOW MEDIUM HIGH CRITICAL"`
	Status        Status         `json:"status" validate:"required,oneof=SUCCESS FAILED IN_PROGRESS"`
	ActionUser    User           `json:"actionUser"`
	TargetUser    *User          `json:"targetUser,omitempty"`
	OccurredAt    time.Time      `json:"occurredAt" validate:"required"`
	IngestedAt    time.Time      `json:"ingestedAt"`
	RedirectURL   string         `json:"redirectUrl,omitempty" validate:"omitempty,max=2048,httpurl"`
	Details       map[string]any `json:"details,omitempty" validate:"details"`
	Flag          *Flag          `json:"flag,omitempty"`
}

// SortKey is the position of an event in a listing: events are ordered by
// OccurredAt, with ID breaking ties so that pagination never skips or repeats.
type SortKey struct {
	OccurredAt time.Time
	ID         string
}

// Key returns the event's position in a listing.
func (e *Event) Key() SortKey { return SortKey{OccurredAt: e.OccurredAt, ID: e.ID} }
