package cmd

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/footprint-dev/footprint/internal/output"
	"github.com/footprint-dev/footprint/internal/store"
	"github.com/footprint-dev/footprint/queries"
	"github.com/footprint-dev/footprint/trail"
)

func resultTable(r *trail.Result) *output.Table {
	return &output.Table{Columns: r.Columns, Rows: r.Rows}
}

type trailSQLOptions struct {
	Statement string
}

func newTrailSQLCmd(f *Factory) *cobra.Command {
	opts := &trailSQLOptions{}
	return &cobra.Command{
		Use:   `sql "SELECT ..."`,
		Short: "Run ad-hoc SQL on a read-only connection",
		Long: `Run one SQL query against the database, opened read-only. Tables: events (one row
per CloudTrail event; record holds the original JSON), files, quarantine, digests,
digest_log_files. Statements that change anything are refused.

With --format json the result is an array of row objects.

` + exitCodesHelp,
		Example: `  footprint trail sql "SELECT event_source, count(*) AS n FROM events GROUP BY ALL ORDER BY n DESC LIMIT 10"
  footprint trail sql "SELECT record->'requestParameters' FROM events WHERE event_name = 'CreateAccessKey'" --format json`,
		Args: argsUsage(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Statement = args[0]
			st, err := f.ReadOnlyStore(c.Context())
			if err != nil {
				return err
			}
			res, err := trail.SQL(c.Context(), st, opts.Statement)
			if err != nil {
				if errors.Is(err, store.ErrNotQuery) || errors.Is(err, store.ErrReadOnly) {
					return fmt.Errorf("trail sql is read-only: %w", err)
				}
				return err
			}
			return f.Render(resultTable(res))
		},
	}
}

func newTrailQueriesCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "queries",
		Short: "List the named forensic queries",
		Long:  "List the named forensic queries with their parameters. Run one with 'footprint trail query NAME'.\n\n" + exitCodesHelp,
		Example: `  footprint trail queries
  footprint trail queries --format json`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			qs, err := trail.Queries()
			if err != nil {
				return err
			}
			return f.Render(queryList(qs))
		},
	}
}

type queryList []queries.Named

type queryJSON struct {
	Name        string          `json:"name"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Params      []queries.Param `json:"params"`
}

func (l queryList) MarshalJSON() ([]byte, error) {
	out := make([]queryJSON, len(l))
	for i, q := range l {
		out[i] = queryJSON{q.Name, q.Title, q.Description, q.Params}
		if out[i].Params == nil {
			out[i].Params = []queries.Param{}
		}
	}
	return jsonMarshal(out)
}

func (l queryList) Tables() []output.Table {
	t := output.Table{Columns: []string{"name", "title", "params"}}
	for _, q := range l {
		var ps []string
		for _, p := range q.Params {
			ps = append(ps, fmt.Sprintf("%s=%s", p.Name, p.Default))
		}
		t.Rows = append(t.Rows, []any{q.Name, q.Title, strings.Join(ps, " ")})
	}
	return []output.Table{t}
}

type trailQueryOptions struct {
	Name         string
	Params       []string
	Since, Until string
}

func newTrailQueryCmd(f *Factory) *cobra.Command {
	opts := &trailQueryOptions{}
	c := &cobra.Command{
		Use:   "query NAME",
		Short: "Run a named forensic query",
		Long: `Run one of the named forensic queries ('footprint trail queries' lists them).
Parameters are given as --param name=value; --since and --until set the time
window (2026-11-29, 2026-11-29T10:00:00Z, or a duration ago such as 7d).

` + exitCodesHelp,
		Example: `  footprint trail query root_activity
  footprint trail query access_denied_by_principal --since 7d --param min_errors=20
  footprint trail query security_group_opened_to_world --format json`,
		Args: argsUsage(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Name = args[0]
			params := map[string]string{}
			for _, kv := range opts.Params {
				k, v, ok := strings.Cut(kv, "=")
				if !ok || k == "" {
					return usageError(fmt.Errorf("--param %q: want name=value", kv))
				}
				params[k] = v
			}
			if opts.Since != "" {
				params["since"] = opts.Since
			}
			if opts.Until != "" {
				params["until"] = opts.Until
			}
			st, err := f.ReadOnlyStore(c.Context())
			if err != nil {
				return err
			}
			res, err := trail.RunQuery(c.Context(), st.DB, trail.QueryOptions{Name: opts.Name, Params: params, Now: f.Now()})
			if err != nil {
				if errors.Is(err, trail.ErrUnknownQuery) || errors.Is(err, trail.ErrBadParam) {
					return usageError(err)
				}
				return err
			}
			return f.Render(resultTable(res))
		},
	}
	c.Flags().StringArrayVar(&opts.Params, "param", nil, "query parameter name=value (repeatable)")
	c.Flags().StringVar(&opts.Since, "since", "", "start of the time window (inclusive)")
	c.Flags().StringVar(&opts.Until, "until", "", "end of the time window (exclusive)")
	return c
}

type trailStatsOptions struct {
	Top int
}

func newTrailStatsCmd(f *Factory) *cobra.Command {
	opts := &trailStatsOptions{}
	c := &cobra.Command{
		Use:   "stats",
		Short: "Show what the database holds",
		Long:  "Show the stored events, files, quarantined inputs, time range, accounts, regions and top event sources.\n\n" + exitCodesHelp,
		Example: `  footprint trail stats
  footprint trail stats --format json`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			st, err := f.ReadOnlyStore(c.Context())
			if err != nil {
				return err
			}
			s, err := trail.ReadStats(c.Context(), st.DB, opts.Top)
			if err != nil {
				return err
			}
			return f.Render(statsView{s})
		},
	}
	c.Flags().IntVar(&opts.Top, "top", 10, "how many event sources to list")
	return c
}

type statsView struct{ *trail.Stats }

func (v statsView) Tables() []output.Table {
	s := v.Stats
	span := "(no events)"
	if s.FirstEventTime != nil {
		span = fmt.Sprintf("%s .. %s", output.Cell(*s.FirstEventTime, true), output.Cell(*s.LastEventTime, true))
	}
	summary := output.Table{Columns: []string{"", ""}, KeyValue: true, Rows: [][]any{
		{"events", output.Count(s.Events)},
		{"event bytes", output.Bytes(s.EventBytes)},
		{"files", output.Count(s.Files)},
		{"digest files", output.Count(s.DigestFiles)},
		{"quarantined inputs", output.Count(s.QuarantinedInputs)},
		{"time range", span},
		{"accounts", len(s.Accounts)},
		{"regions", len(s.Regions)},
	}}
	list := func(title, col string, cs []trail.Count) output.Table {
		t := output.Table{Title: title, Columns: []string{col, "events"}}
		for _, c := range cs {
			t.Rows = append(t.Rows, []any{c.Name, output.Count(c.Events)})
		}
		return t
	}
	return []output.Table{summary,
		list("Accounts:", "account", s.Accounts),
		list("Regions:", "region", s.Regions),
		list("Top event sources:", "event_source", s.TopSources)}
}
