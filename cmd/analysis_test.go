package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/footprint-dev/footprint/analysis/analysistest"
)

var (
	dbOnce sync.Once
	dbPath string
	dbDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if dbDir != "" {
		os.RemoveAll(dbDir)
	}
	analysistest.Cleanup()
	os.Exit(code)
}

// fixtureDB is the analysis fixture in a database file, built once; tests
// only read it.
func fixtureDB(t *testing.T) string {
	t.Helper()
	dbOnce.Do(func() {
		var err error
		if dbDir, err = os.MkdirTemp("", "footprint-cmd-"); err != nil {
			t.Fatal(err)
		}
		dbPath = analysistest.File(t, dbDir)
	})
	if dbPath == "" {
		t.Fatal("no fixture database")
	}
	return dbPath
}

func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func TestAnalysisCommands(t *testing.T) {
	db := fixtureDB(t)
	tests := []struct {
		name string
		args []string
		code int
		// check inspects the JSON output
		check func(t *testing.T, out []byte)
	}{
		{"attribute by actor", []string{"attribute", "--format", "json"}, ExitOK, func(t *testing.T, out []byte) {
			var rows []map[string]any
			mustJSON(t, out, &rows)
			total := 0.0
			for _, r := range rows {
				for _, k := range []string{"actor", "events", "read_events", "write_events", "error_events", "throttled_events", "bytes"} {
					if _, ok := r[k]; !ok {
						t.Errorf("row lacks %s: %v", k, r)
					}
				}
				total += r["events"].(float64)
			}
			if total != float64(analysistest.Events) {
				t.Errorf("actors add up to %v events, want %d", total, analysistest.Events)
			}
		}},
		{"attribute by operation for one actor", []string{"attribute", "--by", "operation", "--actor", "prowler", "--since", "2026-11-08", "--format", "json"}, ExitOK, func(t *testing.T, out []byte) {
			var rows []map[string]any
			mustJSON(t, out, &rows)
			if len(rows) == 0 || rows[0]["operation"] == nil {
				t.Errorf("rows %v", rows)
			}
		}},
		{"cost", []string{"cost", "--guardduty-regions", "3", "--trail-copies", "1", "--format", "json"}, ExitOK, func(t *testing.T, out []byte) {
			var rep map[string]any
			mustJSON(t, out, &rep)
			for _, k := range []string{"window", "assumptions", "rows"} {
				if rep[k] == nil {
					t.Errorf("no %s", k)
				}
			}
			row := rep["rows"].([]any)[0].(map[string]any)
			for _, k := range []string{"actor", "events", "guardduty_usd", "detective_gb", "detective_usd", "cloudtrail_usd", "total_usd", "monthly_total_usd", "monthly_guardduty_usd"} {
				if _, ok := row[k]; !ok {
					t.Errorf("cost row lacks %s", k)
				}
			}
			prices := rep["assumptions"].(map[string]any)["prices"].([]any)
			for _, p := range prices {
				if p.(map[string]any)["source"] == "" {
					t.Errorf("price without source: %v", p)
				}
			}
		}},
		{"verify stop: stopped exits 0", []string{"verify", "stop", "--actor", "prowler", "--standard", "fsbp", "--at", "2026-11-08", "--format", "json"}, ExitOK, func(t *testing.T, out []byte) {
			var res map[string]any
			mustJSON(t, out, &res)
			if res["verdict"] != "stopped" || res["operations"] == nil {
				t.Errorf("verdict %v", res["verdict"])
			}
		}},
		{"verify stop: continued exits 3", []string{"verify", "stop", "--actor", "defender-for-cloud", "--standard", "fsbp", "--at", "2026-11-08"}, ExitPolicy, nil},
		{"verify stop: insufficient data exits 3", []string{"verify", "stop", "--actor", "prowler", "--standard", "fsbp", "--at", "2026-11-14T12:00:00Z"}, ExitPolicy, nil},
		{"verify stop: unknown standard is a usage error", []string{"verify", "stop", "--actor", "prowler", "--standard", "nist", "--at", "2026-11-08"}, ExitUsage, nil},
		{"verify diff", []string{"verify", "diff", "--actor", "prowler", "--at", "2026-11-08", "--format", "json"}, ExitOK, func(t *testing.T, out []byte) {
			var res map[string]any
			mustJSON(t, out, &res)
			if len(res["removed"].([]any)) == 0 {
				t.Error("nothing removed")
			}
		}},
		{"verify scan: unknown scan", []string{"verify", "scan", "--scan", "nope"}, ExitError, nil},
		{"bad --by", []string{"attribute", "--by", "colour"}, ExitUsage, nil},
		{"bad --since", []string{"cost", "--since", "yesterday-ish"}, ExitUsage, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, append([]string{"--db", db}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %.500s\nstderr: %s", code, tt.code, out, errOut)
			}
			if tt.check != nil {
				tt.check(t, []byte(out))
			}
		})
	}
}

