package scan

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/footprint-dev/footprint/internal/store"
	"github.com/footprint-dev/footprint/scan/catalog"
	"github.com/footprint-dev/footprint/scan/collect"
)

// TestControlFiles: one SQL file per automated CIS control and no other,
// metadata that parses, and one body for all the CIS metric-filter controls.
func TestControlFiles(t *testing.T) {
	t.Parallel()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	controls, err := LoadControls()
	if err != nil {
		t.Fatal(err)
	}
	ids, err := cat.ControlIDs(catalog.CIS120)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 43 {
		t.Fatalf("CIS v1.2.0 maps onto %d controls, want 43", len(ids))
	}
	for _, id := range ids {
		if controls[id] == nil {
			t.Errorf("CIS control %s has no queries/controls/%s.sql", id, id)
		}
	}
	for id := range controls {
		if cat.Controls[id] == nil {
			t.Errorf("queries/controls/%s.sql evaluates a control the catalogue does not have", id)
		}
	}
	for _, id := range []string{"IAM.20", "CloudWatch.1", "CloudWatch.2", "CloudWatch.3", "CloudWatch.4", "CloudWatch.5", "CloudWatch.6",
		"CloudWatch.7", "CloudWatch.8", "CloudWatch.9", "CloudWatch.10", "CloudWatch.11", "CloudWatch.12", "CloudWatch.13", "CloudWatch.14"} {
		c := controls[id]
		if c.Body != "cis_metric_filter_alarm" || !strings.Contains(c.SQL, "filter_pattern = $pattern") {
			t.Errorf("%s does not run the shared CIS metric-filter statement (body %q)", id, c.Body)
		}
		if !containsStr(c.Params, "pattern") || c.GapScope != GapScopeAccount {
			t.Errorf("%s: params %v, gaps %s", id, c.Params, c.GapScope)
		}
	}
}

func TestParseControlRejects(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, id, text string }{
		{"wrong id", "IAM.4", "-- control: IAM.5\n-- tables: t\n-- semantics: x\nSELECT 1"},
		{"no tables", "IAM.4", "-- control: IAM.4\n-- semantics: x\nSELECT 1"},
		{"no semantics", "IAM.4", "-- control: IAM.4\n-- tables: t\nSELECT 1"},
		{"unknown param", "IAM.4", "-- control: IAM.4\n-- tables: t\n-- semantics: x\nSELECT $account"},
		{"bad gaps", "IAM.4", "-- control: IAM.4\n-- tables: t\n-- gaps: world\n-- semantics: x\nSELECT 1"},
		{"statement and body", "IAM.4", "-- control: IAM.4\n-- tables: t\n-- semantics: x\n-- body: b\nSELECT 1"},
		{"bad name", "iam4", "-- control: iam4\n-- tables: t\n-- semantics: x\nSELECT 1"},
	}
	for _, tc := range tests {
		if _, err := ParseControl(tc.id, tc.text); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

// TestControlsReadOnlyDeclaredTables runs every control against a database
// holding only the tables it declares: a read of any other table fails.
func TestControlsReadOnlyDeclaredTables(t *testing.T) {
	t.Parallel()
	plan := mustPlan(t, Selection{})
	ctx := context.Background()
	for _, pc := range plan.Controls {
		t.Run(pc.ID, func(t *testing.T) {
			t.Parallel()
			st, err := store.Open(ctx, store.InMemory, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			rows, err := st.DB.QueryContext(ctx, `SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'`)
			if err != nil {
				t.Fatal(err)
			}
			var drop []string
			for rows.Next() {
				var name string
				if err := rows.Scan(&name); err != nil {
					t.Fatal(err)
				}
				if !containsStr(pc.Tables, name) {
					drop = append(drop, name)
				}
			}
			rows.Close()
			for _, name := range drop {
				if _, err := st.DB.ExecContext(ctx, "DROP TABLE "+name); err != nil {
					t.Fatal(err)
				}
			}
			for _, name := range pc.Tables {
				if _, err := st.DB.ExecContext(ctx, "SELECT * FROM "+name+" LIMIT 0"); err != nil {
					t.Fatalf("declared table %s does not exist: %v", name, err)
				}
			}
			if _, err := RunControl(ctx, st.DB, pc, ControlParams{ScanID: "s", Now: time.Now(), Partition: "aws"}); err != nil {
				t.Fatalf("with only its declared tables: %v", err)
			}
		})
	}
}

// TestTablesMatchSchema: the collectors' view of the inventory tables is the
// schema's, and every table has exactly one collector.
func TestTablesMatchSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, store.InMemory, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	by := collect.ByTable()
	for table, cols := range collect.Tables {
		rows, err := st.DB.QueryContext(ctx, `SELECT column_name FROM duckdb_columns() WHERE table_name = $1 ORDER BY column_index`, table)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			got = append(got, c)
		}
		rows.Close()
		want := append(append([]string{}, collect.KeyColumns...), cols...)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s columns (-parsed +database)\n%s", table, diff)
		}
		if by[table] == nil {
			t.Errorf("no collector fills %s", table)
		}
	}
	seen := map[string]string{}
	for _, c := range collect.All() {
		for _, tb := range c.Tables {
			if collect.Tables[tb] == nil {
				t.Errorf("collector %s fills %s, which is not an inventory table", c.Name, tb)
			}
			if other, ok := seen[tb]; ok {
				t.Errorf("%s is filled by %s and %s", tb, other, c.Name)
			}
			seen[tb] = c.Name
		}
		if len(c.Ops) == 0 {
			t.Errorf("collector %s declares no operations", c.Name)
		}
	}
}

