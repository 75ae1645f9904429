package cmd

import (
	"github.com/spf13/cobra"

	"github.com/footprint-dev/footprint/internal/buildinfo"
	"github.com/footprint-dev/footprint/internal/output"
)

type versionResult struct {
	buildinfo.Info
}

func (v versionResult) Tables() []output.Table {
	rows := [][]any{{"version", v.Version}, {"go", v.GoVersion}, {"platform", v.Platform}}
	if v.Commit != "" {
		c := v.Commit
		if v.Modified {
			c += " (modified)"
		}
		rows = append(rows, []any{"commit", c})
	}
	return []output.Table{{Columns: []string{"field", "value"}, Rows: rows, KeyValue: true}}
}

func newVersionCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print footprint's version",
		Long:  "Print the version footprint was built as; the scanner's user agent carries the same version.\n\n" + exitCodesHelp,
		Example: `  footprint version
  footprint version --format json`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			return f.Render(versionResult{buildinfo.Read()})
		},
	}
}
