// Package store opens footprint's DuckDB database, brings its schema up to
// date and hands out connections configured the same way every time: UTC
// session time zone, no automatic extension downloads, bounded memory.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/footprint-dev/footprint/queries"
)

// InMemory is the path that opens a private in-memory database (tests).
const InMemory = ":memory:"

// storageVersion is the on-disk format footprint creates databases with. It
// must be at least v1.2.0 for ZSTD string compression, which keeps the raw
// CloudTrail records small (docs/BENCHMARKS.md).
const storageVersion = "v1.5.0"

// Errors callers branch on.
var (
	// ErrLocked means another process holds the database file open for writing.
	ErrLocked = errors.New("database is locked by another process")
	// ErrNotFound means a read-only open found no database file.
	ErrNotFound = errors.New("database does not exist")
	// ErrReadOnly means a statement tried to change a read-only database.
	ErrReadOnly = errors.New("database is open read-only")
	// ErrTooNew means the database was written by a newer footprint.
	ErrTooNew = errors.New("database schema is newer than this footprint")
)

// Options configure Open.
type Options struct {
	// ReadOnly opens the file for reading only; several readers may share it.
	ReadOnly bool
	// MemoryLimit caps DuckDB's buffer memory, e.g. "1GB". Empty means DuckDB's
	// default (80% of RAM).
	MemoryLimit string
	// Threads caps DuckDB's worker threads; 0 means one per core.
	Threads int
}

// Store is an open footprint database.
type Store struct {
	DB       *sql.DB
	path     string
	readOnly bool
}

// Open opens or creates the database at path and applies pending migrations
// (read-write only). A read-only open requires the file to exist.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("no database path given")
	}
	inMemory := path == InMemory
	if !inMemory {
		if _, err := os.Stat(path); err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("open database %s: %w", path, err)
			}
			if opts.ReadOnly {
				return nil, fmt.Errorf("%s: %w; create it with `footprint trail ingest PATH` or point --db at an existing file", path, ErrNotFound)
			}
			if dir := filepath.Dir(path); dir != "" {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return nil, fmt.Errorf("create database directory: %w", err)
				}
			}
		}
	}

	q := url.Values{}
	q.Set("autoinstall_known_extensions", "false")
	q.Set("autoload_known_extensions", "false")
	q.Set("storage_compatibility_version", storageVersion)
	if opts.ReadOnly {
		q.Set("access_mode", "READ_ONLY")
	}
	if opts.MemoryLimit != "" {
		q.Set("memory_limit", opts.MemoryLimit)
	}
	if opts.Threads > 0 {
		q.Set("threads", strconv.Itoa(opts.Threads))
	}
	dsn := "?" + q.Encode()
	if !inMemory {
		dsn = path + dsn
	}
	connector, err := duckdb.NewConnector(dsn, initConn)
	if err != nil {
		return nil, classifyOpen(path, err)
	}
	db := sql.OpenDB(connector)
	s := &Store{DB: db, path: path, readOnly: opts.ReadOnly}
	if opts.ReadOnly {
		v, err := s.SchemaVersion(ctx)
		if err != nil {
			db.Close()
			return nil, err
		}
		if latest := latestVersion(); v > latest {
			db.Close()
			return nil, fmt.Errorf("%s has schema version %d, this footprint knows %d: %w", path, v, latest, ErrTooNew)
		}
		return s, nil
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// initConn runs on every new connection: session settings are per connection
// in DuckDB, and a time zone that followed the process TZ would shift every
// day bucket.
func initConn(execer driver.ExecerContext) error {
	_, err := execer.ExecContext(context.Background(), "SET TimeZone = 'UTC'", nil)
	return err
}

var lockPID = regexp.MustCompile(`PID (\d+)`)

func classifyOpen(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "Could not set lock") || strings.Contains(msg, "Conflicting lock") {
		who := "another process"
		if m := lockPID.FindStringSubmatch(msg); m != nil {
			who = "process " + m[1]
		}
		return fmt.Errorf("%s is in use by %s; wait for it to finish, or use --db to choose another file: %w", path, who, ErrLocked)
	}
	return fmt.Errorf("open database %s: %w", path, err)
}

// Path is the file the store was opened from.
func (s *Store) Path() string { return s.path }

// ReadOnly reports whether the store was opened read-only.
func (s *Store) ReadOnly() bool { return s.readOnly }

