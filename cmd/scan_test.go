package cmd

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/footprint-dev/footprint/analysis"
	"github.com/footprint-dev/footprint/internal/awssim"
	"github.com/footprint-dev/footprint/internal/awsx"
	"github.com/footprint-dev/footprint/internal/store"
	"github.com/footprint-dev/footprint/trail"
)

// simServer serves a simulator on loopback and points the AWS environment
// at it, as `footprint sim serve --env-file` does for a shell.
func simServer(t *testing.T, opts awssim.Options) *awssim.Sim {
	t.Helper()
	s, err := awssim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	lines, err := s.Env(awssim.EnvOptions{Endpoint: "http://" + ln.Addr().String(), Region: "us-east-1", ConfigDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	for _, l := range lines {
		k, v, _ := strings.Cut(l, "=")
		t.Setenv(k, v)
	}
	return s
}

type scanJSON struct {
	ScanID      string   `json:"scan_id"`
	SessionName string   `json:"session_name"`
	Accounts    []string `json:"accounts"`
	Regions     []string `json:"regions"`
	Summary     struct {
		Pass         int `json:"pass"`
		Fail         int `json:"fail"`
		NotEvaluated int `json:"not_evaluated"`
		Manual       int `json:"manual"`
		Exempted     int `json:"exempted"`
	} `json:"summary"`
	Findings []struct {
		ControlID    string   `json:"control_id"`
		StandardRefs []string `json:"standard_refs"`
		Account      string   `json:"account"`
		Region       string   `json:"region"`
		ResourceARN  string   `json:"resource_arn"`
		Status       string   `json:"status"`
		Severity     string   `json:"severity"`
		Reason       string   `json:"reason"`
	} `json:"findings"`
	Calls struct {
		Total       int            `json:"total"`
		ByOperation map[string]int `json:"by_operation"`
	} `json:"calls"`
}

var allSimAccounts = []string{"--account", "111111111111", "--account", "222222222222", "--account", "333333333333"}

// TestScanEndToEnd scans the simulator through footprint's command line,
// checks the JSON contract, has a dry run predict the next scan exactly,
// then ingests the CloudTrail the simulator delivered and verifies the
// scan's call manifest against it: match, and mismatch once someone else
// makes a call under the scanner's session.
func TestScanEndToEnd(t *testing.T) {
	trailDir := t.TempDir()
	s := simServer(t, awssim.Options{TrailDir: trailDir, Seed: 11})
	db := filepath.Join(t.TempDir(), "fp.duckdb")
	args := append([]string{"--db", db, "scan", "--max-rps", "200", "--format", "json"}, allSimAccounts...)

	out, errOut, code := run(t, args...)
	if code != ExitOK {
		t.Fatalf("scan: exit %d\n%s", code, errOut)
	}
	var first scanJSON
	mustJSON(t, []byte(out), &first)
	var top map[string]json.RawMessage
	mustJSON(t, []byte(out), &top)
	var keys []string
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, " ") != "accounts calls findings regions scan_id session_name summary" {
		t.Errorf("JSON keys %v", keys)
	}
	if first.SessionName != "footprint-scanner" || len(first.Accounts) != 3 || len(first.Regions) != 3 || first.Calls.Total == 0 ||
		first.Summary.Pass == 0 || first.Summary.Fail == 0 || first.Summary.Manual != 18 {
		t.Errorf("scan result %+v %+v", first.Summary, first.Calls.Total)
	}
	sum := 0
	for _, n := range first.Calls.ByOperation {
		sum += n
	}
	if sum != first.Calls.Total {
		t.Errorf("by_operation adds up to %d, total %d", sum, first.Calls.Total)
	}
	if !strings.Contains(errOut, "skipped af-south-1") {
		t.Errorf("the not-enabled region is not reported:\n%s", errOut)
	}

	// a dry run predicts the next scan, counted from the first
	out, errOut, code = run(t, append([]string{"--db", db, "scan", "--dry-run", "--schedule", "4h", "--format", "json"}, allSimAccounts...)...)
	if code != ExitOK {
		t.Fatalf("dry run: exit %d\n%s", code, errOut)
	}
	var pred struct {
		PredictedCalls int            `json:"predicted_calls"`
		Exact          bool           `json:"exact"`
		ByOperation    map[string]int `json:"by_operation"`
		Cost           struct {
			ScansPerMonth        float64 `json:"scans_per_month"`
			GuardDutyUSDPerScan  float64 `json:"guardduty_usd_per_scan"`
			GuardDutyUSDPerMonth float64 `json:"guardduty_usd_per_month"`
		} `json:"cost"`
	}
	mustJSON(t, []byte(out), &pred)
	out, errOut, code = run(t, args...)
	if code != ExitOK {
		t.Fatalf("second scan: exit %d\n%s", code, errOut)
	}
	var second scanJSON
	mustJSON(t, []byte(out), &second)
	if !pred.Exact || pred.PredictedCalls != second.Calls.Total {
		t.Errorf("the dry run predicted %d calls (exact %v); the next scan made %d", pred.PredictedCalls, pred.Exact, second.Calls.Total)
	}
	if pred.Cost.ScansPerMonth != 180 || pred.Cost.GuardDutyUSDPerScan <= 0 || pred.Cost.GuardDutyUSDPerMonth <= pred.Cost.GuardDutyUSDPerScan {
		t.Errorf("cost %+v", pred.Cost)
	}

	// the trail the scans caused
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ingest := func() {
		st, err := store.Open(ctx, db, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := trail.Ingest(ctx, st, trail.IngestOptions{Paths: []string{trailDir}}); err != nil {
			t.Fatal(err)
		}
	}
	verify := func(id string) *analysis.ScanVerification {
		st, err := store.Open(ctx, db, store.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		v, err := analysis.VerifyScan(ctx, st.DB, analysis.ScanVerifyOptions{ScanID: id})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ingest()
	{
		st, err := store.Open(ctx, db, store.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		var n, marked int
		err = st.DB.QueryRow(`SELECT count(*), count(*) FILTER (WHERE user_agent LIKE '%footprint/%')
			FROM events WHERE session_name = 'footprint-scanner' AND session_issuer_name = 'FootprintAudit'`).Scan(&n, &marked)
		st.Close()
		if err != nil || n == 0 || marked != n {
			t.Errorf("%d of %d events under the session carry footprint/<version> in the user agent (%v)", marked, n, err)
		}
	}
	for _, id := range []string{first.ScanID, second.ScanID} {
		v := verify(id)
		if v.Verdict != analysis.VerdictMatch || v.MatchedByRequestID != v.ManifestAttempts {
			t.Errorf("scan %s: %s, %d of %d attempts matched by request ID, missing %+v, unexpected %+v",
				id, v.Verdict, v.MatchedByRequestID, v.ManifestAttempts, v.Missing, v.Unexpected)
		}
	}
	if _, _, code := run(t, "--db", db, "verify", "scan", "--scan", second.ScanID); code != ExitOK {
		t.Errorf("footprint verify scan: exit %d", code)
	}

	// someone else uses the scanner's role and session name
	cfg, err := awsx.Load(ctx, awsx.Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	who := awsx.AssumeRole(cfg, awsx.AssumeRoleOptions{RoleARN: "arn:aws:iam::222222222222:role/FootprintAudit", SessionName: "footprint-scanner"})
	if _, err := iam.NewFromConfig(who).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := sts.NewFromConfig(who).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	ingest()
	v := verify(second.ScanID)
	if v.Verdict != analysis.VerdictMismatch || len(v.Missing) != 0 {
		t.Fatalf("with an intruder: %s, missing %+v", v.Verdict, v.Missing)
	}
	var ops []string
	for _, u := range v.Unexpected {
		ops = append(ops, u.Operation)
	}
	sort.Strings(ops)
	if strings.Join(ops, " ") != "iam:ListUsers sts:GetCallerIdentity" {
		t.Errorf("unexpected events %v, want the intruder's ListUsers and GetCallerIdentity", ops)
	}
	if _, _, code := run(t, "--db", db, "verify", "scan", "--scan", second.ScanID); code != ExitPolicy {
		t.Errorf("footprint verify scan with an intruder: exit %d, want %d", code, ExitPolicy)
	}

	// what was stored
	out, _, code = run(t, "--db", db, "scan", "list", "--format", "json")
	var list []struct {
		ScanID string `json:"scan_id"`
		Status string `json:"status"`
		Calls  int    `json:"calls"`
	}
	mustJSON(t, []byte(out), &list)
	if code != ExitOK || len(list) != 3 || list[0].ScanID != second.ScanID || list[1].Status != "dry_run" || list[2].ScanID != first.ScanID {
		t.Errorf("scan list: exit %d %+v", code, list)
	}
	out, _, code = run(t, "--db", db, "findings", "--status", "fail", "--format", "json")
	var fails []struct {
		ScanID string `json:"scan_id"`
		Status string `json:"status"`
	}
	mustJSON(t, []byte(out), &fails)
	if code != ExitOK || len(fails) != second.Summary.Fail {
		t.Errorf("findings --status fail: exit %d, %d findings, want %d", code, len(fails), second.Summary.Fail)
	}
	for _, f := range fails {
		if f.ScanID != second.ScanID || f.Status != "fail" {
			t.Errorf("finding %+v", f)
		}
	}
	out, _, code = run(t, "--db", db, "findings", "--scan", first.ScanID, "--format", "csv")
	if lines := strings.Count(out, "\n"); code != ExitOK || lines != len(first.Findings)+1 {
		t.Errorf("findings csv: exit %d, %d lines, want %d", code, lines, len(first.Findings)+1)
	}
}

// TestScanExitCodes: --fail-on, credentials, roles, standards.
func TestScanExitCodes(t *testing.T) {
	simServer(t, awssim.Options{Seed: 12})
	db := filepath.Join(t.TempDir(), "fp.duckdb")
	base := []string{"--db", db, "scan", "--max-rps", "200", "--control", "IAM.4", "--control", "IAM.9"}

	if _, errOut, code := run(t, append(base, "--fail-on", "critical")...); code != ExitOK {
		// the management account's root has MFA and no keys
		t.Errorf("--fail-on critical in the management account: exit %d\n%s", code, errOut)
	}
	if out, _, code := run(t, append(base, "--account", "333333333333", "--fail-on", "high")...); code != ExitPolicy {
		t.Errorf("--fail-on high with the sandbox's root key: exit %d, want %d\n%s", code, ExitPolicy, out)
	}
	if _, _, code := run(t, append(base, "--account", "333333333333", "--format", "csv")...); code != ExitOK {
		t.Errorf("without --fail-on failing findings exit %d", code)
	}
	_, errOut, code := run(t, append(base, "--account", "222222222222", "--role-name", "Missing")...)
	if code != ExitCredentials || !strings.Contains(errOut, "arn:aws:iam::222222222222:role/Missing") || !strings.Contains(errOut, "create an IAM role named Missing") {
		t.Errorf("a role that cannot be assumed: exit %d\n%s", code, errOut)
	}
	if _, errOut, code := run(t, append(base, "--role-arn", "arn:aws:iam::222222222222:role/ThirdPartyAudit", "--external-id", "footprint-sim-external-id")...); code != ExitOK {
		t.Errorf("--role-arn with --external-id: exit %d\n%s", code, errOut)
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"--standard", "fsbp"}, ExitUsage},
		{[]string{"--standard", "nope"}, ExitUsage},
		{[]string{"--control", "Nope.9"}, ExitUsage},
		{[]string{"--fail-on", "severe"}, ExitUsage},
		{[]string{"--role-arn", "arn:aws:iam::1:role/x", "--account", "222222222222"}, ExitUsage},
	} {
		if _, errOut, code := run(t, append([]string{"--db", db, "scan"}, tc.args...)...); code != tc.code {
			t.Errorf("%v: exit %d, want %d\n%s", tc.args, code, tc.code, errOut)
		}
	}
	_, errOut, _ = run(t, "--db", db, "scan", "--standard", "fsbp")
	if !strings.Contains(errOut, "not implemented yet") {
		t.Errorf("fsbp: %s", errOut)
	}

	// no credentials at all
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	if _, errOut, code := run(t, base...); code != ExitCredentials {
		t.Errorf("no credentials: exit %d, want %d\n%s", code, ExitCredentials, errOut)
	}
	// credentials the simulator does not know
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAFOOTPRINTSIMNONE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "nope")
	if _, errOut, code := run(t, base...); code != ExitCredentials {
		t.Errorf("unknown credentials: exit %d, want %d\n%s", code, ExitCredentials, errOut)
	}
}

// TestScanPrintPolicy prints the plan's policy without credentials.
func TestScanPrintPolicy(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	db := filepath.Join(t.TempDir(), "fp.duckdb")
	out, errOut, code := run(t, "--db", db, "scan", "--print-policy", "--control", "IAM.1")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	var doc struct {
		Statement []struct {
			Action []string
		}
	}
	mustJSON(t, []byte(out), &doc)
	if got := strings.Join(doc.Statement[0].Action, " "); got != "ec2:DescribeRegions iam:GetPolicyVersion iam:ListPolicies" {
		t.Errorf("actions %s", got)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("--print-policy opened the database")
	}
}
