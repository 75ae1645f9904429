package cmd

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/footprint-dev/footprint/analysis"
	"github.com/footprint-dev/footprint/internal/when"
)

// windowFlags are the --since/--until pair the analysis commands share.
type windowFlags struct {
	Since, Until string
}

func (w *windowFlags) add(c *cobra.Command) {
	c.Flags().StringVar(&w.Since, "since", "", "start of the time window, inclusive (2026-11-01, 2026-11-01T10:00:00Z, or a duration ago such as 7d)")
	c.Flags().StringVar(&w.Until, "until", "", "end of the time window, exclusive")
}

func (w *windowFlags) window(now time.Time) (analysis.Window, error) {
	var out analysis.Window
	var err error
	if w.Since != "" {
		if out.From, err = when.Parse(w.Since, now); err != nil {
			return out, usageError(fmt.Errorf("--since: %w", err))
		}
	}
	if w.Until != "" {
		if out.Until, err = when.Parse(w.Until, now); err != nil {
			return out, usageError(fmt.Errorf("--until: %w", err))
		}
	}
	if !out.From.IsZero() && !out.Until.IsZero() && !out.From.Before(out.Until) {
		return out, usageError(errors.New("--since must be before --until"))
	}
	return out, nil
}

// loadRules reads the built-in actor rules and the --actors file.
func loadRules(path string) ([]analysis.Rule, error) {
	rules, err := analysis.LoadRules(path)
	if errors.Is(err, analysis.ErrBadRules) {
		return nil, usageError(err)
	}
	return rules, err
}

// analysisErr marks option mistakes found by the analysis package as usage
// errors (exit 2).
func analysisErr(err error) error {
	if errors.Is(err, analysis.ErrBadOption) || errors.Is(err, analysis.ErrBadRules) {
		return usageError(err)
	}
	return err
}

const actorsFlagHelp = "actor rules file (YAML or JSON) that adds or overrides the built-in rules; see 'footprint attribute --help'"
