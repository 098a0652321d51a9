package export

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/errs"
	"github.com/auditlog/auditlog/store"
)

// ErrForbidden is returned when the caller may not export: wrong role, no
// API key to re-check at download time, or a revoked key.
var ErrForbidden = errs.New(errs.Forbidden, "export: forbidden")

// MaxIDs bounds a selection export. The selection travels inside the signed
// link, and a link must stay short enough for browsers and proxies (~8 KB).
const MaxIDs = 100

// MaxTokenBytes bounds the token of a link, which carries the request: a
// longer URL is refused by common proxies (8 KB request lines), so such a
// link is refused when asked for rather than issued and failing when used.
const MaxTokenBytes = 7 << 10

// DefaultTTL is how long a download link stays valid.
const DefaultTTL = 5 * time.Minute

// Defaults of the limits on one download (Options).
const (
	// DefaultMinRate: 32 KiB/s, a poor mobile link; a 36 MB export takes
	// at most 19 minutes at it, where a 2 KB/s reader held a slot for 5 h.
	DefaultMinRate = 32 << 10
	// DefaultRateWindow is long enough for a stall of the store or the
	// network between pages.
	DefaultRateWindow = 30 * time.Second
	// DefaultIdleTimeout: a client that takes nothing for this long is gone.
	DefaultIdleTimeout = 30 * time.Second
)

// Signer signs and verifies expiring tokens; *token.Signer implements it
// (pass signer.For("export") so links verify for nothing else).
type Signer interface {
	Sign(v any, ttl time.Duration) (string, error)
	Verify(tok string, v any) error
}

// Request says what to export: exactly one of Filter (the whole filtered
// log; an empty filter is everything) or IDs (selected events).
type Request struct {
	Filter *audit.Filter `json:"filter,omitempty"`
	IDs    []string      `json:"ids,omitempty"`
	// Order of the rows; NEWEST_FIRST when empty.
	Order audit.Order `json:"order,omitempty"`
}

// Link is a signed, short-lived download URL.
type Link struct {
	URL       string
	ExpiresAt time.Time
}

// Options configure a Service. Every field is optional.
type Options struct {
	// BaseURL is prefixed to "/export/<token>" to make a link, e.g.
	// "https://audit.example.com"; empty yields a relative URL.
	BaseURL string
	// TTL is how long a link is valid (DefaultTTL when 0).
	TTL time.Duration
	// PageSize is how many events are read per scan page and written
	// between flushes (DefaultPageSize when 0).
	PageSize int
	// MaxConcurrent bounds the downloads one replica streams at once; more
	// get 503 with Retry-After (4 when 0).
	MaxConcurrent int
	// MaxPerTenant bounds the downloads of one tenant among them, so that
	// one tenant's slow readers cannot take every slot; more get 503 with
	// Retry-After (half of MaxConcurrent, at least 1, when 0).
	MaxPerTenant int
	// MinRate is the fewest bytes per second a download must take, measured
	// over RateWindow; a slower one is cut, without the trailer, so the
	// client knows its file is partial (DefaultMinRate when 0; negative:
	// no minimum).
	MinRate int64
	// RateWindow is how long the transfer rate is measured over
	// (DefaultRateWindow when 0).
	RateWindow time.Duration
	// IdleTimeout cuts a download whose client takes nothing for that long
	// (DefaultIdleTimeout when 0).
	IdleTimeout time.Duration
	// Cutoffs returns the tenant's retention cutoffs, so an export never
	// contains an expired event (capture.Service.Cutoffs).
	Cutoffs func(ctx context.Context, tenant string) (map[string]time.Time, error)
	// OnExported is called once per download that streamed, with the rows
	// written and whether the file was complete (the self-audit hook). Its
	// context outlives the request.
	OnExported func(ctx context.Context, p audit.Principal, req Request, rows int64, complete bool)
	// Logger receives failures of downloads (slog.Default() when nil).
	Logger *slog.Logger
}

// Service makes download links and serves them (it is the http.Handler of
// GET /export/{token}).
type Service struct {
	events store.EventStore
	keys   store.KeyStore
	signer Signer
	opts   Options
	slots  chan struct{}
	log    *slog.Logger

	mu       sync.Mutex
	byTenant map[string]int  // downloads in progress per tenant
	byLink   map[string]bool // links being downloaded (by token)
}

// NewService returns a Service reading events from events and checking the
// key behind every link in keys.
func NewService(events store.EventStore, keys store.KeyStore, signer Signer, opts Options) *Service {
	if opts.TTL <= 0 {
		opts.TTL = DefaultTTL
	}
	if opts.PageSize <= 0 {
		opts.PageSize = DefaultPageSize
	}
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = 4
	}
	if opts.MaxPerTenant <= 0 {
		opts.MaxPerTenant = max(1, opts.MaxConcurrent/2)
	}
	if opts.MinRate == 0 {
		opts.MinRate = DefaultMinRate
	}
	if opts.RateWindow <= 0 {
		opts.RateWindow = DefaultRateWindow
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	opts.BaseURL = strings.TrimSuffix(opts.BaseURL, "/")
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Service{
		events: events,
		keys:   keys,
		signer: signer,
		opts:   opts,
		slots:  make(chan struct{}, opts.MaxConcurrent),
		log:    log,

		byTenant: map[string]int{},
		byLink:   map[string]bool{},
	}
}

