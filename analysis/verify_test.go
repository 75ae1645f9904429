package analysis

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/footprint-dev/footprint/analysis/analysistest"
	"github.com/footprint-dev/footprint/internal/store"
)

func TestVerifyStop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := analysistest.Store(t)
	dir := t.TempDir()
	cisOnly := filepath.Join(dir, "cis-ops.txt")
	if err := os.WriteFile(cisOnly, []byte("# two CIS operations, which prowler keeps calling\niam:ListUsers\ncloudtrail:DescribeTrails\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ops, err := ReadOpsFile(cisOnly)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		opts    StopOptions
		verdict string
	}{
		{"defender keeps calling FSBP-only operations", StopOptions{Actor: "defender-for-cloud", Standard: "fsbp", At: analysistest.SwitchAt}, VerdictContinued},
		{"prowler stops", StopOptions{Actor: "prowler", Standard: "fsbp", At: analysistest.SwitchAt}, VerdictStopped},
		{"in-house scanner keeps two of them", StopOptions{Actor: "role:AcmeInventory", Standard: "fsbp", At: analysistest.SwitchAt}, VerdictReduced},
		{"too little trail after", StopOptions{Actor: "prowler", Standard: "fsbp", At: analysistest.End.Add(-12 * time.Hour)}, VerdictInsufficient},
		{"actor never ran the standard", StopOptions{Actor: "user:bob", Standard: "fsbp", At: analysistest.SwitchAt}, VerdictInsufficient},
		{"ops file", StopOptions{Actor: "prowler", Standard: "fsbp", At: analysistest.SwitchAt, Ops: ops, OpsSource: cisOnly}, VerdictContinued},
		{"shorter window", StopOptions{Actor: "prowler", Standard: "fsbp", At: analysistest.SwitchAt, Window: 2 * 24 * time.Hour}, VerdictStopped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Rules = BuiltinRules()
			res, err := VerifyStop(ctx, st.DB, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != tt.verdict {
				t.Fatalf("verdict %s, want %s (reasons %v, missing %v)", res.Verdict, tt.verdict, res.Reasons, res.Missing)
			}
			if tt.verdict == VerdictInsufficient && len(res.Missing) == 0 {
				t.Error("insufficient-data without saying what is missing")
			}
			if tt.verdict == VerdictStopped {
				for _, o := range res.Operations {
					if o.AfterCalls != 0 {
						t.Errorf("stopped, yet %s has %d calls after", o.Operation, o.AfterCalls)
					}
				}
			}
		})
	}
}

// TestVerifyStopOperations checks the operation list against the fixture's
// own definition: FSBP's operations that CIS and PCI do not need.
func TestVerifyStopOperations(t *testing.T) {
	t.Parallel()
	st := analysistest.Store(t)
	res, err := VerifyStop(context.Background(), st.DB, StopOptions{Rules: BuiltinRules(), Actor: "prowler", Standard: "fsbp", At: analysistest.SwitchAt})
	if err != nil {
		t.Fatal(err)
	}
	fx, err := analysistest.CatalogOps()
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, o := range fx.FSBPOnly {
		want = append(want, string(o))
	}
	for _, o := range res.Operations {
		got = append(got, o.Operation)
		if o.BeforeCalls == 0 {
			t.Errorf("%s: prowler never called it before the switch", o.Operation)
		}
		var sum int64
		for _, l := range o.Locations {
			sum += l.BeforeCalls
		}
		if sum != o.BeforeCalls {
			t.Errorf("%s: locations add up to %d, want %d", o.Operation, sum, o.BeforeCalls)
		}
	}
	sort.Strings(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("operations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"cis-1.2.0", "pci-3.2.1"}, res.StillRunning); diff != "" {
		t.Errorf("still running (-want +got):\n%s", diff)
	}
}

// TestVerifyStopDigests removes every event after the switch: without
// digests that is "no logs" (insufficient-data); with hourly digests that
// list no log files it is "no calls" (stopped).
func TestVerifyStopDigests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := analysistest.Store(t)
	if _, err := st.DB.Exec(`DELETE FROM events WHERE event_time >= $1`, analysistest.SwitchAt); err != nil {
		t.Fatal(err)
	}
	opts := StopOptions{Rules: BuiltinRules(), Actor: "prowler", Standard: "fsbp", At: analysistest.SwitchAt}
	res, err := VerifyStop(ctx, st.DB, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != VerdictInsufficient {
		t.Fatalf("without digests: %s, want %s", res.Verdict, VerdictInsufficient)
	}
	addDigests(t, st, analysistest.SwitchAt, analysistest.SwitchAt.Add(7*24*time.Hour))
	res, err = VerifyStop(ctx, st.DB, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != VerdictStopped {
		t.Fatalf("with digests: %s, want %s (missing %v)", res.Verdict, VerdictStopped, res.Missing)
	}
	for _, c := range res.Coverage {
		if c.AfterDaysWithEvents != 0 || c.AfterDaysWithDigests != 7 {
			t.Errorf("%s %s coverage after: %d days with events, %d with digests", c.Account, c.Region, c.AfterDaysWithEvents, c.AfterDaysWithDigests)
		}
	}
}

// addDigests records an hourly CloudTrail-Digest with no log files for every
// fixture account and region over [from, until).
func addDigests(t *testing.T, st *store.Store, from, until time.Time) {
	t.Helper()
	for _, acct := range analysistest.Accounts {
		for _, region := range analysistest.Regions {
			if _, err := st.DB.Exec(`INSERT INTO digests (file_id, account_id, region, digest_start_time, digest_end_time, log_file_count)
				SELECT 9000000 + i, $1, $2, $3::TIMESTAMPTZ + to_hours(i), $3::TIMESTAMPTZ + to_hours(i + 1), 0
				FROM range(CAST(epoch($4::TIMESTAMPTZ) - epoch($3::TIMESTAMPTZ) AS BIGINT) // 3600) t(i)`,
				acct, region, from, until); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestVerifyDiff(t *testing.T) {
	t.Parallel()
	st := analysistest.Store(t)
	res, err := VerifyDiff(context.Background(), st.DB, DiffOptions{Rules: BuiltinRules(), Actor: "prowler", At: analysistest.SwitchAt})
	if err != nil {
		t.Fatal(err)
	}
	fx, _ := analysistest.CatalogOps()
	var want []string
	for _, o := range fx.FSBPOnly {
		want = append(want, string(o))
	}
	if diff := cmp.Diff(want, res.Removed); diff != "" {
		t.Errorf("removed (-want +got):\n%s", diff)
	}
	if len(res.Added) != 0 {
		t.Errorf("added %v", res.Added)
	}
	if res.BeforeDays != 7 || res.AfterDays != 7 {
		t.Errorf("days of trail: %d before, %d after", res.BeforeDays, res.AfterDays)
	}
	var sum int64
	for _, o := range res.Operations {
		sum += o.BeforeCalls + o.AfterCalls
	}
	if sum != res.BeforeCalls+res.AfterCalls {
		t.Errorf("operations add up to %d, want %d", sum, res.BeforeCalls+res.AfterCalls)
	}
}
