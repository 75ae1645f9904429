package analysis

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/footprint-dev/footprint/internal/output"
	"github.com/footprint-dev/footprint/scan/catalog"
)

// Verdicts of verify stop.
const (
	VerdictStopped      = "stopped"
	VerdictReduced      = "reduced"
	VerdictContinued    = "continued"
	VerdictInsufficient = "insufficient-data"
)

// Operation statuses in verify stop and verify diff.
const (
	OpStopped   = "stopped"
	OpReduced   = "reduced"
	OpContinued = "continued"
	OpStarted   = "started"
	OpNotSeen   = "not-seen"
	OpAdded     = "added"
	OpRemoved   = "removed"
	OpIncreased = "increased"
	OpDecreased = "decreased"
	OpUnchanged = "unchanged"
)

// reducedBelow is the after/before rate ratio under which calls count as
// reduced rather than continued.
const reducedBelow = 0.5

// DefaultVerifyWindow is how far before and after TIME verify looks.
const DefaultVerifyWindow = 7 * 24 * time.Hour

// StopOptions configure VerifyStop.
type StopOptions struct {
	Rules    []Rule
	Actor    string
	Standard string
	At       time.Time
	Window   time.Duration // each side; default 7 days
	// Running lists the standards the actor still runs after At; their
	// operations are not expected to stop. Nil means every other standard in
	// the catalogue (only operations unique to Standard are checked).
	Running []string
	// Ops, when set, replaces the catalogue's list ("service:Operation").
	Ops       []string
	OpsSource string
}

// Span is a half-open time range.
type Span struct {
	From  time.Time `json:"from"`
	Until time.Time `json:"until"`
}

// LocationRate is one account and region's calls on both sides.
type LocationRate struct {
	Account      string  `json:"account"`
	Region       string  `json:"region"`
	BeforeCalls  int64   `json:"before_calls"`
	AfterCalls   int64   `json:"after_calls"`
	BeforePerDay float64 `json:"before_per_day"`
	AfterPerDay  float64 `json:"after_per_day"`
}

// OperationChange is one operation's calls before and after TIME.
type OperationChange struct {
	Operation    string         `json:"operation"`
	EventSource  string         `json:"event_source"`
	EventName    string         `json:"event_name"`
	Status       string         `json:"status"`
	BeforeCalls  int64          `json:"before_calls"`
	AfterCalls   int64          `json:"after_calls"`
	BeforePerDay float64        `json:"before_per_day"`
	AfterPerDay  float64        `json:"after_per_day"`
	Locations    []LocationRate `json:"locations"`
}

// Coverage says how much trail exists for one account and region on each
// side: days with at least one event (any actor), days a CloudTrail-Digest
// file covers (proof that logging ran, even with no events), and together.
type Coverage struct {
	Account               string `json:"account"`
	Region                string `json:"region"`
	Days                  int    `json:"days"` // per side
	BeforeDays            int    `json:"before_days"`
	AfterDays             int    `json:"after_days"`
	BeforeDaysWithEvents  int    `json:"before_days_with_events"`
	AfterDaysWithEvents   int    `json:"after_days_with_events"`
	BeforeDaysWithDigests int    `json:"before_days_with_digests"`
	AfterDaysWithDigests  int    `json:"after_days_with_digests"`
	Sufficient            bool   `json:"sufficient"`
}

// StopResult is verify stop's answer.
type StopResult struct {
	Verdict          string            `json:"verdict"`
	Actor            string            `json:"actor"`
	Standard         string            `json:"standard"`
	At               time.Time         `json:"at"`
	WindowDays       float64           `json:"window_days"`
	Before           Span              `json:"before"`
	After            Span              `json:"after"`
	StillRunning     []string          `json:"still_running"`
	OperationsSource string            `json:"operations_source"`
	BeforeCalls      int64             `json:"before_calls"`
	AfterCalls       int64             `json:"after_calls"`
	BeforePerDay     float64           `json:"before_per_day"`
	AfterPerDay      float64           `json:"after_per_day"`
	Operations       []OperationChange `json:"operations"`
	Coverage         []Coverage        `json:"coverage"`
	Missing          []string          `json:"missing"`
	Reasons          []string          `json:"reasons"`
}

