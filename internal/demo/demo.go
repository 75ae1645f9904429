// Package demo runs footprint's whole loop on the built-in simulated
// organisation: it scans the organisation under the fixed session name,
// predicts and checks the scan's own footprint, adds a week of other tools'
// CloudTrail (a Defender-like scanner that keeps calling FSBP's APIs after
// FSBP is switched off, Prowler, AWS Config, Terraform, a person), ingests
// everything, and asks the analysis who called what, what it cost, whether
// the scan's manifest matches the trail and whether the switch-off held.
//
// It only composes the packages that do the work; `footprint demo` renders
// the result.
package demo

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"

	"github.com/footprint-dev/footprint/analysis"
	"github.com/footprint-dev/footprint/internal/awssim"
	"github.com/footprint-dev/footprint/internal/output"
	"github.com/footprint-dev/footprint/internal/store"
	"github.com/footprint-dev/footprint/internal/synth"
	"github.com/footprint-dev/footprint/scan"
	"github.com/footprint-dev/footprint/scan/catalog"
	"github.com/footprint-dev/footprint/trail"
)

// Options configure Run.
type Options struct {
	Store *store.Store
	// Now is when the scan happens; the history covers the week before.
	Now time.Time
	// WorkDir receives the CloudTrail files (the simulator's and the
	// history's); they stay for anyone who wants to ingest them elsewhere.
	WorkDir string
	// Version is footprint's version, for the user agent.
	Version string
	// Step narrates progress (stderr); nil is silent.
	Step   func(format string, args ...any)
	Logger *slog.Logger
}

// The demo's cast: who the history's traffic is from.
const (
	historyDays   = 7
	historyEvents = 40_000
	switchAfter   = 3 * 24 * time.Hour // FSBP switched off this long into the week
)

// Result is what the demo found.
type Result struct {
	Accounts        []string                   `json:"accounts"`
	Regions         []string                   `json:"regions"`
	SessionName     string                     `json:"session_name"`
	FirstScan       ScanSummary                `json:"first_scan"`
	PredictedCalls  int                        `json:"predicted_calls"`
	Scan            ScanSummary                `json:"scan"`
	HistoryEvents   int                        `json:"history_events"`
	FSBPSwitchedOff time.Time                  `json:"fsbp_switched_off"`
	Ingest          *trail.IngestSummary       `json:"ingest"`
	VerifyScan      *analysis.ScanVerification `json:"verify_scan"`
	Attribution     *analysis.Attribution      `json:"attribution"`
	Cost            *analysis.CostReport       `json:"cost"`
	VerifyStop      *analysis.StopResult       `json:"verify_stop"`
	TrailDirs       []string                   `json:"trail_dirs"`
}

// ScanSummary is one scan in brief.
type ScanSummary struct {
	ScanID  string       `json:"scan_id"`
	Summary scan.Summary `json:"summary"`
	Calls   int          `json:"calls"`
}

