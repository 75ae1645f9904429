package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs footprint with args and returns exit code, stdout, stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func sampleDir(parts ...string) string {
	return filepath.Join(append([]string{"..", "testdata", "cloudtrail"}, parts...)...)
}

func TestTrailIngestCommand(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "fp.duckdb")

	code, out, errOut := runCLI(t, "--db", db, "--format", "json", "trail", "ingest", sampleDir("invictus-ir-aws_dataset"))
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	var sum struct {
		NewEvents       int64 `json:"new_events"`
		DuplicateEvents int64 `json:"duplicate_events"`
		IngestedFiles   int   `json:"ingested_files"`
		Quarantined     []any `json:"quarantined"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("stdout is not the JSON summary: %v\n%s", err, out)
	}
	if sum.NewEvents != 2900 || sum.IngestedFiles != 55 {
		t.Errorf("summary %+v", sum)
	}
	if strings.Contains(errOut, "\r") {
		t.Errorf("progress drawn on a stderr that is not a terminal: %q", errOut)
	}

	// everything: one broken zip member -> exit 5, everything else stored
	code, out, errOut = runCLI(t, "--db", db, "trail", "ingest", sampleDir())
	if code != ExitPartial {
		t.Fatalf("exit %d, want %d (partial input); stderr %s", code, ExitPartial, errOut)
	}
	if !strings.Contains(out, "quarantined files:  1") || !strings.Contains(out, "ec2-user-data.json") {
		t.Errorf("table summary does not show the quarantined member:\n%s", out)
	}
	if !strings.Contains(errOut, "quarantined") {
		t.Errorf("stderr does not mention the quarantine: %q", errOut)
	}

	// --quiet: nothing on stderr
	code, _, errOut = runCLI(t, "--db", db, "--quiet", "trail", "ingest", sampleDir("invictus-ir-aws_dataset"))
	if code != ExitOK || errOut != "" {
		t.Errorf("--quiet re-ingest: exit %d, stderr %q", code, errOut)
	}

	// a path that does not exist is a usage error and ingests nothing
	code, _, errOut = runCLI(t, "--db", db, "trail", "ingest", filepath.Join(t.TempDir(), "nope"))
	if code != ExitUsage || !strings.Contains(errOut, "no such file") {
		t.Errorf("missing path: exit %d, stderr %q", code, errOut)
	}

	// stats as JSON
	code, out, _ = runCLI(t, "--db", db, "--format", "json", "trail", "stats")
	var stats struct {
		Events            int64 `json:"events"`
		Files             int64 `json:"files"`
		QuarantinedInputs int64 `json:"quarantined_inputs"`
		Accounts          []struct {
			Name   string `json:"name"`
			Events int64  `json:"events"`
		} `json:"accounts"`
		FirstEventTime string `json:"first_event_time"`
	}
	if err := json.Unmarshal([]byte(out), &stats); err != nil || code != ExitOK {
		t.Fatalf("stats: exit %d, %v\n%s", code, err, out)
	}
	if stats.Events != 3015 || stats.QuarantinedInputs != 1 || len(stats.Accounts) != 3 || stats.FirstEventTime != "2020-09-14T00:44:20Z" {
		t.Errorf("stats %+v", stats)
	}
}

func TestTrailSQLCommand(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "fp.duckdb")
	if code, _, errOut := runCLI(t, "--db", db, "-q", "trail", "ingest", sampleDir("invictus-ir-aws_dataset")); code != ExitOK {
		t.Fatalf("ingest: %s", errOut)
	}
	code, out, errOut := runCLI(t, "--db", db, "--format", "json", "trail", "sql",
		"SELECT event_name, count(*) AS n, any_value(record) FILTER (WHERE event_id = '75f7b2da-0ef3-4896-8c4e-bc0b9e27d2f9') AS r FROM events WHERE event_source = 'sts.amazonaws.com' GROUP BY ALL ORDER BY n DESC, event_name")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("not an array of row objects: %v\n%s", err, out)
	}
	if len(rows) == 0 || rows[0]["event_name"] == nil || rows[0]["n"] == nil {
		t.Fatalf("rows %v", rows)
	}

	for _, stmt := range []string{
		"DELETE FROM events",
		"INSERT INTO files SELECT * FROM files",
		"DROP TABLE events",
		"SELECT 1; DELETE FROM events",
		"CREATE TABLE x (a INT)",
	} {
		code, out, errOut := runCLI(t, "--db", db, "trail", "sql", stmt)
		if code != ExitError || out != "" || !strings.Contains(errOut, "read-only") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want a clear read-only refusal", stmt, code, out, errOut)
		}
	}
	code, out, _ = runCLI(t, "--db", db, "--format", "csv", "trail", "sql", "SELECT count(*) AS events FROM events")
	if code != ExitOK || out != "events\n2900\n" {
		t.Errorf("csv: exit %d, %q", code, out)
	}
	// no database: a clear error, not a new empty file
	missing := filepath.Join(t.TempDir(), "missing.duckdb")
	code, _, errOut = runCLI(t, "--db", missing, "trail", "sql", "SELECT 1")
	if code != ExitError || !strings.Contains(errOut, "does not exist") {
		t.Errorf("missing db: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("a read-only command created the database file")
	}
}

func TestTrailQueryCommand(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "fp.duckdb")
	runCLI(t, "--db", db, "-q", "trail", "ingest", sampleDir("invictus-ir-aws_dataset"))

	code, out, _ := runCLI(t, "--db", db, "--format", "json", "trail", "queries")
	var qs []struct {
		Name   string `json:"name"`
		Title  string `json:"title"`
		Params []struct {
			Name string `json:"name"`
		} `json:"params"`
	}
	if err := json.Unmarshal([]byte(out), &qs); err != nil || code != ExitOK || len(qs) < 15 {
		t.Fatalf("queries: exit %d, %d queries, %v", code, len(qs), err)
	}
	code, out, errOut := runCLI(t, "--db", db, "--format", "json", "trail", "query", "new_access_keys", "--since", "2023-07-10")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != ExitOK || len(rows) != 2 {
		t.Fatalf("new_access_keys: exit %d, %d rows, %v %s", code, len(rows), err, errOut)
	}
	code, out, _ = runCLI(t, "--db", db, "--format", "json", "trail", "query", "new_access_keys", "--until", "2023-07-10")
	if code != ExitOK || strings.TrimSpace(out) != "[]" {
		t.Errorf("window before the data: exit %d, %q", code, out)
	}
	for _, args := range [][]string{
		{"trail", "query", "no_such_query"},
		{"trail", "query", "access_denied_by_principal", "--param", "min_errors=lots"},
		{"trail", "query", "root_activity", "--param", "nope=1"},
		{"trail", "query", "root_activity", "--since", "last tuesday"},
		{"trail", "query", "root_activity", "--param", "novalue"},
	} {
		code, _, errOut := runCLI(t, append([]string{"--db", db}, args...)...)
		if code != ExitUsage || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want a usage error", args, code, errOut)
		}
	}
}

func TestGlobalFlags(t *testing.T) {
	t.Parallel()
	code, out, _ := runCLI(t, "--format", "json", "version")
	var v struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != ExitOK || v.Version == "" {
		t.Errorf("version: exit %d, %q", code, out)
	}
	if code, _, errOut := runCLI(t, "--format", "xml", "version"); code != ExitUsage || !strings.Contains(errOut, "table, json or csv") {
		t.Errorf("bad --format: exit %d, %q", code, errOut)
	}
	if code, _, _ := runCLI(t, "--log-level", "loud", "version"); code != ExitUsage {
		t.Errorf("bad --log-level: exit %d", code)
	}
	if code, _, _ := runCLI(t, "trail", "ingest"); code != ExitUsage {
		t.Errorf("ingest without paths: exit %d", code)
	}
	if code, _, errOut := runCLI(t, "trail", "stats", "--nope"); code != ExitUsage || !strings.Contains(errOut, "Usage") {
		t.Errorf("unknown flag: exit %d, %q", code, errOut)
	}
}

// TestDBFromEnv: FOOTPRINT_DB picks the database when --db is not given.
func TestDBFromEnv(t *testing.T) {
	db := filepath.Join(t.TempDir(), "env.duckdb")
	t.Setenv("FOOTPRINT_DB", db)
	if code, _, errOut := runCLI(t, "-q", "trail", "ingest", sampleDir("otrf-security-datasets")); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("FOOTPRINT_DB not used: %v", err)
	}
}
