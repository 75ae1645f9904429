package analysis

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/footprint-dev/footprint/internal/output"
)

// golden compares got with testdata/<TestName>/<file>, rewriting it with -update.
func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", t.Name(), file)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// TestCostGolden pins the table and JSON renderings of a small cost report
// (the trail of TestCostHandChecked, by region).
func TestCostGolden(t *testing.T) {
	t.Parallel()
	st := memStore(t)
	insertEvents(t, st, "fp-", evSpec{n: 200000, account: "111111111111", region: "us-east-1", source: "ec2.amazonaws.com", name: "DescribeInstances", role: "FootprintAudit", session: "footprint-scanner", size: 1000})
	insertEvents(t, st, "fpe-", evSpec{n: 50000, account: "111111111111", region: "eu-west-1", source: "ec2.amazonaws.com", name: "DescribeInstances", role: "FootprintAudit", session: "footprint-scanner", size: 1000})
	insertEvents(t, st, "pr-", evSpec{n: 100000, account: "111111111111", region: "us-east-1", source: "iam.amazonaws.com", name: "ListUsers", role: "ProwlerScan", session: "ProwlerAssessmentSession", size: 2000})
	w := Window{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC)}
	rep, err := Cost(context.Background(), st.DB, CostOptions{Rules: BuiltinRules(), By: "region", Window: w, GuardDutyRegions: 2, TrailCopies: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []output.Format{output.FormatTable, output.FormatJSON, output.FormatCSV} {
		var b bytes.Buffer
		if err := output.Render(&b, f, rep); err != nil {
			t.Fatal(err)
		}
		golden(t, "cost."+string(f), b.Bytes())
	}
}
