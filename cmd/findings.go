package cmd

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/footprint-dev/footprint/scan"
)

type findingsOptions struct {
	ScanID  string
	Status  string
	Control string
	Account string
}

func newFindingsCmd(f *Factory) *cobra.Command {
	opts := &findingsOptions{}
	c := &cobra.Command{
		Use:   "findings",
		Short: "Show a stored scan's findings",
		Long: `Show the findings of a stored scan (--scan; default the latest complete one), optionally
only those with a status (pass, fail, not_evaluated, manual, exempted), of a control
or of an account. --format json prints an array of findings, each with scan_id,
control_id, standard_refs, account, region, resource_arn, status, severity and reason.

` + exitCodesHelp,
		Example: `  footprint findings --status fail
  footprint findings --scan 01JD3ZK5R0R7YV8S1N0W2Q4T6E --control IAM.4 --format json`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			switch opts.Status {
			case "", scan.Pass, scan.Fail, scan.NotEvaluated, scan.Manual, scan.Exempted:
			default:
				return usageError(fmt.Errorf("--status %q: use pass, fail, not_evaluated, manual or exempted", opts.Status))
			}
			st, err := f.ReadOnlyStore(c.Context())
			if err != nil {
				return err
			}
			l, err := scan.LoadFindings(c.Context(), st.DB, scan.FindingsOptions{ScanID: opts.ScanID, Status: opts.Status,
				Control: opts.Control, Account: opts.Account})
			if errors.Is(err, scan.ErrNoScan) {
				return usageError(err)
			}
			if err != nil {
				return err
			}
			return f.Render(l)
		},
	}
	c.Flags().StringVar(&opts.ScanID, "scan", "", "scan ID (default: the latest complete scan)")
	c.Flags().StringVar(&opts.Status, "status", "", "only findings with this status")
	c.Flags().StringVar(&opts.Control, "control", "", "only this control's findings")
	c.Flags().StringVar(&opts.Account, "account", "", "only this account's findings")
	return c
}
