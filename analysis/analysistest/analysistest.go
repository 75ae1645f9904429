// Package analysistest builds the multi-day, multi-account, multi-region
// CloudTrail fixture the analysis tests run against, deterministically, with
// internal/synth: two Defender-like scanners (one keeps calling the FSBP-only
// operations after FSBP is switched off, one is Prowler, whose FSBP-only
// calls stop), an in-house scanner whose FSBP-only calls fall but do not stop,
// footprint itself, AWS Config, Terraform, people in the console and on the
// CLI, the root user and an AWS service.
package analysistest

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/footprint-dev/footprint/internal/store"
	"github.com/footprint-dev/footprint/internal/synth"
	"github.com/footprint-dev/footprint/scan/catalog"
	"github.com/footprint-dev/footprint/trail"
)

// The fixture's shape.
var (
	Start    = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	Days     = 14
	SwitchAt = time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC) // FSBP switched off
	End      = Start.Add(time.Duration(Days) * 24 * time.Hour)
	Accounts = []string{"111122223333", "444455556666", "777788889999"}
	Regions  = []string{"us-east-1", "eu-west-1", "ap-northeast-1"}
	Events   = 30000
)

// Ops are the operation sets the fixture's scanners call, from the control
// catalogue: CIS v1.2.0's, and FSBP's that no other standard needs.
type Ops struct {
	CIS, FSBPOnly []synth.Op
}

// CatalogOps derives the fixture's operation sets from the catalogue.
func CatalogOps() (Ops, error) {
	c, err := catalog.Load()
	if err != nil {
		return Ops{}, err
	}
	cis, err := c.StandardOperations(catalog.CIS120)
	if err != nil {
		return Ops{}, err
	}
	fsbp, err := c.StandardOperations(catalog.FSBP)
	if err != nil {
		return Ops{}, err
	}
	pci, err := c.StandardOperations(catalog.PCI321)
	if err != nil {
		return Ops{}, err
	}
	other := map[string]bool{}
	for _, op := range append(append([]string{}, cis...), pci...) {
		other[op] = true
	}
	var o Ops
	for _, op := range cis {
		o.CIS = append(o.CIS, synth.Op(op))
	}
	for _, op := range fsbp {
		if !other[op] {
			o.FSBPOnly = append(o.FSBPOnly, synth.Op(op))
		}
	}
	sort.Slice(o.FSBPOnly, func(i, j int) bool { return o.FSBPOnly[i] < o.FSBPOnly[j] })
	return o, nil
}

func join(a, b []synth.Op) []synth.Op { return append(append([]synth.Op{}, a...), b...) }

