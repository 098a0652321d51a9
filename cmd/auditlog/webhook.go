package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/auditlog/auditlog/notify"
)

// webhookFlags configure the webhooks that receive flag notifications: one
// receiver for every tenant (the operator's integration; the payload names
// the tenant), and optionally a receiver of a tenant's own, each signed with
// its own secret so that no tenant can forge another's deliveries.
type webhookFlags struct {
	url, secret           string
	tenants, tenantSecret tenantValues
}

func (w *webhookFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&w.url, "webhook-url", env("AUDITLOG_WEBHOOK_URL", ""),
		"URL that receives every tenant's flag notifications as signed JSON, unless a tenant has its own --tenant-webhook; none when empty (env AUDITLOG_WEBHOOK_URL)")
	fs.StringVar(&w.secret, "webhook-secret", env("AUDITLOG_WEBHOOK_SECRET", ""),
		"key of the X-Auditlog-Signature HMAC of deliveries to --webhook-url, at least 16 bytes; prefer the environment, command lines are visible to other local users (env AUDITLOG_WEBHOOK_SECRET)")
	fs.Var(&w.tenants, "tenant-webhook",
		"TENANT=URL: a tenant's own receiver of its flag notifications; repeatable (env AUDITLOG_TENANT_WEBHOOKS, space-separated)")
	fs.Var(&w.tenantSecret, "tenant-webhook-secret",
		"TENANT=SECRET: the signing key of a --tenant-webhook, required for each; repeatable (env AUDITLOG_TENANT_WEBHOOK_SECRETS, space-separated)")
}

// envFallbacks fills the repeatable flags the command line did not give.
func (w *webhookFlags) envFallbacks(fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name, env := range map[string]string{"tenant-webhook": "AUDITLOG_TENANT_WEBHOOKS", "tenant-webhook-secret": "AUDITLOG_TENANT_WEBHOOK_SECRETS"} {
		if given[name] {
			continue
		}
		for _, v := range strings.Fields(os.Getenv(env)) {
			if err := fs.Set(name, v); err != nil {
				return fmt.Errorf("%s: %w", env, err)
			}
		}
	}
	return nil
}

// webhooks starts webhook delivery as configured, or returns nil when no
// receiver is configured.
func (w *webhookFlags) webhooks(log *slog.Logger) (*notify.Webhooks, error) {
	opts := notify.Options{Logger: log, Tenants: map[string]notify.Target{}}
	switch {
	case w.url != "" && w.secret == "":
		return nil, fmt.Errorf("--webhook-url needs --webhook-secret (or AUDITLOG_WEBHOOK_SECRET) to sign deliveries")
	case w.url == "" && w.secret != "":
		return nil, fmt.Errorf("--webhook-secret is set but --webhook-url is not")
	case w.url != "":
		opts.Default = notify.Target{URL: w.url, Secret: []byte(w.secret)}
	}
	for tenant, u := range w.tenants {
		secret, ok := w.tenantSecret[tenant]
		if !ok {
			return nil, fmt.Errorf("--tenant-webhook %s=… needs --tenant-webhook-secret %s=SECRET", tenant, tenant)
		}
		opts.Tenants[tenant] = notify.Target{URL: u, Secret: []byte(secret)}
	}
	for tenant := range w.tenantSecret {
		if _, ok := w.tenants[tenant]; !ok {
			return nil, fmt.Errorf("--tenant-webhook-secret given for %s, which has no --tenant-webhook", tenant)
		}
	}
	if opts.Default.URL == "" && len(opts.Tenants) == 0 {
		return nil, nil
	}
	hooks, err := notify.New(opts)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	return hooks, nil
}

// tenantValues is a repeatable TENANT=VALUE flag.
type tenantValues map[string]string

func (t *tenantValues) String() string {
	if t == nil || len(*t) == 0 {
		return ""
	}
	// Values may be secrets: show the tenants only.
	tenants := make([]string, 0, len(*t))
	for tenant := range *t {
		tenants = append(tenants, tenant+"=…")
	}
	sort.Strings(tenants)
	return strings.Join(tenants, " ")
}

func (t *tenantValues) Set(v string) error {
	tenant, value, ok := strings.Cut(v, "=")
	if !ok || tenant == "" || value == "" {
		return fmt.Errorf("want TENANT=VALUE") // the value may be a secret: not echoed
	}
	if *t == nil {
		*t = tenantValues{}
	}
	if _, dup := (*t)[tenant]; dup {
		return fmt.Errorf("tenant %s given twice", tenant)
	}
	(*t)[tenant] = value
	return nil
}
