package cmd

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/footprint-dev/footprint/analysis"
)

type costOptions struct {
	By               string
	Actor            string
	Actors           string
	Pricing          string
	GuardDutyRegions int
	TrailCopies      int
	Config           bool
	Window           windowFlags
}

func newCostCmd(f *Factory) *cobra.Command {
	opts := &costOptions{}
	c := &cobra.Command{
		Use:   "cost",
		Short: "Estimate what the calls cost in GuardDuty, Detective, CloudTrail and AWS Config",
		Long: `Estimate what each group's API calls cost downstream, for the observed window and
projected over 30 days: GuardDuty (CloudTrail management events per million, per
account and region; S3 data events separately, tiered), Detective (GB ingested, from
each event's own size, tiered per account and region), CloudTrail (additional trail
copies with --trail-copies N, data events when present) and, with --config, AWS Config
rule evaluations reported in the trail.

Prices come from one embedded, versioned table (region by region, each with its
source, date and confidence); --pricing FILE overrides items or regions in the same
format. A price the table does not know is reported as unpriced, never as zero:
such figures are lower bounds, marked +? in the table and complete: false in JSON.

Assumptions (all printed with the result): read-only events are billed by GuardDuty;
global service events are billed once per GuardDuty region (--guardduty-regions N);
tiers apply to projected monthly usage; the window is the data's own time range
unless --since/--until set it.

With --format json the result is an object: window, assumptions (every price used,
with source and date, and the notes), rows (the grouping key under its own name, then
events, guardduty_usd, detective_gb, detective_usd, cloudtrail_usd, config_usd,
total_usd and monthly_* projections, unrounded, plus unpriced usage) and total.

` + exitCodesHelp,
		Example: `  footprint cost
  footprint cost --by region --since 2026-11-01 --until 2026-12-01
  footprint cost --actor defender-for-cloud --by account --guardduty-regions 17
  footprint cost --trail-copies 1 --config --format json
  footprint cost --pricing my-prices.yaml`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			rules, err := loadRules(opts.Actors)
			if err != nil {
				return err
			}
			pricing, err := analysis.LoadPricing(opts.Pricing)
			if err != nil {
				return analysisErr(err)
			}
			w, err := opts.Window.window(f.Now())
			if err != nil {
				return err
			}
			st, err := f.ReadOnlyStore(c.Context())
			if err != nil {
				return err
			}
			rep, err := analysis.Cost(c.Context(), st.DB, analysis.CostOptions{Rules: rules, Pricing: pricing, By: opts.By,
				Actor: opts.Actor, Window: w, GuardDutyRegions: opts.GuardDutyRegions, TrailCopies: opts.TrailCopies, Config: opts.Config})
			if err != nil {
				return analysisErr(err)
			}
			return f.Render(rep)
		},
	}
	c.Flags().StringVar(&opts.By, "by", "actor", "group by "+strings.Join(analysis.CostGroupings, "|"))
	c.Flags().StringVar(&opts.Actor, "actor", "", "only this actor's events")
	c.Flags().StringVar(&opts.Actors, "actors", "", actorsFlagHelp)
	c.Flags().StringVar(&opts.Pricing, "pricing", "", "price file (YAML or JSON) overriding the embedded table")
	c.Flags().IntVar(&opts.GuardDutyRegions, "guardduty-regions", 1, "regions with GuardDuty enabled: global service events are billed once in each")
	c.Flags().IntVar(&opts.TrailCopies, "trail-copies", 0, "trails beyond the first (free) one that record the management events")
	c.Flags().BoolVar(&opts.Config, "config", false, "include AWS Config rule evaluations reported in the trail")
	opts.Window.add(c)
	return c
}
