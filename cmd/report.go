package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/footprint-dev/footprint/analysis"
	"github.com/footprint-dev/footprint/internal/output"
)

type reportOptions struct {
	HTML             string
	Actors           string
	Pricing          string
	GuardDutyRegions int
	TrailCopies      int
	Top              int
	StopActor        string
	StopStandard     string
	StopAt           string
	StopWindow       string
	Window           windowFlags
}

func newReportCmd(f *Factory) *cobra.Command {
	opts := &reportOptions{}
	c := &cobra.Command{
		Use:   "report --html FILE",
		Short: "Write an offline HTML report: calls, cost and verification",
		Long: `Write one self-contained HTML file (inline CSS, JavaScript and SVG; nothing loaded
from the network) with calls per hour by actor (stacked), cost by actor with the
30-day projection, prices and assumptions, the top operations per actor, and the
verification results: verify scan for every scan in the database and, with
--stop-actor/--stop-standard/--stop-at, a verify stop.

stdout gets a one-line summary; the report goes to FILE.

` + exitCodesHelp,
		Example: `  footprint report --html footprint.html
  footprint report --html nov.html --since 2026-11-01 --until 2026-12-01 --guardduty-regions 4
  footprint report --html stop.html --stop-actor defender-for-cloud --stop-standard fsbp --stop-at 2026-11-08`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			if opts.HTML == "" {
				return usageError(errors.New("--html FILE is required"))
			}
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
			ro := analysis.ReportOptions{Rules: rules, Pricing: pricing, Window: w, GuardDutyRegions: opts.GuardDutyRegions,
				TrailCopies: opts.TrailCopies, TopOperations: opts.Top, Now: f.Now()}
			if opts.StopActor != "" || opts.StopStandard != "" || opts.StopAt != "" {
				if opts.StopActor == "" || opts.StopStandard == "" || opts.StopAt == "" {
					return usageError(errors.New("--stop-actor, --stop-standard and --stop-at go together"))
				}
				at, win, err := parseAtWindow(f.Now(), opts.StopAt, opts.StopWindow)
				if err != nil {
					return err
				}
				ro.Stop = &analysis.StopOptions{Actor: opts.StopActor, Standard: opts.StopStandard, At: at, Window: win}
			}
			st, err := f.ReadOnlyStore(c.Context())
			if err != nil {
				return err
			}
			d, err := analysis.BuildReport(c.Context(), st.DB, ro)
			if err != nil {
				return analysisErr(err)
			}
			var buf bytes.Buffer
			if err := d.WriteHTML(&buf); err != nil {
				return err
			}
			if err := os.WriteFile(opts.HTML, buf.Bytes(), 0o644); err != nil {
				return fmt.Errorf("write report: %w", err)
			}
			f.Infof("wrote %s", opts.HTML)
			return f.Render(reportSummary{File: opts.HTML, Events: d.Events, Actors: len(d.Actors), Scans: len(d.Scans),
				TotalUSD: d.Cost.Total.TotalUSD, MonthlyUSD: d.Cost.Total.MonthlyTotalUSD, Complete: d.Cost.Total.Complete})
		},
	}
	c.Flags().StringVar(&opts.HTML, "html", "", "the HTML file to write")
	c.Flags().StringVar(&opts.Actors, "actors", "", actorsFlagHelp)
	c.Flags().StringVar(&opts.Pricing, "pricing", "", "price file overriding the embedded table")
	c.Flags().IntVar(&opts.GuardDutyRegions, "guardduty-regions", 1, "regions with GuardDuty enabled")
	c.Flags().IntVar(&opts.TrailCopies, "trail-copies", 0, "trails beyond the first that record management events")
	c.Flags().IntVar(&opts.Top, "top", 10, "operations listed per actor")
	c.Flags().StringVar(&opts.StopActor, "stop-actor", "", "include verify stop for this actor")
	c.Flags().StringVar(&opts.StopStandard, "stop-standard", "", "... and this standard")
	c.Flags().StringVar(&opts.StopAt, "stop-at", "", "... switched off at this time")
	c.Flags().StringVar(&opts.StopWindow, "stop-window", "7d", "... looking this far on each side")
	opts.Window.add(c)
	return c
}

type reportSummary struct {
	File       string  `json:"file"`
	Events     int64   `json:"events"`
	Actors     int     `json:"actors"`
	Scans      int     `json:"scans"`
	TotalUSD   float64 `json:"total_usd"`
	MonthlyUSD float64 `json:"monthly_total_usd"`
	Complete   bool    `json:"complete"`
}

func (r reportSummary) Tables() []output.Table {
	return []output.Table{{Columns: []string{"file", "events", "actors", "scans", "total_usd", "monthly_total_usd", "complete"},
		Rows: [][]any{{r.File, r.Events, r.Actors, r.Scans, r.TotalUSD, r.MonthlyUSD, r.Complete}}}}
}
