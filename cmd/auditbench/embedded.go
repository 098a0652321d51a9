package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the driver auditlog's embedded store uses

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store/sqlite"
)

// eventsSchema returns the statements that make the events table of
// auditlog's embedded store as its migrations leave it: the table, its
// indexes, the contentless FTS5 index and its trigger. It migrates a
// scratch store at dir and reads them back, so the bare side always has
// exactly auditlog's indexes.
func eventsSchema(ctx context.Context, dir string) ([]string, error) {
	path := filepath.Join(dir, "schema.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("migrate a scratch store: %w", err)
	}
	if err := st.Close(); err != nil {
		return nil, fmt.Errorf("close the scratch store: %w", err)
	}
	db, err := sql.Open("sqlite", path+"?mode=ro")
	if err != nil {
		return nil, fmt.Errorf("open the scratch store: %w", err)
	}
	defer db.Close()
	// Tables first: the trigger names the FTS table.
	rows, err := db.QueryContext(ctx, `SELECT sql FROM sqlite_master
		WHERE sql IS NOT NULL AND (tbl_name = 'events' OR name = 'events_fts')
		ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, rowid`)
	if err != nil {
		return nil, fmt.Errorf("read the events schema: %w", err)
	}
	defer rows.Close()
	var stmts []string
	for rows.Next() {
		var stmt string
		if err := rows.Scan(&stmt); err != nil {
			return nil, fmt.Errorf("read the events schema: %w", err)
		}
		stmts = append(stmts, stmt)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the events schema: %w", err)
	}
	if len(stmts) < 3 {
		return nil, fmt.Errorf("read the events schema: %d statements, want the table, its indexes and FTS", len(stmts))
	}
	return stmts, nil
}

// rowColumns are the columns of an event row but its rowid.
const rowColumns = `tenant, id, component_id, submodule, event_type, event_type_name, area, description,
	priority, priority_rank, status,
	action_user_type, action_user_id, action_user_name, action_user_email,
	action_user_name_lc, action_user_email_lc, action_user_ip, action_user_user_agent, action_user_account_status,
	target_user_type, target_user_id, target_user_name, target_user_email,
	target_user_name_lc, target_user_email_lc, target_user_ip, target_user_user_agent, target_user_account_status,
	occurred_at, ingested_at, redirect_url, details, flag_at, flag_by, flag_note`

var (
	bareInsert = "INSERT INTO events (" + rowColumns + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", strings.Count(rowColumns, ",")+1), ", ") + ")"
	bareInsertText = `INSERT INTO events_fts (rowid, description, event_type_name) VALUES (?, ?, ?)`
)

// sqliteDSN opens a file as auditlog's embedded store opens its writer:
// WAL, synchronous=FULL (durable at commit), immediate transactions.
func sqliteDSN(path string) string {
	return path + "?_busy_timeout=5000&_foreign_keys=1&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate"
}

// bareDB is the B side of the embedded pair: a SQLite file with auditlog's
// events table, written with plain batched INSERTs.
type bareDB struct{ db *sql.DB }

func openBare(ctx context.Context, path string) (*bareDB, error) {
	schema, err := eventsSchema(ctx, filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		return nil, fmt.Errorf("open bare SQLite %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	for _, stmt := range schema {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			db.Close()
			return nil, fmt.Errorf("create bare schema: %w", err)
		}
	}
	return &bareDB{db: db}, nil
}

func (d *bareDB) close() error { return d.db.Close() }

// insert writes events in transactions of batch rows, each row with its
// full-text entry, as the store's WriteEvents stores them.
func (d *bareDB) insert(ctx context.Context, events []audit.Event, batch int, ingestedAt time.Time) error {
	for start := 0; start < len(events); start += batch {
		if err := d.insertBatch(ctx, events[start:min(start+batch, len(events))], ingestedAt); err != nil {
			return err
		}
	}
	return nil
}

func (d *bareDB) insertBatch(ctx context.Context, events []audit.Event, ingestedAt time.Time) (err error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	row, err := tx.PrepareContext(ctx, bareInsert)
	if err != nil {
		return fmt.Errorf("prepare insert: %w", err)
	}
	defer row.Close()
	text, err := tx.PrepareContext(ctx, bareInsertText)
	if err != nil {
		return fmt.Errorf("prepare text insert: %w", err)
	}
	defer text.Close()
	for _, e := range events {
		args, err := rowArgs(e, benchTenant, ingestedAt)
		if err != nil {
			return err
		}
		res, err := row.ExecContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("insert %s: %w", e.ID, err)
		}
		seq, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := text.ExecContext(ctx, seq, words(e.Description), words(e.EventTypeName)); err != nil {
			return fmt.Errorf("insert text of %s: %w", e.ID, err)
		}
	}
	return tx.Commit()
}

func words(s string) string { return strings.Join(audit.Words(s), " ") }

