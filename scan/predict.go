package scan

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/footprint-dev/footprint/internal/output"
	"github.com/footprint-dev/footprint/scan/collect"
)

// PredictedCall is how many calls of one operation a scan will make in one
// account and region.
type PredictedCall struct {
	Operation string `json:"operation"` // "service:Operation", as calls.by_operation counts
	Account   string `json:"account"`
	Region    string `json:"region"`
	Calls     int    `json:"calls"`
	Min       int    `json:"min"`
	Max       int    `json:"max"`
	Collector string `json:"collector"`
	Basis     string `json:"basis"`
}

// Basis is the earlier scan an account's prediction is counted from.
type Basis struct {
	Account   string    `json:"account"`
	ScanID    string    `json:"scan_id"` // "" when no earlier scan of the same targets exists
	StartedAt time.Time `json:"started_at,omitzero"`
}

// SkippedRegion is a region discovery found and the scan will not read.
type SkippedRegion struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Status  string `json:"status"`
	Reason  string `json:"reason"`
}

// Prediction is a dry run's answer: what the next scan will call, where,
// and how many times.
type Prediction struct {
	DryRun         bool            `json:"dry_run"`
	DryRunID       string          `json:"dry_run_id"` // the dry run's own record in scans
	SessionName    string          `json:"session_name"`
	Accounts       []string        `json:"accounts"`
	Regions        []string        `json:"regions"`
	SkippedRegions []SkippedRegion `json:"skipped_regions"`
	Standards      []string        `json:"standards"`
	Controls       []string        `json:"controls"`
	// PredictedCalls counts every call of the next scan, discovery
	// included; with an earlier scan of the same targets and nothing
	// changed it equals that scan's calls.total.
	PredictedCalls    int             `json:"predicted_calls"`
	PredictedCallsMin int             `json:"predicted_calls_min"`
	PredictedCallsMax int             `json:"predicted_calls_max"`
	Exact             bool            `json:"exact"`
	Basis             []Basis         `json:"basis"`
	Assumptions       []string        `json:"assumptions"`
	ByOperation       map[string]int  `json:"by_operation"`
	Operations        []PredictedCall `json:"operations"`
	// DiscoveryCalls are the calls the dry run itself made.
	DiscoveryCalls CallSummary `json:"discovery_calls"`
}

// Location is where calls are recorded: CloudTrail's account and region.
type Location struct {
	Account, Region string
	Calls           int
}

