package analysis

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/footprint-dev/footprint/internal/output"
	"github.com/footprint-dev/footprint/scan/catalog"
)

// Verdicts of verify scan.
const (
	VerdictMatch    = "match"
	VerdictMismatch = "mismatch"
)

// ErrNoScan means the scan ID is not in the store.
var ErrNoScan = errors.New("no such scan")

// Defaults of verify scan.
const (
	// DefaultScanSlack widens the scan's time window when looking for events
	// under its session: clock skew, and eventTime being when AWS completed
	// the request.
	DefaultScanSlack = 15 * time.Minute
	// DefaultMatchTolerance is how far from a call's start an event may be to
	// match it when there is no request ID to go by.
	DefaultMatchTolerance = 2 * time.Minute
)

// ScanVerifyOptions configure VerifyScan.
type ScanVerifyOptions struct {
	ScanID    string
	Slack     time.Duration
	Tolerance time.Duration
}

// MissingCall is a manifest attempt the trail has no event for.
type MissingCall struct {
	Seq       int64     `json:"seq"`
	Attempt   int       `json:"attempt"` // 1-based
	Account   string    `json:"account"`
	Region    string    `json:"region"`
	Operation string    `json:"operation"`
	StartedAt time.Time `json:"started_at"`
	RequestID string    `json:"request_id"`
}

// UnexpectedEvent is a trail event under the scanner's session that the
// manifest does not know: someone or something else used the role.
type UnexpectedEvent struct {
	EventID     string    `json:"event_id"`
	EventTime   time.Time `json:"event_time"`
	Account     string    `json:"account"`
	Region      string    `json:"region"`
	Operation   string    `json:"operation"`
	RequestID   string    `json:"request_id"`
	Principal   string    `json:"principal"`
	AccessKeyID string    `json:"access_key_id"`
	SourceIP    string    `json:"source_ip"`
	UserAgent   string    `json:"user_agent"`
}

// ScanVerification is verify scan's answer.
type ScanVerification struct {
	ScanID             string `json:"scan_id"`
	Verdict            string `json:"verdict"`
	SessionName        string `json:"session_name"`
	Status             string `json:"status"`
	Window             Span   `json:"window"`
	ManifestCalls      int    `json:"manifest_calls"`
	ManifestAttempts   int    `json:"manifest_attempts"`
	MatchedByRequestID int    `json:"matched_by_request_id"`
	MatchedByFallback  int    `json:"matched_by_fallback"`
	SessionEvents      int    `json:"session_events"`
	// OtherScanEvents are events under the session that another footprint
	// scan or dry run recorded in its own manifest (by request ID): known,
	// so not unexpected.
	OtherScanEvents int               `json:"other_scan_events"`
	Missing         []MissingCall     `json:"missing"`
	Unexpected      []UnexpectedEvent `json:"unexpected"`
	Notes           []string          `json:"notes"`
}

type manifestAttempt struct {
	seq             int64
	attempt         int
	account, region string
	operation       string
	source, name    string
	start, end      time.Time
	requestID       string
	matched         bool
}

type trailEvent struct {
	id                      string
	t                       time.Time
	requestID               string
	account, region         string
	source, name, operation string
	session, roleARN, key   string
	principal, ip, ua       string
	underSession            bool
	matched                 bool
}

