package trail

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// countSink counts rows and checks every record the decoder hands over.
type countSink struct {
	t       testing.TB
	rows    int64
	bytes   int64
	digests int
}

func (s *countSink) row(r *row) error {
	s.rows++
	s.bytes += int64(r.size)
	rec := r.str(sRecord)
	if !json.Valid([]byte(rec)) {
		s.t.Fatalf("decoder produced invalid JSON: %.200q", rec)
	}
	if int(r.size) != len(rec) || r.eventID() == "" || r.micros == 0 {
		s.t.Fatalf("incomplete row: size %d len %d id %q time %v", r.size, len(rec), r.eventID(), r.when())
	}
	return nil
}

func (s *countSink) digest(*Digest) error { s.digests++; return nil }

func FuzzDecode(f *testing.F) {
	seeds := [][]byte{
		records(rec("a", ""), rec("b", "")),
		[]byte(rec("c", "") + "\n" + rec("d", "") + "\n"),
		[]byte(`{"Events":[{"CloudTrailEvent":` + mustJSON(rec("e", "")) + `}]}`),
		[]byte("[" + rec("f", "") + "]"),
		[]byte(`{"awsAccountId":"1","digestStartTime":"2026-01-01T00:00:00Z","digestEndTime":"2026-01-01T01:00:00Z","logFiles":[]}`),
		gz(f, records(rec("g", ""))),
		[]byte(`{"Records":[{"eventSource":"a","eventName":"b","eventTime":"2026-01-01T00:00:00Z"}],"x":[1,{"y":"]}"}]}`),
		[]byte(`{"Records":[`),
		[]byte(`{"a":1}`),
		[]byte("\xef\xbb\xbf" + rec("h", "")),
		{},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &countSink{t: t}
		d := &decoder{out: s}
		err := d.decode(bytes.NewReader(data))
		var bi *badInput
		if err != nil && !errors.As(err, &bi) {
			t.Fatalf("decode returned %T %v, want nil or *badInput", err, err)
		}
		if err != nil && bi.reason == "" {
			t.Fatal("quarantine reason is empty")
		}
		if err == nil && s.rows == 0 && s.digests == 0 {
			t.Fatal("decode succeeded without records or a digest")
		}
		if s.rows != d.records {
			t.Fatalf("sink saw %d rows, decoder counted %d", s.rows, d.records)
		}
	})
}

func mustJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// hugeRecords streams {"Records":[...]} of n copies of one record without
// ever holding more than one record.
type hugeRecords struct {
	rec     []byte
	n, i    int
	pending []byte
}

func (h *hugeRecords) Read(p []byte) (int, error) {
	for len(h.pending) == 0 {
		switch {
		case h.i == 0 && h.n > 0:
			h.pending = append([]byte(`{"Records":[`), h.rec...)
		case h.i < h.n:
			h.pending = append([]byte{','}, h.rec...)
		case h.i == h.n:
			h.pending = []byte("]}")
		default:
			return 0, io.EOF
		}
		h.i++
	}
	n := copy(p, h.pending)
	h.pending = h.pending[n:]
	return n, nil
}

// TestDecodeStreamsHugeFiles: a Records array far larger than memory needs
// is decoded with a heap bounded by one record, not by the file.
func TestDecodeStreamsHugeFiles(t *testing.T) {
	t.Parallel()
	one := []byte(rec("same-id", `"requestParameters":{"pad":"`+strings.Repeat("p", 4000)+`"}`))
	n := 100_000 // ~420 MB of JSON
	if testing.Short() {
		n = 10_000
	}
	s := &countSink{t: t}
	d := &decoder{out: s}
	var peak uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		var ms runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak {
				peak = ms.HeapInuse
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	if err := d.decode(&hugeRecords{rec: one, n: n}); err != nil {
		t.Fatal(err)
	}
	close(done)
	<-stopped
	if s.rows != int64(n) {
		t.Fatalf("decoded %d records, want %d", s.rows, n)
	}
	total := int64(n) * int64(len(one))
	if peak > 64<<20 {
		t.Errorf("heap in use peaked at %d MB while decoding %d MB: not streaming", peak>>20, total>>20)
	}
	t.Logf("decoded %d MB with a peak heap of %d MB", total>>20, peak>>20)
}
