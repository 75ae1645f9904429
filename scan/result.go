package scan

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/footprint-dev/footprint/internal/output"
	"github.com/footprint-dev/footprint/scan/collect"
)

// Finding statuses.
const (
	Pass         = "pass"
	Fail         = "fail"
	NotEvaluated = "not_evaluated"
	Manual       = "manual"
	Exempted     = "exempted"
)

// Severities, lowest first.
var Severities = []string{"Informational", "Low", "Medium", "High", "Critical"}

// SeverityRank orders severities (case-insensitive); -1 for an unknown one.
func SeverityRank(s string) int {
	for i, x := range Severities {
		if strings.EqualFold(x, s) {
			return i
		}
	}
	return -1
}

// Finding is one control's verdict on one resource.
type Finding struct {
	ControlID    string   `json:"control_id"`
	StandardRefs []string `json:"standard_refs"`
	Account      string   `json:"account"`
	Region       string   `json:"region"`
	ResourceARN  string   `json:"resource_arn"`
	Status       string   `json:"status"`
	Severity     string   `json:"severity"`
	Reason       string   `json:"reason"`
	Title        string   `json:"-"`
}

// Summary counts findings by status.
type Summary struct {
	Pass         int `json:"pass"`
	Fail         int `json:"fail"`
	NotEvaluated int `json:"not_evaluated"`
	Manual       int `json:"manual"`
	Exempted     int `json:"exempted"`
}

func (s *Summary) add(status string) {
	switch status {
	case Pass:
		s.Pass++
	case Fail:
		s.Fail++
	case NotEvaluated:
		s.NotEvaluated++
	case Manual:
		s.Manual++
	case Exempted:
		s.Exempted++
	}
}

// RegionStatus is a region discovery saw in an account.
type RegionStatus struct {
	Account     string
	Region      string
	Status      string // scanned | not_enabled | excluded | not_selected
	OptInStatus string
	Reason      string
}

// Result is a scan's outcome. Its JSON form is the contract of `footprint
// scan --format json`.
type Result struct {
	ScanID      string      `json:"scan_id"`
	SessionName string      `json:"session_name"`
	Accounts    []string    `json:"accounts"`
	Regions     []string    `json:"regions"`
	Summary     Summary     `json:"summary"`
	Findings    []Finding   `json:"findings"`
	Calls       CallSummary `json:"calls"`

	Standards  []string       `json:"-"`
	Selected   []string       `json:"-"`
	StartedAt  time.Time      `json:"-"`
	FinishedAt time.Time      `json:"-"`
	Skipped    []RegionStatus `json:"-"`
	Gaps       []collect.Gap  `json:"-"`
	Status     string         `json:"-"`
	plan       *Plan
}

// Failed returns the failing findings at or above a severity.
func (r *Result) Failed(minSeverity string) []Finding {
	min := SeverityRank(minSeverity)
	var out []Finding
	for _, f := range r.Findings {
		if f.Status == Fail && SeverityRank(f.Severity) >= min {
			out = append(out, f)
		}
	}
	return out
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.ControlID != b.ControlID {
			return controlLess(a.ControlID, b.ControlID)
		}
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		if a.ResourceARN != b.ResourceARN {
			return a.ResourceARN < b.ResourceARN
		}
		return a.Reason < b.Reason
	})
}