// Actors is the fixture's cast. Each Actor.ID is the actor footprint's
// built-in rules must give its events.
func Actors(o Ops) []synth.Actor {
	full := join(o.CIS, o.FSBPOnly)
	return []synth.Actor{
		{ID: "defender-for-cloud", Identity: synth.Identity{Type: "AssumedRole", Role: "CspmMonitorAws", Session: "MicrosoftDefenderForClouds_%s"},
			UserAgent: "aws-sdk-dotnet-coreclr/3.7.300.2 aws-sdk-dotnet-core/3.7.302.5 .NET_Core/6.0.26 OS/Linux_5.15.0 ClientAsync",
			Weight:    0.26, Ops: full, OpsFrom: SwitchAt, OpsAfter: full, ErrorRate: 0.02},
		{ID: "prowler", Identity: synth.Identity{Type: "AssumedRole", Role: "ProwlerScan", Session: "ProwlerAssessmentSession"},
			UserAgent: "APN_1826889 Boto3/1.34.70 md/Botocore#1.34.70 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8 cfg/retry-mode#standard Botocore/1.34.70",
			Weight:    0.14, Ops: full, OpsFrom: SwitchAt, OpsAfter: o.CIS, ErrorRate: 0.05},
		{ID: "role:AcmeInventory", Identity: synth.Identity{Type: "AssumedRole", Role: "AcmeInventory", Session: "acme-inventory"},
			UserAgent: "acme-inventory/2.1 Boto3/1.34.70 Botocore/1.34.70",
			Weight:    0.06, Ops: full, OpsFrom: SwitchAt, OpsAfter: join(o.CIS, o.FSBPOnly[:2])},
		{ID: "footprint", Identity: synth.Identity{Type: "AssumedRole", Role: "FootprintAudit", Session: "footprint-scanner"},
			UserAgent: "footprint/0.3.0 aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.26.8 md/GOOS#linux md/GOARCH#amd64 app/footprint",
			Weight:    0.04, Ops: o.CIS},
		{ID: "aws-config", Identity: synth.Identity{Type: "AssumedRole", Role: "AWSServiceRoleForConfig", Session: "AWSConfig-Describe"},
			UserAgent: "config.amazonaws.com", SourceIP: "config.amazonaws.com", Weight: 0.16,
			Ops: []synth.Op{"ec2:DescribeSecurityGroups", "ec2:DescribeInstances", "ec2:DescribeVolumes", "iam:GetRole", "s3:GetBucketPolicy", "config:PutEvaluations"}},
		{ID: "terraform", Identity: synth.Identity{Type: "AssumedRole", Role: "ci-deploy", Session: "aws-go-sdk-%d"},
			UserAgent: "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.64.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.4 os/linux lang/go#1.22.5",
			Weight:    0.08, Write: true, ErrorRate: 0.01,
			Ops: []synth.Op{"ec2:DescribeInstances", "ec2:RunInstances", "ec2:CreateTags", "iam:GetRole", "iam:CreateRole", "s3:CreateBucket", "sts:GetCallerIdentity"}},
		{ID: "user:alice", Identity: synth.Identity{Type: "IAMUser", User: "alice"},
			UserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
			Weight:    0.04, ErrorRate: 0.03,
			Ops: []synth.Op{"ec2:DescribeInstances", "s3:ListBuckets", "iam:ListRoles", "cloudtrail:LookupEvents", "signin:ConsoleLogin"}},
		{ID: "user:bob", Identity: synth.Identity{Type: "IAMUser", User: "bob"}, CLI: true,
			UserAgent: "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.11.9",
			Weight:    0.03, Ops: []synth.Op{"s3:ListBuckets", "ec2:DescribeInstances", "sts:GetCallerIdentity", "logs:FilterLogEvents"}},
		{ID: "role:AWSReservedSSO_Admin_0123456789abcdef", Identity: synth.Identity{Type: "AssumedRole", Role: "AWSReservedSSO_Admin_0123456789abcdef", Session: "carol@example.com"},
			UserAgent: "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9",
			Weight:    0.03, Ops: []synth.Op{"ec2:DescribeInstances", "ecs:ListClusters", "ssm:StartSession"}},
		{ID: "root", Identity: synth.Identity{Type: "Root"},
			UserAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
			Weight:    0.01, Ops: []synth.Op{"iam:GetAccountSummary", "account:GetAlternateContact"}, Regions: []string{"us-east-1"}},
		{ID: "service:ec2.amazonaws.com", Identity: synth.Identity{Type: "AWSService", Service: "ec2.amazonaws.com"},
			UserAgent: "ec2.amazonaws.com", SourceIP: "ec2.amazonaws.com", Weight: 0.15,
			Ops: []synth.Op{"kms:Decrypt", "kms:GenerateDataKey", "sts:AssumeRole", "ec2:DescribeInstanceStatus"}},
	}
}

// Options are the synth options of the fixture.
func Options() (synth.Options, error) {
	o, err := CatalogOps()
	if err != nil {
		return synth.Options{}, err
	}
	return synth.Options{
		Seed: 5, Start: Start, Days: Days, Accounts: Accounts, Regions: Regions, Events: Events,
		Actors: Actors(o), FileWindow: time.Hour,
	}, nil
}

var (
	genOnce  sync.Once
	genDir   string
	genStats synth.Stats
	genErr   error
)

// Dir writes the fixture's CloudTrail files once per test binary and returns
// their directory and what synth says it generated.
func Dir(t testing.TB) (string, synth.Stats) {
	t.Helper()
	genOnce.Do(func() {
		opts, err := Options()
		if err != nil {
			genErr = err
			return
		}
		genDir, genErr = os.MkdirTemp("", "footprint-analysis-fixture-")
		if genErr != nil {
			return
		}
		genStats, genErr = synth.Write(filepath.Join(genDir, "trail"), opts)
	})
	if genErr != nil {
		t.Fatalf("generate fixture: %v", genErr)
	}
	return filepath.Join(genDir, "trail"), genStats
}

// Store returns a new in-memory store holding the fixture. Each call ingests
// afresh, so a test may change its store.
func Store(t testing.TB) *store.Store {
	t.Helper()
	dir, _ := Dir(t)
	ctx := context.Background()
	st, err := store.Open(ctx, store.InMemory, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := trail.Ingest(ctx, st, trail.IngestOptions{Paths: []string{dir}, Workers: 2,
		Now: func() time.Time { return End }}); err != nil {
		t.Fatalf("ingest fixture: %v", err)
	}
	return st
}

// File writes the fixture into a database file under dir (for tests that run
// the CLI) and returns its path.
func File(t testing.TB, dir string) string {
	t.Helper()
	src, _ := Dir(t)
	path := filepath.Join(dir, "footprint.duckdb")
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := trail.Ingest(ctx, st, trail.IngestOptions{Paths: []string{src}, Workers: 2,
		Now: func() time.Time { return End }}); err != nil {
		t.Fatalf("ingest fixture: %v", err)
	}
	return path
}

// Cleanup removes the generated files; call it from TestMain after m.Run.
func Cleanup() {
	if genDir != "" {
		os.RemoveAll(genDir)
	}
}
