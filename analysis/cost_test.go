package analysis

import (
	"context"

	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/footprint-dev/footprint/internal/store"
)

// insertEvents adds n synthetic events to the events table with SQL, for
// tests whose arithmetic needs exact counts and sizes.
type evSpec struct {
	n                 int
	account, region   string
	source, name      string
	role, session     string
	size              int
	data              bool
	at                time.Time
	requestParameters string
}

func insertEvents(t *testing.T, st *store.Store, prefix string, s evSpec) {
	t.Helper()
	cat, mgmt := "Management", true
	if s.data {
		cat, mgmt = "Data", false
	}
	if s.at.IsZero() {
		s.at = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	}
	rec := `{}`
	if s.requestParameters != "" {
		rec = `{"requestParameters":` + s.requestParameters + `}`
	}
	_, err := st.DB.Exec(`INSERT INTO events (event_id, event_time, event_source, event_name, aws_region, recipient_account_id,
		identity_type, principal_arn, account_id, session_issuer_name, session_name, read_only, event_type, event_category,
		management_event, size_bytes, file_id, record)
		SELECT $1 || i, $2::TIMESTAMPTZ + to_seconds(i % 86400), $3, $4, $5, $6, 'AssumedRole',
			'arn:aws:sts::' || $6 || ':assumed-role/' || $7 || '/' || $8, $6, $7, $8, true, 'AwsApiCall', $9, $10, $11, 1, $12::JSON
		FROM range($13) t(i)`,
		prefix, s.at, s.source, s.name, s.region, s.account, s.role, s.session, cat, mgmt, s.size, rec, s.n)
	if err != nil {
		t.Fatal(err)
	}
}

func memStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.InMemory, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestCostHandChecked prices a small, exactly known trail and compares with
// figures worked out by hand from the price table's facts.
func TestCostHandChecked(t *testing.T) {
	t.Parallel()
	st := memStore(t)
	const (
		a1 = "111111111111"
		a2 = "222222222222"
	)
	// footprint: 200,000 EC2 reads in us-east-1 (1,000 bytes each), 50,000 in
	// eu-west-1 (no GuardDuty or Detective price known), 1,000,000 S3 data
	// events in us-east-1 (800 bytes each).
	insertEvents(t, st, "fp-use1-", evSpec{n: 200000, account: a1, region: "us-east-1", source: "ec2.amazonaws.com", name: "DescribeInstances", role: "FootprintAudit", session: "footprint-scanner", size: 1000})
	insertEvents(t, st, "fp-euw1-", evSpec{n: 50000, account: a1, region: "eu-west-1", source: "ec2.amazonaws.com", name: "DescribeInstances", role: "FootprintAudit", session: "footprint-scanner", size: 1000})
	insertEvents(t, st, "fp-s3-", evSpec{n: 1000000, account: a1, region: "us-east-1", source: "s3.amazonaws.com", name: "GetObject", role: "FootprintAudit", session: "footprint-scanner", size: 800, data: true})
	// prowler: 100,000 IAM (global) reads in us-east-1 (2,000 bytes each),
	// 300,000 reads in ap-northeast-1 of another account (1,500 bytes each).
	insertEvents(t, st, "pr-iam-", evSpec{n: 100000, account: a1, region: "us-east-1", source: "iam.amazonaws.com", name: "ListUsers", role: "ProwlerScan", session: "ProwlerAssessmentSession", size: 2000})
	insertEvents(t, st, "pr-apn1-", evSpec{n: 300000, account: a2, region: "ap-northeast-1", source: "ec2.amazonaws.com", name: "DescribeVolumes", role: "ProwlerScan", session: "ProwlerAssessmentSession", size: 1500})

	// A 10-day window projects to a 30-day month by a factor of 3.
	w := Window{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC)}
	rep, err := Cost(context.Background(), st.DB, CostOptions{Rules: BuiltinRules(), By: "actor", Window: w,
		GuardDutyRegions: 3, TrailCopies: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Window.ProjectionFactor != 3 || rep.Window.Days != 10 {
		t.Fatalf("window %+v, want 10 days and factor 3", rep.Window)
	}
	const gib = 1073741824.0
	// footprint, by hand:
	//  GuardDuty management: 200,000 x $4.00/M = $0.80 (eu-west-1's 50,000 unpriced)
	//  GuardDuty S3: 3,000,000 a month is inside the first 500 M band at $0.80/M: $2.40 a month, $0.80 in the window
	//  Detective: us-east-1 holds 2e8 (footprint) + 2e8 (prowler) bytes = 0.3725 GiB in the window, 1.1176 a month:
	//    first band, $2.00/GB; footprint's 2e8 bytes cost 2e8/2^30 x 2 = $0.37252902984619140625
	//  CloudTrail: one extra copy of 250,000 management events at $2.00/100k = $5.00;
	//    1,000,000 data events at $0.10/100k = $1.00
	fpDetective := 2e8 / gib * 2.00
	fp := CostRow{Key: "footprint", Events: 1250000, GuardDutyEvents: 250000, GuardDutyS3DataEvents: 1000000,
		GuardDutyUSD: 0.80 + 0.80, GuardDutyS3USD: 0.80, MonthlyGuardDutyS3USD: 2.40, DetectiveGB: 2.5e8 / gib, DetectiveUSD: fpDetective, CloudTrailUSD: 6.00,
		TotalUSD: 1.60 + fpDetective + 6.00}
	fp.MonthlyEvents, fp.MonthlyGuardDutyUSD, fp.MonthlyDetectiveGB, fp.MonthlyDetectiveUSD, fp.MonthlyCloudTrailUSD, fp.MonthlyTotalUSD =
		3750000, 4.80, 7.5e8/gib, 3*fpDetective, 18.00, 3*fp.TotalUSD
	fp.Unpriced = []Unpriced{
		{Item: ItemDetective, Region: "eu-west-1", Quantity: 5e7 / gib, Unit: "GB"},
		{Item: ItemGuardDutyManagement, Region: "eu-west-1", Quantity: 50000, Unit: "events"},
	}
	// prowler, by hand:
	//  GuardDuty: 100,000 global IAM events billed in 3 Regions = 300,000 x $4.00/M = $1.20,
	//    plus 300,000 x $4.72/M in ap-northeast-1 = $1.416
	//  Detective: 2e8 bytes in us-east-1 = $0.3725...; ap-northeast-1 unpriced (4.5e8 bytes)
	//  CloudTrail: 400,000 x $2.00/100k = $8.00
	pr := CostRow{Key: "prowler", Events: 400000, GuardDutyEvents: 600000, GuardDutyUSD: 1.20 + 1.416,
		DetectiveGB: 6.5e8 / gib, DetectiveUSD: 2e8 / gib * 2.00, CloudTrailUSD: 8.00}
	pr.TotalUSD = pr.GuardDutyUSD + pr.DetectiveUSD + pr.CloudTrailUSD
	pr.MonthlyEvents, pr.MonthlyGuardDutyUSD, pr.MonthlyDetectiveGB, pr.MonthlyDetectiveUSD, pr.MonthlyCloudTrailUSD, pr.MonthlyTotalUSD =
		1200000, 3*2.616, 3*6.5e8/gib, 3*pr.DetectiveUSD, 24.00, 3*pr.TotalUSD
	pr.Unpriced = []Unpriced{{Item: ItemDetective, Region: "ap-northeast-1", Quantity: 4.5e8 / gib, Unit: "GB"}}

	want := []CostRow{pr, fp} // sorted by window cost: prowler $10.99, footprint $7.97
	approx := cmpopts.EquateApprox(0, 1e-9)
	if diff := cmp.Diff(want, rep.Rows, approx); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if got, want := rep.Total.TotalUSD, 10.98852902984619+7.97252902984619; math.Abs(got-want) > 1e-9 {
		t.Errorf("total $%v, want $%v", got, want)
	}
	if rep.Total.Complete {
		t.Error("total claims complete with unpriced usage")
	}
	// every price used is stated with its source
	for _, p := range rep.Assumptions.Prices {
		if p.Source == "" {
			t.Errorf("price %s/%s has no source", p.Item, p.Region)
		}
	}
	if len(rep.Assumptions.Prices) == 0 || len(rep.Assumptions.Notes) == 0 {
		t.Error("no assumptions stated")
	}
}

func TestTiered(t *testing.T) {
	t.Parallel()
	f := func(v float64) *float64 { return &v }
	detective := []Tier{{UpTo: f(1000), USD: f(2)}, {UpTo: f(5000), USD: f(1)}, {UpTo: f(10000), USD: f(0.5)}, {USD: f(0.25)}}
	s3Partial := []Tier{{UpTo: f(500e6), USD: f(1.04)}, {UpTo: f(5000e6), USD: nil}, {USD: nil}}
	tests := []struct {
		name  string
		tiers []Tier
		per   float64
		qty   float64
		want  float64
		ok    bool
	}{
		{"zero", detective, 1, 0, 0, true},
		{"first band", detective, 1, 400, 800, true},
		// 1,000 x 2 + 4,000 x 1 + 1,000 x 0.5
		{"third band", detective, 1, 6000, 6500, true},
		// 1,000 x 2 + 4,000 x 1 + 5,000 x 0.5 + 2,000 x 0.25
		{"last band", detective, 1, 12000, 9000, true},
		{"known band of a partly known table", s3Partial, 1e6, 400e6, 416, true},
		{"crosses into an unknown band", s3Partial, 1e6, 600e6, 0, false},
		{"flat per million", []Tier{{USD: f(4)}}, 1e6, 2500000, 10, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tiered(tt.tiers, tt.per, tt.qty)
			if ok != tt.ok || math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("tiered(%v) = %v, %v; want %v, %v", tt.qty, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestCostTieredShare puts one account and region past Detective's first
// band and checks that the two actors there share the tiered cost in
// proportion to their bytes.
func TestCostTieredShare(t *testing.T) {
	t.Parallel()
	q := []Quantity{
		{Key: "a", Account: "1", Region: "us-east-1", Events: 10, ManagementEvents: 10, ManagementBytes: 1500 * gbBytes},
		{Key: "b", Account: "1", Region: "us-east-1", Events: 10, ManagementEvents: 10, ManagementBytes: 500 * gbBytes},
	}
	p, err := DefaultPricing()
	if err != nil {
		t.Fatal(err)
	}
	// a 30-day window: factor 1
	w := Window{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	rep := PriceQuantities(q, w, CostOptions{Pricing: p, By: "actor", GuardDutyRegions: 1})
	// 2,000 GB: 1,000 x $2 + 1,000 x $1 = $3,000; a has 3/4, b 1/4
	got := map[string]float64{}
	for _, r := range rep.Rows {
		got[r.Key] = r.DetectiveUSD
	}
	want := map[string]float64{"a": 2250, "b": 750}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("detective (-want +got):\n%s", diff)
	}
}

func TestCostConfigEvaluations(t *testing.T) {
	t.Parallel()
	st := memStore(t)
	// 1,000 PutEvaluations calls reporting 3 evaluations each, 500 with no
	// parameters (counted as one each)
	insertEvents(t, st, "cfg3-", evSpec{n: 1000, account: "1", region: "us-east-2", source: "config.amazonaws.com", name: "PutEvaluations",
		role: "AWSServiceRoleForConfig", session: "AWSConfig-Describe", size: 500,
		requestParameters: `{"evaluations":[{"complianceType":"COMPLIANT"},{"complianceType":"COMPLIANT"},{"complianceType":"NON_COMPLIANT"}]}`})
	insertEvents(t, st, "cfg1-", evSpec{n: 500, account: "1", region: "us-east-2", source: "config.amazonaws.com", name: "PutEvaluations",
		role: "AWSServiceRoleForConfig", session: "AWSConfig-Describe", size: 500})
	w := Window{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	rep, err := Cost(context.Background(), st.DB, CostOptions{Rules: BuiltinRules(), By: "actor", Window: w, GuardDutyRegions: 1, Config: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 1 || rep.Rows[0].Key != "aws-config" {
		t.Fatalf("rows %+v", rep.Rows)
	}
	r := rep.Rows[0]
	// 3,500 evaluations x $0.001 = $3.50; GuardDuty 1,500 x $4/M = $0.006
	if r.ConfigEvaluations != 3500 || math.Abs(r.ConfigUSD-3.5) > 1e-9 || math.Abs(r.GuardDutyUSD-0.006) > 1e-12 {
		t.Errorf("config %d evaluations $%v, guardduty $%v", r.ConfigEvaluations, r.ConfigUSD, r.GuardDutyUSD)
	}

}