// ByLocation sums the predicted calls per account and region.
func (p *Prediction) ByLocation() []Location {
	m := map[[2]string]int{}
	for _, c := range p.Operations {
		m[[2]string{c.Account, c.Region}] += c.Calls
	}
	out := make([]Location, 0, len(m))
	for k, n := range m {
		out = append(out, Location{Account: k[0], Region: k[1], Calls: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Account != out[j].Account {
			return out[i].Account < out[j].Account
		}
		return out[i].Region < out[j].Region
	})
	return out
}

// DryRun makes only the discovery calls (identity, roles, regions) and
// predicts the rest of a scan from the plan and the latest scan of the same
// targets in the store. It records itself as a scan with status dry_run and
// its calls, so the trail's record of them has an owner.
func DryRun(ctx context.Context, opts Options) (*Prediction, error) {
	s, err := newScanner(opts)
	if err != nil {
		return nil, err
	}
	w, err := newWriter(ctx, s.db)
	if err != nil {
		return nil, err
	}
	defer w.close()
	if err := w.startScan(ctx, s.res, StatusRunning, opts.UserAgent, opts.Version); err != nil {
		return nil, fmt.Errorf("record dry run: %w", err)
	}
	status := StatusFailed
	var discoveryCalls []*Call
	defer func() {
		fctx := context.WithoutCancel(ctx)
		discoveryCalls = s.man.Calls()
		s.res.FinishedAt = s.now().UTC()
		if err := w.writeCalls(fctx, s.res.ScanID, discoveryCalls); err != nil {
			s.log.Error("record the dry run's calls", "err", err)
		}
		if err := w.finishScan(fctx, s.res, status); err != nil {
			s.log.Error("record the dry run's end", "err", err)
		}
	}()
	d, err := s.discover(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.writeDiscovery(ctx, w, d); err != nil {
		return nil, err
	}
	p, err := s.predict(ctx, d)
	if err != nil {
		return nil, err
	}
	status = StatusDryRun
	p.DryRunID = s.res.ScanID
	p.DiscoveryCalls = Summarize(s.man.Calls())
	return p, nil
}

func (s *scanner) predict(ctx context.Context, d *discovery) (*Prediction, error) {
	cat := s.plan.catalog
	p := &Prediction{DryRun: true, SessionName: s.opts.SessionName, Accounts: s.res.Accounts, Regions: s.res.Regions,
		SkippedRegions: []SkippedRegion{}, Standards: s.plan.Standards, Controls: s.plan.ControlIDs(),
		Basis: []Basis{}, Assumptions: []string{}, ByOperation: map[string]int{}, Operations: []PredictedCall{}}
	for _, r := range s.res.Skipped {
		p.SkippedRegions = append(p.SkippedRegions, SkippedRegion{Account: r.Account, Region: r.Region, Status: r.Status, Reason: r.Reason})
	}
	index := map[[5]string]int{}
	add := func(c PredictedCall) {
		if c.Calls == 0 && c.Max == 0 {
			return
		}
		k := [5]string{c.Operation, c.Account, c.Region, c.Collector, c.Basis}
		if i, ok := index[k]; ok {
			p.Operations[i].Calls += c.Calls
			p.Operations[i].Min += c.Min
			p.Operations[i].Max += c.Max
			return
		}
		index[k] = len(p.Operations)
		p.Operations = append(p.Operations, c)
	}
	// discovery: exactly what the dry run itself just did
	for _, c := range s.man.Calls() {
		add(PredictedCall{Operation: c.Key(), Account: c.Account, Region: c.Region, Calls: 1, Min: 1, Max: 1,
			Collector: "discovery", Basis: "discovery: the same calls as this dry run"})
	}
	now := s.now()
	assumed := map[string][]string{}
	for _, t := range d.targets {
		if t.err != nil {
			continue
		}
		history, err := s.history(ctx, t)
		if err != nil {
			return nil, err
		}
		b := Basis{Account: t.account}
		if len(history) > 0 {
			b.ScanID, b.StartedAt = history[0].id, history[0].started
		}
		p.Basis = append(p.Basis, b)
		for _, c := range s.plan.Collectors {
			var from *pastScan
			for i := range history {
				if history[i].ran[c.Name] {
					from = &history[i]
					break
				}
			}
			var observed map[string]map[string]int // op key -> region -> calls
			if from != nil {
				if observed, err = s.observed(ctx, from.id, t.account, c.Name); err != nil {
					return nil, err
				}
			} else {
				assumed[t.account] = append(assumed[t.account], c.Name)
			}
			for _, op := range c.Ops {
				key := opKey(cat, op.Name)
				if op.Kind == collect.Poll && c.Predict != nil {
					id := ""
					if from != nil {
						id = from.id
					}
					e, err := c.Predict(ctx, s.db, id, t.account, now)
					if err != nil {
						return nil, err
					}
					add(PredictedCall{Operation: key, Account: t.account, Region: d.homeRegion, Calls: e.Calls, Min: e.Min, Max: e.Max,
						Collector: c.Name, Basis: e.Basis})
					continue
				}
				if from != nil {
					for _, region := range sortedKeys(observed[key]) {
						n := observed[key][region]
						add(PredictedCall{Operation: key, Account: t.account, Region: region, Calls: n, Min: n, Max: n,
							Collector: c.Name, Basis: "counted from scan " + from.id})
					}
					continue
				}
				regions := []string{d.homeRegion}
				if c.Scope == collect.Regional {
					regions = t.scanned
				}
				for _, region := range regions {
					pc := PredictedCall{Operation: key, Account: t.account, Region: region, Collector: c.Name}
					switch op.Kind {
					case collect.Once:
						pc.Calls, pc.Min, pc.Max, pc.Basis = 1, 1, 1, "one call"
					case collect.Paged:
						pc.Calls, pc.Min, pc.Max = max(op.Assume, 1), 1, max(op.AssumeMax, 1)
						pc.Basis = fmt.Sprintf("assumed %d page(s); up to %d", pc.Calls, pc.Max)
					default:
						pc.Calls, pc.Min, pc.Max = op.Assume, 0, op.AssumeMax
						pc.Basis = fmt.Sprintf("assumed one call per %s, %d of them (0 to %d)", op.Per, op.Assume, op.AssumeMax)
						if c.Scope == collect.Global && c.Service != "iam" {
							pc.Basis += "; counted in the home region, made in each resource's region"
						}
					}
					add(pc)
				}
			}
		}
	}
	for _, c := range p.Operations {
		p.PredictedCalls += c.Calls
		p.PredictedCallsMin += c.Min
		p.PredictedCallsMax += c.Max
		p.ByOperation[c.Operation] += c.Calls
	}
	p.Exact = p.PredictedCallsMin == p.PredictedCallsMax
	sort.SliceStable(p.Operations, func(i, j int) bool {
		a, b := p.Operations[i], p.Operations[j]
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if a.Operation != b.Operation {
			return a.Operation < b.Operation
		}
		return a.Region < b.Region
	})
	p.Assumptions = append(p.Assumptions,
		"calls are logical calls (the scan's calls.total, one scan_calls row each); a throttled call's retries are further requests and CloudTrail events but not further calls",
		"discovery (sts:GetCallerIdentity, sts:AssumeRole per account, ec2:DescribeRegions per account) makes the same calls as this dry run")
	for _, b := range p.Basis {
		if b.ScanID != "" {
			p.Assumptions = append(p.Assumptions, fmt.Sprintf("account %s: per-resource and paginated calls counted from scan %s (%s) of the same regions, assuming nothing changed since",
				b.Account, b.ScanID, b.StartedAt.UTC().Format(time.RFC3339)))
		}
	}
	for _, acct := range sortedKeys(assumed) {
		p.Assumptions = append(p.Assumptions, fmt.Sprintf("account %s: no earlier complete scan of the same regions ran %s: their paginated lists are assumed to take one page and their per-resource calls a typical count; see each operation's range",
			acct, strings.Join(assumed[acct], ", ")))
	}
	return p, nil
}

type pastScan struct {
	id      string
	started time.Time
	ran     map[string]bool // collectors that ran for the account
}

// history lists the complete scans of the same target (the account with
// the same scanned regions), newest first, with the collectors each ran.
func (s *scanner) history(ctx context.Context, t *target) ([]pastScan, error) {
	rows, err := s.db.QueryContext(ctx, `
		WITH same AS (
			SELECT r.scan_id FROM scan_regions r
			WHERE r.account_id = $account AND r.status = 'scanned'
			GROUP BY r.scan_id
			HAVING string_agg(r.region, ',' ORDER BY r.region) = $regions
		)
		SELECT s.scan_id, s.started_at, coalesce(string_agg(DISTINCT c.collector, ','), '')
		FROM scans s
		JOIN same USING (scan_id)
		JOIN scan_targets tg ON tg.scan_id = s.scan_id AND tg.account_id = $account
		LEFT JOIN scan_collections c ON c.scan_id = s.scan_id AND c.account_id = $account
		WHERE s.status = 'complete'
		GROUP BY s.scan_id, s.started_at
		ORDER BY s.started_at DESC, s.scan_id DESC`,
		sql.Named("account", t.account), sql.Named("regions", strings.Join(t.scanned, ",")))
	if err != nil {
		return nil, fmt.Errorf("read earlier scans: %w", err)
	}
	defer rows.Close()
	var out []pastScan
	for rows.Next() {
		var ps pastScan
		var ran string
		if err := rows.Scan(&ps.id, &ps.started, &ran); err != nil {
			return nil, err
		}
		ps.ran = map[string]bool{}
		for _, c := range strings.Split(ran, ",") {
			if c != "" {
				ps.ran[c] = true
			}
		}
		out = append(out, ps)
	}
	return out, rows.Err()
}

// observed counts a past scan's calls by one collector in an account.
func (s *scanner) observed(ctx context.Context, scanID, account, collector string) (map[string]map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT service || ':' || operation, coalesce(region, ''), count(*) FROM scan_calls
		WHERE scan_id = $1 AND account_id = $2 AND collector = $3 GROUP BY ALL`, scanID, account, collector)
	if err != nil {
		return nil, fmt.Errorf("read earlier calls: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]int{}
	for rows.Next() {
		var op, region string
		var n int
		if err := rows.Scan(&op, &region, &n); err != nil {
			return nil, err
		}
		if out[op] == nil {
			out[op] = map[string]int{}
		}
		out[op][region] = n
	}
	return out, rows.Err()
}

// Tables shows the prediction for people.
func (p *Prediction) Tables() []output.Table {
	rng := fmt.Sprint(p.PredictedCalls)
	if !p.Exact {
		rng = fmt.Sprintf("%d (range %d to %d)", p.PredictedCalls, p.PredictedCallsMin, p.PredictedCallsMax)
	}
	head := output.Table{KeyValue: true, Rows: [][]any{
		{"dry run", p.DryRunID},
		{"session", p.SessionName},
		{"accounts", strings.Join(p.Accounts, ", ")},
		{"regions", strings.Join(p.Regions, ", ")},
		{"standards", strings.Join(p.Standards, ", ")},
		{"controls", len(p.Controls)},
		{"predicted calls", rng},
	}}
	for _, s := range p.SkippedRegions {
		head.Rows = append(head.Rows, []any{"skipped", fmt.Sprintf("%s %s: %s", s.Account, s.Region, s.Reason)})
	}
	for _, a := range p.Assumptions {
		head.Rows = append(head.Rows, []any{"assumes", a})
	}
	ops := output.Table{Title: "Calls per operation, account and region:", Columns: []string{"operation", "account", "region", "calls", "min", "max", "basis"}}
	for _, c := range p.Operations {
		ops.Rows = append(ops.Rows, []any{c.Operation, c.Account, c.Region, c.Calls, c.Min, c.Max, c.Basis})
	}
	return []output.Table{head, ops}
}