// rowArgs are the column values of e, as the embedded store computes them
// (its unexported eventArgs), in rowColumns order.
func rowArgs(e audit.Event, tenant string, ingestedAt time.Time) ([]any, error) {
	var details sql.NullString
	if e.Details != nil {
		b, err := json.Marshal(e.Details)
		if err != nil {
			return nil, fmt.Errorf("encode details of %s: %w", e.ID, err)
		}
		details = sql.NullString{String: string(b), Valid: true}
	}
	au := e.ActionUser
	var tu audit.User
	var tuType sql.NullString
	if e.TargetUser != nil {
		tu = *e.TargetUser
		tuType = sql.NullString{String: string(tu.Type), Valid: true}
	}
	return []any{
		tenant, e.ID, e.ComponentID, e.Submodule, e.EventType, e.EventTypeName, e.Area, e.Description,
		string(e.Priority), e.Priority.Rank(), string(e.Status),
		string(au.Type), au.ID, au.Name, au.Email,
		strings.ToLower(au.Name), strings.ToLower(au.Email), au.IPAddress, au.UserAgent, string(au.AccountStatus),
		tuType, tu.ID, tu.Name, tu.Email,
		strings.ToLower(tu.Name), strings.ToLower(tu.Email), tu.IPAddress, tu.UserAgent, string(tu.AccountStatus),
		e.OccurredAt.UnixMilli(), ingestedAt.UnixMilli(), e.RedirectURL, details, nil, nil, "",
	}, nil
}

// runEmbedded runs the embedded pair: ingestEvents into `auditlog serve`
// on its SQLite store against plain INSERTs into a bare file.
func (b *bench) runEmbedded(ctx context.Context) (err error) {
	env := auditlogEnv{bin: b.bin, dataDir: filepath.Join(b.tmp, "embedded"), secret: randomHex(32), extra: b.cfg.extraEnv}
	key, err := env.createKey(ctx, "emitter")
	if err != nil {
		return err
	}
	proc, err := startAuditlog(ctx, env, b.tmp)
	if err != nil {
		return err
	}
	defer func() {
		if serr := proc.stop(); serr != nil {
			err = errors.Join(err, serr)
		}
	}()
	client := newAPIClient(proc.base, key)
	bare, err := openBare(ctx, filepath.Join(b.tmp, "bare.db"))
	if err != nil {
		return err
	}
	defer bare.close()

	n := b.cfg.embeddedEvents
	var events []audit.Event
	var bodies [][]byte
	prepare := func(i int) error {
		events = b.events(streamEmbedded, i, n)
		var err error
		bodies, err = ingestManyBodies(events, b.cfg.batch)
		return err
	}
	// The engine of A runs inside auditlog; B's inside this process.
	probeA := cpuProbe{appPID: proc.pid()}
	probeB := cpuProbe{appPID: proc.pid(), engine: func(context.Context) (time.Duration, error) { return cpuTime(0) }}
	a := func(ctx context.Context, _ int) (sample, error) {
		s, took, err := probeA.measure(ctx, float64(n), func() error {
			return parallel(ctx, b.cfg.clients, len(bodies), func(ctx context.Context, k int) error { return client.ingestMany(ctx, bodies[k]) })
		})
		s.metrics["rate"] = float64(n) / took.Seconds()
		return s, err
	}
	checked := false
	bs := func(ctx context.Context, _ int) (sample, error) {
		s, took, err := probeB.measure(ctx, float64(n), func() error { return bare.insert(ctx, events, b.cfg.batch, time.Now()) })
		if err != nil {
			return s, err
		}
		s.metrics["rate"] = float64(n) / took.Seconds()
		if !checked {
			checked = true
			err = checkSameRows(ctx, filepath.Join(env.dataDir, "auditlog.db"), bare.db, events[:min(20, len(events))])
		}
		return s, err
	}
	as, bss, err := b.alternate(ctx, pairEmbedded, prepare, a, bs, showRate)
	if err != nil {
		return err
	}
	r := rateRow(pairEmbedded, "events/s", as, bss, 0.7, "SQLite",
		fmt.Sprintf("ingestEvents ×%d, %d clients", b.cfg.batch, b.cfg.clients),
		fmt.Sprintf("INSERT, %d rows/transaction", b.cfg.batch))
	r.EngCPUA = figure(math.NaN()) // SQLite runs inside auditlog: all of it is in the auditlog column
	r.Note = "engine CPU of B is this process, where the bare SQLite runs; auditlog's CPU under B is its idle time"
	b.rep.Rows = append(b.rep.Rows, r)
	return nil
}

// checkSameRows verifies that the bare side stored the rows auditlog's
// store did (but for the ingest time), so both do the same work.
func checkSameRows(ctx context.Context, auditlogDB string, bare *sql.DB, events []audit.Event) error {
	db, err := sql.Open("sqlite", auditlogDB+"?_query_only=1&_busy_timeout=5000")
	if err != nil {
		return err
	}
	defer db.Close()
	cols := strings.ReplaceAll(rowColumns, "ingested_at", "0")
	read := func(db *sql.DB, id string) ([]any, error) {
		vals := make([]any, strings.Count(cols, ",")+1)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		err := db.QueryRowContext(ctx, "SELECT "+cols+" FROM events WHERE tenant = ? AND id = ?", benchTenant, id).Scan(ptrs...)
		return vals, err
	}
	for _, e := range events {
		got, err := read(db, e.ID)
		if err != nil {
			return fmt.Errorf("read %s from auditlog's store: %w", e.ID, err)
		}
		want, err := read(bare, e.ID)
		if err != nil {
			return fmt.Errorf("read %s from the bare file: %w", e.ID, err)
		}
		if !reflect.DeepEqual(got, want) {
			return fmt.Errorf("the bare row of %s differs from auditlog's, so B would not store the same rows:\nauditlog: %v\nbare:     %v", e.ID, got, want)
		}
	}
	return nil
}
