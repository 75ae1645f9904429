package scan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/footprint-dev/footprint/internal/awssim"
	"github.com/footprint-dev/footprint/scan/catalog"
	"github.com/footprint-dev/footprint/scan/collect"
)

// scanAll scans every account of the default fixture with plan.
func scanAll(t *testing.T, e *env, plan *Plan) *Result {
	t.Helper()
	res, err := Run(context.Background(), e.options(t, plan))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func findingLines(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%-14s %-13s %s %-14s %s\n    %s\n", f.ControlID, f.Status, f.Account, f.Region, f.ResourceARN, f.Reason)
	}
	return b.String()
}

// TestDefaultFixtureCIS scans the built-in organisation's three accounts
// for CIS v1.2.0. The findings are pinned in
// testdata/TestDefaultFixtureCIS/findings.txt (checked by hand against
// internal/awssim/default.yaml); every automated control passes somewhere
// and fails somewhere; the scanner only reads.
func TestDefaultFixtureCIS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, awssim.Options{})
	res := scanAll(t, e, mustPlan(t, Selection{}))
	e.strict(t)
	if len(res.Gaps) > 0 {
		t.Errorf("gaps on the default fixture: %+v", res.Gaps)
	}
	cat, _ := catalog.Load()
	ids, _ := cat.ControlIDs(catalog.CIS120)
	pass, fail := map[string]int{}, map[string]int{}
	manual := map[string]int{}
	for _, f := range res.Findings {
		switch f.Status {
		case Pass:
			pass[f.ControlID]++
		case Fail:
			fail[f.ControlID]++
		case Manual:
			manual[f.ControlID]++
		default:
			t.Errorf("%s %s: %s", f.ControlID, f.Status, f.Reason)
		}
	}
	for _, id := range ids {
		if pass[id] == 0 || fail[id] == 0 {
			t.Errorf("%s: %d passing and %d failing findings on the default fixture, want both", id, pass[id], fail[id])
		}
	}
	if len(manual) != 6 {
		t.Errorf("%d manual requirements, want 6: %v", len(manual), manual)
	}
	for id, n := range manual {
		if n != len(allAccounts) {
			t.Errorf("%s: %d manual findings, want one per account", id, n)
		}
	}
	if res.Summary.Pass+res.Summary.Fail+res.Summary.Manual != len(res.Findings) {
		t.Errorf("summary %+v does not add up to %d findings", res.Summary, len(res.Findings))
	}
	golden(t, "findings.txt", findingLines(res.Findings))
	sameVerdictsAsSimulator(t, res.Findings)
}

// sameVerdictsAsSimulator compares the scanner's verdicts with the
// simulator's reference evaluation of its own fixture model
// (internal/awssim/testdata/TestDefaultFixtureCIS/findings.txt): reading the
// same facts through the API must give the same verdict on the same
// resource in the same account and region.
func sameVerdictsAsSimulator(t *testing.T, fs []Finding) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "awssim", "testdata", "TestDefaultFixtureCIS", "findings.txt"))
	if err != nil {
		t.Fatal(err)
	}
	ref := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		// CONTROL VERDICT ACCOUNT REGION RESOURCE: why
		ref[strings.Join([]string{f[0], f[2], f[3], strings.TrimSuffix(f[4], ":")}, " ")] = strings.ToLower(f[1])
	}
	if len(ref) != 174 {
		t.Fatalf("read %d reference verdicts, want 174", len(ref))
	}
	got := map[string]string{}
	for _, f := range fs {
		if f.Status == Manual {
			continue
		}
		got[strings.Join([]string{f.ControlID, f.Account, f.Region, shortResource(f.ResourceARN)}, " ")] = f.Status
	}
	if diff := cmp.Diff(ref, got); diff != "" {
		t.Errorf("verdicts (-simulator's reference +scanner)\n%s", diff)
	}
}

