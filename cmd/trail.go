package cmd

import (
	"github.com/spf13/cobra"
)

func newTrailCmd(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "trail",
		Short: "Ingest CloudTrail into the database and query it",
		Long: `Ingest CloudTrail logs into footprint's DuckDB database, see what is stored,
and answer security questions with named forensic queries or your own SQL.

` + exitCodesHelp,
		Example: `  footprint trail ingest ./AWSLogs cloudtrail-export.jsonl.gz
  footprint trail stats
  footprint trail queries
  footprint trail query console_login_without_mfa --since 2026-11-01
  footprint trail sql "SELECT count(*) FROM events WHERE error_code IS NOT NULL"`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			return c.Help()
		},
	}
	c.AddCommand(newTrailIngestCmd(f))
	c.AddCommand(newTrailStatsCmd(f))
	c.AddCommand(newTrailSQLCmd(f))
	c.AddCommand(newTrailQueriesCmd(f))
	c.AddCommand(newTrailQueryCmd(f))
	return c
}
