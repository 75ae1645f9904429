package cmd

import (
	"github.com/spf13/cobra"

	"github.com/footprint-dev/footprint/scan"
)

func newScanListCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the stored scans, newest first",
		Long: `List every scan in the database, newest first: when it ran, its status (complete,
failed, interrupted, or dry_run for a dry run's discovery calls), the accounts,
regions and standards, its findings by status, its calls and its gaps.

` + exitCodesHelp,
		Example: `  footprint scan list
  footprint scan list --format json`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			st, err := f.ReadOnlyStore(c.Context())
			if err != nil {
				return err
			}
			l, err := scan.List(c.Context(), st.DB)
			if err != nil {
				return err
			}
			return f.Render(l)
		},
	}
}