// shortResource names a resource as the simulator's reference does.
func shortResource(arn string) string {
	switch {
	case strings.HasPrefix(arn, "AWS::::Account:"):
		return "account"
	case strings.HasPrefix(arn, "arn:aws:s3:::"):
		return "bucket/" + strings.TrimPrefix(arn, "arn:aws:s3:::")
	case strings.Contains(arn, ":log-group:"):
		return "log-group/" + arn[strings.Index(arn, ":log-group:")+len(":log-group:"):]
	}
	for _, kind := range []string{"trail", "security-group", "vpc", "policy", "user", "key"} {
		if i := strings.Index(arn, ":"+kind+"/"); i >= 0 {
			return kind + "/" + arn[strings.LastIndex(arn, "/")+1:]
		}
	}
	return arn
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", t.Name(), name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./scan -run %s -update)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got)\n%s", path, diff)
	}
}

// TestLazyCollection: a one-control scan calls only the operations its
// control needs (the catalogue's, plus discovery), a strict subset of what
// a full CIS scan calls.
func TestLazyCollection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, awssim.Options{})
	full := scanAll(t, e, mustPlan(t, Selection{}))
	cat, _ := catalog.Load()
	fullOps := keys(full.Calls.ByOperation)
	discovery := map[string]bool{}
	for _, op := range DiscoveryOps {
		discovery[opKey(cat, op)] = true
	}
	for _, id := range mustPlan(t, Selection{}).ControlIDs() {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, awssim.Options{})
			res := scanAll(t, e, mustPlan(t, Selection{Controls: []string{id}}))
			e.strict(t)
			meta := cat.Controls[id]
			allowed := map[string]bool{}
			for _, op := range append(append([]string{}, meta.Operations...), meta.OptionalOperations...) {
				allowed[opKey(cat, op)] = true
			}
			got := keys(res.Calls.ByOperation)
			for _, op := range got {
				if !allowed[op] && !discovery[op] {
					t.Errorf("a scan of %s called %s, which %s does not need", id, op, id)
				}
				if !containsStr(fullOps, op) {
					t.Errorf("a scan of %s called %s, which the full scan did not", id, op)
				}
			}
			if len(got) >= len(fullOps) {
				t.Errorf("a scan of %s called %d operations, the full scan %d: not a strict subset", id, len(got), len(fullOps))
			}
			for _, f := range res.Findings {
				if f.ControlID != id {
					t.Errorf("a scan of %s reported %s", id, f.ControlID)
				}
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestDryRunPredictsNextScan: after a scan, a dry run of the same targets
// predicts the next scan's calls exactly, operation by operation, counting
// discovery; with no earlier scan it gives a range that holds the truth.
func TestDryRunPredictsNextScan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		sel  Selection
		opts func(*Options)
	}{
		{"CIS, three accounts", Selection{}, nil},
		{"two controls, one region", Selection{Controls: []string{"CloudWatch.4", "KMS.4"}}, func(o *Options) { o.Regions = []string{"eu-west-1"} }},
		{"caller's account only", Selection{}, func(o *Options) { o.Accounts = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, awssim.Options{PageSize: 2})
			plan := mustPlan(t, tc.sel)
			opts := e.options(t, plan)
			if tc.opts != nil {
				tc.opts(&opts)
			}
			before := e.reqs.Load()
			cold, err := DryRun(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.reqs.Load() - before; int(got) != cold.DiscoveryCalls.Total {
				t.Errorf("the dry run made %d requests, its discovery %d", got, cold.DiscoveryCalls.Total)
			}
			for op := range cold.DiscoveryCalls.ByOperation {
				if !containsStr([]string{"sts:GetCallerIdentity", "sts:AssumeRole", "ec2:DescribeRegions"}, op) {
					t.Errorf("the dry run called %s", op)
				}
			}
			first, err := Run(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			if cold.Exact || first.Calls.Total < cold.PredictedCallsMin || first.Calls.Total > cold.PredictedCallsMax {
				t.Errorf("without history: predicted %d (%d..%d, exact %v), the scan made %d", cold.PredictedCalls,
					cold.PredictedCallsMin, cold.PredictedCallsMax, cold.Exact, first.Calls.Total)
			}
			warm, err := DryRun(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			next, err := Run(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !warm.Exact || warm.PredictedCalls != next.Calls.Total {
				t.Errorf("predicted %d calls (exact %v), the next scan made %d", warm.PredictedCalls, warm.Exact, next.Calls.Total)
			}
			if diff := cmp.Diff(warm.ByOperation, next.Calls.ByOperation); diff != "" {
				t.Errorf("calls by operation (-predicted +made)\n%s", diff)
			}
			for _, b := range warm.Basis {
				if b.ScanID != first.ScanID {
					t.Errorf("account %s predicted from %q, want the first scan %s", b.Account, b.ScanID, first.ScanID)
				}
			}
		})
	}
}

// TestAccessDeniedMakesItsControlsNotEvaluated denies each operation a CIS
// scan calls, in turn: exactly the controls reading what it fills (directly
// or through a collector that needs it) turn not_evaluated, in every
// account that called it, and every other finding stays as it was.
func TestAccessDeniedMakesItsControlsNotEvaluated(t *testing.T) {
	t.Parallel()
	base := newEnv(t, awssim.Options{})
	plan := mustPlan(t, Selection{})
	baseline := scanAll(t, base, plan)
	calledIn := map[string]map[string]bool{} // op -> accounts
	rows, err := base.st.DB.Query(`SELECT DISTINCT service || ':' || operation, account_id FROM scan_calls WHERE scan_id = $1`, baseline.ScanID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var op, acct string
		if err := rows.Scan(&op, &acct); err != nil {
			t.Fatal(err)
		}
		if calledIn[op] == nil {
			calledIn[op] = map[string]bool{}
		}
		calledIn[op][acct] = true
	}
	rows.Close()
	cat := plan.catalog
	byTable := collect.ByTable()
	for _, op := range plan.Operations {
		if containsStr(DiscoveryOps, op) {
			continue
		}
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, awssim.Options{Faults: []awssim.Fault{{Operation: op, Deny: true}}})
			res := scanAll(t, e, plan)
			e.strict(t)
			affected := map[string]bool{}
			for _, pc := range plan.Controls {
				for _, tb := range pc.GapTables {
					if c := byTable[tb]; c != nil {
						for _, o := range c.Ops {
							affected[pc.ID] = affected[pc.ID] || o.Name == op
						}
					}
				}
			}
			if len(affected) == 0 {
				t.Fatalf("no control reads what %s fills", op)
			}
			accounts := calledIn[opKey(cat, op)]
			if len(accounts) == 0 {
				t.Fatalf("the baseline scan never called %s", op)
			}
			denied := 0
			for _, g := range res.Gaps {
				if g.Operation == op && g.Class == collect.ClassAccessDenied {
					denied++
				}
			}
			if denied == 0 {
				t.Errorf("no access_denied gap for %s: %+v", op, res.Gaps)
			}
			got := map[string][]Finding{}
			for _, f := range res.Findings {
				got[f.ControlID] = append(got[f.ControlID], f)
			}
			want := map[string][]Finding{}
			for _, f := range baseline.Findings {
				want[f.ControlID] = append(want[f.ControlID], f)
			}
			for id, fs := range got {
				if !affected[id] {
					if diff := cmp.Diff(want[id], fs); diff != "" {
						t.Errorf("%s does not read what %s fills, yet its findings changed (-before +after)\n%s", id, op, diff)
					}
					continue
				}
				ne := 0
				for _, f := range fs {
					if accounts[f.Account] && f.Status != NotEvaluated {
						t.Errorf("%s %s %s %s is %s with %s denied: %s", id, f.Account, f.Region, f.ResourceARN, f.Status, op, f.Reason)
					}
					if f.Status == NotEvaluated {
						ne++
						if !strings.Contains(f.Reason, op) || !strings.Contains(f.Reason, "access denied") {
							t.Errorf("%s: reason %q does not name the denied call", id, f.Reason)
						}
					}
				}
				if ne == 0 {
					t.Errorf("%s has no not_evaluated finding with %s denied", id, op)
				}
			}
		})
	}
}

