package store

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain lets TestLockedByAnotherProcess run this binary as the process
// that holds the database.
func TestMain(m *testing.M) {
	if path := os.Getenv("FOOTPRINT_STORE_HOLDER"); path != "" {
		s, err := Open(context.Background(), path, Options{})
		if err != nil {
			os.Exit(1)
		}
		defer s.Close()
		os.Stdout.WriteString("open\n")
		time.Sleep(time.Minute)
		return
	}
	os.Exit(m.Run())
}

func TestOpenAppliesMigrations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "fp.duckdb")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v != latestVersion() || v < 2 {
		t.Fatalf("schema version %d, want %d", v, latestVersion())
	}
	var n int
	if err := s.DB.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != v {
		t.Fatalf("schema_migrations has %d rows (%v), want %d", n, err, v)
	}
	var tz string
	s.DB.QueryRow(`SELECT current_setting('TimeZone')`).Scan(&tz)
	if tz != "UTC" {
		t.Errorf("session time zone %q, want UTC", tz)
	}
	s.Close()

	// reopening applies nothing twice
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.DB.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n)
	if n != v {
		t.Errorf("after reopening, %d migration rows, want %d", n, v)
	}
	s.Close()

	ro, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.DB.Exec(`DELETE FROM events`); !errors.Is(ClassifyExec(err), ErrReadOnly) {
		t.Errorf("delete on a read-only store: %v, want ErrReadOnly", err)
	}
	if err := CheckReadOnly(ctx, ro, "DELETE FROM events"); !errors.Is(err, ErrNotQuery) {
		t.Errorf("CheckReadOnly(DELETE) = %v, want ErrNotQuery", err)
	}
	for _, q := range []string{"SELECT 1", "WITH x AS (SELECT 1) SELECT * FROM x", "DESCRIBE events", "EXPLAIN SELECT 1", "SUMMARIZE events"} {
		if err := CheckReadOnly(ctx, ro, q); err != nil {
			t.Errorf("CheckReadOnly(%q) = %v", q, err)
		}
	}
}

func TestOpenReadOnlyMissing(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "none.duckdb")
	_, err := Open(context.Background(), path, Options{ReadOnly: true})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err %v, want ErrNotFound", err)
	}
	if _, serr := os.Stat(path); serr == nil {
		t.Error("read-only open created the file")
	}
}

func TestLockedByAnotherProcess(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "fp.duckdb")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "FOOTPRINT_STORE_HOLDER="+path)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "open\n" {
		t.Fatalf("holder did not open the database: %q %v", line, err)
	}
	_, err = Open(context.Background(), path, Options{})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("err %v, want ErrLocked", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "in use by process") || !strings.Contains(msg, "--db") || strings.Contains(msg, "goroutine") {
		t.Errorf("message %q should name the holder and say what to do", msg)
	}
}

func TestMigrationsAreNumbered(t *testing.T) {
	t.Parallel()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if m.version != i+1 || m.sql == "" {
			t.Errorf("migration %d: %+v", i, m)
		}
	}
}