// VerifyScan matches a scan's call manifest with the trail.
func VerifyScan(ctx context.Context, db *sql.DB, opts ScanVerifyOptions) (*ScanVerification, error) {
	if opts.Slack <= 0 {
		opts.Slack = DefaultScanSlack
	}
	if opts.Tolerance <= 0 {
		opts.Tolerance = DefaultMatchTolerance
	}
	res := &ScanVerification{ScanID: opts.ScanID, Missing: []MissingCall{}, Unexpected: []UnexpectedEvent{}, Notes: []string{}}
	var started time.Time
	var finished sql.NullTime
	err := db.QueryRowContext(ctx, `SELECT started_at, finished_at, status, session_name FROM scans WHERE scan_id = $1`, opts.ScanID).
		Scan(&started, &finished, &res.Status, &res.SessionName)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrNoScan, opts.ScanID)
	}
	if err != nil {
		return nil, fmt.Errorf("read scan %s: %w", opts.ScanID, err)
	}
	roles, keys, err := scanTargets(ctx, db, opts.ScanID)
	if err != nil {
		return nil, err
	}
	attempts, last, err := manifestAttempts(ctx, db, opts.ScanID)
	if err != nil {
		return nil, err
	}
	end := started
	if finished.Valid {
		end = finished.Time
	}
	if last.After(end) {
		end = last
	}
	res.Window = Span{started.Add(-opts.Slack).UTC(), end.Add(opts.Slack).UTC()}
	if !finished.Valid {
		res.Notes = append(res.Notes, fmt.Sprintf("the scan has no finish time (status %s): its last call is taken as its end", res.Status))
	}
	events, err := scanWindowEvents(ctx, db, res.Window, res.SessionName, roles, keys, attempts)
	if err != nil {
		return nil, err
	}
	others, err := otherManifests(ctx, db, opts.ScanID, res.Window)
	if err != nil {
		return nil, err
	}

	// 1. request IDs: every attempt is its own request and its own event
	byRequest := map[string][]*trailEvent{}
	for _, e := range events {
		if e.requestID != "" {
			byRequest[e.requestID] = append(byRequest[e.requestID], e)
		}
	}
	seqs := map[int64]bool{}
	for _, a := range attempts {
		seqs[a.seq] = true
		if a.requestID == "" {
			continue
		}
		for _, e := range byRequest[a.requestID] {
			if !e.matched && (a.account == "" || e.account == "" || e.account == a.account) {
				e.matched, a.matched = true, true
				res.MatchedByRequestID++
				break
			}
		}
	}
	// 2. fallback: same session, operation, account and region, nearest in time
	for _, a := range attempts {
		if a.matched {
			continue
		}
		var best *trailEvent
		var bestGap time.Duration
		for _, e := range events {
			if e.matched || !e.underSession || e.source != a.source || e.name != a.name {
				continue
			}
			if a.account != "" && e.account != a.account {
				continue
			}
			if a.region != "" && e.region != a.region && !(isGlobalSource(e.source) && e.region == "us-east-1") {
				continue
			}
			if e.t.Before(a.start.Add(-opts.Tolerance)) || e.t.After(a.end.Add(opts.Tolerance)) {
				continue
			}
			gap := e.t.Sub(a.start)
			if gap < 0 {
				gap = -gap
			}
			if best == nil || gap < bestGap || (gap == bestGap && e.id < best.id) {
				best, bestGap = e, gap
			}
		}
		if best != nil {
			best.matched, a.matched = true, true
			res.MatchedByFallback++
		}
	}
	res.ManifestCalls = len(seqs)
	res.ManifestAttempts = len(attempts)
	for _, a := range attempts {
		if !a.matched {
			res.Missing = append(res.Missing, MissingCall{Seq: a.seq, Attempt: a.attempt, Account: a.account, Region: a.region,
				Operation: a.operation, StartedAt: a.start.UTC(), RequestID: a.requestID})
		}
	}
	for _, e := range events {
		if e.underSession {
			res.SessionEvents++
			if !e.matched && e.requestID != "" && others[e.requestID] {
				res.OtherScanEvents++
				continue
			}
			if !e.matched {
				res.Unexpected = append(res.Unexpected, UnexpectedEvent{EventID: e.id, EventTime: e.t.UTC(), Account: e.account,
					Region: e.region, Operation: e.operation, RequestID: e.requestID, Principal: e.principal,
					AccessKeyID: e.key, SourceIP: e.ip, UserAgent: e.ua})
			}
		}
	}
	sort.Slice(res.Unexpected, func(i, j int) bool {
		if !res.Unexpected[i].EventTime.Equal(res.Unexpected[j].EventTime) {
			return res.Unexpected[i].EventTime.Before(res.Unexpected[j].EventTime)
		}
		return res.Unexpected[i].EventID < res.Unexpected[j].EventID
	})
	res.Verdict = VerdictMatch
	if len(res.Missing) > 0 || len(res.Unexpected) > 0 {
		res.Verdict = VerdictMismatch
	}
	if len(res.Missing) > 0 {
		var lastEvent sql.NullTime
		if err := db.QueryRowContext(ctx, `SELECT max(event_time) FROM events`).Scan(&lastEvent); err != nil {
			return nil, err
		}
		if !lastEvent.Valid || lastEvent.Time.Before(end) {
			res.Notes = append(res.Notes, "the stored trail ends before the scan did: ingest the CloudTrail delivered after it (files arrive up to ~15 minutes late) before judging missing calls")
		}
	}
	if res.OtherScanEvents > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d event(s) under the session belong to other footprint scans or dry runs (their manifests have the request IDs)", res.OtherScanEvents))
	}
	if len(res.Unexpected) > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d event(s) ran under the scanner's session without being in its manifest: someone or something else used the role (a security finding)", len(res.Unexpected)))
	}
	return res, nil
}

