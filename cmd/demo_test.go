package cmd

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// TestDemo runs the whole loop on the simulated organisation and checks the
// claims it prints.
func TestDemo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.duckdb")
	code, out, errOut := runCLI(t, "--db", db, "--format", "json", "demo", "--work-dir", filepath.Join(dir, "trail"))
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Accounts       []string `json:"accounts"`
		PredictedCalls int      `json:"predicted_calls"`
		Scan           struct {
			Calls   int `json:"calls"`
			Summary struct {
				Pass, Fail, Manual int
			} `json:"summary"`
		} `json:"scan"`
		HistoryEvents int `json:"history_events"`
		Ingest        struct {
			NewEvents        int64 `json:"new_events"`
			QuarantinedFiles int   `json:"quarantined_files"`
		} `json:"ingest"`
		VerifyScan struct {
			Verdict string `json:"verdict"`
		} `json:"verify_scan"`
		VerifyStop struct {
			Verdict string `json:"verdict"`
		} `json:"verify_stop"`
		Attribution []struct {
			Actor  string `json:"actor"`
			Events int64  `json:"events"`
		} `json:"attribution"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%.2000s", err, out)
	}
	if len(res.Accounts) != 3 || res.Scan.Summary.Pass == 0 || res.Scan.Summary.Fail == 0 || res.Scan.Summary.Manual == 0 {
		t.Errorf("scan %+v over %v", res.Scan, res.Accounts)
	}
	if res.PredictedCalls != res.Scan.Calls || res.Scan.Calls == 0 {
		t.Errorf("predicted %d calls, the scan made %d", res.PredictedCalls, res.Scan.Calls)
	}
	if res.VerifyScan.Verdict != "match" {
		t.Errorf("verify scan %q, want match", res.VerifyScan.Verdict)
	}
	if res.VerifyStop.Verdict != "continued" {
		t.Errorf("verify stop %q, want continued (the demo's Defender keeps calling FSBP's APIs)", res.VerifyStop.Verdict)
	}
	if res.Ingest.QuarantinedFiles != 0 || res.Ingest.NewEvents < int64(res.HistoryEvents) {
		t.Errorf("ingest %+v for %d history events", res.Ingest, res.HistoryEvents)
	}
	actors := map[string]int64{}
	var sum int64
	for _, r := range res.Attribution {
		actors[r.Actor] = r.Events
		sum += r.Events
	}
	if sum != res.Ingest.NewEvents {
		t.Errorf("actor counts sum to %d, %d events were ingested", sum, res.Ingest.NewEvents)
	}
	for _, a := range []string{"footprint", "defender-for-cloud", "prowler", "aws-config", "terraform"} {
		if actors[a] == 0 {
			t.Errorf("no events attributed to %s: %v", a, actors)
		}
	}
}
