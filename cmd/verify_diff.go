package cmd

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/footprint-dev/footprint/analysis"
)

type verifyDiffOptions struct {
	Actor  string
	At     string
	Window string
	Actors string
}

func newVerifyDiffCmd(f *Factory) *cobra.Command {
	opts := &verifyDiffOptions{}
	c := &cobra.Command{
		Use:   "diff",
		Short: "How did the actor's operations change at a time?",
		Long: `Compare the actor's operations in the --window before and after --at, with no
reference to standards: operations added and removed, and each operation's calls and
calls per day (per day of trail on each side) with its change (added, removed,
increased, decreased by more than 20%, or unchanged).

` + exitCodesHelp,
		Example: `  footprint verify diff --actor defender-for-cloud --at 2026-11-08
  footprint verify diff --actor prowler --at 2026-11-08T06:00:00Z --window 2d --format json`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			if opts.Actor == "" {
				return usageError(errors.New("--actor is required"))
			}
			at, win, err := parseAtWindow(f.Now(), opts.At, opts.Window)
			if err != nil {
				return err
			}
			rules, err := loadRules(opts.Actors)
			if err != nil {
				return err
			}
			st, err := f.ReadOnlyStore(c.Context())
			if err != nil {
				return err
			}
			res, err := analysis.VerifyDiff(c.Context(), st.DB, analysis.DiffOptions{Rules: rules, Actor: opts.Actor, At: at, Window: win})
			if err != nil {
				return analysisErr(err)
			}
			return f.Render(res)
		},
	}
	c.Flags().StringVar(&opts.Actor, "actor", "", "actor ID (as footprint attribute shows it)")
	c.Flags().StringVar(&opts.At, "at", "", "the time to compare around")
	c.Flags().StringVar(&opts.Window, "window", "7d", "how far to look on each side of --at")
	c.Flags().StringVar(&opts.Actors, "actors", "", actorsFlagHelp)
	return c
}