// otherManifests returns the request IDs of every attempt that other scans
// (and dry runs) near the window recorded.
func otherManifests(ctx context.Context, db *sql.DB, id string, w Span) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT r FROM (
			SELECT unnest(coalesce(attempt_request_ids, [request_id])) AS r FROM scan_calls
			WHERE scan_id <> $1 AND started_at >= $2 - INTERVAL 1 DAY AND started_at < $3 + INTERVAL 1 DAY)
		WHERE r IS NOT NULL AND r <> ''`, id, w.From, w.Until)
	if err != nil {
		return nil, fmt.Errorf("read other scans' calls: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, err
		}
		out[r] = true
	}
	return out, rows.Err()
}

func isGlobalSource(src string) bool {
	for _, g := range globalSources {
		if g == src {
			return true
		}
	}
	return false
}

func scanTargets(ctx context.Context, db *sql.DB, id string) (roles, keys map[string]bool, err error) {
	rows, err := db.QueryContext(ctx, `SELECT coalesce(role_arn, ''), coalesce(access_key_id, '') FROM scan_targets WHERE scan_id = $1`, id)
	if err != nil {
		return nil, nil, fmt.Errorf("read scan targets: %w", err)
	}
	defer rows.Close()
	roles, keys = map[string]bool{}, map[string]bool{}
	for rows.Next() {
		var r, k string
		if err := rows.Scan(&r, &k); err != nil {
			return nil, nil, err
		}
		if r != "" {
			roles[r] = true
		}
		if k != "" {
			keys[k] = true
		}
	}
	return roles, keys, rows.Err()
}

func manifestAttempts(ctx context.Context, db *sql.DB, id string) ([]*manifestAttempt, time.Time, error) {
	cat, err := catalog.Load()
	if err != nil {
		return nil, time.Time{}, err
	}
	rows, err := db.QueryContext(ctx, `SELECT seq, coalesce(account_id, ''), coalesce(region, ''), service, operation,
		coalesce(event_source, ''), coalesce(event_name, ''), started_at, coalesce(duration_ms, 0), coalesce(request_id, ''),
		coalesce(array_to_string(attempt_request_ids, ' '), ''), attempts
		FROM scan_calls WHERE scan_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("read scan calls: %w", err)
	}
	defer rows.Close()
	var out []*manifestAttempt
	var last time.Time
	for rows.Next() {
		var seq int64
		var acct, region, svc, op, src, name, reqID, ids string
		var start time.Time
		var ms float64
		var n int
		if err := rows.Scan(&seq, &acct, &region, &svc, &op, &src, &name, &start, &ms, &reqID, &ids, &n); err != nil {
			return nil, time.Time{}, err
		}
		full := svc + ":" + op
		if src == "" || name == "" {
			r := resolveOps(cat, []string{full})[0]
			src, name = r.source, r.name
		}
		end := start.Add(time.Duration(ms * float64(time.Millisecond)))
		if end.After(last) {
			last = end
		}
		// every attempt is a request; without their IDs, the last one's
		reqs := strings.Fields(ids)
		if len(reqs) == 0 {
			if n < 1 {
				n = 1
			}
			reqs = make([]string, n)
			reqs[n-1] = reqID
		}
		for i, r := range reqs {
			out = append(out, &manifestAttempt{seq: seq, attempt: i + 1, account: acct, region: region, operation: full,
				source: src, name: name, start: start, end: end, requestID: r})
		}
	}
	return out, last, rows.Err()
}

