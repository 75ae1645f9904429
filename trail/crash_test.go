package trail

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/footprint-dev/footprint/internal/store"
	"github.com/footprint-dev/footprint/internal/synth"
)

// TestMain lets the crash test re-run this test binary as a real ingest
// process that it can kill.
func TestMain(m *testing.M) {
	if db := os.Getenv("FOOTPRINT_CRASH_CHILD_DB"); db != "" {
		os.Exit(crashChild(db))
	}
	os.Exit(m.Run())
}

func crashChild(db string) int {
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{MemoryLimit: "256MB"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer st.Close()
	batch, _ := strconv.Atoi(os.Getenv("FOOTPRINT_CRASH_CHILD_BATCH"))
	_, err = Ingest(ctx, st, IngestOptions{Paths: strings.Split(os.Getenv("FOOTPRINT_CRASH_CHILD_PATHS"), string(os.PathListSeparator)), BatchRows: batch, Now: testNow})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestIngestSurvivesKills kills a real ingest process at random moments,
// more than twenty times, re-running it each time, and checks the database
// ends exactly as one uninterrupted run leaves it.
func TestIngestSurvivesKills(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes for tens of seconds")
	}
	corpus := t.TempDir()
	if _, err := synth.Write(corpus, synth.Options{Seed: 11, Events: 60_000, Days: 1}); err != nil {
		t.Fatal(err)
	}
	// the same events again under other names, a file larger than a batch,
	// and broken files, so every path of the loader can be cut short
	extra := t.TempDir()
	var big []string
	for i := 0; i < 5000; i++ {
		big = append(big, rec(fmt.Sprintf("big-%05d", i), ""))
	}
	files := map[string][]byte{
		"big.json":            records(big...),
		"big-broken.json":     []byte(strings.TrimSuffix(string(records(big[:4000]...)), "]}") + `,{"eventName`),
		"broken.json.gz":      gz(t, records(rec("z1", "")))[:30],
		"not-cloudtrail.json": []byte(`{"hello":"world"}`),
	}
	n := 0
	filepath.WalkDir(filepath.Join(corpus, "AWSLogs"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && n < 40 && strings.Contains(p, "eu-west-1") {
			b, _ := os.ReadFile(p)
			files[fmt.Sprintf("copies/%02d.json", n)] = gunzip(t, b)
			n++
		}
		return nil
	})
	for name, b := range files {
		p := filepath.Join(extra, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, b, 0o644)
	}
	paths := corpus + string(os.PathListSeparator) + extra

	run := func(db string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "FOOTPRINT_CRASH_CHILD_DB="+db, "FOOTPRINT_CRASH_CHILD_PATHS="+paths,
			"FOOTPRINT_CRASH_CHILD_BATCH=2000")
		cmd.Stderr = os.Stderr
		return cmd
	}
	ref := filepath.Join(t.TempDir(), "ref.duckdb")
	start := time.Now()
	if err := run(ref).Run(); err != nil {
		t.Fatalf("reference ingest: %v", err)
	}
	full := time.Since(start)

	crashed := filepath.Join(t.TempDir(), "crashed.duckdb")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	kills, runs := 0, 0
	for kills < 24 && runs < 80 {
		runs++
		cmd := run(crashed)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		// kill anywhere from start-up to well into the work
		wait := time.Duration(rng.Int64N(int64(full)/3 + int64(50*time.Millisecond)))
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run %d failed on its own: %v", runs, err)
			}
			t.Logf("run %d finished before its kill at %v", runs, wait)
			// finished: start over on a fresh database so kills keep landing mid-run
			if kills < 24 {
				os.Remove(crashed)
				os.Remove(crashed + ".wal")
			}
			continue
		case <-time.After(wait):
		}
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
		kills++
	}
	if kills < 20 {
		t.Fatalf("only %d kills landed mid-run in %d runs", kills, runs)
	}
	if err := run(crashed).Run(); err != nil {
		t.Fatalf("final ingest after %d kills: %v", kills, err)
	}
	want, got := dbSnapshot(t, ref), dbSnapshot(t, crashed)
	if len(want.Events) < 60_000 {
		t.Fatalf("reference holds %d events", len(want.Events))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("after %d kills the database differs from an uninterrupted run (-want +got):\n%.3000s", kills, diff)
	}
	t.Logf("%d kills in %d runs; uninterrupted run took %v", kills, runs, full)
}

func dbSnapshot(t *testing.T, path string) snapshot {
	t.Helper()
	st, err := store.Open(context.Background(), path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	return readSnapshot(t, func(q string) []string {
		rows, err := st.DB.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	})
}
