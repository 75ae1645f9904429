package analysis

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/footprint-dev/footprint/internal/output"
)

// ErrBadOption means an option value is not one the function accepts.
var ErrBadOption = errors.New("bad option")

// Groupings lists the --by values of attribute, in help order.
var Groupings = []string{"actor", "principal", "session", "operation", "region", "account", "day", "hour"}

// groupSQL is the SQL expression of each grouping over the classified relation.
var groupSQL = map[string]string{
	"actor":     "actor",
	"principal": "coalesce(principal_arn, CASE WHEN invoked_by <> '' THEN 'service:' || invoked_by END, '(none)')",
	"session":   "coalesce(session_name, '(no session)')",
	"operation": "operation",
	"region":    "coalesce(aws_region, '(none)')",
	"account":   "coalesce(recipient_account_id, account_id, '(none)')",
	"day":       "strftime(event_time, '%Y-%m-%d')",
	"hour":      "strftime(event_time, '%Y-%m-%dT%H:00Z')",
}

// throttleCodes are the error codes AWS services use for throttling.
var throttleCodes = []string{"ThrottlingException", "Throttling", "ThrottledException", "RequestLimitExceeded",
	"TooManyRequestsException", "RequestThrottled", "RequestThrottledException", "SlowDown",
	"ProvisionedThroughputExceededException", "Client.RequestLimitExceeded", "PriorRequestNotComplete"}

func throttleSQL(col string) string {
	q := make([]string, len(throttleCodes))
	for i, c := range throttleCodes {
		q[i] = "'" + c + "'"
	}
	return fmt.Sprintf("%s IN (%s)", col, strings.Join(q, ", "))
}

// AttributeOptions configure Attribute.
type AttributeOptions struct {
	Rules  []Rule
	By     string // one of Groupings
	Actor  string // only this actor's events, when set
	Window Window
}

// AttributionRow is one group's activity.
type AttributionRow struct {
	Key                string    `json:"-"`
	Events             int64     `json:"events"`
	ReadEvents         int64     `json:"read_events"`
	WriteEvents        int64     `json:"write_events"`
	ErrorEvents        int64     `json:"error_events"`
	ThrottledEvents    int64     `json:"throttled_events"`
	DistinctOperations int64     `json:"distinct_operations"`
	FirstSeen          time.Time `json:"first_seen"`
	LastSeen           time.Time `json:"last_seen"`
	Bytes              int64     `json:"bytes"`
}

// Attribution is attribute's result: rows sorted by events, most first.
type Attribution struct {
	By     string
	Window Window
	Rows   []AttributionRow
	// Total is the number of events in the window (after --actor), which the
	// rows always add up to.
	Total int64
}

// Attribute groups the events in the window by one dimension.
func Attribute(ctx context.Context, db *sql.DB, opts AttributeOptions) (*Attribution, error) {
	key, ok := groupSQL[opts.By]
	if !ok {
		return nil, fmt.Errorf("%w: --by %q: use %s", ErrBadOption, opts.By, strings.Join(Groupings, ", "))
	}
	c, err := NewClassifier(opts.Rules)
	if err != nil {
		return nil, err
	}
	a := &sqlArgs{}
	rel := c.classifiedSQL(a, opts.Window)
	// The actor filter is applied in Go: a SQL filter on the classified
	// actor makes DuckDB evaluate the rules outside the CASE's short-circuit,
	// several times slower than grouping by it.
	actorCol := "''"
	if opts.Actor != "" {
		actorCol = "actor"
	}
	q := fmt.Sprintf(`SELECT %s AS a, %s AS k, count(*) AS events,
		count(*) FILTER (WHERE read_only) AS read_events,
		count(*) FILTER (WHERE NOT read_only) AS write_events,
		count(*) FILTER (WHERE error_code IS NOT NULL) AS error_events,
		count(*) FILTER (WHERE %s) AS throttled_events,
		count(DISTINCT operation) AS distinct_operations,
		min(event_time), max(event_time), coalesce(sum(size_bytes), 0)::BIGINT AS bytes
	FROM %s
	GROUP BY ALL ORDER BY events DESC, k`, actorCol, key, throttleSQL("error_code"), rel)
	rows, err := db.QueryContext(ctx, q, a.vals...)
	if err != nil {
		return nil, fmt.Errorf("attribute by %s: %w", opts.By, err)
	}
	defer rows.Close()
	res := &Attribution{By: opts.By, Window: opts.Window, Rows: []AttributionRow{}}
	for rows.Next() {
		var r AttributionRow
		var actor string
		if err := rows.Scan(&actor, &r.Key, &r.Events, &r.ReadEvents, &r.WriteEvents, &r.ErrorEvents, &r.ThrottledEvents,
			&r.DistinctOperations, &r.FirstSeen, &r.LastSeen, &r.Bytes); err != nil {
			return nil, err
		}
		if opts.Actor != "" && actor != opts.Actor {
			continue
		}
		r.FirstSeen, r.LastSeen = r.FirstSeen.UTC(), r.LastSeen.UTC()
		res.Total += r.Events
		res.Rows = append(res.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return res, nil
}

// MarshalJSON writes the rows as an array of objects, the grouping key under
// its own name (actor, principal, ...) first.
func (a *Attribution) MarshalJSON() ([]byte, error) {
	out := make([]json.RawMessage, 0, len(a.Rows))
	for _, r := range a.Rows {
		b, err := keyedJSON(a.By, r.Key, r)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return json.Marshal(out)
}

// keyedJSON encodes v (a struct) with "name": key as its first member.
func keyedJSON(name, key string, v any) (json.RawMessage, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	k, _ := json.Marshal(name)
	val, _ := json.Marshal(key)
	var b strings.Builder
	b.WriteByte('{')
	b.Write(k)
	b.WriteByte(':')
	b.Write(val)
	if len(body) > 2 {
		b.WriteByte(',')
		b.Write(body[1:])
	} else {
		b.WriteByte('}')
	}
	return json.RawMessage(b.String()), nil
}

// Tables shows the rows, then the total.
func (a *Attribution) Tables() []output.Table {
	// Cells stay raw numbers so CSV is machine-readable; the table rounds.
	t := output.Table{Columns: []string{a.By, "events", "share_pct", "read", "write", "errors", "throttled", "operations", "first_seen", "last_seen", "bytes"}}
	for _, r := range a.Rows {
		share := 0.0
		if a.Total > 0 {
			share = 100 * float64(r.Events) / float64(a.Total)
		}
		t.Rows = append(t.Rows, []any{r.Key, r.Events, share, r.ReadEvents, r.WriteEvents, r.ErrorEvents,
			r.ThrottledEvents, r.DistinctOperations, r.FirstSeen, r.LastSeen, r.Bytes})
	}
	total := output.Table{KeyValue: true, Rows: [][]any{{"total events", output.Count(a.Total)}, {"groups", len(a.Rows)}}}
	return []output.Table{t, total}
}