// Tables shows the scan for people: what was scanned, a summary per
// standard and per control, then the failing findings and what could not be
// evaluated.
func (r *Result) Tables() []output.Table {
	head := output.Table{KeyValue: true, Rows: [][]any{
		{"scan", r.ScanID},
		{"session", r.SessionName},
		{"accounts", strings.Join(r.Accounts, ", ")},
		{"regions", strings.Join(r.Regions, ", ")},
	}}
	if len(r.Skipped) > 0 {
		var s []string
		for _, x := range r.Skipped {
			s = append(s, fmt.Sprintf("%s %s (%s)", x.Account, x.Region, strings.ReplaceAll(x.Status, "_", " ")))
		}
		head.Rows = append(head.Rows, []any{"skipped regions", strings.Join(s, ", ")})
	}
	head.Rows = append(head.Rows,
		[]any{"findings", fmt.Sprintf("%d pass, %d fail, %d not evaluated, %d manual, %d exempted",
			r.Summary.Pass, r.Summary.Fail, r.Summary.NotEvaluated, r.Summary.Manual, r.Summary.Exempted)},
		[]any{"calls", fmt.Sprintf("%d calls (%d requests, %d throttled) in %d operations", r.Calls.Total, r.Calls.Attempts,
			r.Calls.Throttled, len(r.Calls.ByOperation))})
	if len(r.Gaps) > 0 {
		head.Rows = append(head.Rows, []any{"gaps", fmt.Sprintf("%d reads failed; the controls needing them are not evaluated", len(r.Gaps))})
	}
	tables := []output.Table{head}

	// per standard: requirements by their worst status
	for _, std := range r.Standards {
		type reqState struct{ statuses map[string]int }
		reqs := map[string]*reqState{}
		var order []string
		for _, f := range r.Findings {
			for _, ref := range f.StandardRefs {
				s, id, _ := strings.Cut(ref, ":")
				if s != std {
					continue
				}
				st := reqs[id]
				if st == nil {
					st = &reqState{statuses: map[string]int{}}
					reqs[id] = st
					order = append(order, id)
				}
				st.statuses[f.Status]++
			}
		}
		var sum Summary
		for _, id := range order {
			st := reqs[id].statuses
			switch {
			case st[Fail] > 0:
				sum.Fail++
			case st[NotEvaluated] > 0:
				sum.NotEvaluated++
			case st[Manual] > 0:
				sum.Manual++
			case st[Pass] > 0:
				sum.Pass++
			default:
				sum.Exempted++
			}
		}
		tables = append(tables, output.Table{
			Title:   "Standard " + std + " (requirements by their worst finding):",
			Columns: []string{"standard", "requirements", "pass", "fail", "not_evaluated", "manual", "exempted"},
			Rows:    [][]any{{std, len(order), sum.Pass, sum.Fail, sum.NotEvaluated, sum.Manual, sum.Exempted}},
		})
	}
	// per control
	type ctlRow struct {
		title, severity string
		s               Summary
	}
	ctls := map[string]*ctlRow{}
	var ids []string
	for _, f := range r.Findings {
		c := ctls[f.ControlID]
		if c == nil {
			c = &ctlRow{title: f.Title, severity: f.Severity}
			ctls[f.ControlID] = c
			ids = append(ids, f.ControlID)
		}
		c.s.add(f.Status)
	}
	ct := output.Table{Title: "Controls:", Columns: []string{"control", "severity", "pass", "fail", "not_evaluated", "manual", "title"}}
	for _, id := range ids {
		c := ctls[id]
		ct.Rows = append(ct.Rows, []any{id, c.severity, c.s.Pass, c.s.Fail, c.s.NotEvaluated, c.s.Manual, c.title})
	}
	tables = append(tables, ct)

	failing := output.Table{Title: "Failing findings:", Columns: []string{"control", "severity", "account", "region", "resource", "reason"}}
	unknown := output.Table{Title: "Not evaluated (the data could not be read):", Columns: []string{"control", "account", "region", "resource", "reason"}}
	for _, f := range r.Findings {
		switch f.Status {
		case Fail:
			failing.Rows = append(failing.Rows, []any{f.ControlID, f.Severity, f.Account, f.Region, f.ResourceARN, f.Reason})
		case NotEvaluated:
			unknown.Rows = append(unknown.Rows, []any{f.ControlID, f.Account, f.Region, f.ResourceARN, f.Reason})
		}
	}
	tables = append(tables, failing)
	if len(unknown.Rows) > 0 {
		tables = append(tables, unknown)
	}
	return tables
}

// CSV is every finding, one row each.
func (r *Result) CSV() output.Table { return FindingsTable(r.ScanID, r.Findings, false) }

// FindingsTable lays findings out as rows.
func FindingsTable(scanID string, fs []Finding, withScan bool) output.Table {
	cols := []string{"control_id", "standard_refs", "account", "region", "resource_arn", "status", "severity", "reason"}
	if withScan {
		cols = append([]string{"scan_id"}, cols...)
	}
	t := output.Table{Columns: cols, Rows: [][]any{}}
	for _, f := range fs {
		row := []any{f.ControlID, strings.Join(f.StandardRefs, " "), f.Account, f.Region, f.ResourceARN, f.Status, f.Severity, f.Reason}
		if withScan {
			row = append([]any{scanID}, row...)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}
