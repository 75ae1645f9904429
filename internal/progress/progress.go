// Package progress draws a one-line progress bar on a terminal. It is only
// ever given stderr, and only when stderr is a terminal and --quiet is off.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Bar redraws a single status line at most every interval.
type Bar struct {
	mu       sync.Mutex
	w        io.Writer
	now      func() time.Time
	interval time.Duration
	last     time.Time
	width    int // of the previous line, to blank it
}

// New returns a bar writing to w.
func New(w io.Writer, now func() time.Time) *Bar {
	return &Bar{w: w, now: now, interval: 100 * time.Millisecond}
}

// State is what the bar shows.
type State struct {
	Done, Total       int   // units of work (files)
	Bytes, BytesTotal int64 // input bytes
	Count             int64 // items produced (events)
	Unit, CountUnit   string
	Started           time.Time
}

// Update redraws the line if the last draw is older than the interval.
func (b *Bar) Update(s State) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if now.Sub(b.last) < b.interval && s.Done < s.Total {
		return
	}
	b.last = now
	b.draw(s, now)
}

// Finish clears the line.
func (b *Bar) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.width > 0 {
		fmt.Fprintf(b.w, "\r%s\r", strings.Repeat(" ", b.width))
		b.width = 0
	}
}

func (b *Bar) draw(s State, now time.Time) {
	const cells = 24
	frac := 0.0
	switch {
	case s.BytesTotal > 0:
		frac = float64(s.Bytes) / float64(s.BytesTotal)
	case s.Total > 0:
		frac = float64(s.Done) / float64(s.Total)
	}
	if frac > 1 {
		frac = 1
	}
	filled := int(frac * cells)
	elapsed := now.Sub(s.Started).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(s.Bytes) / 1e6 / elapsed
	}
	eta := "--:--"
	if frac > 0.01 && frac < 1 {
		eta = clock(time.Duration(elapsed * (1 - frac) / frac * float64(time.Second)))
	}
	line := fmt.Sprintf("[%s%s] %d/%d %s  %d %s  %.1f MB/s  ETA %s",
		strings.Repeat("=", filled), strings.Repeat(" ", cells-filled),
		s.Done, s.Total, s.Unit, s.Count, s.CountUnit, rate, eta)
	pad := ""
	if n := b.width - len(line); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	fmt.Fprintf(b.w, "\r%s%s", line, pad)
	b.width = len(line)
}

func clock(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}