// TestThrottlingSurvivedAndCounted: throttled calls are retried by the
// SDK's retryer, the scan's findings do not change, and every throttled
// attempt is in the manifest with its own request ID. A throttle that
// outlasts the retries is a gap.
func TestThrottlingSurvivedAndCounted(t *testing.T) {
	t.Parallel()
	plan := mustPlan(t, Selection{})
	baseline := scanAll(t, newEnv(t, awssim.Options{}), plan)
	e := newEnv(t, awssim.Options{Faults: []awssim.Fault{
		{Operation: "iam:GetAccountPasswordPolicy", Account: "222222222222", Throttle: 2},
		{Operation: "ec2:DescribeSecurityGroups", Region: "eu-west-1", Throttle: 1},
		{Operation: "s3:GetBucketAcl", Throttle: 1},
	}})
	res := scanAll(t, e, plan)
	e.strict(t)
	if diff := cmp.Diff(baseline.Findings, res.Findings); diff != "" {
		t.Errorf("findings changed under throttling (-calm +throttled)\n%s", diff)
	}
	if res.Calls.Total != baseline.Calls.Total || res.Calls.Attempts != baseline.Calls.Attempts+4 || res.Calls.Throttled != 3 {
		t.Errorf("calls %+v, want %d calls, %d attempts, 3 throttled", res.Calls, baseline.Calls.Total, baseline.Calls.Attempts+4)
	}
	if int(e.reqs.Load()) != res.Calls.Attempts {
		t.Errorf("the simulator served %d requests, the manifest has %d attempts", e.reqs.Load(), res.Calls.Attempts)
	}
	var n int
	err := e.st.DB.QueryRow(`SELECT count(*) FROM scan_calls WHERE scan_id = $1 AND throttled AND attempts > 1
		AND len(attempt_request_ids) = attempts AND request_id = attempt_request_ids[attempts]`, res.ScanID).Scan(&n)
	if err != nil || n != 3 {
		t.Errorf("%d throttled calls with every attempt's request ID (%v), want 3", n, err)
	}

	// beyond the retries (the simulator's retryer tries 3 times)
	e = newEnv(t, awssim.Options{Faults: []awssim.Fault{{Operation: "iam:GetAccountPasswordPolicy", Account: "222222222222", Throttle: 10}}})
	res = scanAll(t, e, plan)
	for _, f := range res.Findings {
		prod := f.Account == "222222222222" && containsStr([]string{"IAM.11", "IAM.12", "IAM.13", "IAM.14", "IAM.15", "IAM.16", "IAM.17"}, f.ControlID)
		if prod && (f.Status != NotEvaluated || !strings.Contains(f.Reason, "throttled")) {
			t.Errorf("%s %s: %s %q, want not_evaluated for throttling", f.ControlID, f.Account, f.Status, f.Reason)
		}
	}
}

