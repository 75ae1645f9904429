package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestBar(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var b bytes.Buffer
	bar := New(&b, clock)
	start := now
	bar.Update(State{Done: 1, Total: 4, Bytes: 25e6, BytesTotal: 100e6, Count: 1000, Unit: "files", CountUnit: "events", Started: start.Add(-10 * time.Second)})
	first := b.String()
	for _, want := range []string{"\r[======", "1/4 files", "1000 events", "2.5 MB/s", "ETA 0:30"} {
		if !strings.Contains(first, want) {
			t.Errorf("%q does not contain %q", first, want)
		}
	}
	// throttled: a second update within the interval draws nothing
	bar.Update(State{Done: 2, Total: 4, Started: start})
	if b.String() != first {
		t.Errorf("redrawn within the interval: %q", b.String())
	}
	now = now.Add(time.Second)
	bar.Update(State{Done: 4, Total: 4, Bytes: 100e6, BytesTotal: 100e6, Unit: "files", Started: start})
	if !strings.Contains(b.String(), "4/4 files") {
		t.Errorf("final state not drawn: %q", b.String())
	}
	bar.Finish()
	if !strings.HasSuffix(b.String(), "\r") {
		t.Errorf("Finish did not clear the line: %q", b.String())
	}
}
