package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/checkpoint"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/exportproof"
	"github.com/auditlog/auditlog/store"
)

// listFlag is a flag that may be repeated or given comma-separated values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// timeFlag accepts RFC 3339 times or plain dates (midnight UTC).
type timeFlag struct{ t *time.Time }

func (f *timeFlag) String() string {
	if f.t == nil {
		return ""
	}
	return f.t.Format(time.RFC3339)
}

func (f *timeFlag) Set(v string) error {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		if t, err = time.Parse(time.DateOnly, v); err != nil {
			return fmt.Errorf("want a time like 2025-06-30T12:00:00Z or a date like 2025-06-30")
		}
	}
	t = t.UTC()
	f.t = &t
	return nil
}

// filterFlags are the flags of export that make up a filter.
var filterFlags = map[string]bool{
	"component": true, "event-type": true, "submodule": true, "status": true, "priority": true,
	"from": true, "to": true, "action-user": true, "target-user": true, "text": true, "flagged": true,
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func exportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs)
	tenant := fs.String("tenant", "", "tenant whose events are exported (required)")
	out := fs.String("o", "", "file to write; standard output when empty")
	saved := fs.String("saved", "", "export with the saved filter of this name (needs --owner or --owner-email)")
	owner := fs.String("owner", "", "user id owning the --saved filter")
	ownerEmail := fs.String("owner-email", "", "email of the user owning the --saved filter, for users without an id")
	oldest := fs.Bool("oldest-first", false, "oldest events first (default newest first)")
	manifest := fs.String("manifest", "", "also write a signed manifest proving the file to this path (needs -o; at most 100,000 rows); check it with auditlog verify --export")
	var f audit.Filter
	var components, eventTypes, submodules, statuses, priorities listFlag
	var from, to timeFlag
	fs.Var(&components, "component", "component id, e.g. KMS (repeatable, or comma-separated)")
	fs.Var(&eventTypes, "event-type", "activity code (repeatable)")
	fs.Var(&submodules, "submodule", "submodule name (repeatable)")
	fs.Var(&statuses, "status", "SUCCESS, FAILED or IN_PROGRESS (repeatable)")
	fs.Var(&priorities, "priority", "LOW, MEDIUM, HIGH or CRITICAL (repeatable)")
	fs.Var(&from, "from", "earliest occurrence time, inclusive")
	fs.Var(&to, "to", "latest occurrence time, exclusive")
	fs.StringVar(&f.ActionUser, "action-user", "", "action user id, email or name")
	fs.StringVar(&f.TargetUser, "target-user", "", "target user id, email or name")
	fs.StringVar(&f.Text, "text", "", "full-text query over descriptions")
	flagged := fs.String("flagged", "", "true: only flagged events; false: only unflagged")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !audit.ValidTenant(*tenant) {
		return fmt.Errorf("--tenant is required: lower-case letters, digits or '-', got %q", *tenant)
	}
	f.Components, f.EventTypes, f.Submodules = components, eventTypes, submodules
	f.From, f.To = from.t, to.t
	for _, s := range statuses {
		if !audit.Status(s).Valid() {
			return fmt.Errorf("--status %q: want SUCCESS, FAILED or IN_PROGRESS", s)
		}
		f.Statuses = append(f.Statuses, audit.Status(s))
	}
	for _, p := range priorities {
		if !audit.Priority(p).Valid() {
			return fmt.Errorf("--priority %q: want LOW, MEDIUM, HIGH or CRITICAL", p)
		}
		f.Priorities = append(f.Priorities, audit.Priority(p))
	}
	if *flagged != "" {
		b, err := boolSetting("flagged", *flagged, false)
		if err != nil {
			return err
		}
		f.Flagged = &b
	}

	var keys *checkpoint.Keyring
	if *manifest != "" {
		if *out == "" {
			return errors.New("--manifest needs -o: the manifest proves a file")
		}
		var err error
		if keys, err = sf.signingKeys(); err != nil {
			return err
		}
	}

	log, err := sf.logger(stderr)
	if err != nil {
		return err
	}
	// A filter given by flags is refused before the store is opened, as
	// the API's is, naming the field; a saved one is checked once read.
	if *saved == "" {
		if err := app.CheckFilter("filter", f); err != nil {
			return err
		}
	}
	st, err := sf.open(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := tenantExists(ctx, st, *tenant); err != nil {
		return err
	}
	if *saved != "" {
		var given []string
		fs.Visit(func(fl *flag.Flag) {
			if filterFlags[fl.Name] {
				given = append(given, "--"+fl.Name)
			}
		})
		if len(given) > 0 {
			return fmt.Errorf("--saved takes the whole filter from the saved filter; %s cannot be added to it", strings.Join(given, ", "))
		}
		if (*owner == "") == (*ownerEmail == "") {
			return errors.New("--saved needs either --owner, the id of the user the filter belongs to, or --owner-email for a user without an id")
		}
		who := audit.Principal{Tenant: *tenant, User: audit.User{ID: *owner, Email: *ownerEmail}}
		list, err := st.ListSavedFilters(ctx, *tenant, auth.SavedFilterOwner(who))
		if err != nil {
			return fmt.Errorf("list saved filters: %w", err)
		}
		found := false
		for _, s := range list {
			if s.Name == *saved {
				f, found = s.Filter, true
			}
		}
		if !found {
			return fmt.Errorf("%s has no saved filter named %q in tenant %s", *owner+*ownerEmail, *saved, *tenant)
		}
		if err := app.CheckFilter("filter", f); err != nil {
			return err
		}
	}
	// Exports are in the tenant's own trail, as those of the API are.
	tr, err := openTrail(st, log)
	if err != nil {
		return err
	}
	defer tr.close()
	// The core's store never returns an expired event, even before it is
	// deleted.
	events := tr.app.Store()
	q := audit.Query{Tenant: *tenant, Filter: f, Order: audit.NewestFirst}
	if *oldest {
		q.Order = audit.OldestFirst
	}

	w := stdout
	var file *os.File
	if *out != "" {
		if file, err = os.Create(*out); err != nil {
			return fmt.Errorf("create %s: %w", *out, err)
		}
		defer file.Close()
		w = file
	}
	// A progress bar when a person watches: the file is elsewhere and
	// standard error is a terminal.
	var bar *progress
	if file != nil && isTerminal(stderr) {
		count := q
		count.Limit = 1
		if page, err := events.SearchEvents(ctx, count); err == nil && page.Total > 0 {
			bar = &progress{w: stderr, total: int(page.Total)}
		}
	}
	bw := bufio.NewWriter(w)
	show := func(rows int64) {
		if bar != nil {
			bar.show(min(int(rows), bar.total))
		}
	}
	var rows int64
	var m exportproof.Manifest
	if keys != nil {
		rows, m, err = exportproof.Write(ctx, bw, events, keys, q, time.Now(), show)
	} else {
		rows, err = export.Write(ctx, bw, events, q, show)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil && keys != nil {
		err = writeManifest(*manifest, m)
	}
	if bar != nil {
		bar.finish()
	}
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	p := audit.Principal{Tenant: *tenant, User: operator("export")}
	tr.audit.Exported(ctx, p, export.Request{Filter: &q.Filter, Order: q.Order}, rows, err == nil)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if file != nil {
		fmt.Fprintf(stdout, "exported %d events to %s\n", rows, *out)
	}
	if keys != nil {
		fmt.Fprintf(stdout, "signed manifest %s (key %s)\n", *manifest, keys.KeyID())
	}
	return nil
}

func writeManifest(path string, m exportproof.Manifest) error {
	// Not indented: the body is kept as the bytes that were signed.
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	return nil
}

// tenantExists refuses a tenant the store knows nothing of (no API key, no
// event), most likely a misspelt --tenant: an empty file and success would
// hide the mistake.
func tenantExists(ctx context.Context, st store.Store, tenant string) error {
	keys, err := st.ListKeys(ctx, tenant)
	if err != nil {
		return fmt.Errorf("check tenant %s: %w", tenant, err)
	}
	if len(keys) > 0 {
		return nil
	}
	page, err := st.SearchEvents(ctx, audit.Query{Tenant: tenant, Order: audit.NewestFirst, Limit: 1, SkipTotal: true})
	if err != nil {
		return fmt.Errorf("check tenant %s: %w", tenant, err)
	}
	if len(page.Events) == 0 {
		return fmt.Errorf("no tenant %q: it has no API keys and no events (check --tenant)", tenant)
	}
	return nil
}