// claims is what a link carries. Kind keeps a token signed for another
// purpose with the same secret from passing as an export link.
type claims struct {
	Kind      string          `json:"k"`
	Principal audit.Principal `json:"p"`
	Request   Request         `json:"r"`
}

const claimsKind = "export"

// CreateLink checks that p may export and that req is well formed, and
// returns a signed link to the CSV. The link carries the tenant, the caller
// and the request, so any replica can serve it and nobody can alter it.
func (s *Service) CreateLink(ctx context.Context, p audit.Principal, req Request) (Link, error) {
	if err := mayExport(p); err != nil {
		return Link{}, err
	}
	req, err := normalize(req)
	if err != nil {
		return Link{}, err
	}
	// The token stores its expiry in whole seconds; report the same instant.
	expires := time.Now().Add(s.opts.TTL).UTC().Truncate(time.Second)
	tok, err := s.signer.Sign(claims{Kind: claimsKind, Principal: p, Request: req}, s.opts.TTL)
	if err != nil {
		return Link{}, fmt.Errorf("sign export link: %w", err)
	}
	if len(tok) > MaxTokenBytes {
		field, what := "filter", "filter"
		if req.Filter == nil {
			field, what = "ids", "selection"
		}
		return Link{}, audit.Invalid(field, "makes a download link of %d bytes, longer than the %d a link may have: narrow the %s (fewer or shorter values)", len(tok), MaxTokenBytes, what)
	}
	return Link{URL: s.opts.BaseURL + "/export/" + url.PathEscape(tok), ExpiresAt: expires}, nil
}

func mayExport(p audit.Principal) error {
	if !audit.ValidTenant(p.Tenant) {
		return fmt.Errorf("%w: no tenant", ErrForbidden)
	}
	if p.Role != audit.RoleViewer && p.Role != audit.RoleAdmin {
		return fmt.Errorf("%w: role %q cannot export", ErrForbidden, p.Role)
	}
	if p.KeyID == "" {
		// The key is re-checked when the link is used; without one it cannot be.
		return fmt.Errorf("%w: caller has no API key", ErrForbidden)
	}
	return nil
}

// normalize validates req and returns it with defaults and without
// duplicate ids.
func normalize(req Request) (Request, error) {
	switch {
	case req.Filter != nil && req.IDs != nil:
		return req, audit.Invalid("ids", "give either filter or ids, not both")
	case req.Filter == nil && req.IDs == nil:
		return req, audit.Invalid("filter", "give either filter or ids")
	case req.Filter == nil && len(req.IDs) == 0:
		return req, audit.Invalid("ids", "is empty")
	case len(req.IDs) > MaxIDs:
		return req, audit.Invalid("ids", "has %d ids, at most %d can be exported at once; export a filter instead", len(req.IDs), MaxIDs)
	}
	switch req.Order {
	case "":
		req.Order = audit.NewestFirst
	case audit.NewestFirst, audit.OldestFirst:
	default:
		return req, audit.Invalid("order", "must be NEWEST_FIRST or OLDEST_FIRST, got %q", req.Order)
	}
	if req.IDs != nil {
		seen := make(map[string]bool, len(req.IDs))
		ids := make([]string, 0, len(req.IDs))
		for i, id := range req.IDs {
			if id == "" {
				return req, audit.Invalid(fmt.Sprintf("ids[%d]", i), "is empty")
			}
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		req.IDs = ids
	}
	return req, nil
}

// query is the store query of a request for one tenant.
func (req Request) query(tenant string, pageSize int, cutoffs map[string]time.Time) audit.Query {
	q := audit.Query{Tenant: tenant, Order: req.Order, Limit: pageSize, Cutoffs: cutoffs}
	if req.Filter != nil {
		q.Filter = *req.Filter
	} else {
		q.Filter.IDs = req.IDs
	}
	return q
}

// principal returns the caller a link was made for if the key it was made
// with still exists in the same tenant, is not revoked and still has a role
// that may export; the role is the key's current one.
func (s *Service) principal(ctx context.Context, c claims) (audit.Principal, error) {
	p := c.Principal
	if err := mayExport(p); err != nil {
		return p, err
	}
	keys, err := s.keys.ListKeys(ctx, p.Tenant)
	if err != nil {
		return p, fmt.Errorf("list keys of %s: %w", p.Tenant, err)
	}
	for _, k := range keys {
		if k.ID != p.KeyID || k.Principal.Tenant != p.Tenant {
			continue
		}
		if k.RevokedAt != nil {
			return p, fmt.Errorf("%w: key %s was revoked", ErrForbidden, k.ID)
		}
		p.Role = k.Principal.Role
		return p, mayExport(p)
	}
	return p, fmt.Errorf("%w: key %s no longer exists", ErrForbidden, p.KeyID)
}
