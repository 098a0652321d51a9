package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/selfaudit"
	"github.com/auditlog/auditlog/store"
)

const keysUsage = `usage:
  auditlog keys create --tenant T --role emitter|viewer|admin --user-id U --user-name N --user-email E [--components KMS,CMS]
  auditlog keys list [--tenant T]
  auditlog keys revoke ID`

// keysSynopsis is each subcommand's usage line, for its -h.
var keysSynopsis = map[string]string{
	"create": "auditlog keys create --tenant T --role emitter|viewer|admin --user-id U [--user-name N] [--user-email E] [--components KMS,CMS] [flags]",
	"list":   "auditlog keys list [--tenant T] [flags]",
	"revoke": "auditlog keys revoke [flags] ID\n\nID is the key's id (key_…, as keys list shows it), not the key itself; flags may come after it",
}

func keys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, keysUsage)
		return errors.New("keys: no subcommand given")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stdout, keysUsage)
		return flag.ErrHelp
	}
	fs := flag.NewFlagSet("keys "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s\n\nflags:\n", keysSynopsis[args[0]])
		fs.PrintDefaults()
	}
	var sf storeFlags
	sf.register(fs)
	switch args[0] {
	case "create":
		return keysCreate(ctx, fs, &sf, args[1:], stdout, stderr)
	case "list":
		return keysList(ctx, fs, &sf, args[1:], stdout, stderr)
	case "revoke":
		return keysRevoke(ctx, fs, &sf, args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, keysUsage)
	return fmt.Errorf("keys: unknown subcommand %q", args[0])
}

func keysCreate(ctx context.Context, fs *flag.FlagSet, sf *storeFlags, args []string, stdout, stderr io.Writer) error {
	tenant := fs.String("tenant", "", "tenant the key acts for (required)")
	role := fs.String("role", "", "emitter, viewer or admin (required)")
	userID := fs.String("user-id", "", "id of the user or service the key belongs to (required)")
	userName := fs.String("user-name", "", "name of the user or service")
	userEmail := fs.String("user-email", "", "email of the user")
	userType := fs.String("user-type", "", "DASHBOARD, BOT or SYSTEM; DASHBOARD for viewer and admin keys, SYSTEM for emitters, when empty")
	components := fs.String("components", "", "comma-separated components an emitter may ingest for; all when empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("keys create takes no arguments, got %q", fs.Args())
	}
	var missing []string
	for _, name := range []string{"tenant", "role", "user-id"} {
		if fs.Lookup(name).Value.String() == "" {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("keys create: missing required %s (see auditlog keys create -h)", strings.Join(missing, ", "))
	}
	p := audit.Principal{
		Tenant: *tenant,
		Role:   audit.Role(*role),
		User:   audit.User{Type: audit.UserType(*userType), ID: *userID, Name: *userName, Email: *userEmail},
	}
	if p.User.Type == "" {
		p.User.Type = audit.UserDashboard
		if p.Role == audit.RoleEmitter {
			p.User.Type = audit.UserSystem
		}
	}
	if *components != "" {
		for _, c := range strings.Split(*components, ",") {
			p.Components = append(p.Components, strings.TrimSpace(c))
		}
	}
	kt, err := openKeys(ctx, sf, stderr)
	if err != nil {
		return err
	}
	defer kt.close()
	plain, rec, err := kt.keys.Create(ctx, p)
	if err != nil {
		return fmt.Errorf("create key: %w", err)
	}
	kt.audit.KeyCreated(ctx, operator("keys"), rec)
	fmt.Fprintf(stdout, "created key %s: tenant %s, role %s, user %s\n", rec.ID, p.Tenant, p.Role, userLabel(p.User))
	fmt.Fprintln(stdout, "the key is shown once, below; keep it secret:")
	fmt.Fprintln(stdout, plain)
	return nil
}

func keysList(ctx context.Context, fs *flag.FlagSet, sf *storeFlags, args []string, stdout, stderr io.Writer) error {
	tenant := fs.String("tenant", "", "list only this tenant's keys")
	if err := fs.Parse(args); err != nil {
		return err
	}
	kt, err := openKeys(ctx, sf, stderr)
	if err != nil {
		return err
	}
	defer kt.close()
	list, err := kt.keys.List(ctx, *tenant)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTENANT\tROLE\tUSER\tCREATED\tLAST USED\tREVOKED")
	for _, k := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Principal.Tenant, k.Principal.Role,
			userLabel(k.Principal.User), k.CreatedAt.UTC().Format(time.RFC3339), when(k.LastUsedAt), when(k.RevokedAt))
	}
	return tw.Flush()
}