// Close closes the database.
func (s *Store) Close() error { return s.DB.Close() }

// Conn returns a dedicated connection; the caller closes it.
func (s *Store) Conn(ctx context.Context) (*sql.Conn, error) {
	return s.DB.Conn(ctx)
}

// SchemaVersion returns the highest migration applied, 0 for an empty file.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var exists bool
	err := s.DB.QueryRowContext(ctx,
		`SELECT count(*) > 0 FROM duckdb_tables() WHERE table_name = 'schema_migrations' AND schema_name = 'main' AND database_name = current_database()`).Scan(&exists)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v sql.NullInt64
	if err := s.DB.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

type migration struct {
	version int
	name    string
	sql     string
}

var migrationName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

func migrations() ([]migration, error) {
	fsys := queries.Schema()
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: m[2], sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %04d_%s: versions must run 1, 2, 3... without gaps", m.version, m.name)
		}
	}
	return out, nil
}

func latestVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// migrate applies every migration newer than the database, each in its own
// transaction together with its schema_migrations row.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if _, err := s.DB.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER NOT NULL, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	current, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if current > len(ms) {
		return fmt.Errorf("%s has schema version %d, this footprint knows %d: %w", s.path, current, len(ms), ErrTooNew)
	}
	for _, m := range ms[current:] {
		tx, err := s.DB.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("apply migration %04d_%s: %w", m.version, m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.version, m.name); err != nil {
			tx.Rollback()
			return fmt.Errorf("record migration %04d_%s: %w", m.version, m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("commit migration %04d_%s: %w", m.version, m.name, err)
		}
	}
	return nil
}

// ClassifyExec turns DuckDB's refusal to write a read-only database into
// ErrReadOnly so commands can explain it; other errors pass through.
func ClassifyExec(err error) error {
	if err == nil {
		return nil
	}
	var de *duckdb.Error
	if errors.As(err, &de) && strings.Contains(de.Msg, "read-only mode") {
		return fmt.Errorf("%w: %s", ErrReadOnly, de.Msg)
	}
	return err
}

// ErrNotQuery means a statement given to a read-only command is not a query.
var ErrNotQuery = errors.New("only queries are allowed here")

// CheckReadOnly prepares statement and refuses anything that is not a query
// (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, PRAGMA), so a DELETE is
// explained before it ever runs. The read-only connection is the real guard.
func CheckReadOnly(ctx context.Context, s *Store, statement string) error {
	conn, err := s.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return nil
		}
		st, err := pc.PrepareContext(ctx, statement)
		if err != nil {
			return err
		}
		defer st.Close()
		ds, ok := st.(*duckdb.Stmt)
		if !ok {
			return nil
		}
		t, err := ds.StatementType()
		if err != nil {
			return err
		}
		switch t {
		case duckdb.STATEMENT_TYPE_SELECT, duckdb.STATEMENT_TYPE_EXPLAIN, duckdb.STATEMENT_TYPE_PRAGMA:
			return nil
		}
		return fmt.Errorf("%w: this is a %s statement and the database is opened read-only", ErrNotQuery, statementName(t))
	})
}

func statementName(t duckdb.StmtType) string {
	switch t {
	case duckdb.STATEMENT_TYPE_INSERT:
		return "INSERT"
	case duckdb.STATEMENT_TYPE_UPDATE:
		return "UPDATE"
	case duckdb.STATEMENT_TYPE_DELETE:
		return "DELETE"
	case duckdb.STATEMENT_TYPE_CREATE, duckdb.STATEMENT_TYPE_CREATE_FUNC:
		return "CREATE"
	case duckdb.STATEMENT_TYPE_DROP:
		return "DROP"
	case duckdb.STATEMENT_TYPE_ALTER:
		return "ALTER"
	case duckdb.STATEMENT_TYPE_COPY:
		return "COPY"
	case duckdb.STATEMENT_TYPE_TRANSACTION:
		return "transaction"
	case duckdb.STATEMENT_TYPE_VARIABLE_SET:
		return "SET"
	case duckdb.STATEMENT_TYPE_EXPORT:
		return "EXPORT"
	case duckdb.STATEMENT_TYPE_VACUUM:
		return "VACUUM"
	case duckdb.STATEMENT_TYPE_ANALYZE:
		return "ANALYZE"
	}
	return "non-query"
}