// TestRegions: a region the account has not enabled is skipped and
// reported, and nothing is called there; --region and --exclude-region
// narrow the rest; a failing region makes its regional findings
// not_evaluated.
func TestRegions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	plan := mustPlan(t, Selection{})
	t.Run("not enabled", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, awssim.Options{})
		res := scanAll(t, e, plan)
		if !cmp.Equal(res.Regions, []string{"ap-southeast-2", "eu-west-1", "us-east-1"}) {
			t.Errorf("regions %v", res.Regions)
		}
		skipped := 0
		for _, s := range res.Skipped {
			if s.Region == "af-south-1" && s.Status == "not_enabled" {
				skipped++
			}
		}
		if skipped != 3 {
			t.Errorf("af-south-1 skipped in %d accounts: %+v", skipped, res.Skipped)
		}
		var n int
		if err := e.st.DB.QueryRow(`SELECT count(*) FROM scan_calls WHERE region = 'af-south-1'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d calls into af-south-1 (%v)", n, err)
		}
		if err := e.st.DB.QueryRow(`SELECT count(*) FROM scan_regions WHERE region = 'af-south-1' AND status = 'not_enabled'`).Scan(&n); err != nil || n != 3 {
			t.Errorf("scan_regions records af-south-1 as not enabled in %d accounts (%v)", n, err)
		}
	})
	t.Run("narrowed", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, awssim.Options{})
		opts := e.options(t, plan)
		opts.Regions = []string{"eu-west-1", "us-east-1", "af-south-1"}
		opts.ExcludeRegions = []string{"us-east-1"}
		res, err := Run(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(res.Regions, []string{"eu-west-1"}) {
			t.Errorf("regions %v", res.Regions)
		}
		var regions []string
		rows, _ := e.st.DB.Query(`SELECT DISTINCT region FROM scan_calls WHERE collector NOT IN ('discovery') AND service NOT IN ('iam', 's3', 's3control') ORDER BY 1`)
		for rows.Next() {
			var r string
			rows.Scan(&r)
			regions = append(regions, r)
		}
		rows.Close()
		if !cmp.Equal(regions, []string{"eu-west-1"}) {
			t.Errorf("regional calls went to %v", regions)
		}
		for _, f := range res.Findings {
			if f.Region != "eu-west-1" && f.Region != "global" && f.Status != NotEvaluated {
				// the trails' log groups and buckets outside the scan are gaps
				t.Errorf("%s in %s: %s", f.ControlID, f.Region, f.Status)
			}
		}
	})
	t.Run("failing region", func(t *testing.T) {
		t.Parallel()
		baseline := scanAll(t, newEnv(t, awssim.Options{}), plan)
		e := newEnv(t, awssim.Options{Faults: []awssim.Fault{{Region: "eu-west-1", Operation: "ec2:*", Fail: true}}})
		res := scanAll(t, e, plan)
		before := map[string]string{}
		for _, f := range baseline.Findings {
			before[f.ControlID+f.Account+f.Region+f.ResourceARN] = f.Status
		}
		ec2 := map[string]bool{"EC2.2": true, "EC2.6": true, "EC2.13": true, "EC2.14": true}
		for _, f := range res.Findings {
			switch {
			case ec2[f.ControlID] && f.Region == "eu-west-1":
				if f.Status != NotEvaluated || !strings.Contains(f.Reason, "failed") {
					t.Errorf("%s %s eu-west-1: %s %q", f.ControlID, f.Account, f.Status, f.Reason)
				}
			case before[f.ControlID+f.Account+f.Region+f.ResourceARN] != f.Status:
				t.Errorf("%s %s %s %s changed to %s", f.ControlID, f.Account, f.Region, f.ResourceARN, f.Status)
			}
		}
	})
}

// TestAssumeRole: the role is assumed once per account under the session
// name; an account whose role cannot be assumed is reported and its
// controls are not evaluated; no account at all is an error that names the
// account, the role and the reason and says how to create the role.
func TestAssumeRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	plan := mustPlan(t, Selection{Controls: []string{"IAM.4", "EC2.13"}})
	fx := awssim.Default()
	for _, a := range fx.Accounts {
		if a.ID == "333333333333" { // the sandbox has no FootprintAudit role
			var keep []*awssim.Role
			for _, r := range a.IAM.Roles {
				if r.Name != "FootprintAudit" {
					keep = append(keep, r)
				}
			}
			a.IAM.Roles = keep
		}
	}
	e := newEnv(t, awssim.Options{Fixture: fx})
	res := scanAll(t, e, plan)
	if res.Calls.ByOperation["sts:AssumeRole"] != 3 {
		t.Errorf("%d AssumeRole calls, want one per account", res.Calls.ByOperation["sts:AssumeRole"])
	}
	for _, f := range res.Findings {
		if (f.Account == "333333333333") != (f.Status == NotEvaluated) {
			t.Errorf("%s %s %s: %s %q", f.ControlID, f.Account, f.Region, f.Status, f.Reason)
		}
	}
	var sessions int
	for _, r := range e.sim.Records() {
		if r.UserIdentity.SessionContext != nil && r.UserIdentity.Type == "AssumedRole" {
			if !strings.HasSuffix(r.UserIdentity.ARN, "/FootprintAudit/footprint-scanner") || !strings.Contains(r.UserAgent, "footprint/test") {
				t.Errorf("a call as %s with user agent %q", r.UserIdentity.ARN, r.UserAgent)
			}
			sessions++
		}
	}
	if sessions == 0 {
		t.Error("no call ran under the scanner's session")
	}

	e = newEnv(t, awssim.Options{})
	opts := e.options(t, plan)
	opts.Accounts = []string{"222222222222"}
	opts.RoleName = "NoSuchRole"
	_, err := Run(ctx, opts)
	if !errors.Is(err, ErrAssumeRole) {
		t.Fatalf("err = %v, want ErrAssumeRole", err)
	}
	for _, s := range []string{"222222222222", "arn:aws:iam::222222222222:role/NoSuchRole", "AccessDenied", "create an IAM role named NoSuchRole",
		"trust policy allows arn:aws:iam::111111111111:root", "--print-policy"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("the error does not say %q:\n%v", s, err)
		}
	}
	// the external ID reaches the trust policy
	opts.RoleName, opts.ExternalID = "ThirdPartyAudit", "footprint-sim-external-id"
	if _, err := Run(ctx, opts); err != nil {
		t.Errorf("ThirdPartyAudit with its external ID: %v", err)
	}
}

// TestManifestIsComplete: every request the scanner sent is in the
// manifest with the request ID the simulator answered, and CloudTrail
// names each as the manifest says.
func TestManifestIsComplete(t *testing.T) {
	t.Parallel()
	e := newEnv(t, awssim.Options{PageSize: 2, Faults: []awssim.Fault{{Operation: "kms:ListKeys", Throttle: 1}}})
	res := scanAll(t, e, mustPlan(t, Selection{}))
	type ev struct{ source, name, account string }
	byID := map[string]ev{}
	for _, r := range e.sim.Records() {
		byID[r.RequestID] = ev{r.EventSource, r.EventName, r.RecipientAccountID}
	}
	rows, err := e.st.DB.Query(`SELECT unnest(attempt_request_ids), event_source, event_name, account_id, service, operation
		FROM scan_calls WHERE scan_id = $1`, res.ScanID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, src, name, acct, svc, op string
		if err := rows.Scan(&id, &src, &name, &acct, &svc, &op); err != nil {
			t.Fatal(err)
		}
		n++
		got, ok := byID[id]
		if !ok {
			t.Errorf("%s:%s request %s is not in the simulator's trail", svc, op, id)
			continue
		}
		if got.source != src || got.name != name {
			t.Errorf("%s:%s: CloudTrail records %s %s, the manifest says %s %s", svc, op, got.source, got.name, src, name)
		}
		if got.account != acct && op != "AssumeRole" {
			t.Errorf("%s:%s in account %s, the manifest says %s", svc, op, got.account, acct)
		}
	}
	if int(e.reqs.Load()) != n || n != res.Calls.Attempts {
		t.Errorf("simulator requests %d, manifest attempts %d (summary %d)", e.reqs.Load(), n, res.Calls.Attempts)
	}
}
