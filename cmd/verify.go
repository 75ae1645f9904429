package cmd

import (
	"github.com/spf13/cobra"
)

func newVerifyCmd(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "verify",
		Short: "Check scanner behaviour against the trail",
		Long: `Check from CloudTrail that a scanner does what it says: that its calls for a standard
stopped when the standard was switched off (verify stop), how its operations changed at
a time (verify diff), and that a footprint scan's call manifest matches the trail
(verify scan). A verification that does not hold exits 3.

` + exitCodesHelp,
		Example: `  footprint verify stop --actor defender-for-cloud --standard fsbp --at 2026-11-08
  footprint verify diff --actor defender-for-cloud --at 2026-11-08
  footprint verify scan --scan 01JD3ZK5R0R7YV8S1N0W2Q4T6E`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			return c.Help()
		},
	}
	c.AddCommand(newVerifyStopCmd(f))
	c.AddCommand(newVerifyDiffCmd(f))
	c.AddCommand(newVerifyScanCmd(f))
	return c
}