// TestPlanOperationsMatchCatalog: what the plan calls for each control is
// the catalogue's required operations, plus only optional ones. verify stop
// reads the same catalogue, so a standard's footprint is one thing.
func TestPlanOperationsMatchCatalog(t *testing.T) {
	t.Parallel()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	plan := mustPlan(t, Selection{})
	for _, pc := range plan.Controls {
		meta := cat.Controls[pc.ID]
		allowed := map[string]bool{}
		for _, op := range append(append([]string{}, meta.Operations...), meta.OptionalOperations...) {
			allowed[op] = true
		}
		for _, op := range meta.Operations {
			if !containsStr(pc.Operations, op) {
				t.Errorf("%s: the catalogue requires %s, the plan does not call it", pc.ID, op)
			}
		}
		for _, op := range pc.Operations {
			if !allowed[op] {
				t.Errorf("%s: the plan calls %s, which the catalogue does not list for it", pc.ID, op)
			}
		}
	}
	ops, _ := cat.StandardOperations(catalog.CIS120)
	for _, op := range ops {
		if !containsStr(plan.Operations, op) {
			t.Errorf("CIS needs %s; the full plan does not call it", op)
		}
	}
}

func TestPlanSelection(t *testing.T) {
	t.Parallel()
	full := mustPlan(t, Selection{})
	if len(full.Controls) != 43 || len(full.Manual) != 6 || !cmp.Equal(full.Standards, []string{"cis-1.2.0"}) {
		t.Fatalf("default plan: %d controls, %d manual, standards %v", len(full.Controls), len(full.Manual), full.Standards)
	}
	one := mustPlan(t, Selection{Controls: []string{"IAM.4"}})
	var names []string
	for _, c := range one.Collectors {
		names = append(names, c.Name)
	}
	if !cmp.Equal(names, []string{"iam_credential_report"}) || len(one.Manual) != 0 {
		t.Errorf("IAM.4 plans collectors %v and %d manual requirements", names, len(one.Manual))
	}
	if !cmp.Equal(one.Operations, []string{"ec2:DescribeRegions", "iam:GenerateCredentialReport", "iam:GetCredentialReport", "sts:AssumeRole", "sts:GetCallerIdentity"}) {
		t.Errorf("IAM.4 operations %v", one.Operations)
	}
	cw := mustPlan(t, Selection{Controls: []string{"CloudWatch.1"}})
	var stages [][]string
	for _, s := range cw.Stages {
		var n []string
		for _, c := range s {
			n = append(n, c.Name)
		}
		stages = append(stages, n)
	}
	want := [][]string{{"cloudtrail_trails"}, {"cloudtrail_event_selectors", "cloudtrail_trail_status", "cloudwatch_alarms", "logs_metric_filters"}, {"sns_subscriptions"}}
	if diff := cmp.Diff(want, stages); diff != "" {
		t.Errorf("CloudWatch.1 stages (-want +got)\n%s", diff)
	}
	for _, tc := range []struct {
		sel  Selection
		want error
	}{
		{Selection{Standards: []string{"fsbp"}}, ErrNotImplemented},
		{Selection{Standards: []string{"pci-3.2.1"}}, ErrNotImplemented},
		{Selection{Standards: []string{"nist"}}, ErrUnknown},
		{Selection{Controls: []string{"IAM.21"}}, ErrNotImplemented},
		{Selection{Controls: []string{"Nope.1"}}, ErrUnknown},
	} {
		if _, err := NewPlan(tc.sel); !errors.Is(err, tc.want) {
			t.Errorf("%+v: %v, want %v", tc.sel, err, tc.want)
		}
	}
}

func TestPolicy(t *testing.T) {
	t.Parallel()
	b, err := mustPlan(t, Selection{Controls: []string{"CloudTrail.6"}}).Policy()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version   string
		Statement []struct {
			Effect   string
			Action   []string
			Resource string
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	want := []string{"cloudtrail:DescribeTrails", "ec2:DescribeRegions", "s3:GetAccountPublicAccessBlock", "s3:GetBucketAcl",
		"s3:GetBucketLocation", "s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock"}
	if len(doc.Statement) != 1 || doc.Statement[0].Effect != "Allow" || doc.Statement[0].Resource != "*" {
		t.Fatalf("policy %s", b)
	}
	if diff := cmp.Diff(want, doc.Statement[0].Action); diff != "" {
		t.Errorf("actions (-want +got)\n%s", diff)
	}
	for _, a := range doc.Statement[0].Action {
		if !strings.Contains(a, ":") || strings.Contains(a, "*") {
			t.Errorf("action %q", a)
		}
	}
	if !sort.StringsAreSorted(doc.Statement[0].Action) {
		t.Error("actions are not sorted")
	}
}
