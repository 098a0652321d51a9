package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/eventgen"
	"github.com/auditlog/auditlog/store"
)

// The first contact's tenant, key holder and demo data.
const (
	demoTenant = "demo"
	demoEvents = 1000
)

// storeIsNew reports whether the embedded store of dataDir does not exist
// yet, before it is opened (and so created).
func storeIsNew(dataDir string) bool {
	_, err := os.Stat(filepath.Join(dataDir, "auditlog.db"))
	return os.IsNotExist(err)
}

// welcome is what serve does for a new user on their own machine: with
// demo, it seeds demo events into the demo tenant when it has none; on the
// first start of an empty store (new, without keys), it creates one admin
// key and returns it, for the sign-in link printed once the server
// listens. The caller checks it is the embedded store on a loopback
// address: nowhere else may a key be handed out on a terminal.
func welcome(ctx context.Context, st store.Store, core *app.App, fresh, demo bool, log *slog.Logger) (string, error) {
	if demo {
		page, err := st.SearchEvents(ctx, audit.Query{Tenant: demoTenant, Limit: 1, SkipTotal: true})
		if err != nil {
			return "", fmt.Errorf("--demo: look for events: %w", err)
		}
		if len(page.Events) == 0 {
			p := audit.Principal{Tenant: demoTenant, Role: audit.RoleAdmin, User: audit.User{Type: audit.UserSystem, ID: "auditlog-demo", Name: "auditlog serve --demo"}}
			gen := eventgen.New(core.Catalog(), uint64(time.Now().UnixNano()), eventgen.Options{Now: time.Now().UTC(), Tenant: demoTenant})
			c, err := writeEvents(ctx, core.Indexer(), p, gen, demoEvents, func(int) {})
			if err != nil {
				return "", fmt.Errorf("--demo: seed events: %w", err)
			}
			log.Info("demo events seeded", "tenant", demoTenant, "captured", c.captured)
		}
	}
	if !fresh {
		return "", nil
	}
	keys, err := st.ListKeys(ctx, "")
	if err != nil {
		return "", fmt.Errorf("first start: list keys: %w", err)
	}
	if len(keys) > 0 {
		return "", nil
	}
	plain, k, err := auth.NewKeys(st, nil).Create(ctx, audit.Principal{
		Tenant: demoTenant,
		Role:   audit.RoleAdmin,
		User:   audit.User{Type: audit.UserDashboard, ID: "admin", Name: "Admin", Email: "admin@example.com"},
	})
	if err != nil {
		return "", fmt.Errorf("first start: create the admin key: %w", err)
	}
	core.Audit().KeyCreated(ctx, operator("serve"), k)
	return plain, nil
}

// printSignIn prints the console's sign-in link, the key in the fragment
// (which browsers do not send to the server).
func printSignIn(w io.Writer, addr net.Addr, key string) {
	fmt.Fprintf(w, "\nFirst start: an admin key was created for the tenant %q (shown this once).\n", demoTenant)
	fmt.Fprintf(w, "Sign in to the console: http://%s/#key=%s\n\n", addr, key)
}
