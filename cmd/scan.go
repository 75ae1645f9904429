package cmd

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/spf13/cobra"

	"github.com/footprint-dev/footprint/analysis"
	"github.com/footprint-dev/footprint/internal/awsx"
	"github.com/footprint-dev/footprint/internal/buildinfo"
	"github.com/footprint-dev/footprint/internal/output"
	"github.com/footprint-dev/footprint/internal/when"
	"github.com/footprint-dev/footprint/scan"
)

// scanMaxAttempts is how many times the SDK's standard retryer tries a call
// (throttles back off exponentially between attempts).
const scanMaxAttempts = 5

type scanOptions struct {
	Standards       []string
	Controls        []string
	Regions         []string
	ExcludeRegions  []string
	Accounts        []string
	Profile         string
	RoleName        string
	RoleARN         string
	ExternalID      string
	SessionName     string
	SessionDuration string
	MaxRPS          float64
	Concurrency     int
	DryRun          bool
	Schedule        string
	PrintPolicy     bool
	FailOn          string
	Pricing         string
}

func newScanCmd(f *Factory) *cobra.Command {
	opts := &scanOptions{}
	c := &cobra.Command{
		Use:   "scan",
		Short: "Scan AWS accounts against CIS v1.2.0 under a fixed role-session name",
		Long: `Scan AWS accounts: assume a read-only role in each under one fixed role-session name
(--session-name, default footprint-scanner) with user agent footprint/<version>, read
only what the selected controls need, and evaluate CIS AWS Foundations Benchmark
v1.2.0 as AWS Security Hub does (43 automated recommendations; the 6 manual ones are
reported as manual).

Credentials load the standard way (environment, shared config and credentials files,
SSO, --profile). By default the target is the caller's own account and the role is
FootprintAudit in it; --account scans other accounts (repeatable), --role-name names
another role, --role-arn one role exactly. Regions are the enabled ones
(ec2:DescribeRegions); regions not enabled are skipped and reported; --region and
--exclude-region narrow them.

The plan (standards -> controls -> inventory tables -> collectors -> operations) decides
what is called: --standard and --control narrow it, and only the operations of the
selected controls are called. --print-policy prints the least-privilege IAM policy
of the plan and calls nothing. --dry-run calls only identity and region discovery
and predicts, per operation, account and region, how many calls the scan will make
(counted from the latest scan of the same targets in the database, or assumed, with a
range), and what they cost in GuardDuty per scan and per month at --schedule.

Each account-and-region pair has one token bucket (--max-rps) that every service's
calls share; throttled calls are retried by the SDK's standard retryer and counted.
Every call (account, region, operation, request IDs of every attempt, status,
throttling) is stored in scan_calls: 'footprint verify scan --scan ID' checks it
against CloudTrail. Findings are stored (footprint findings, footprint scan list).
A read that fails (access denied, throttled beyond retries, a failing region) makes
the controls needing it not_evaluated, never pass.

--format json prints scan_id, session_name, accounts, regions, summary {pass, fail,
not_evaluated, manual, exempted}, findings [{control_id, standard_refs, account,
region, resource_arn, status, severity, reason}] and calls {total, by_operation,
attempts, throttled}; --format csv prints the findings.

Exit codes: 0 ok; 3 when a finding at or above --fail-on fails; 4 when the AWS
credentials are missing or invalid or the role cannot be assumed.

` + exitCodesHelp,
		Example: `  footprint scan
  footprint scan --profile audit --account 111111111111 --account 222222222222 --format json
  footprint scan --control CloudTrail.1 --control IAM.4 --region eu-west-1
  footprint scan --dry-run --schedule 4h
  footprint scan --print-policy > footprint-policy.json
  footprint scan --fail-on high`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error { return runScan(c, f, opts) },
	}
	fl := c.Flags()
	fl.StringSliceVar(&opts.Standards, "standard", nil, "standard to evaluate (repeatable): cis-1.2.0 (fsbp and pci-3.2.1 are recognised, not implemented yet); default: every implemented one")
	fl.StringSliceVar(&opts.Controls, "control", nil, "Security Hub control ID to evaluate (repeatable), e.g. IAM.4; default: every control of the standards")
	fl.StringSliceVar(&opts.Regions, "region", nil, "region to scan (repeatable); default: every enabled region")
	fl.StringSliceVar(&opts.ExcludeRegions, "exclude-region", nil, "region not to scan (repeatable)")
	fl.StringSliceVar(&opts.Accounts, "account", nil, "account ID to scan through --role-name (repeatable); default: the caller's account")
	fl.StringVar(&opts.Profile, "profile", "", "AWS shared-config profile")
	fl.StringVar(&opts.RoleName, "role-name", scan.DefaultRoleName, "role to assume in each account")
	fl.StringVar(&opts.RoleARN, "role-arn", "", "explicit role ARN to assume (one account)")
	fl.StringVar(&opts.ExternalID, "external-id", "", "external ID the role's trust policy requires")
	fl.StringVar(&opts.SessionName, "session-name", scan.DefaultSessionName, "the fixed role-session name every call runs under")
	fl.StringVar(&opts.SessionDuration, "session-duration", "1h", "role session duration")
	fl.Float64Var(&opts.MaxRPS, "max-rps", scan.DefaultMaxRPS, "requests per second per account and region, shared by every service (retries included)")
	fl.IntVar(&opts.Concurrency, "concurrency", scan.DefaultConcurrency, "collectors running at once per account")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "call only identity and region discovery; predict the scan's calls and their GuardDuty cost")
	fl.StringVar(&opts.Schedule, "schedule", "24h", "with --dry-run: how often the scan runs, for the monthly cost")
	fl.StringVar(&opts.Pricing, "pricing", "", "with --dry-run: price file overriding the embedded table (see footprint cost --help)")
	fl.BoolVar(&opts.PrintPolicy, "print-policy", false, "print the least-privilege IAM policy the plan needs and exit")
	fl.StringVar(&opts.FailOn, "fail-on", "", "exit 3 when a finding of this severity or higher fails: informational|low|medium|high|critical")
	c.AddCommand(newScanListCmd(f))
	return c
}

