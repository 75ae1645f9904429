package scan

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/footprint-dev/footprint/internal/output"
)

// ErrNoScan means the store has no such scan (or no scan at all).
var ErrNoScan = errors.New("no such scan")

// ScanInfo is one stored scan.
type ScanInfo struct {
	ScanID      string     `json:"scan_id"`
	StartedAt   time.Time  `json:"started_at"`
	FinishedAt  *time.Time `json:"finished_at"`
	Status      string     `json:"status"`
	SessionName string     `json:"session_name"`
	Standards   []string   `json:"standards"`
	Controls    []string   `json:"controls"`
	Accounts    []string   `json:"accounts"`
	Regions     []string   `json:"regions"`
	Summary     Summary    `json:"summary"`
	Calls       int        `json:"calls"`
	Attempts    int        `json:"attempts"`
	Throttled   int        `json:"throttled"`
	Gaps        int        `json:"gaps"`
}

// ScanList is `footprint scan list`: every scan, newest first.
type ScanList []ScanInfo

// Tables lists the scans.
func (l ScanList) Tables() []output.Table {
	t := output.Table{Columns: []string{"scan_id", "started_at", "status", "accounts", "regions", "standards", "pass", "fail", "not_evaluated", "manual", "calls", "gaps"}}
	for _, s := range l {
		t.Rows = append(t.Rows, []any{s.ScanID, s.StartedAt, s.Status, strings.Join(s.Accounts, " "), len(s.Regions),
			strings.Join(s.Standards, " "), s.Summary.Pass, s.Summary.Fail, s.Summary.NotEvaluated, s.Summary.Manual, s.Calls, s.Gaps})
	}
	return []output.Table{t}
}

// List returns the stored scans, newest first (dry runs included, with
// status dry_run).
func List(ctx context.Context, db *sql.DB) (ScanList, error) {
	rows, err := db.QueryContext(ctx, `
		WITH f AS (
			SELECT scan_id,
			       count(*) FILTER (WHERE status = 'pass') AS pass, count(*) FILTER (WHERE status = 'fail') AS fail,
			       count(*) FILTER (WHERE status = 'not_evaluated') AS ne, count(*) FILTER (WHERE status = 'manual') AS manual,
			       count(*) FILTER (WHERE status = 'exempted') AS exempted
			FROM findings GROUP BY scan_id
		), c AS (
			SELECT scan_id, count(*) AS calls, sum(attempts) AS attempts, count(*) FILTER (WHERE throttled) AS throttled
			FROM scan_calls GROUP BY scan_id
		), g AS (
			SELECT scan_id, count(*) AS gaps FROM scan_gaps GROUP BY scan_id
		)
		SELECT s.scan_id, s.started_at, s.finished_at, s.status, s.session_name,
		       coalesce(s.standards, []), coalesce(s.controls, []), coalesce(s.accounts, []), coalesce(s.regions, []),
		       coalesce(f.pass, 0), coalesce(f.fail, 0), coalesce(f.ne, 0), coalesce(f.manual, 0), coalesce(f.exempted, 0),
		       coalesce(c.calls, 0), coalesce(c.attempts, 0), coalesce(c.throttled, 0), coalesce(g.gaps, 0)
		FROM scans s
		LEFT JOIN f USING (scan_id) LEFT JOIN c USING (scan_id) LEFT JOIN g USING (scan_id)
		ORDER BY s.started_at DESC, s.scan_id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list scans: %w", err)
	}
	defer rows.Close()
	out := ScanList{}
	for rows.Next() {
		var s ScanInfo
		var fin sql.NullTime
		var stds, ctls, accts, regs []any
		if err := rows.Scan(&s.ScanID, &s.StartedAt, &fin, &s.Status, &s.SessionName, &stds, &ctls, &accts, &regs,
			&s.Summary.Pass, &s.Summary.Fail, &s.Summary.NotEvaluated, &s.Summary.Manual, &s.Summary.Exempted,
			&s.Calls, &s.Attempts, &s.Throttled, &s.Gaps); err != nil {
			return nil, err
		}
		s.StartedAt = s.StartedAt.UTC()
		if fin.Valid {
			t := fin.Time.UTC()
			s.FinishedAt = &t
		}
		s.Standards, s.Controls, s.Accounts, s.Regions = strs(stds), strs(ctls), strs(accts), strs(regs)
		out = append(out, s)
	}
	return out, rows.Err()
}

func strs(v []any) []string {
	out := make([]string, 0, len(v))
	for _, x := range v {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// FindingsOptions select stored findings.
type FindingsOptions struct {
	ScanID  string // "" means the latest complete scan
	Status  string // "" means every status
	Control string
	Account string
}

// StoredFinding is a finding with its scan.
type StoredFinding struct {
	ScanID string `json:"scan_id"`
	Finding
}

// FindingList is `footprint findings`.
type FindingList []StoredFinding

// Tables lists the findings.
func (l FindingList) Tables() []output.Table {
	fs := make([]Finding, len(l))
	id := ""
	for i, f := range l {
		fs[i] = f.Finding
		id = f.ScanID
	}
	return []output.Table{FindingsTable(id, fs, true)}
}

// LoadFindings reads stored findings.
func LoadFindings(ctx context.Context, db *sql.DB, o FindingsOptions) (FindingList, error) {
	id := o.ScanID
	if id == "" {
		err := db.QueryRowContext(ctx, `SELECT scan_id FROM scans WHERE status = 'complete' ORDER BY started_at DESC, scan_id DESC LIMIT 1`).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("%w: the database holds no complete scan; run footprint scan first", ErrNoScan)
		}
		if err != nil {
			return nil, fmt.Errorf("find the latest scan: %w", err)
		}
	} else {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM scans WHERE scan_id = $1`, id).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, fmt.Errorf("%w: %s (footprint scan list shows them)", ErrNoScan, id)
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT control_id, coalesce(title, ''), standard_refs, account_id, region, resource_arn, status, severity, reason
		FROM findings
		WHERE scan_id = $1 AND ($2 = '' OR status = $2) AND ($3 = '' OR control_id = $3) AND ($4 = '' OR account_id = $4)`,
		id, o.Status, o.Control, o.Account)
	if err != nil {
		return nil, fmt.Errorf("read findings: %w", err)
	}
	defer rows.Close()
	var fs []Finding
	for rows.Next() {
		var f Finding
		var refs []any
		if err := rows.Scan(&f.ControlID, &f.Title, &refs, &f.Account, &f.Region, &f.ResourceARN, &f.Status, &f.Severity, &f.Reason); err != nil {
			return nil, err
		}
		f.StandardRefs = strs(refs)
		fs = append(fs, f)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sortFindings(fs)
	out := FindingList{}
	for _, f := range fs {
		out = append(out, StoredFinding{ScanID: id, Finding: f})
	}
	return out, nil
}
