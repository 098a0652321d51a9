package indexer_test

import (
	"context"
	"testing"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/catalog"
	"github.com/auditlog/auditlog/indexer"
)

// No caller can forge auditlog's own trail: Ingest refuses its component,
// and only IngestOwn, which the service's self-audit uses, writes it.
func TestServiceComponentIsReserved(t *testing.T) {
	f := newFixture(t, indexer.Options{})
	ctx := context.Background()
	forged := event("forged-1")
	forged.ComponentID = catalog.ServiceComponent
	forged.EventType = "COMPONENT_CONFIGURED"

	res := f.ix.Ingest(ctx, admin, []audit.Event{forged})[0]
	ie, ok := audit.AsInvalid(res.Err)
	if !ok || ie.Fields[0].Field != "componentId" {
		t.Fatalf("Ingest of an %s event = %+v, want an error naming componentId", catalog.ServiceComponent, res)
	}
	if n := stored(t, f.st, "acme"); n != 0 {
		t.Fatalf("%d events stored after a refused ingest", n)
	}

	own := forged
	own.ID = "own-1"
	if res := f.ix.IngestOwn(ctx, admin, []audit.Event{own})[0]; res.Err != nil || !res.Captured {
		t.Fatalf("IngestOwn = %+v, want captured", res)
	}
	if res := f.ix.IngestOwn(ctx, admin, []audit.Event{event("not-own")})[0]; res.Err == nil {
		t.Fatalf("IngestOwn accepted an event of another component: %+v", res)
	}
	if n := stored(t, f.st, "acme"); n != 1 {
		t.Fatalf("%d events stored, want the service's own one", n)
	}
}