func keysRevoke(ctx context.Context, fs *flag.FlagSet, sf *storeFlags, args []string, stdout, stderr io.Writer) error {
	ids, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		return fmt.Errorf("keys revoke takes one key id, got %d (usage: %s)", len(ids), strings.SplitN(keysSynopsis["revoke"], "\n", 2)[0])
	}
	kt, err := openKeys(ctx, sf, stderr)
	if err != nil {
		return err
	}
	defer kt.close()
	id := ids[0]
	if err := kt.keys.Revoke(ctx, "", id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no key with id %s (keys list shows them)", id)
		}
		return err
	}
	// The record names the key's tenant, role and owner: read them back.
	keys, err := kt.keys.List(ctx, "")
	if err != nil {
		return fmt.Errorf("key %s revoked, but reading it back to record the change failed: %w", id, err)
	}
	if i := slices.IndexFunc(keys, func(k audit.APIKey) bool { return k.ID == id }); i >= 0 {
		kt.audit.KeyRevoked(ctx, operator("keys"), keys[i])
	}
	fmt.Fprintf(stdout, "revoked key %s; servers refuse it within %s\n", id, auth.DefaultCacheTTL)
	return nil
}

// parseInterspersed parses flags given before, between and after the
// arguments (Go's flag package stops at the first argument), and returns
// the arguments; after "--" everything is an argument.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		// The parser consumed a "--" if the arguments before rest end with it.
		if len(rest) == 0 || (len(args) > len(rest) && args[len(args)-len(rest)-1] == "--") {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// keyTool is what the keys commands work with: the keys, and the recorder
// of key changes in the service's own trail.
type keyTool struct {
	keys  *auth.Keys
	audit *selfaudit.Recorder
	close func()
}

// openKeys opens the store, and an indexer over it so that key changes are
// recorded as AUDITLOG events like the server records other changes.
func openKeys(ctx context.Context, sf *storeFlags, stderr io.Writer) (keyTool, error) {
	log, err := sf.logger(stderr)
	if err != nil {
		return keyTool{}, err
	}
	st, err := sf.open(ctx, log)
	if err != nil {
		return keyTool{}, err
	}
	tr, err := openTrail(st, log)
	if err != nil {
		st.Close()
		return keyTool{}, err
	}
	return keyTool{
		keys:  auth.NewKeys(st, nil),
		audit: tr.audit,
		close: func() {
			tr.close()
			st.Close()
		},
	}, nil
}

// trail is how a command writes the service's own trail: the core over
// the store, whose recorder ingests through its indexer.
type trail struct {
	app   *app.App
	audit *selfaudit.Recorder
	log   *slog.Logger
}

func openTrail(st store.Store, log *slog.Logger) (*trail, error) {
	a, err := app.New(st, app.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	return &trail{app: a, audit: a.Audit(), log: log}, nil
}

// close writes what is queued; the store stays open.
func (t *trail) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := t.app.Close(ctx); err != nil {
		t.log.Error("indexer drain", "err", err)
	}
}

// operator is who runs a command, for the service's own trail: the command
// line has no API key, so the OS user and host stand in for one.
func operator(command string) audit.User {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	host, _ := os.Hostname()
	if host == "" {
		host = "unknown-host"
	}
	return audit.User{Type: audit.UserSystem, ID: "cli:" + name + "@" + host, Name: "auditlog " + command + " (" + name + " on " + host + ")"}
}

func userLabel(u audit.User) string {
	parts := []string{}
	for _, s := range []string{u.Name, u.Email, u.ID} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " / ")
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
