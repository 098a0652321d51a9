package retention

import (
	"context"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// Manager names what rolls an index over and deletes it.
type Manager string

// Managers of an index.
const (
	// ManagerISM: an ISM policy of the cluster.
	ManagerISM Manager = "ISM"
	// ManagerAuditlog: auditlog's own lifecycle manager, where the cluster
	// has no ISM (service-managed mode).
	ManagerAuditlog Manager = "AUDITLOG"
	// ManagerNone: nothing yet; the next lifecycle run attaches a policy.
	ManagerNone Manager = "NONE"
)

// ManagedIndex is one index of a component's series, as an operator sees
// retention at work on it.
type ManagedIndex struct {
	Name      string
	CreatedAt time.Time
	// RolledOverAt is when the index stopped being the write index; nil
	// for the write index.
	RolledOverAt *time.Time
	WriteIndex   bool
	Docs         int64
	SizeBytes    int64
	ManagedBy    Manager
	// Policy, State, Action and Info come from ISM's explain API; empty
	// when ISM does not manage the index.
	Policy string
	State  string
	Action string
	Info   string
	// Failed reports that ISM gave up on the index's current action.
	Failed bool
	// DeleteAt is when the index becomes due for deletion (deleted at the
	// manager's first run after it); nil when it is kept: the write index,
	// or a component without retention.
	DeleteAt *time.Time
}

// Inspector is implemented by stores that keep a component's events in an
// index series (OpenSearch); the embedded store has no indices to show.
type Inspector interface {
	// ManagedIndices lists the indices of the tenant's component, oldest
	// first, with when each will be deleted under retention r (nil: kept).
	ManagedIndices(ctx context.Context, tenant, componentID string, r *audit.Retention) ([]ManagedIndex, error)
}