func TestAttributeExplainAndRulesFile(t *testing.T) {
	db := fixtureDB(t)
	out, errOut, code := run(t, "--db", db, "trail", "sql", "SELECT event_id FROM events WHERE session_name = 'acme-inventory' ORDER BY event_id LIMIT 1", "--format", "csv")
	if code != 0 {
		t.Fatal(errOut)
	}
	id := strings.TrimSpace(strings.Split(strings.TrimSpace(out), "\n")[1])
	out, errOut, code = run(t, "--db", db, "attribute", "--explain", id, "--format", "json")
	if code != 0 {
		t.Fatal(errOut)
	}
	var x map[string]any
	mustJSON(t, []byte(out), &x)
	if x["actor"] != "role:AcmeInventory" || x["rule"].(map[string]any)["id"] != "role" {
		t.Errorf("explain: actor %v, rule %v", x["actor"], x["rule"])
	}

	rules := filepath.Join(t.TempDir(), "actors.yaml")
	if err := os.WriteFile(rules, []byte(`rules:
  - id: acme
    actor: acme-inventory
    description: ACME's in-house inventory scanner
    match:
      role: AcmeInventory
      session: "acme-*"
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = run(t, "--db", db, "attribute", "--actors", rules, "--explain", id, "--format", "json")
	if code != 0 {
		t.Fatal(errOut)
	}
	mustJSON(t, []byte(out), &x)
	if x["actor"] != "acme-inventory" {
		t.Errorf("with the rules file: actor %v", x["actor"])
	}
	out, errOut, code = run(t, "--db", db, "verify", "stop", "--actors", rules, "--actor", "acme-inventory", "--standard", "fsbp", "--at", "2026-11-08", "--format", "json")
	if code != ExitPolicy {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	mustJSON(t, []byte(out), &x)
	if x["verdict"] != "reduced" {
		t.Errorf("verdict %v, want reduced", x["verdict"])
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("rules:\n  - id: x\n    actor: \"{nope}\"\n"), 0o644)
	if _, _, code := run(t, "--db", db, "attribute", "--actors", bad); code != ExitUsage {
		t.Errorf("bad rules file: exit %d, want %d", code, ExitUsage)
	}
}

func TestReportCommand(t *testing.T) {
	db := fixtureDB(t)
	file := filepath.Join(t.TempDir(), "r.html")
	out, errOut, code := run(t, "--db", db, "report", "--html", file, "--stop-actor", "prowler", "--stop-standard", "fsbp", "--stop-at", "2026-11-08", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var sum map[string]any
	mustJSON(t, []byte(out), &sum)
	if sum["file"] != file || sum["events"].(float64) != float64(analysistest.Events) {
		t.Errorf("summary %v", sum)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`id="stop-verdict">stopped<`)) {
		t.Error("report lacks the verify stop verdict")
	}

}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v\n%.500s", err, b)
	}
}
