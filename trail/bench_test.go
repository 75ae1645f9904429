package trail

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/footprint-dev/footprint/internal/store"
	"github.com/footprint-dev/footprint/internal/synth"
)

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// benchCorpus generates the synthetic corpus once per process. Its size is
// FOOTPRINT_BENCH_EVENTS (default 100,000); scripts/bench-ingest.sh runs the
// whole-process comparison at a million events and more.
func benchCorpus(b *testing.B) (string, int) {
	n := 100_000
	if v := os.Getenv("FOOTPRINT_BENCH_EVENTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatalf("FOOTPRINT_BENCH_EVENTS: %v", err)
		}
	}
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "footprint-bench-")
		if benchErr == nil {
			_, benchErr = synth.Write(benchDir, synth.Options{Seed: 1, Days: 2, Events: n})
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDir, n
}

func BenchmarkIngest(b *testing.B) {
	dir, n := benchCorpus(b)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		db := filepath.Join(b.TempDir(), "bench.duckdb")
		st, err := store.Open(ctx, db, store.Options{MemoryLimit: "512MB"})
		if err != nil {
			b.Fatal(err)
		}
		sum, err := Ingest(ctx, st, IngestOptions{Paths: []string{dir}})
		if err != nil {
			b.Fatal(err)
		}
		if sum.NewEvents != int64(n) {
			b.Fatalf("ingested %d events, want %d", sum.NewEvents, n)
		}
		st.Close()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
