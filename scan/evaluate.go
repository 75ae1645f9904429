package scan

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/footprint-dev/footprint/scan/collect"
)

// evaluate runs every planned control over the scan's inventory, makes
// not_evaluated what a gap reaches, and adds the manual requirements.
func (s *scanner) evaluate(ctx context.Context, d *discovery) ([]Finding, error) {
	gaps := s.sortedGaps()
	var out []Finding
	for _, pc := range s.plan.Controls {
		fs, err := RunControl(ctx, s.db, pc, ControlParams{ScanID: s.res.ScanID, Now: s.res.StartedAt, Partition: d.partition})
		if err != nil {
			return nil, err
		}
		out = append(out, ApplyGaps(pc, fs, gaps)...)
	}
	for _, t := range d.targets {
		for _, m := range s.plan.Manual {
			out = append(out, Finding{ControlID: m.Ref(), Title: m.Title, StandardRefs: []string{m.Ref()}, Account: t.account,
				Region: collect.GlobalRegion, ResourceARN: accountResource(t.account), Status: Manual, Severity: "Informational",
				Reason: "checked by hand, not by API: " + m.Title})
		}
	}
	sortFindings(out)
	return out, nil
}

// ControlParams are the values a control's statement may use.
type ControlParams struct {
	ScanID    string
	Now       time.Time
	Partition string
}

// RunControl runs one control's statement and returns its findings, before
// gaps are applied.
func RunControl(ctx context.Context, db *sql.DB, pc *PlannedControl, p ControlParams) ([]Finding, error) {
	var args []any
	for _, name := range pc.Params {
		switch name {
		case "scan_id":
			args = append(args, sql.Named(name, p.ScanID))
		case "now":
			args = append(args, sql.Named(name, p.Now.UTC()))
		case "partition":
			part := p.Partition
			if part == "" {
				part = "aws"
			}
			args = append(args, sql.Named(name, part))
		case "pattern":
			args = append(args, sql.Named(name, pc.Pattern))
		}
	}
	rows, err := db.QueryContext(ctx, pc.SQL, args...)
	if err != nil {
		return nil, fmt.Errorf("control %s: %w", pc.ID, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	want := []string{"account_id", "region", "resource_arn", "status", "reason"}
	if len(cols) != len(want) {
		return nil, fmt.Errorf("control %s returns columns %v, want %v", pc.ID, cols, want)
	}
	for i := range want {
		if cols[i] != want[i] {
			return nil, fmt.Errorf("control %s returns columns %v, want %v", pc.ID, cols, want)
		}
	}
	var out []Finding
	for rows.Next() {
		var acct, region, res, status, reason sql.NullString
		if err := rows.Scan(&acct, &region, &res, &status, &reason); err != nil {
			return nil, fmt.Errorf("control %s: %w", pc.ID, err)
		}
		switch status.String {
		case Pass, Fail, NotEvaluated:
		default:
			return nil, fmt.Errorf("control %s: status %q is not pass, fail or not_evaluated", pc.ID, status.String)
		}
		if !acct.Valid || !region.Valid || !res.Valid || !reason.Valid {
			return nil, fmt.Errorf("control %s: a row with a NULL account, region, resource or reason", pc.ID)
		}
		out = append(out, Finding{ControlID: pc.ID, Title: pc.Title, StandardRefs: pc.Refs, Account: acct.String, Region: region.String,
			ResourceARN: res.String, Status: status.String, Severity: pc.Severity, Reason: reason.String})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("control %s: %w", pc.ID, err)
	}
	return out, nil
}

// ApplyGaps makes a control's findings not_evaluated where the gaps in its
// tables reach, with the gap's reason, and adds a not_evaluated finding
// where a gap hides resources the statement could not see at all. A gap
// never leaves a pass standing on data it took away.
//
// What a gap reaches: with the control's gap scope "account", every finding
// of the control in the gap's account. Otherwise, a gap about one resource
// reaches that resource's finding; a gap about a whole table reaches the
// findings in its region, or the whole account for a global table.
func ApplyGaps(pc *PlannedControl, fs []Finding, gaps []collect.Gap) []Finding {
	tables := map[string]bool{}
	for _, t := range pc.GapTables {
		tables[t] = true
	}
	type key struct{ account, region, resource string }
	added := map[key]int{}
	for _, g := range gaps {
		relevant := false
		for _, t := range g.Tables {
			relevant = relevant || tables[t]
		}
		if !relevant {
			continue
		}
		hit := false
		for i := range fs {
			f := &fs[i]
			if f.Account != g.Account {
				continue
			}
			reach := false
			switch {
			case pc.GapScope == GapScopeAccount:
				reach = true
			case g.Resource != "":
				reach = f.ResourceARN == g.Resource
			case g.Region == collect.GlobalRegion:
				reach = true
			default:
				reach = f.Region == g.Region
			}
			if !reach {
				continue
			}
			hit = true
			if f.Status != NotEvaluated {
				f.Status, f.Reason = NotEvaluated, g.Reason
			} else {
				f.Reason = joinReasons(f.Reason, g.Reason)
			}
		}
		if hit {
			continue
		}
		res := g.Resource
		if res == "" {
			res = accountResource(g.Account)
		}
		k := key{g.Account, g.Region, res}
		if i, ok := added[k]; ok {
			fs[i].Reason = joinReasons(fs[i].Reason, g.Reason)
			continue
		}
		added[k] = len(fs)
		fs = append(fs, Finding{ControlID: pc.ID, Title: pc.Title, StandardRefs: pc.Refs, Account: g.Account, Region: g.Region,
			ResourceARN: res, Status: NotEvaluated, Severity: pc.Severity, Reason: g.Reason})
	}
	return fs
}