func runScan(c *cobra.Command, f *Factory, opts *scanOptions) error {
	ctx := c.Context()
	if opts.FailOn != "" && scan.SeverityRank(opts.FailOn) < 0 {
		return usageError(fmt.Errorf("--fail-on %q: use informational, low, medium, high or critical", opts.FailOn))
	}
	if opts.RoleARN != "" && len(opts.Accounts) > 0 {
		return usageError(errors.New("--role-arn names one role in one account; use --role-name with --account"))
	}
	dur, err := when.ParseDuration(opts.SessionDuration)
	if err != nil {
		return usageError(fmt.Errorf("--session-duration: %w", err))
	}
	if dur < 15*time.Minute || dur > 12*time.Hour {
		return usageError(fmt.Errorf("--session-duration %s: AWS allows 15m to 12h", dur))
	}
	every, err := when.ParseDuration(opts.Schedule)
	if err != nil || every <= 0 {
		return usageError(fmt.Errorf("--schedule %q: give a duration such as 4h or 1d", opts.Schedule))
	}
	if opts.SessionName == "" || len(opts.SessionName) > 64 {
		return usageError(errors.New("--session-name must have 2 to 64 characters"))
	}
	if opts.Concurrency < 1 {
		return usageError(errors.New("--concurrency must be at least 1"))
	}
	plan, err := scan.NewPlan(scan.Selection{Standards: opts.Standards, Controls: opts.Controls})
	if err != nil {
		if errors.Is(err, scan.ErrUnknown) || errors.Is(err, scan.ErrNotImplemented) {
			return usageError(err)
		}
		return err
	}
	if opts.PrintPolicy {
		b, err := plan.Policy()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(f.IO.Out, "%s\n", b)
		return err
	}
	version := buildinfo.Read().Version
	ua := "footprint/" + version
	cfg, err := awsx.Load(ctx, awsx.Options{Profile: opts.Profile, UserAgent: ua, AppID: ua,
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = scanMaxAttempts })
		}})
	if err != nil {
		return &exitError{code: ExitCredentials, err: err}
	}
	st, err := f.Store(ctx)
	if err != nil {
		return err
	}
	so := scan.Options{Plan: plan, Base: cfg, Accounts: opts.Accounts, RoleName: opts.RoleName, RoleARN: opts.RoleARN,
		ExternalID: opts.ExternalID, SessionName: opts.SessionName, SessionDuration: dur, Regions: opts.Regions,
		ExcludeRegions: opts.ExcludeRegions, MaxRPS: opts.MaxRPS, Concurrency: opts.Concurrency, DB: st.DB, Now: f.Now,
		Logger: f.Logger, UserAgent: ua, Version: version}
	if opts.DryRun {
		pricing, err := analysis.LoadPricing(opts.Pricing)
		if err != nil {
			return analysisErr(err)
		}
		pred, err := scan.DryRun(ctx, so)
		if err != nil {
			return scanErr(err)
		}
		var events []analysis.ScanEvents
		for _, l := range pred.ByLocation() {
			region := l.Region
			events = append(events, analysis.ScanEvents{Account: l.Account, Region: region, Events: l.Calls})
		}
		return f.Render(&dryRunResult{Prediction: pred, Cost: analysis.ScanCost(events, every, pricing)})
	}
	f.Infof("scanning %s with %d controls under session %s...", accountsText(opts), len(plan.Controls), opts.SessionName)
	res, err := scan.Run(ctx, so)
	if err != nil {
		return scanErr(err)
	}
	for _, s := range res.Skipped {
		if s.Status == "not_enabled" {
			f.Infof("skipped %s in %s: %s", s.Region, s.Account, s.Reason)
		}
	}
	f.Infof("scan %s: %d calls, %d throttled, %d gaps; footprint verify scan --scan %s checks them against CloudTrail",
		res.ScanID, res.Calls.Total, res.Calls.Throttled, len(res.Gaps), res.ScanID)
	if err := f.Render(res); err != nil {
		return err
	}
	if opts.FailOn != "" {
		if failed := res.Failed(opts.FailOn); len(failed) > 0 {
			f.Infof("%d failing finding(s) at or above %s", len(failed), strings.ToLower(opts.FailOn))
			return withExit(ExitPolicy)
		}
	}
	return nil
}

