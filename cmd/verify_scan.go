package cmd

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/footprint-dev/footprint/analysis"
	"github.com/footprint-dev/footprint/internal/when"
)

type verifyScanOptions struct {
	ScanID    string
	Slack     string
	Tolerance string
}

func newVerifyScanCmd(f *Factory) *cobra.Command {
	opts := &verifyScanOptions{}
	c := &cobra.Command{
		Use:   "scan",
		Short: "Does a scan's call manifest match the trail?",
		Long: `Match every call a footprint scan recorded (each attempt: a retry is another request
and another CloudTrail event) with the trail, by request ID, falling back to session,
operation, account, region and time (within --tolerance of the call). The verdict is
match, or mismatch with the manifest calls missing from the trail and the trail calls
under the scanner's session (its session name on the scan's roles or credentials,
within the scan's time plus --slack) that the manifest does not know: someone or
something else using the scanner's role, which is a security finding.

Ingest the CloudTrail delivered after the scan first: files arrive minutes late.

Exit 0 only for match; 3 for mismatch.

` + exitCodesHelp,
		Example: `  footprint verify scan --scan 01JD3ZK5R0R7YV8S1N0W2Q4T6E
  footprint verify scan --scan 01JD3ZK5R0R7YV8S1N0W2Q4T6E --slack 30m --format json`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			if opts.ScanID == "" {
				return usageError(errors.New("--scan is required"))
			}
			slack, err := when.ParseDuration(opts.Slack)
			if err != nil {
				return usageError(fmt.Errorf("--slack: %w", err))
			}
			tol, err := when.ParseDuration(opts.Tolerance)
			if err != nil {
				return usageError(fmt.Errorf("--tolerance: %w", err))
			}
			st, err := f.ReadOnlyStore(c.Context())
			if err != nil {
				return err
			}
			res, err := analysis.VerifyScan(c.Context(), st.DB, analysis.ScanVerifyOptions{ScanID: opts.ScanID, Slack: slack, Tolerance: tol})
			if err != nil {
				return err
			}
			if err := f.Render(res); err != nil {
				return err
			}
			if res.Verdict != analysis.VerdictMatch {
				return withExit(ExitPolicy)
			}
			return nil
		},
	}
	c.Flags().StringVar(&opts.ScanID, "scan", "", "scan ID")
	c.Flags().StringVar(&opts.Slack, "slack", "15m", "time around the scan in which events under its session are looked for")
	c.Flags().StringVar(&opts.Tolerance, "tolerance", "2m", "how far from a call an event may be to match it without a request ID")
	return c
}