// opRef is an operation and how CloudTrail records it.
type opRef struct{ op, source, name string }

// ReadOpsFile reads operations one per line ("service:Operation"); blank
// lines and # comments are ignored.
func ReadOpsFile(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read operations: %w", err)
	}
	var ops []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" {
			continue
		}
		if svc, name, ok := strings.Cut(line, ":"); !ok || svc == "" || name == "" || strings.ContainsAny(line, " \t") {
			return nil, fmt.Errorf("%s:%d: %w: want service:Operation, got %q", path, n, ErrBadOption, line)
		}
		ops = append(ops, line)
	}
	if len(ops) == 0 {
		return nil, fmt.Errorf("%s: %w: no operations", path, ErrBadOption)
	}
	return ops, sc.Err()
}

// resolveOps maps operations to CloudTrail names with the catalogue, or by
// the usual convention for operations it does not list.
func resolveOps(c *catalog.Catalog, ops []string) []opRef {
	seen := map[string]bool{}
	var out []opRef
	for _, op := range ops {
		if seen[op] {
			continue
		}
		seen[op] = true
		if o := c.Operations[op]; o != nil {
			out = append(out, opRef{op, o.EventSource, o.EventName})
			continue
		}
		svc, name, _ := strings.Cut(op, ":")
		src := svc + ".amazonaws.com"
		if svc == "cloudwatch" {
			src = "monitoring.amazonaws.com"
		}
		out = append(out, opRef{op, src, name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].op < out[j].op })
	return out
}

// standardOnlyOps returns the operations of standard that none of running
// needs, and the list of running standards used.
func standardOnlyOps(c *catalog.Catalog, standard string, running []string) ([]string, []string, error) {
	ops, err := c.StandardOperations(standard)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrBadOption, err)
	}
	if running == nil {
		for _, id := range c.StandardIDs() {
			if id != standard {
				running = append(running, id)
			}
		}
	}
	keep := map[string]bool{}
	for _, r := range running {
		if r == standard {
			return nil, nil, fmt.Errorf("%w: %s cannot be both switched off and still running", ErrBadOption, standard)
		}
		rops, err := c.StandardOperations(r)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrBadOption, err)
		}
		for _, op := range rops {
			keep[op] = true
		}
	}
	var only []string
	for _, op := range ops {
		if !keep[op] {
			only = append(only, op)
		}
	}
	sort.Strings(running)
	return only, running, nil
}

type locKey struct{ account, region string }

// sideCounts are calls per operation and location on each side.
type sideCounts map[string]map[locKey]*[2]int64

// countOps counts the actor's calls to ops on both sides of at. DuckDB
// groups the actor's calls by CloudTrail name; Go maps names to operations.
func countOps(ctx context.Context, db *sql.DB, c *Classifier, actor string, ops []opRef, at time.Time, win time.Duration) (sideCounts, error) {
	byName := map[[2]string][]string{}
	for _, o := range ops {
		k := [2]string{o.source, o.name}
		byName[k] = append(byName[k], o.op)
	}
	a := &sqlArgs{}
	rel := c.classifiedSQL(a, Window{From: at.Add(-win), Until: at.Add(win)})
	// the actor filter runs in Go (see Attribute)
	q := fmt.Sprintf(`SELECT actor, event_source, event_name, coalesce(recipient_account_id, account_id, ''), coalesce(aws_region, ''),
		count(*) FILTER (WHERE event_time < %s), count(*) FILTER (WHERE event_time >= %s)
	FROM %s GROUP BY ALL`, a.add(at), a.add(at), rel)
	rows, err := db.QueryContext(ctx, q, a.vals...)
	if err != nil {
		return nil, fmt.Errorf("count calls: %w", err)
	}
	defer rows.Close()
	out := sideCounts{}
	for rows.Next() {
		var who string
		var src, name sql.NullString
		var l locKey
		var n [2]int64
		if err := rows.Scan(&who, &src, &name, &l.account, &l.region, &n[0], &n[1]); err != nil {
			return nil, err
		}
		if who != actor {
			continue
		}
		for _, op := range byName[[2]string{src.String, name.String}] {
			if out[op] == nil {
				out[op] = map[locKey]*[2]int64{}
			}
			m := n
			out[op][l] = &m
		}
	}
	return out, rows.Err()
}

