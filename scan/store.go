package scan

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Scan statuses in the scans table.
const (
	StatusRunning     = "running"
	StatusComplete    = "complete"
	StatusFailed      = "failed"
	StatusInterrupted = "interrupted"
	// StatusDryRun marks a dry run's record: its discovery calls, no findings.
	StatusDryRun = "dry_run"
)

// writer serialises the scan's writes on one connection and loads rows with
// DuckDB's appender.
type writer struct {
	mu   sync.Mutex
	db   *sql.DB
	conn *sql.Conn
}

func newWriter(ctx context.Context, db *sql.DB) (*writer, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("open database connection: %w", err)
	}
	return &writer{db: db, conn: conn}, nil
}

func (w *writer) close() error { return w.conn.Close() }

// append loads rows into table (rows in the table's column order).
func (w *writer) append(ctx context.Context, table string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", table)
		if err != nil {
			return fmt.Errorf("append to %s: %w", table, err)
		}
		for _, r := range rows {
			vals := make([]driver.Value, len(r))
			for i, v := range r {
				vals[i] = v
			}
			if err := a.AppendRow(vals...); err != nil {
				a.Close()
				return fmt.Errorf("append to %s: %w", table, err)
			}
		}
		if err := a.Close(); err != nil {
			return fmt.Errorf("append to %s: %w", table, err)
		}
		return nil
	})
}

func (w *writer) exec(ctx context.Context, q string, args ...any) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err := w.conn.ExecContext(ctx, q, args...)
	return err
}

// startScan records a scan as running.
func (w *writer) startScan(ctx context.Context, r *Result, status, userAgent, version string) error {
	return w.exec(ctx, `INSERT INTO scans (scan_id, started_at, status, session_name, user_agent, version, standards, controls, accounts, regions)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		r.ScanID, r.StartedAt, status, r.SessionName, userAgent, version, orEmpty(r.Standards), orEmpty(r.Selected), []string{}, []string{})
}

// finishScan records the outcome.
func (w *writer) finishScan(ctx context.Context, r *Result, status string) error {
	return w.exec(ctx, `UPDATE scans SET finished_at = $2, status = $3, accounts = $4, regions = $5 WHERE scan_id = $1`,
		r.ScanID, r.FinishedAt, status, orEmpty(r.Accounts), orEmpty(r.Regions))
}

func (w *writer) writeCalls(ctx context.Context, scanID string, calls []*Call) error {
	rows := make([][]any, 0, len(calls))
	for _, c := range calls {
		ids := append([]string{}, c.RequestIDs...)
		var status any
		if c.HTTPStatus != 0 {
			status = int32(c.HTTPStatus)
		}
		rows = append(rows, []any{scanID, c.Seq, nullStr(c.Account), nullStr(c.Region), c.Service, c.Operation, nullStr(c.EventSource),
			nullStr(c.EventName), c.Start, float64(c.Duration) / float64(time.Millisecond), nullStr(c.RequestID()), ids, status,
			int32(c.Attempts), c.Throttled, nullStr(c.ErrorCode), nullStr(c.Collector)})
	}
	return w.append(ctx, "scan_calls", rows)
}

func (w *writer) writeFindings(ctx context.Context, scanID string, fs []Finding) error {
	rows := make([][]any, 0, len(fs))
	for _, f := range fs {
		rows = append(rows, []any{scanID, f.ControlID, nullStr(f.Title), orEmpty(f.StandardRefs), f.Account, f.Region, f.ResourceARN,
			f.Status, f.Severity, f.Reason})
	}
	return w.append(ctx, "findings", rows)
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
