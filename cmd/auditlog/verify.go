package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/checkpoint"
	"github.com/auditlog/auditlog/checkpointer"
	"github.com/auditlog/auditlog/exportproof"
	"github.com/auditlog/auditlog/verify"
)

// verifyCmd checks a tenant's log against its signed checkpoints, window
// by window as it reads, printing each window that is not intact; or, with
// --export and --manifest, checks an exported CSV file offline.
func verifyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs)
	tenant := fs.String("tenant", "", "tenant whose log is verified")
	var from, to timeFlag
	fs.Var(&from, "from", "start of the range, on ingest time (default: the first checkpoint)")
	fs.Var(&to, "to", "end of the range, on ingest time, exclusive (default: now)")
	var publicKeys listFlag
	fs.Var(&publicKeys, "public-key", "verify with this public key (base64, as Query.signingKeys serves it; repeatable) instead of the configured signing keys")
	exportFile := fs.String("export", "", "an exported CSV file to verify offline against --manifest")
	manifest := fs.String("manifest", "", "the signed manifest of --export")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("verify takes no arguments, got %q", fs.Args())
	}
	keys, err := verifyKeys(&sf, publicKeys)
	if err != nil {
		return err
	}
	if *exportFile != "" || *manifest != "" {
		if *exportFile == "" || *manifest == "" {
			return fmt.Errorf("--export and --manifest go together")
		}
		return verifyExport(*exportFile, *manifest, keys, stdout)
	}
	if !audit.ValidTenant(*tenant) {
		return fmt.Errorf("--tenant is required: lower-case letters, digits or '-', got %q", *tenant)
	}
	start, end := checkpointer.Epoch(), time.Now().UTC()
	if from.t != nil {
		start = *from.t
	}
	if to.t != nil {
		end = *to.t
	}
	if !end.After(start) {
		return fmt.Errorf("--to %s must be after --from %s", end.Format(time.RFC3339), start.Format(time.RFC3339))
	}

	log, err := sf.logger(stderr)
	if err != nil {
		return err
	}
	st, err := sf.open(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	tr, err := openTrail(st, log)
	if err != nil {
		return err
	}
	defer tr.close()

	// Progress when a person watches: windows and events so far, redrawn
	// at most a few times a second.
	watch := isTerminal(stderr)
	var drawn time.Time
	v := verify.New(st, keys, tr.app.Capture().Cutoffs)
	var done verify.Summary
	sum, err := v.Verify(ctx, *tenant, start, end, func(w verify.Window) error {
		done.Windows++
		done.Events += w.Events
		if w.Status != verify.Intact {
			if watch && !drawn.IsZero() {
				fmt.Fprint(stderr, "\r\033[K")
			}
			fmt.Fprintln(stdout, describeWindow(w))
		}
		if watch && time.Since(drawn) > 200*time.Millisecond {
			fmt.Fprintf(stderr, "\rverified %d windows, %d events", done.Windows, done.Events)
			drawn = time.Now()
		}
		return nil
	})
	if watch && !drawn.IsZero() {
		fmt.Fprintln(stderr)
	}
	p := audit.Principal{Tenant: *tenant, User: operator("verify")}
	tr.audit.Verified(ctx, p, start, end, sum, err)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d windows, %d events: %d intact, %d tampered, %d expired, %d partly expired, %d pending\n",
		sum.Windows, sum.Events, sum.Intact, sum.Tampered, sum.Expired, sum.PartlyExpired, sum.Pending)
	if !sum.OK() {
		return fmt.Errorf("tampering found in %d of %d windows", sum.Tampered, sum.Windows)
	}
	return nil
}

// verifyKeys are the given public keys, or else the configured keyring.
func verifyKeys(sf *storeFlags, publicKeys []string) (*checkpoint.Keyring, error) {
	if len(publicKeys) == 0 {
		return sf.signingKeys()
	}
	var keys []checkpoint.PublicKey
	for _, s := range publicKeys {
		k, err := checkpoint.ParsePublicKey(s)
		if err != nil {
			return nil, fmt.Errorf("--public-key %q: %w", s, err)
		}
		keys = append(keys, k)
	}
	return checkpoint.NewVerifier(keys...), nil
}

// describeWindow is one line per window: component, number, range,
// status, then each problem.
func describeWindow(w verify.Window) string {
	var b strings.Builder
	seq := "-"
	if w.Seq > 0 {
		seq = fmt.Sprint(w.Seq)
	}
	start := "?"
	if !w.Start.IsZero() {
		start = w.Start.Format(time.RFC3339Nano)
	}
	fmt.Fprintf(&b, "%s #%s [%s, %s) %s: %d committed, %d found", w.ComponentID, seq, start, w.End.Format(time.RFC3339Nano), w.Status, w.Committed, w.Events)
	if w.Expired > 0 {
		fmt.Fprintf(&b, ", %d expired", w.Expired)
	}
	for _, p := range w.Problems {
		fmt.Fprintf(&b, "; %s %d", p.Kind, p.Count)
		if len(p.EventIDs) > 0 {
			fmt.Fprintf(&b, " %s", strings.Join(p.EventIDs, ","))
		}
		if p.Detail != "" {
			fmt.Fprintf(&b, " (%s)", p.Detail)
		}
	}
	return b.String()
}

// verifyExport checks an exported file against its manifest, offline.
func verifyExport(csvPath, manifestPath string, keys *checkpoint.Keyring, stdout io.Writer) error {
	csv, err := os.ReadFile(csvPath)
	if err != nil {
		return fmt.Errorf("read export: %w", err)
	}
	manifest, err := os.ReadFile(manifestPath)
	if err != nil {
		return fmt.Errorf("read manifest: %w", err)
	}
	rep, err := exportproof.Verify(csv, manifest, keys)
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		line := string(p.Kind)
		if p.Row > 0 {
			line += fmt.Sprintf(" row %d", p.Row)
		}
		if p.EventID != "" {
			line += " event " + p.EventID
		}
		if p.Detail != "" {
			line += ": " + p.Detail
		}
		fmt.Fprintln(stdout, line)
	}
	fmt.Fprintf(stdout, "%s: tenant %s, %d rows, %d proven, %d problems\n", csvPath, rep.Tenant, rep.Rows, rep.Proven, len(rep.Problems))
	if !rep.OK() {
		return fmt.Errorf("%s does not match its manifest", csvPath)
	}
	return nil
}
