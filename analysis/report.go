package analysis

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"sort"
	"time"
)

//go:embed report.html.tmpl
var reportTemplate string

// ReportOptions configure BuildReport.
type ReportOptions struct {
	Rules            []Rule
	Pricing          *Pricing
	Window           Window
	GuardDutyRegions int
	TrailCopies      int
	// TopOperations is how many operations to list per actor (default 10).
	TopOperations int
	// Stop, when set, adds a verify stop result.
	Stop *StopOptions
	// Now stamps the report.
	Now time.Time
}

// ReportData is everything the HTML report shows; the page draws its charts
// from this, embedded as JSON.
type ReportData struct {
	GeneratedAt time.Time           `json:"generated_at"`
	Window      CostWindow          `json:"window"`
	Events      int64               `json:"events"`
	Hours       []string            `json:"hours"`
	Actors      []string            `json:"actors"` // by volume, most first
	Hourly      map[string][]int64  `json:"hourly"` // actor -> events per hour, aligned with Hours
	Cost        *CostReport         `json:"-"`
	CostBars    []ReportCost        `json:"cost"`
	TopOps      []ReportActorOps    `json:"top_operations"`
	Scans       []*ScanVerification `json:"scans"`
	Stop        *StopResult         `json:"stop"`
}

// ReportCost is one actor's bar in the cost chart.
type ReportCost struct {
	Actor      string  `json:"actor"`
	USD        float64 `json:"usd"`
	MonthlyUSD float64 `json:"monthly_usd"`
	Complete   bool    `json:"complete"`
}

// ReportActorOps is one actor's busiest operations.
type ReportActorOps struct {
	Actor      string          `json:"actor"`
	Events     int64           `json:"events"`
	Operations []ReportOpCount `json:"operations"`
}

// ReportOpCount is an operation's events.
type ReportOpCount struct {
	Operation string `json:"operation"`
	Events    int64  `json:"events"`
}

// BuildReport gathers attribution, cost and verification for the report.
func BuildReport(ctx context.Context, db *sql.DB, opts ReportOptions) (*ReportData, error) {
	if opts.TopOperations <= 0 {
		opts.TopOperations = 10
	}
	if opts.GuardDutyRegions < 1 {
		opts.GuardDutyRegions = 1
	}
	w, err := resolveWindow(ctx, db, opts.Window)
	if err != nil {
		return nil, err
	}
	cost, err := Cost(ctx, db, CostOptions{Rules: opts.Rules, Pricing: opts.Pricing, By: "actor", Window: w,
		GuardDutyRegions: opts.GuardDutyRegions, TrailCopies: opts.TrailCopies})
	if err != nil {
		return nil, err
	}
	d := &ReportData{GeneratedAt: opts.Now.UTC(), Window: cost.Window, Cost: cost, Hourly: map[string][]int64{},
		Actors: []string{}, Hours: []string{}, CostBars: []ReportCost{}, TopOps: []ReportActorOps{}, Scans: []*ScanVerification{}}
	for _, r := range cost.Rows {
		d.CostBars = append(d.CostBars, ReportCost{Actor: r.Key, USD: r.TotalUSD, MonthlyUSD: r.MonthlyTotalUSD, Complete: r.Complete})
	}
	for t := w.From.UTC().Truncate(time.Hour); t.Before(w.Until); t = t.Add(time.Hour) {
		d.Hours = append(d.Hours, t.Format("2006-01-02T15:00Z"))
	}
	hourIndex := map[string]int{}
	for i, h := range d.Hours {
		hourIndex[h] = i
	}

	c, err := NewClassifier(opts.Rules)
	if err != nil {
		return nil, err
	}
	a := &sqlArgs{}
	q := fmt.Sprintf(`SELECT actor, strftime(event_time, '%%Y-%%m-%%dT%%H:00Z'), count(*) FROM %s GROUP BY ALL`, c.classifiedSQL(a, w))
	rows, err := db.QueryContext(ctx, q, a.vals...)
	if err != nil {
		return nil, fmt.Errorf("report hourly: %w", err)
	}
	totals := map[string]int64{}
	for rows.Next() {
		var actor, hour string
		var n int64
		if err := rows.Scan(&actor, &hour, &n); err != nil {
			rows.Close()
			return nil, err
		}
		if d.Hourly[actor] == nil {
			d.Hourly[actor] = make([]int64, len(d.Hours))
		}
		if i, ok := hourIndex[hour]; ok {
			d.Hourly[actor][i] += n
		}
		totals[actor] += n
		d.Events += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for actor := range totals {
		d.Actors = append(d.Actors, actor)
	}
	sort.Slice(d.Actors, func(i, j int) bool {
		if totals[d.Actors[i]] != totals[d.Actors[j]] {
			return totals[d.Actors[i]] > totals[d.Actors[j]]
		}
		return d.Actors[i] < d.Actors[j]
	})

	a = &sqlArgs{}
	q = fmt.Sprintf(`SELECT actor, operation, count(*) AS n FROM %s GROUP BY ALL ORDER BY actor, n DESC, operation`, c.classifiedSQL(a, w))
	rows, err = db.QueryContext(ctx, q, a.vals...)
	if err != nil {
		return nil, fmt.Errorf("report operations: %w", err)
	}
	ops := map[string][]ReportOpCount{}
	for rows.Next() {
		var actor string
		var o ReportOpCount
		if err := rows.Scan(&actor, &o.Operation, &o.Events); err != nil {
			rows.Close()
			return nil, err
		}
		if len(ops[actor]) < opts.TopOperations {
			ops[actor] = append(ops[actor], o)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, actor := range d.Actors {
		d.TopOps = append(d.TopOps, ReportActorOps{Actor: actor, Events: totals[actor], Operations: ops[actor]})
	}

	ids, err := scanIDs(ctx, db)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		v, err := VerifyScan(ctx, db, ScanVerifyOptions{ScanID: id})
		if err != nil {
			return nil, err
		}
		d.Scans = append(d.Scans, v)
	}
	if opts.Stop != nil {
		so := *opts.Stop
		so.Rules = opts.Rules
		if d.Stop, err = VerifyStop(ctx, db, so); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func scanIDs(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT scan_id FROM scans ORDER BY started_at, scan_id`)
	if err != nil {
		return nil, fmt.Errorf("list scans: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// WriteHTML writes the report as one self-contained HTML file: inline CSS,
// inline JavaScript that draws the SVG charts from the embedded data, no
// network assets.
func (d *ReportData) WriteHTML(w io.Writer) error {
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(true) // < > & escaped: safe inside <script>
	if err := enc.Encode(d); err != nil {
		return err
	}
	t, err := template.New("report").Funcs(template.FuncMap{
		"usd":   func(v float64) string { return fmt.Sprintf("$%.2f", v) },
		"num":   func(v float64) string { return fmt.Sprintf("%.1f", v) },
		"ts":    func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04Z") },
		"gb":    func(v float64) string { return fmt.Sprintf("%.3f", v) },
		"price": tierText,
	}).Parse(reportTemplate)
	if err != nil {
		return fmt.Errorf("report template: %w", err)
	}
	return t.Execute(w, struct {
		*ReportData
		JSON template.JS
	}{d, template.JS(js.String())})
}
