package cmd

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/footprint-dev/footprint/internal/output"
	"github.com/footprint-dev/footprint/internal/progress"
	"github.com/footprint-dev/footprint/internal/store"
	"github.com/footprint-dev/footprint/trail"
)

type trailIngestOptions struct {
	Paths       []string
	Workers     int
	BatchRows   int
	MemoryLimit string
	Threads     int
}

func newTrailIngestCmd(f *Factory) *cobra.Command {
	opts := &trailIngestOptions{}
	c := &cobra.Command{
		Use:   "ingest PATH...",
		Short: "Load CloudTrail files and directories into the database",
		Long: `Load CloudTrail logs into the database. PATH may be a file or a directory (walked
recursively). Formats are recognised from content: CloudTrail delivery objects
({"Records":[...]}, .json or .json.gz), JSON Lines exports (.jsonl, .ndjson, gzipped
or not), 'aws cloudtrail lookup-events' output, and .zip archives of any of these.
CloudTrail-Digest files are kept in the digests table; other services' objects in a
trail bucket (Config/ and the like) and files that are not logs are skipped.

Ingest is idempotent: files already ingested are recognised by content and skipped,
and an event already stored (an organization trail and an account trail deliver the
same event) is stored once. A file that cannot be ingested is quarantined whole, with a
reason, and nothing else is lost; see 'footprint trail stats' and the quarantine table.
An interrupted ingest leaves only whole files; run it again to finish.

` + exitCodesHelp,
		Example: `  footprint trail ingest ./AWSLogs
  footprint trail ingest lookup-events.json siem-export.jsonl.gz logs.zip
  footprint --db forensics.duckdb trail ingest s3-download/ --format json`,
		Args: argsUsage(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Paths = args
			return runTrailIngest(c, f, opts)
		},
	}
	c.Flags().IntVar(&opts.Workers, "workers", runtime.GOMAXPROCS(0), "files decoded in parallel")
	c.Flags().IntVar(&opts.BatchRows, "batch-rows", 250_000, "events per transaction (files are never split)")
	c.Flags().StringVar(&opts.MemoryLimit, "memory-limit", "256MB", "DuckDB buffer memory limit")
	c.Flags().IntVar(&opts.Threads, "db-threads", 0, "DuckDB threads (0: one per CPU)")
	return c
}

// goMemoryLimit is the Go heap's soft limit during ingest, unless GOMEMLIMIT
// says otherwise: with DuckDB's own limit it keeps the process well under
// 1 GiB however large the corpus (docs/BENCHMARKS.md).
const goMemoryLimit = 384 << 20

func runTrailIngest(c *cobra.Command, f *Factory, opts *trailIngestOptions) error {
	ctx := c.Context()
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(goMemoryLimit))
	}
	st, err := store.Open(ctx, f.DBPath, store.Options{MemoryLimit: opts.MemoryLimit, Threads: opts.Threads})
	if err != nil {
		return err
	}
	f.store = st
	io := trail.IngestOptions{
		Paths:     opts.Paths,
		Workers:   opts.Workers,
		BatchRows: opts.BatchRows,
		Now:       f.Now,
		Logger:    f.Logger,
	}
	var bar *progress.Bar
	if f.StderrTTY && !f.Quiet {
		bar = progress.New(f.IO.ErrOut, f.Now)
		io.Progress = func(p trail.Progress) {
			bar.Update(progress.State{Done: p.FilesDone, Total: p.FilesTotal, Bytes: p.BytesDone,
				BytesTotal: p.BytesTotal, Count: p.Events, Unit: "files", CountUnit: "events", Started: p.Started})
		}
	}
	sum, err := trail.Ingest(ctx, st, io)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		if errors.Is(err, trail.ErrNoSuchPath) {
			return usageError(err)
		}
		return err
	}
	if err := f.Render(ingestView{sum}); err != nil {
		return err
	}
	if sum.QuarantinedFiles > 0 {
		if !f.Quiet {
			fmt.Fprintf(f.IO.ErrOut, "footprint: %d input(s) quarantined; everything else was stored (see the quarantine table)\n", sum.QuarantinedFiles)
		}
		return withExit(ExitPartial)
	}
	return nil
}

type ingestView struct {
	*trail.IngestSummary
}

func (v ingestView) Tables() []output.Table {
	s := v.IngestSummary
	rate := 0.0
	if s.ElapsedSeconds > 0 {
		rate = float64(s.Bytes) / 1e6 / s.ElapsedSeconds
	}
	rows := [][]any{
		{"inputs", output.Count(int64(s.Inputs))},
		{"ingested files", output.Count(int64(s.IngestedFiles))},
		{"digest files", output.Count(int64(s.DigestFiles))},
		{"unchanged files", fmt.Sprintf("%s (already ingested)", output.Count(int64(s.UnchangedFiles)))},
		{"skipped files", output.Count(int64(s.SkippedFiles))},
	}
	for _, k := range output.SortedKeys(s.SkippedReasons) {
		rows = append(rows, []any{"  " + k, output.Count(int64(s.SkippedReasons[k]))})
	}
	rows = append(rows,
		[]any{"quarantined files", output.Count(int64(s.QuarantinedFiles))},
		[]any{"records read", output.Count(s.Records)},
		[]any{"new events", output.Count(s.NewEvents)},
		[]any{"duplicate events", output.Count(s.DuplicateEvents)},
		[]any{"elapsed", fmt.Sprintf("%.2fs (%s, %.1f MB/s)", s.ElapsedSeconds, output.Bytes(s.Bytes), rate)},
	)
	out := []output.Table{{Columns: []string{"", ""}, Rows: rows, KeyValue: true}}
	if len(s.Quarantined) > 0 {
		q := output.Table{Title: "Quarantined:", Columns: []string{"path", "record", "reason"}}
		for _, item := range s.Quarantined {
			var rec any
			if item.RecordIndex != nil {
				rec = *item.RecordIndex
			}
			reason := item.Reason
			if item.Previously {
				reason += " (quarantined before)"
			}
			q.Rows = append(q.Rows, []any{item.Path, rec, reason})
		}
		out = append(out, q)
	}
	return out
}
