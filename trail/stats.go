package trail

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Stats describes what the database holds.
type Stats struct {
	Events            int64      `json:"events"`
	EventBytes        int64      `json:"event_bytes"`
	Files             int64      `json:"files"`
	DigestFiles       int64      `json:"digest_files"`
	QuarantinedInputs int64      `json:"quarantined_inputs"`
	FirstEventTime    *time.Time `json:"first_event_time"`
	LastEventTime     *time.Time `json:"last_event_time"`
	Accounts          []Count    `json:"accounts"`
	Regions           []Count    `json:"regions"`
	TopSources        []Count    `json:"top_sources"`
}

// Count is a name with its number of events.
type Count struct {
	Name   string `json:"name"`
	Events int64  `json:"events"`
}

// ReadStats summarises the store. topN bounds the list of event sources.
func ReadStats(ctx context.Context, db *sql.DB, topN int) (*Stats, error) {
	s := &Stats{}
	var first, last sql.NullTime
	err := db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(size_bytes), 0), min(event_time), max(event_time) FROM events`).
		Scan(&s.Events, &s.EventBytes, &first, &last)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	if first.Valid {
		f, l := first.Time.UTC(), last.Time.UTC()
		s.FirstEventTime, s.LastEventTime = &f, &l
	}
	err = db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE status = 'ingested'), count(*) FILTER (WHERE status = 'digest') FROM files`).
		Scan(&s.Files, &s.DigestFiles)
	if err != nil {
		return nil, fmt.Errorf("read files: %w", err)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(DISTINCT path) FROM quarantine`).Scan(&s.QuarantinedInputs); err != nil {
		return nil, fmt.Errorf("read quarantine: %w", err)
	}
	if s.Accounts, err = counts(ctx, db, `SELECT coalesce(recipient_account_id, '(none)'), count(*) FROM events GROUP BY ALL ORDER BY 2 DESC, 1`); err != nil {
		return nil, err
	}
	if s.Regions, err = counts(ctx, db, `SELECT coalesce(aws_region, '(none)'), count(*) FROM events GROUP BY ALL ORDER BY 2 DESC, 1`); err != nil {
		return nil, err
	}
	if s.TopSources, err = counts(ctx, db, `SELECT event_source, count(*) FROM events GROUP BY ALL ORDER BY 2 DESC, 1 LIMIT ?`, topN); err != nil {
		return nil, err
	}
	return s, nil
}

func counts(ctx context.Context, db *sql.DB, q string, args ...any) ([]Count, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read stats: %w", err)
	}
	defer rows.Close()
	out := []Count{}
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Name, &c.Events); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