// Run runs the loop.
func Run(ctx context.Context, o Options) (*Result, error) {
	step := o.Step
	if step == nil {
		step = func(string, ...any) {}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	now := o.Now.UTC()
	simTrail := filepath.Join(o.WorkDir, "sim-trail")
	histTrail := filepath.Join(o.WorkDir, "history-trail")
	res := &Result{SessionName: "footprint-scanner", TrailDirs: []string{simTrail, histTrail}}

	fx := awssim.Default()
	for _, a := range fx.Accounts {
		res.Accounts = append(res.Accounts, a.ID)
	}
	slices.Sort(res.Accounts)
	res.Regions = append([]string{}, fx.Regions.Enabled...)
	sim, err := awssim.New(awssim.Options{Fixture: fx, Now: func() time.Time { return now }, TrailDir: simTrail})
	if err != nil {
		return nil, err
	}
	creds, err := sim.CallerCredentials()
	if err != nil {
		return nil, err
	}
	ua := "footprint/" + o.Version
	cfg := sim.AWSConfig(res.Regions[0], creds)
	name, version, _ := cutSlash(ua)
	cfg.AppID = ua
	cfg.APIOptions = append(cfg.APIOptions, func(s *middleware.Stack) error {
		return awsmiddleware.AddUserAgentKeyValue(name, version)(s)
	})

	plan, err := scan.NewPlan(scan.Selection{})
	if err != nil {
		return nil, err
	}
	so := scan.Options{Plan: plan, Base: cfg, Accounts: res.Accounts, RoleName: "FootprintAudit",
		SessionName: res.SessionName, SessionDuration: time.Hour, MaxRPS: 200, DB: o.Store.DB,
		Now: func() time.Time { return now }, Logger: o.Logger, UserAgent: ua, Version: o.Version,
		Sleep: func(context.Context, time.Duration) error { return nil }}

	step("scanning the simulated organisation (%d accounts, regions %v) with CIS v1.2.0 as %s...",
		len(res.Accounts), res.Regions, res.SessionName)
	first, err := scan.Run(ctx, so)
	if err != nil {
		return nil, fmt.Errorf("first scan: %w", err)
	}
	res.FirstScan = ScanSummary{ScanID: first.ScanID, Summary: first.Summary, Calls: first.Calls.Total}
	step("predicting the next scan's calls from the first (dry run: identity and regions only)...")
	pred, err := scan.DryRun(ctx, so)
	if err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	res.PredictedCalls = pred.PredictedCalls
	step("scanning again...")
	second, err := scan.Run(ctx, so)
	if err != nil {
		return nil, fmt.Errorf("second scan: %w", err)
	}
	res.Scan = ScanSummary{ScanID: second.ScanID, Summary: second.Summary, Calls: second.Calls.Total}
	if err := sim.Flush(); err != nil {
		return nil, fmt.Errorf("deliver the simulator's CloudTrail: %w", err)
	}

	step("writing a week of other tools' CloudTrail for the same accounts...")
	start := now.Add(-historyDays * 24 * time.Hour).Truncate(time.Hour)
	res.FSBPSwitchedOff = start.Add(switchAfter)
	actors, err := historyActors(res.FSBPSwitchedOff)
	if err != nil {
		return nil, err
	}
	st, err := synth.Write(histTrail, synth.Options{Seed: 2026, Start: start, Days: historyDays, Accounts: res.Accounts,
		Regions: res.Regions, Events: historyEvents, Actors: actors, FileWindow: time.Hour})
	if err != nil {
		return nil, fmt.Errorf("write the history: %w", err)
	}
	res.HistoryEvents = st.Events

	step("ingesting %s and %s...", simTrail, histTrail)
	if res.Ingest, err = trail.Ingest(ctx, o.Store, trail.IngestOptions{Paths: res.TrailDirs, Now: func() time.Time { return now }}); err != nil {
		return nil, err
	}

	step("checking the scan's call manifest against CloudTrail...")
	if res.VerifyScan, err = analysis.VerifyScan(ctx, o.Store.DB, analysis.ScanVerifyOptions{ScanID: second.ScanID}); err != nil {
		return nil, err
	}
	rules := analysis.BuiltinRules()
	window := analysis.Window{From: start, Until: now.Add(time.Hour)}
	if res.Attribution, err = analysis.Attribute(ctx, o.Store.DB, analysis.AttributeOptions{Rules: rules, By: "actor", Window: window}); err != nil {
		return nil, err
	}
	pricing, err := analysis.DefaultPricing()
	if err != nil {
		return nil, err
	}
	if res.Cost, err = analysis.Cost(ctx, o.Store.DB, analysis.CostOptions{Rules: rules, Pricing: pricing, By: "actor",
		Window: window, GuardDutyRegions: len(res.Regions)}); err != nil {
		return nil, err
	}
	step("checking whether defender-for-cloud stopped FSBP's calls when FSBP was switched off...")
	half := res.FSBPSwitchedOff.Sub(start)
	if res.VerifyStop, err = analysis.VerifyStop(ctx, o.Store.DB, analysis.StopOptions{Rules: rules, Actor: "defender-for-cloud",
		Standard: catalog.FSBP, At: res.FSBPSwitchedOff, Window: half, Running: []string{catalog.CIS120}}); err != nil {
		return nil, err
	}
	return res, nil
}

func cutSlash(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// historyActors: a Defender-like CSPM that keeps calling FSBP's APIs after
// FSBP is switched off, Prowler whose FSBP calls do stop, AWS Config,
// Terraform in CI, a person in the console and an AWS service.
func historyActors(switchOff time.Time) ([]synth.Actor, error) {
	c, err := catalog.Load()
	if err != nil {
		return nil, err
	}
	ops := func(std string) ([]synth.Op, error) {
		list, err := c.StandardOperations(std)
		out := make([]synth.Op, 0, len(list))
		for _, op := range list {
			out = append(out, synth.Op(op))
		}
		return out, err
	}
	cis, err := ops(catalog.CIS120)
	if err != nil {
		return nil, err
	}
	fsbp, err := ops(catalog.FSBP)
	if err != nil {
		return nil, err
	}
	all := append(append([]synth.Op{}, cis...), fsbp...)
	actors := synth.DefaultActors()
	for i := range actors {
		switch actors[i].ID {
		case "defender-for-cloud":
			actors[i].Ops, actors[i].OpsFrom, actors[i].OpsAfter = all, switchOff, all // the switch-off did nothing
		case "prowler":
			actors[i].Ops, actors[i].OpsFrom, actors[i].OpsAfter = all, switchOff, cis
		}
	}
	return actors, nil
}

// Tables is how people see the demo.
func (r *Result) Tables() []output.Table {
	match := "no"
	if r.PredictedCalls == r.Scan.Calls {
		match = "yes"
	}
	overview := output.Table{Title: "footprint demo: the built-in simulated organisation", KeyValue: true,
		Columns: []string{"", ""}, Rows: [][]any{
			{"accounts", fmt.Sprint(r.Accounts)},
			{"regions", fmt.Sprint(r.Regions)},
			{"session name", r.SessionName},
			{"scan", fmt.Sprintf("%s: %d pass, %d fail, %d not evaluated, %d manual; %d calls",
				r.Scan.ScanID, r.Scan.Summary.Pass, r.Scan.Summary.Fail, r.Scan.Summary.NotEvaluated, r.Scan.Summary.Manual, r.Scan.Calls)},
			{"dry-run prediction", fmt.Sprintf("%d calls predicted, %d made (exact: %s)", r.PredictedCalls, r.Scan.Calls, match)},
			{"history", fmt.Sprintf("%s events from other tools over %d days; FSBP switched off %s",
				output.Count(int64(r.HistoryEvents)), historyDays, output.Cell(r.FSBPSwitchedOff, true))},
			{"ingested", fmt.Sprintf("%s new events from %d files", output.Count(r.Ingest.NewEvents), r.Ingest.IngestedFiles)},
			{"verify scan", fmt.Sprintf("%s (%d manifest calls, %d matched by request ID)", r.VerifyScan.Verdict,
				r.VerifyScan.ManifestCalls, r.VerifyScan.MatchedByRequestID)},
			{"verify stop", fmt.Sprintf("defender-for-cloud, fsbp: %s", r.VerifyStop.Verdict)},
			{"trail files", fmt.Sprint(r.TrailDirs)},
		}}
	out := []output.Table{overview}
	attr := r.Attribution.Tables()
	if len(attr) > 0 {
		attr[0].Title = "Who made the calls (footprint attribute):"
	}
	out = append(out, attr...)
	cost := r.Cost.Tables()
	if len(cost) > 0 {
		cost[0].Title = "What they cost (footprint cost --guardduty-regions 3):"
		out = append(out, cost[0])
	}
	return out
}
