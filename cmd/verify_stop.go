package cmd

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/footprint-dev/footprint/analysis"
	"github.com/footprint-dev/footprint/internal/when"
)

type verifyStopOptions struct {
	Actor    string
	Standard string
	At       string
	Window   string
	OpsFile  string
	Running  []string
	Actors   string
}

func parseAtWindow(now time.Time, at, window string) (time.Time, time.Duration, error) {
	if at == "" {
		return time.Time{}, 0, usageError(errors.New("--at is required"))
	}
	t, err := when.Parse(at, now)
	if err != nil {
		return time.Time{}, 0, usageError(fmt.Errorf("--at: %w", err))
	}
	d, err := when.ParseDuration(window)
	if err != nil {
		return time.Time{}, 0, usageError(fmt.Errorf("--window: %w", err))
	}
	return t, d, nil
}

func newVerifyStopCmd(f *Factory) *cobra.Command {
	opts := &verifyStopOptions{}
	c := &cobra.Command{
		Use:   "stop",
		Short: "Did the actor's calls for a standard stop at a time?",
		Long: `Check that an actor stopped calling the operations a standard needs once the standard
was switched off at --at. The operations are those of --standard that no standard the
actor still runs needs (from the control catalogue the scanner plans with; by default
every other standard counts as still running, so only operations unique to the
standard are checked; --running narrows that; --ops-file supplies your own list, one
service:Operation per line). For each, calls per day in the --window before and after
--at, per account and region.

Verdicts: stopped (every such operation fell to zero), reduced (below half the rate
before), continued, or insufficient-data (the actor made no such calls before, or the
trail covers less than half the days on one side in an account and region it used;
CloudTrail-Digest files, when ingested, count as coverage, which tells "no calls" from
"no logs"). --format json prints verdict, operations (with per-account-and-region
rates), coverage, missing and reasons.

Exit 0 only for stopped; 3 otherwise.

` + exitCodesHelp,
		Example: `  footprint verify stop --actor defender-for-cloud --standard fsbp --at 2026-11-08T00:00:00Z
  footprint verify stop --actor prowler --standard fsbp --at 2026-11-08 --window 3d --running cis-1.2.0
  footprint verify stop --actor role:AcmeInventory --ops-file fsbp-only.txt --at 2026-11-08 --format json`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			if opts.Actor == "" {
				return usageError(errors.New("--actor is required"))
			}
			if opts.Standard == "" && opts.OpsFile == "" {
				return usageError(errors.New("give --standard or --ops-file"))
			}
			at, win, err := parseAtWindow(f.Now(), opts.At, opts.Window)
			if err != nil {
				return err
			}
			rules, err := loadRules(opts.Actors)
			if err != nil {
				return err
			}
			so := analysis.StopOptions{Rules: rules, Actor: opts.Actor, Standard: opts.Standard, At: at, Window: win}
			if c.Flags().Changed("running") {
				so.Running = append([]string{}, opts.Running...)
			}
			if opts.OpsFile != "" {
				if so.Ops, err = analysis.ReadOpsFile(opts.OpsFile); err != nil {
					return analysisErr(err)
				}
				so.OpsSource = "operations file " + opts.OpsFile
			}
			st, err := f.ReadOnlyStore(c.Context())
			if err != nil {
				return err
			}
			res, err := analysis.VerifyStop(c.Context(), st.DB, so)
			if err != nil {
				return analysisErr(err)
			}
			if err := f.Render(res); err != nil {
				return err
			}
			if res.Verdict != analysis.VerdictStopped {
				return withExit(ExitPolicy)
			}
			return nil
		},
	}
	c.Flags().StringVar(&opts.Actor, "actor", "", "actor ID (as footprint attribute shows it)")
	c.Flags().StringVar(&opts.Standard, "standard", "", "the standard switched off: cis-1.2.0, fsbp or pci-3.2.1")
	c.Flags().StringVar(&opts.At, "at", "", "when it was switched off")
	c.Flags().StringVar(&opts.Window, "window", "7d", "how far to look on each side of --at")
	c.Flags().StringVar(&opts.OpsFile, "ops-file", "", "operations to check, one service:Operation per line, instead of the catalogue's")
	c.Flags().StringSliceVar(&opts.Running, "running", nil, "standards the actor still runs (default: every other standard)")
	c.Flags().StringVar(&opts.Actors, "actors", "", actorsFlagHelp)
	return c
}
