package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migration is one step of the schema: DDL, then optionally Go code (for
// data that SQL alone cannot compute), in one transaction.
type migration struct {
	ddl  string
	data func(ctx context.Context, tx *sql.Tx) error
}

// migrations are applied in order, each once, recorded in schema_migrations
// by number (index+1). Never edit or reorder a released migration: append.
var migrations = []migration{
	// 1: events and their full-text index.
	{ddl: `
CREATE TABLE events (
	seq                        INTEGER PRIMARY KEY, -- stable rowid for the FTS index
	tenant                     TEXT    NOT NULL,
	id                         TEXT    NOT NULL,
	component_id               TEXT    NOT NULL,
	submodule                  TEXT    NOT NULL DEFAULT '',
	event_type                 TEXT    NOT NULL,
	event_type_name            TEXT    NOT NULL DEFAULT '',
	area                       TEXT    NOT NULL DEFAULT '',
	description                TEXT    NOT NULL DEFAULT '',
	priority                   TEXT    NOT NULL,
	priority_rank              INTEGER NOT NULL,
	status                     TEXT    NOT NULL,
	action_user_type           TEXT    NOT NULL DEFAULT '',
	action_user_id             TEXT    NOT NULL DEFAULT '',
	action_user_name           TEXT    NOT NULL DEFAULT '',
	action_user_email          TEXT    NOT NULL DEFAULT '',
	action_user_name_lc        TEXT    NOT NULL DEFAULT '', -- Unicode lower case, for the user filter
	action_user_email_lc       TEXT    NOT NULL DEFAULT '',
	action_user_ip             TEXT    NOT NULL DEFAULT '',
	action_user_user_agent     TEXT    NOT NULL DEFAULT '',
	action_user_account_status TEXT    NOT NULL DEFAULT '',
	target_user_type           TEXT,                        -- NULL: no target user
	target_user_id             TEXT    NOT NULL DEFAULT '',
	target_user_name           TEXT    NOT NULL DEFAULT '',
	target_user_email          TEXT    NOT NULL DEFAULT '',
	target_user_name_lc        TEXT    NOT NULL DEFAULT '',
	target_user_email_lc       TEXT    NOT NULL DEFAULT '',
	target_user_ip             TEXT    NOT NULL DEFAULT '',
	target_user_user_agent     TEXT    NOT NULL DEFAULT '',
	target_user_account_status TEXT    NOT NULL DEFAULT '',
	occurred_at                INTEGER NOT NULL, -- Unix ms
	ingested_at                INTEGER,          -- Unix ms
	redirect_url               TEXT    NOT NULL DEFAULT '',
	details                    TEXT,             -- JSON object
	flag_at                    INTEGER,          -- Unix ms; NULL: not flagged
	flag_by                    TEXT,             -- JSON audit.User
	flag_note                  TEXT    NOT NULL DEFAULT '',
	UNIQUE (tenant, id)
);
-- The listing indexes also carry the facet columns, so that counts and
-- facets under the common filters (component, time, cutoffs, facet values)
-- are read from the index alone.
CREATE INDEX events_listing ON events (tenant, occurred_at, id,
	component_id, event_type, status, priority, submodule);
CREATE INDEX events_component ON events (tenant, component_id, occurred_at, id,
	event_type, status, priority, submodule);
CREATE INDEX events_event_type ON events (tenant, event_type, occurred_at);
CREATE INDEX events_action_user_id ON events (tenant, action_user_id);
CREATE INDEX events_action_user_email ON events (tenant, action_user_email_lc);
CREATE INDEX events_action_user_name ON events (tenant, action_user_name_lc);
CREATE INDEX events_target_user_id ON events (tenant, target_user_id);
CREATE INDEX events_target_user_email ON events (tenant, target_user_email_lc);
CREATE INDEX events_target_user_name ON events (tenant, target_user_name_lc);
CREATE INDEX events_flagged ON events (tenant, flag_at) WHERE flag_at IS NOT NULL;

-- External content: the text lives once, in events; triggers keep the
-- index in step within the writing transaction.
CREATE VIRTUAL TABLE events_fts USING fts5 (
	description, event_type_name,
	content = 'events', content_rowid = 'seq',
	tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
	INSERT INTO events_fts (rowid, description, event_type_name)
	VALUES (new.seq, new.description, new.event_type_name);
END;
CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
	INSERT INTO events_fts (events_fts, rowid, description, event_type_name)
	VALUES ('delete', old.seq, old.description, old.event_type_name);
END;
CREATE TRIGGER events_fts_update AFTER UPDATE OF description, event_type_name ON events BEGIN
	INSERT INTO events_fts (events_fts, rowid, description, event_type_name)
	VALUES ('delete', old.seq, old.description, old.event_type_name);
	INSERT INTO events_fts (rowid, description, event_type_name)
	VALUES (new.seq, new.description, new.event_type_name);
END;
`},
	// 2: capture configuration, activity catalog additions, capture stats.
	{ddl: `
CREATE TABLE component_configs (
	tenant          TEXT    NOT NULL,
	component_id    TEXT    NOT NULL,
	version         INTEGER NOT NULL,
	logging_enabled INTEGER NOT NULL,
	criteria        TEXT    NOT NULL, -- JSON audit.Criteria
	updated_at      INTEGER,
	updated_by      TEXT    NOT NULL, -- JSON audit.User
	PRIMARY KEY (tenant, component_id)
);
CREATE TABLE activities (
	tenant           TEXT NOT NULL,
	component_id     TEXT NOT NULL,
	code             TEXT NOT NULL,
	name             TEXT NOT NULL DEFAULT '',
	area             TEXT NOT NULL DEFAULT '',
	default_priority TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (tenant, component_id, code)
);
CREATE TABLE capture_stats (
	tenant       TEXT    NOT NULL,
	component_id TEXT    NOT NULL,
	version      INTEGER NOT NULL,
	reason       TEXT    NOT NULL, -- '' counts captured events
	count        INTEGER NOT NULL,
	PRIMARY KEY (tenant, component_id, version, reason)
);
`},
	// 3: API keys, saved filters, notifications.
	{ddl: `
CREATE TABLE api_keys (
	id           TEXT PRIMARY KEY,
	hash         TEXT NOT NULL UNIQUE,
	tenant       TEXT NOT NULL,
	principal    TEXT NOT NULL, -- JSON audit.Principal
	created_at   INTEGER,
	last_used_at INTEGER,
	revoked_at   INTEGER
);
CREATE INDEX api_keys_tenant ON api_keys (tenant);
CREATE TABLE saved_filters (
	tenant      TEXT NOT NULL,
	owner_id    TEXT NOT NULL,
	id          TEXT NOT NULL,
	name        TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	filter      TEXT NOT NULL, -- JSON audit.Filter
	created_at  INTEGER,
	updated_at  INTEGER,
	PRIMARY KEY (tenant, id),
	UNIQUE (tenant, owner_id, name)
);
CREATE TABLE notifications (
	tenant             TEXT NOT NULL,
	id                 TEXT NOT NULL,
	recipient_id       TEXT NOT NULL DEFAULT '',
	recipient_email_lc TEXT NOT NULL DEFAULT '',
	recipient          TEXT NOT NULL, -- JSON audit.User
	event_id           TEXT NOT NULL DEFAULT '',
	event_type         TEXT NOT NULL DEFAULT '',
	component_id       TEXT NOT NULL DEFAULT '',
	flagged_by         TEXT NOT NULL, -- JSON audit.User
	flagged_at         INTEGER,
	note               TEXT NOT NULL DEFAULT '',
	read_at            INTEGER,
	PRIMARY KEY (tenant, id)
);
CREATE INDEX notifications_recipient_id ON notifications (tenant, recipient_id, flagged_at);
CREATE INDEX notifications_recipient_email ON notifications (tenant, recipient_email_lc, flagged_at)
	WHERE recipient_id = '';
`},
	// 4: the full-text index holds the words of audit.Words, computed in Go,
	// so that it splits text exactly where the query parser and the
	// OpenSearch backend do (combining marks, for one, separate words there
	// but not in unicode61). Contentless: the text is not stored twice.
	{ddl: `
DROP TRIGGER events_fts_insert;
DROP TRIGGER events_fts_update;
DROP TRIGGER events_fts_delete;
DROP TABLE events_fts;
CREATE VIRTUAL TABLE events_fts USING fts5 (
	description, event_type_name,
	content = '', contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 0'
);
-- Rows are indexed by the writer (indexText); deletes, wherever they come
-- from, drop their entry. Descriptions are never updated.
CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
	DELETE FROM events_fts WHERE rowid = old.seq;
END;
`, data: reindexText},
	// 5: facet counts in one pass. Walking this index groups rows by the
	// facet columns in index order, so SQLite aggregates without sorting;
	// it also holds every column the other filters test (or their rowid),
	// so the walk never reads the table.
	{ddl: `
CREATE INDEX events_facets ON events (tenant, event_type, status, priority, submodule,
	component_id, occurred_at);
`},
	// 6: saved filters move to the owners auth.SavedFilterOwner names. Before,
	// a user with an id owned their filters under the id, and a user with
	// only an email under the email in lower case, so a user whose id was
	// another's email shared that user's filters. Now an id that starts
	// with "id:", "email:" or "key:" is written "id:" and the id, and an
	// email "email:" and the email. An owner is judged by the tenant's keys:
	// a "key:" owner that is a user's id is that user's; an email is an
	// email-only user's if such a key has it and no user has it as id
	// (both: the filters stay with the id, as they were shown).
	{ddl: `
UPDATE saved_filters SET owner_id = 'id:' || owner_id
WHERE substr(owner_id, 1, 3) = 'id:' OR substr(owner_id, 1, 6) = 'email:'
	OR (substr(owner_id, 1, 4) = 'key:' AND EXISTS (SELECT 1 FROM api_keys k
		WHERE k.tenant = saved_filters.tenant AND json_extract(k.principal, '$.user.id') = saved_filters.owner_id));
UPDATE saved_filters SET owner_id = 'email:' || owner_id
WHERE substr(owner_id, 1, 3) != 'id:' AND substr(owner_id, 1, 6) != 'email:' AND substr(owner_id, 1, 4) != 'key:'
	AND EXISTS (SELECT 1 FROM api_keys k WHERE k.tenant = saved_filters.tenant
		AND coalesce(json_extract(k.principal, '$.user.id'), '') = ''
		AND lower(json_extract(k.principal, '$.user.email')) = saved_filters.owner_id)
	AND NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.tenant = saved_filters.tenant
		AND json_extract(k.principal, '$.user.id') = saved_filters.owner_id);
`},
	// 7: the full-text index takes the words of audit.Words as they are.
	// unicode61 split them again and folded some letters anew (ς to σ, ſ to
	// s, µ to μ; New Tai Lue vowel signs separated words), so SQLite found
	// words that OpenSearch, indexing the same words, did not. The indexed
	// text is audit.Words joined by spaces: letters and numbers, any
	// non-ASCII rune, so the ascii tokenizer splits it at the spaces alone.
	{ddl: rebuildTextIndex, data: reindexText},
	// 8: audit.Words folds the accents of Latin letters ("Chloé" is
	// "chloe"): the index is rebuilt with the folded words.
	{ddl: rebuildTextIndex, data: reindexText},
	// 9: the users the events name, per role, for suggestions (a typeahead
	// reads the few distinct users rather than every event; the events are
	// counted per user through the user indexes), and the newest account
	// status recorded for a target user, read from the end of an index.
	// id_lc folds ASCII letters only (SQLite's lower, and OpenSearch's
	// case-insensitive prefix); name_lc and email_lc are the events' own.
	{ddl: `
CREATE TABLE event_users (
	tenant   TEXT NOT NULL,
	role     TEXT NOT NULL, -- audit.UserRole
	type     TEXT NOT NULL,
	id       TEXT NOT NULL,
	name     TEXT NOT NULL,
	email    TEXT NOT NULL,
	id_lc    TEXT NOT NULL,
	name_lc  TEXT NOT NULL,
	email_lc TEXT NOT NULL,
	PRIMARY KEY (tenant, role, type, id, name, email)
) WITHOUT ROWID;
INSERT OR IGNORE INTO event_users
	SELECT DISTINCT tenant, 'ACTION_USER', action_user_type, action_user_id, action_user_name, action_user_email,
		lower(action_user_id), action_user_name_lc, action_user_email_lc FROM events;
INSERT OR IGNORE INTO event_users
	SELECT DISTINCT tenant, 'TARGET_USER', target_user_type, target_user_id, target_user_name, target_user_email,
		lower(target_user_id), target_user_name_lc, target_user_email_lc FROM events WHERE target_user_type IS NOT NULL;
CREATE INDEX events_target_status_id ON events (tenant, target_user_id, occurred_at, id)
	WHERE target_user_account_status != '';
CREATE INDEX events_target_status_email ON events (tenant, target_user_email_lc, occurred_at, id)
	WHERE target_user_account_status != '';
`},
	// 10: a component's captured count is counted from its stored events
	// since its configuration was saved (CountIngested), from this index
	// alone.
	{ddl: `CREATE INDEX events_component_ingested ON events (tenant, component_id, ingested_at);`},
}

// rebuildTextIndex replaces the full-text index by an empty one whose
// ascii tokenizer splits the text at spaces alone (see migration 7); the
// migration's data step then indexes every event again.
const rebuildTextIndex = `
DROP TRIGGER events_fts_delete;
DROP TABLE events_fts;
CREATE VIRTUAL TABLE events_fts USING fts5 (
	description, event_type_name,
	content = '', contentless_delete = 1,
	tokenize = 'ascii'
);
CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
	DELETE FROM events_fts WHERE rowid = old.seq;
END;
`

// migrate applies pending migrations, each in its own immediate
// transaction, so concurrent openers of one file apply each exactly once.
func migrate(ctx context.Context, db *sql.DB, migrations []migration) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for i, m := range migrations {
		version := i + 1
		if err := applyMigration(ctx, db, version, m); err != nil {
			return fmt.Errorf("migration %d: %w", version, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, version int, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.ddl); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	if m.data != nil {
		if err := m.data(ctx, tx); err != nil {
			return fmt.Errorf("apply: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		version, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// reindexText fills the full-text index from every stored event, a page
// at a time.
func reindexText(ctx context.Context, tx *sql.Tx) error {
	const page = 1000
	type row struct {
		seq               int64
		description, name string
	}
	var last int64
	for {
		rows, err := tx.QueryContext(ctx, `SELECT seq, description, event_type_name FROM events
			WHERE seq > ? ORDER BY seq LIMIT ?`, last, page)
		if err != nil {
			return fmt.Errorf("read events to index: %w", err)
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.seq, &r.description, &r.name); err != nil {
				rows.Close()
				return fmt.Errorf("read events to index: %w", err)
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read events to index: %w", err)
		}
		for _, r := range batch {
			if err := indexText(ctx, tx, r.seq, r.description, r.name); err != nil {
				return err
			}
		}
		if len(batch) < page {
			return nil
		}
		last = batch[len(batch)-1].seq
	}
}