func accountsText(o *scanOptions) string {
	switch {
	case o.RoleARN != "":
		return "the account of " + o.RoleARN
	case len(o.Accounts) == 0:
		return "the caller's account"
	}
	return "accounts " + strings.Join(o.Accounts, ", ")
}

// scanErr maps the scanner's errors onto exit codes.
func scanErr(err error) error {
	if errors.Is(err, scan.ErrCredentials) || errors.Is(err, scan.ErrAssumeRole) {
		return &exitError{code: ExitCredentials, err: err}
	}
	return err
}

// dryRunResult is the prediction with its GuardDuty cost.
type dryRunResult struct {
	*scan.Prediction
	Cost *analysis.ScanCostEstimate `json:"cost"`
}

// CSV is the predicted calls, one row per operation, account and region.
func (r *dryRunResult) CSV() output.Table { return r.Prediction.Tables()[1] }

func (r *dryRunResult) Tables() []output.Table {
	ts := r.Prediction.Tables()
	c := r.Cost
	cost := output.Table{Title: "GuardDuty cost of the scan's own CloudTrail events:", KeyValue: true, Rows: [][]any{
		{"events per scan", c.GuardDutyEventsPerScan},
		{"per scan (USD)", fmt.Sprintf("%.6f", c.GuardDutyUSDPerScan)},
		{"per month (USD)", fmt.Sprintf("%.4f at one scan every %s", c.GuardDutyUSDPerMonth, c.Schedule)},
	}}
	for _, u := range c.Unpriced {
		cost.Rows = append(cost.Rows, []any{"unpriced", fmt.Sprintf("%.0f events in %s (no GuardDuty price for the region)", u.Quantity, u.Region)})
	}
	for _, p := range c.Prices {
		usd := "unknown"
		if len(p.Tiers) > 0 && p.Tiers[0].USD != nil {
			usd = fmt.Sprintf("$%.2f per %s", *p.Tiers[0].USD, output.Count(int64(p.Per)))
		}
		cost.Rows = append(cost.Rows, []any{"price " + p.Region, fmt.Sprintf("%s (%s, %s)", usd, p.Source, p.AsOf)})
	}
	for _, n := range c.Notes {
		cost.Rows = append(cost.Rows, []any{"note", n})
	}
	return append(ts, cost)
}
