// Package when parses the times people type on the command line.
package when

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Parse reads an absolute or relative time, always resolved to UTC:
//
//	2026-11-29T10:00:00Z   RFC 3339 (any offset)
//	2026-11-29T10:00       date and time, UTC
//	2026-11-29             midnight UTC
//	7d, 36h, 90m           that long before now
func Parse(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if d, err := ParseDuration(s); err == nil {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("cannot read time %q: use 2026-11-29, 2026-11-29T10:00:00Z, or a duration ago such as 7d or 12h", s)
}

// ParseDuration reads a duration that may use days: 7d, 1d12h, 90m, 4h.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	var total time.Duration
	rest := s
	if i := strings.IndexByte(rest, 'd'); i > 0 {
		days, err := strconv.Atoi(rest[:i])
		if err != nil {
			return 0, fmt.Errorf("cannot read duration %q", s)
		}
		total = time.Duration(days) * 24 * time.Hour
		rest = rest[i+1:]
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil {
			return 0, fmt.Errorf("cannot read duration %q: use forms like 7d, 12h, 30m", s)
		}
		total += d
	}
	if total < 0 {
		return 0, fmt.Errorf("duration %q is negative", s)
	}
	return total, nil
}
