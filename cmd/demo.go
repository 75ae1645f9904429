package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/footprint-dev/footprint/internal/buildinfo"
	"github.com/footprint-dev/footprint/internal/demo"
)

type demoOptions struct {
	WorkDir string
}

func newDemoCmd(f *Factory) *cobra.Command {
	opts := &demoOptions{}
	c := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole loop on the built-in simulated AWS organisation",
		Long: `Run footprint end to end without AWS: start the built-in simulated organisation
(three accounts, misconfigured on purpose), scan it with CIS AWS Foundations v1.2.0
under the fixed session name, predict the next scan's calls with a dry run and scan
again, add a week of other tools' CloudTrail (a Defender-like CSPM that keeps calling
FSBP's APIs after FSBP is switched off, Prowler, AWS Config, Terraform, a person),
ingest it all into the database, and show who made the calls, what they cost, whether
the scan's call manifest matches CloudTrail, and whether the switch-off held.

Everything lands in the database (--db), so every other command works on it after:
footprint findings, footprint attribute --explain, footprint report --html, ...

` + exitCodesHelp,
		Example: `  footprint demo
  footprint --db demo.duckdb demo --format json
  footprint --db demo.duckdb report --html demo.html`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			ctx := c.Context()
			if opts.WorkDir == "" {
				dir, err := os.MkdirTemp("", "footprint-demo-")
				if err != nil {
					return err
				}
				opts.WorkDir = dir
			}
			st, err := f.Store(ctx)
			if err != nil {
				return err
			}
			res, err := demo.Run(ctx, demo.Options{Store: st, Now: f.Now(), WorkDir: opts.WorkDir,
				Version: buildinfo.Version(), Logger: f.Logger, Step: func(format string, args ...any) {
					f.Infof("footprint demo: "+format, args...)
				}})
			if err != nil {
				return err
			}
			if err := f.Render(res); err != nil {
				return err
			}
			f.Infof("footprint demo: done; the database is %s. Try: footprint --db %s findings --status fail; footprint --db %s report --html demo.html",
				st.Path(), st.Path(), st.Path())
			if res.VerifyScan.Verdict != "match" {
				return fmt.Errorf("the scan's manifest does not match the trail: %s", res.VerifyScan.Verdict)
			}
			return nil
		},
	}
	c.Flags().StringVar(&opts.WorkDir, "work-dir", "", "where the CloudTrail files go (default: a new temporary directory)")
	return c
}