// dayCoverage reads, per account and region, which days of each side have
// events (any actor) and which a digest covers.
type dayCover struct {
	events  [2]map[int]bool
	digests [2]map[int]bool
}

func readCoverage(ctx context.Context, db *sql.DB, at time.Time, win time.Duration) (map[locKey]*dayCover, error) {
	from, until := at.Add(-win), at.Add(win)
	get := func(m map[locKey]*dayCover, l locKey) *dayCover {
		d := m[l]
		if d == nil {
			d = &dayCover{}
			for s := 0; s < 2; s++ {
				d.events[s], d.digests[s] = map[int]bool{}, map[int]bool{}
			}
			m[l] = d
		}
		return d
	}
	out := map[locKey]*dayCover{}
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT coalesce(recipient_account_id, account_id, ''), coalesce(aws_region, ''),
		CASE WHEN event_time < $3 THEN 0 ELSE 1 END AS side,
		CAST(floor((epoch(event_time) - epoch(CASE WHEN event_time < $3 THEN $1::TIMESTAMPTZ ELSE $3::TIMESTAMPTZ END)) / 86400) AS BIGINT)
		FROM events WHERE event_time >= $1 AND event_time < $2`, from, until, at)
	if err != nil {
		return nil, fmt.Errorf("read coverage: %w", err)
	}
	for rows.Next() {
		var l locKey
		var side, d int
		if err := rows.Scan(&l.account, &l.region, &side, &d); err != nil {
			rows.Close()
			return nil, err
		}
		get(out, l).events[side][d] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	drows, err := db.QueryContext(ctx, `SELECT coalesce(account_id, ''), coalesce(region, ''), digest_start_time, digest_end_time
		FROM digests WHERE digest_end_time > $1 AND digest_start_time < $2`, from, until)
	if err != nil {
		return nil, fmt.Errorf("read digests: %w", err)
	}
	defer drows.Close()
	for drows.Next() {
		var l locKey
		var s, e time.Time
		if err := drows.Scan(&l.account, &l.region, &s, &e); err != nil {
			return nil, err
		}
		// mark every day of either side the digest's hour overlaps
		for t := s; t.Before(e); t = t.Add(time.Hour) {
			if t.Before(from) || !t.Before(until) {
				continue
			}
			side, base := 0, from
			if !t.Before(at) {
				side, base = 1, at
			}
			get(out, l).digests[side][int(t.Sub(base)/(24*time.Hour))] = true
		}
	}
	return out, drows.Err()
}

func (d *dayCover) covered(side int) int {
	if d == nil {
		return 0
	}
	n := len(d.events[side])
	for day := range d.digests[side] {
		if !d.events[side][day] {
			n++
		}
	}
	return n
}

func perDay(calls int64, days int) float64 {
	if days <= 0 {
		return 0
	}
	return float64(calls) / float64(days)
}

func opStatus(before, after float64) string {
	switch {
	case before == 0 && after == 0:
		return OpNotSeen
	case before == 0:
		return OpStarted
	case after == 0:
		return OpStopped
	case after < reducedBelow*before:
		return OpReduced
	}
	return OpContinued
}

// VerifyStop checks whether an actor's calls to the operations only a
// standard needs stopped at a time.
func VerifyStop(ctx context.Context, db *sql.DB, opts StopOptions) (*StopResult, error) {
	if opts.Actor == "" || opts.At.IsZero() {
		return nil, fmt.Errorf("%w: verify stop needs --actor and --at", ErrBadOption)
	}
	if opts.Window <= 0 {
		opts.Window = DefaultVerifyWindow
	}
	if opts.Window < 24*time.Hour {
		return nil, fmt.Errorf("%w: --window must be at least 1d", ErrBadOption)
	}
	cat, err := catalog.Load()
	if err != nil {
		return nil, err
	}
	res := &StopResult{Actor: opts.Actor, Standard: opts.Standard, At: opts.At.UTC(), WindowDays: opts.Window.Hours() / 24,
		Before: Span{opts.At.Add(-opts.Window).UTC(), opts.At.UTC()}, After: Span{opts.At.UTC(), opts.At.Add(opts.Window).UTC()},
		StillRunning: []string{}, Operations: []OperationChange{}, Coverage: []Coverage{}, Missing: []string{}, Reasons: []string{}}
	opList := opts.Ops
	if opList != nil {
		res.OperationsSource = opts.OpsSource
		if res.OperationsSource == "" {
			res.OperationsSource = "operations given"
		}
		if opts.Running != nil {
			res.StillRunning = opts.Running
		}
	} else {
		if opts.Standard == "" {
			return nil, fmt.Errorf("%w: verify stop needs --standard or --ops-file", ErrBadOption)
		}
		only, running, err := standardOnlyOps(cat, opts.Standard, opts.Running)
		if err != nil {
			return nil, err
		}
		opList, res.StillRunning = only, running
		res.OperationsSource = fmt.Sprintf("control catalogue: operations of %s that %s do not need", opts.Standard, strings.Join(running, ", "))
		if len(running) == 0 {
			res.OperationsSource = "control catalogue: every operation of " + opts.Standard
		}
	}
	ops := resolveOps(cat, opList)
	if len(ops) == 0 {
		res.Verdict = VerdictInsufficient
		res.Missing = append(res.Missing, fmt.Sprintf("no operation belongs to %s alone: there is nothing to check", opts.Standard))
		return res, nil
	}
	c, err := NewClassifier(opts.Rules)
	if err != nil {
		return nil, err
	}
	counts, err := countOps(ctx, db, c, opts.Actor, ops, opts.At, opts.Window)
	if err != nil {
		return nil, err
	}
	cover, err := readCoverage(ctx, db, opts.At, opts.Window)
	if err != nil {
		return nil, err
	}
	days := int(math.Ceil(opts.Window.Hours() / 24))
	need := (days + 1) / 2

	// locations the actor used these operations in, on either side
	locs := map[locKey]bool{}
	for _, m := range counts {
		for l := range m {
			locs[l] = true
		}
	}
	var locList []locKey
	for l := range locs {
		locList = append(locList, l)
	}
	sort.Slice(locList, func(i, j int) bool {
		if locList[i].account != locList[j].account {
			return locList[i].account < locList[j].account
		}
		return locList[i].region < locList[j].region
	})
	sufficient := true
	coveredDays := map[locKey][2]int{}
	for _, l := range locList {
		d := cover[l]
		cv := Coverage{Account: l.account, Region: l.region, Days: days, BeforeDays: d.covered(0), AfterDays: d.covered(1)}
		if d != nil {
			cv.BeforeDaysWithEvents, cv.AfterDaysWithEvents = len(d.events[0]), len(d.events[1])
			cv.BeforeDaysWithDigests, cv.AfterDaysWithDigests = len(d.digests[0]), len(d.digests[1])
		}
		cv.Sufficient = cv.BeforeDays >= need && cv.AfterDays >= need
		coveredDays[l] = [2]int{cv.BeforeDays, cv.AfterDays}
		for side, name := range []string{"before", "after"} {
			got := []int{cv.BeforeDays, cv.AfterDays}[side]
			if got >= need {
				continue
			}
			digests := []int{cv.BeforeDaysWithDigests, cv.AfterDaysWithDigests}[side]
			hint := "no CloudTrail-Digest files cover the gap either, so it cannot tell \"no calls\" from \"no logs\"; ingest the trail (with its CloudTrail-Digest files) for that period"
			if digests > 0 {
				hint = fmt.Sprintf("digests cover %d of those days", digests)
			}
			res.Missing = append(res.Missing, fmt.Sprintf("account %s %s: trail for only %d of the %d days %s %s (at least %d needed); %s",
				l.account, l.region, got, days, name, res.At.Format(time.RFC3339), need, hint))
		}
		if !cv.Sufficient {
			sufficient = false
		}
		res.Coverage = append(res.Coverage, cv)
	}

	for _, o := range ops {
		oc := OperationChange{Operation: o.op, EventSource: o.source, EventName: o.name, Locations: []LocationRate{}}
		for _, l := range locList {
			n := counts[o.op][l]
			if n == nil {
				continue
			}
			cd := coveredDays[l]
			lr := LocationRate{Account: l.account, Region: l.region, BeforeCalls: n[0], AfterCalls: n[1],
				BeforePerDay: perDay(n[0], cd[0]), AfterPerDay: perDay(n[1], cd[1])}
			oc.BeforeCalls += n[0]
			oc.AfterCalls += n[1]
			oc.BeforePerDay += lr.BeforePerDay
			oc.AfterPerDay += lr.AfterPerDay
			oc.Locations = append(oc.Locations, lr)
		}
		oc.Status = opStatus(oc.BeforePerDay, oc.AfterPerDay)
		res.BeforeCalls += oc.BeforeCalls
		res.AfterCalls += oc.AfterCalls
		res.BeforePerDay += oc.BeforePerDay
		res.AfterPerDay += oc.AfterPerDay
		res.Operations = append(res.Operations, oc)
	}
	sort.SliceStable(res.Operations, func(i, j int) bool {
		a, b := res.Operations[i], res.Operations[j]
		if a.AfterCalls != b.AfterCalls {
			return a.AfterCalls > b.AfterCalls
		}
		if a.BeforeCalls != b.BeforeCalls {
			return a.BeforeCalls > b.BeforeCalls
		}
		return a.Operation < b.Operation
	})

	switch {
	case res.BeforeCalls == 0:
		res.Verdict = VerdictInsufficient
		res.Missing = append(res.Missing, fmt.Sprintf("%s made no calls to the %d operations in the %g days before %s: nothing to see stop (was %s running, is the actor ID right, is that trail ingested?)",
			opts.Actor, len(ops), res.WindowDays, res.At.Format(time.RFC3339), opts.Standard))
	case !sufficient:
		res.Verdict = VerdictInsufficient
	case res.AfterCalls == 0:
		res.Verdict = VerdictStopped
		res.Reasons = append(res.Reasons, fmt.Sprintf("every one of the %d operations fell to zero calls after %s (%.1f calls a day before)",
			len(ops), res.At.Format(time.RFC3339), res.BeforePerDay))
	case res.AfterPerDay < reducedBelow*res.BeforePerDay:
		res.Verdict = VerdictReduced
		res.Reasons = append(res.Reasons, fmt.Sprintf("calls fell from %.1f to %.1f a day, but %s still went on", res.BeforePerDay, res.AfterPerDay, continuing(res.Operations)))
	default:
		res.Verdict = VerdictContinued
		res.Reasons = append(res.Reasons, fmt.Sprintf("calls went from %.1f to %.1f a day; %s went on after %s", res.BeforePerDay, res.AfterPerDay, continuing(res.Operations), res.At.Format(time.RFC3339)))
	}
	return res, nil
}

func continuing(ops []OperationChange) string {
	var names []string
	for _, o := range ops {
		if o.AfterCalls > 0 {
			names = append(names, o.Operation)
		}
	}
	if len(names) > 5 {
		return fmt.Sprintf("%s and %d more", strings.Join(names[:5], ", "), len(names)-5)
	}
	return strings.Join(names, ", ")
}

// Tables shows the verdict, the operations and the coverage.
func (r *StopResult) Tables() []output.Table {
	head := output.Table{KeyValue: true, Rows: [][]any{
		{"verdict", r.Verdict},
		{"actor", r.Actor},
		{"standard", r.Standard},
		{"at", r.At},
		{"operations", r.OperationsSource},
		{"calls per day", fmt.Sprintf("%.1f before, %.1f after", r.BeforePerDay, r.AfterPerDay)},
	}}
	for _, s := range r.Reasons {
		head.Rows = append(head.Rows, []any{"why", s})
	}
	for _, s := range r.Missing {
		head.Rows = append(head.Rows, []any{"missing", s})
	}
	ops := output.Table{Title: "Operations:", Columns: []string{"operation", "status", "before_calls", "after_calls", "before_per_day", "after_per_day"}}
	loc := output.Table{Title: "By account and region:", Columns: []string{"operation", "account", "region", "before_calls", "after_calls", "before_per_day", "after_per_day"}}
	for _, o := range r.Operations {
		ops.Rows = append(ops.Rows, []any{o.Operation, o.Status, o.BeforeCalls, o.AfterCalls, o.BeforePerDay, o.AfterPerDay})
		for _, l := range o.Locations {
			loc.Rows = append(loc.Rows, []any{o.Operation, l.Account, l.Region, l.BeforeCalls, l.AfterCalls, l.BeforePerDay, l.AfterPerDay})
		}
	}
	cov := output.Table{Title: "Trail coverage (days with events or digests, per side):", Columns: []string{"account", "region", "days", "before", "after", "before_digest_days", "after_digest_days", "sufficient"}}
	for _, c := range r.Coverage {
		cov.Rows = append(cov.Rows, []any{c.Account, c.Region, c.Days, c.BeforeDays, c.AfterDays, c.BeforeDaysWithDigests, c.AfterDaysWithDigests, c.Sufficient})
	}
	// the verdict comes last, where a terminal leaves it in view; CSV gets the operations
	return []output.Table{ops, loc, cov, head}
}

// DiffOptions configure VerifyDiff.
type DiffOptions struct {
	Rules  []Rule
	Actor  string
	At     time.Time
	Window time.Duration
}

// DiffResult shows how an actor's operations changed at a time.
type DiffResult struct {
	Actor        string            `json:"actor"`
	At           time.Time         `json:"at"`
	WindowDays   float64           `json:"window_days"`
	Before       Span              `json:"before"`
	After        Span              `json:"after"`
	BeforeDays   int               `json:"before_days"` // days with trail (any event or digest)
	AfterDays    int               `json:"after_days"`
	BeforeCalls  int64             `json:"before_calls"`
	AfterCalls   int64             `json:"after_calls"`
	BeforePerDay float64           `json:"before_per_day"`
	AfterPerDay  float64           `json:"after_per_day"`
	Added        []string          `json:"added"`
	Removed      []string          `json:"removed"`
	Operations   []OperationChange `json:"operations"`
}

// VerifyDiff compares the actor's operation set and volume before and after
// a time, with no reference to standards.
func VerifyDiff(ctx context.Context, db *sql.DB, opts DiffOptions) (*DiffResult, error) {
	if opts.Actor == "" || opts.At.IsZero() {
		return nil, fmt.Errorf("%w: verify diff needs --actor and --at", ErrBadOption)
	}
	if opts.Window <= 0 {
		opts.Window = DefaultVerifyWindow
	}
	c, err := NewClassifier(opts.Rules)
	if err != nil {
		return nil, err
	}
	res := &DiffResult{Actor: opts.Actor, At: opts.At.UTC(), WindowDays: opts.Window.Hours() / 24,
		Before: Span{opts.At.Add(-opts.Window).UTC(), opts.At.UTC()}, After: Span{opts.At.UTC(), opts.At.Add(opts.Window).UTC()},
		Added: []string{}, Removed: []string{}, Operations: []OperationChange{}}
	cover, err := readCoverage(ctx, db, opts.At, opts.Window)
	if err != nil {
		return nil, err
	}
	// days with any trail at all, across accounts and regions
	var all [2]map[int]bool
	for s := 0; s < 2; s++ {
		all[s] = map[int]bool{}
		for _, d := range cover {
			for day := range d.events[s] {
				all[s][day] = true
			}
			for day := range d.digests[s] {
				all[s][day] = true
			}
		}
	}
	res.BeforeDays, res.AfterDays = len(all[0]), len(all[1])

	a := &sqlArgs{}
	rel := c.classifiedSQL(a, Window{From: opts.At.Add(-opts.Window), Until: opts.At.Add(opts.Window)})
	q := fmt.Sprintf(`SELECT actor, operation, min(event_source), min(event_name),
		count(*) FILTER (WHERE event_time < %s), count(*) FILTER (WHERE event_time >= %s)
		FROM %s GROUP BY actor, operation`, a.add(opts.At), a.add(opts.At), rel)
	rows, err := db.QueryContext(ctx, q, a.vals...)
	if err != nil {
		return nil, fmt.Errorf("verify diff: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var o OperationChange
		var who string
		if err := rows.Scan(&who, &o.Operation, &o.EventSource, &o.EventName, &o.BeforeCalls, &o.AfterCalls); err != nil {
			return nil, err
		}
		if who != opts.Actor {
			continue
		}
		o.Locations = []LocationRate{}
		o.BeforePerDay, o.AfterPerDay = perDay(o.BeforeCalls, res.BeforeDays), perDay(o.AfterCalls, res.AfterDays)
		switch {
		case o.BeforeCalls == 0:
			o.Status = OpAdded
			res.Added = append(res.Added, o.Operation)
		case o.AfterCalls == 0:
			o.Status = OpRemoved
			res.Removed = append(res.Removed, o.Operation)
		case o.AfterPerDay > 1.2*o.BeforePerDay:
			o.Status = OpIncreased
		case o.AfterPerDay < 0.8*o.BeforePerDay:
			o.Status = OpDecreased
		default:
			o.Status = OpUnchanged
		}
		res.BeforeCalls += o.BeforeCalls
		res.AfterCalls += o.AfterCalls
		res.Operations = append(res.Operations, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	res.BeforePerDay, res.AfterPerDay = perDay(res.BeforeCalls, res.BeforeDays), perDay(res.AfterCalls, res.AfterDays)
	sort.Strings(res.Added)
	sort.Strings(res.Removed)
	sort.Slice(res.Operations, func(i, j int) bool {
		a, b := res.Operations[i], res.Operations[j]
		if a.Status != b.Status {
			return statusOrder[a.Status] < statusOrder[b.Status]
		}
		if a.BeforeCalls+a.AfterCalls != b.BeforeCalls+b.AfterCalls {
			return a.BeforeCalls+a.AfterCalls > b.BeforeCalls+b.AfterCalls
		}
		return a.Operation < b.Operation
	})
	return res, nil
}

var statusOrder = map[string]int{OpRemoved: 0, OpAdded: 1, OpDecreased: 2, OpIncreased: 3, OpUnchanged: 4}

// Tables shows the summary and the operations.
func (r *DiffResult) Tables() []output.Table {
	ops := output.Table{Columns: []string{"operation", "change", "before_calls", "after_calls", "before_per_day", "after_per_day"}}
	for _, o := range r.Operations {
		ops.Rows = append(ops.Rows, []any{o.Operation, o.Status, o.BeforeCalls, o.AfterCalls, o.BeforePerDay, o.AfterPerDay})
	}
	head := output.Table{KeyValue: true, Rows: [][]any{
		{"actor", r.Actor},
		{"at", r.At},
		{"calls", fmt.Sprintf("%d before, %d after", r.BeforeCalls, r.AfterCalls)},
		{"calls per day", fmt.Sprintf("%.1f before (%d days of trail), %.1f after (%d days)", r.BeforePerDay, r.BeforeDays, r.AfterPerDay, r.AfterDays)},
		{"operations added", len(r.Added)},
		{"operations removed", len(r.Removed)},
	}}
	return []output.Table{ops, head}
}