func scanWindowEvents(ctx context.Context, db *sql.DB, w Span, session string, roles, keys map[string]bool, attempts []*manifestAttempt) ([]*trailEvent, error) {
	want := map[string]bool{}
	for _, a := range attempts {
		if a.requestID != "" {
			want[a.requestID] = true
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT event_id, event_time, coalesce(request_id, ''), coalesce(recipient_account_id, account_id, ''),
		coalesce(aws_region, ''), coalesce(event_source, ''), coalesce(event_name, ''), `+operationSQL+`, coalesce(session_name, ''),
		coalesce(session_issuer_arn, ''), coalesce(access_key_id, ''), coalesce(principal_arn, ''), coalesce(source_ip_address, ''),
		coalesce(user_agent, '')
		FROM events WHERE event_time >= $1 AND event_time < $2 ORDER BY event_time, event_id`, w.From, w.Until)
	if err != nil {
		return nil, fmt.Errorf("read events of the scan window: %w", err)
	}
	defer rows.Close()
	var out []*trailEvent
	for rows.Next() {
		e := &trailEvent{}
		if err := rows.Scan(&e.id, &e.t, &e.requestID, &e.account, &e.region, &e.source, &e.name, &e.operation, &e.session,
			&e.roleARN, &e.key, &e.principal, &e.ip, &e.ua); err != nil {
			return nil, err
		}
		// under the scanner's session: its session name, on one of its roles
		// or credentials (any role, when the scan recorded no targets)
		e.underSession = e.session == session && (len(roles)+len(keys) == 0 || roles[e.roleARN] || keys[e.key])
		if e.underSession || want[e.requestID] {
			out = append(out, e)
		}
	}
	return out, rows.Err()
}

// Tables shows the verdict, the missing calls and the unexpected events.
func (r *ScanVerification) Tables() []output.Table {
	head := output.Table{KeyValue: true, Rows: [][]any{
		{"verdict", r.Verdict},
		{"scan", r.ScanID},
		{"session", r.SessionName},
		{"window", fmt.Sprintf("%s .. %s", output.Cell(r.Window.From, true), output.Cell(r.Window.Until, true))},
		{"manifest", fmt.Sprintf("%d calls, %d attempts", r.ManifestCalls, r.ManifestAttempts)},
		{"matched", fmt.Sprintf("%d by request ID, %d by session, operation, region and time", r.MatchedByRequestID, r.MatchedByFallback)},
		{"missing from the trail", len(r.Missing)},
		{"unknown to the manifest", len(r.Unexpected)},
	}}
	for _, n := range r.Notes {
		head.Rows = append(head.Rows, []any{"note", n})
	}
	tables := []output.Table{head}
	if len(r.Missing) > 0 {
		t := output.Table{Title: "Manifest calls missing from the trail:", Columns: []string{"seq", "attempt", "account", "region", "operation", "started_at", "request_id"}}
		for _, m := range r.Missing {
			t.Rows = append(t.Rows, []any{m.Seq, m.Attempt, m.Account, m.Region, m.Operation, m.StartedAt, m.RequestID})
		}
		tables = append(tables, t)
	}
	if len(r.Unexpected) > 0 {
		t := output.Table{Title: "Trail calls under the scanner's session that the manifest does not know:", Columns: []string{"event_time", "account", "region", "operation", "source_ip", "access_key_id", "user_agent", "event_id"}}
		for _, u := range r.Unexpected {
			t.Rows = append(t.Rows, []any{u.EventTime, u.Account, u.Region, u.Operation, u.SourceIP, u.AccessKeyID, u.UserAgent, u.EventID})
		}
		tables = append(tables, t)
	}
	return tables
}
