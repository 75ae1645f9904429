// Package cmd holds footprint's cobra commands. Commands turn flags into an
// options struct, call one package function and render its result; no
// business logic lives here.
package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/footprint-dev/footprint/internal/output"
	"github.com/footprint-dev/footprint/internal/store"
)

// IOStreams are the process's standard streams, injected for tests.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// isTerminal reports whether w is a terminal (progress bars only draw there).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Factory carries what every command needs: IO, the clock, the output format
// and lazy openers, so `--help` never touches the database or credentials.
type Factory struct {
	IO     IOStreams
	Now    func() time.Time
	Format output.Format
	DBPath string
	Quiet  bool
	Logger *slog.Logger
	// StderrTTY reports whether progress may be drawn on stderr.
	StderrTTY bool

	store *store.Store
}

// Store opens the database read-write (creating and migrating it as needed).
func (f *Factory) Store(ctx context.Context) (*store.Store, error) {
	if f.store != nil {
		return f.store, nil
	}
	s, err := store.Open(ctx, f.DBPath, store.Options{})
	if err != nil {
		return nil, err
	}
	f.store = s
	return s, nil
}

// ReadOnlyStore opens the database for reading only.
func (f *Factory) ReadOnlyStore(ctx context.Context) (*store.Store, error) {
	if f.store != nil {
		return f.store, nil
	}
	s, err := store.Open(ctx, f.DBPath, store.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	f.store = s
	return s, nil
}

// Render writes a result to stdout in the chosen format.
func (f *Factory) Render(v any) error {
	return output.Render(f.IO.Out, f.Format, v)
}

// Infof prints a status line on stderr unless --quiet.
func (f *Factory) Infof(format string, args ...any) {
	if f.Quiet {
		return
	}
	fmt.Fprintf(f.IO.ErrOut, format+"\n", args...)
}

func (f *Factory) close() {
	if f.store != nil {
		if err := f.store.Close(); err != nil {
			f.Logger.Warn("close database", "err", err)
		}
		f.store = nil
	}
}

// Main runs footprint with args and returns the process exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	f := &Factory{
		IO:        IOStreams{In: stdin, Out: stdout, ErrOut: stderr},
		Now:       time.Now,
		StderrTTY: isTerminal(stderr),
	}
	if path := os.Getenv("FOOTPRINT_CPUPROFILE"); path != "" {
		// A developer aid for performance work (docs/BENCHMARKS.md).
		if stop, err := startCPUProfile(path); err == nil {
			defer stop()
		} else {
			fmt.Fprintf(stderr, "footprint: cpu profile: %v\n", err)
		}
	}
	root := newRootCmd(f)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	f.close()
	if err == nil || errors.Is(err, syscall.EPIPE) {
		// a closed stdout (| head) is the reader's choice, not a failure
		return ExitOK
	}
	code := exitCode(ctx, err)
	var ee *exitError
	if !(errors.As(err, &ee) && ee.silent) {
		if code == ExitInterrupted {
			fmt.Fprintln(stderr, "footprint: interrupted")
		} else {
			fmt.Fprintf(stderr, "footprint: %v\n", err)
		}
		if code == ExitUsage {
			fmt.Fprintln(stderr, "Run with --help for usage.")
		}
	}
	return code
}

func newRootCmd(f *Factory) *cobra.Command {
	var format, logLevel string
	dbDefault := "footprint.duckdb"
	if env := os.Getenv("FOOTPRINT_DB"); env != "" {
		dbDefault = env
	}
	root := &cobra.Command{
		Use:   "footprint",
		Short: "Know, price and prove the AWS API calls your security tools make",
		Long: `footprint scans AWS accounts under a fixed role-session name, ingests CloudTrail
into an embedded DuckDB database, and attributes, prices and verifies the API calls
it finds there.

Results go to stdout (--format table|json|csv); progress and logs go to stderr.

` + exitCodesHelp,
		Example: `  footprint scan --dry-run --schedule 4h
  footprint scan --format json > scan.json
  footprint findings --status fail
  footprint trail ingest ./AWSLogs
  footprint trail stats
  footprint trail query root_activity --since 2026-01-01
  footprint trail sql "SELECT event_name, count(*) FROM events GROUP BY ALL ORDER BY 2 DESC"
  footprint attribute --by actor
  footprint cost --by actor --guardduty-regions 4
  footprint verify stop --actor defender-for-cloud --standard fsbp --at 2026-11-08
  footprint report --html footprint.html
  footprint sim serve --env-file sim.env --trail-dir ./sim-trail`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(c *cobra.Command, _ []string) error {
			fm, err := output.ParseFormat(format)
			if err != nil {
				return usageError(err)
			}
			f.Format = fm
			lvl, err := parseLevel(logLevel)
			if err != nil {
				return usageError(err)
			}
			f.Logger = slog.New(slog.NewTextHandler(f.IO.ErrOut, &slog.HandlerOptions{Level: lvl}))
			return nil
		},
	}
	f.Logger = slog.New(slog.NewTextHandler(f.IO.ErrOut, &slog.HandlerOptions{Level: slog.LevelWarn}))
	pf := root.PersistentFlags()
	pf.StringVar(&f.DBPath, "db", dbDefault, "DuckDB database file (env FOOTPRINT_DB)")
	pf.StringVar(&format, "format", string(output.FormatTable), "output format: table|json|csv")
	pf.BoolVarP(&f.Quiet, "quiet", "q", false, "no progress or status messages on stderr")
	pf.StringVar(&logLevel, "log-level", "warn", "log level: debug|info|warn|error")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError(fmt.Errorf("%w\n\n%s", err, c.UsageString()))
	})
	root.CompletionOptions.DisableDefaultCmd = true

	root.AddCommand(newVersionCmd(f))
	root.AddCommand(newTrailCmd(f))
	root.AddCommand(newAttributeCmd(f))
	root.AddCommand(newCostCmd(f))
	root.AddCommand(newVerifyCmd(f))
	root.AddCommand(newReportCmd(f))
	root.AddCommand(newSimCmd(f))
	root.AddCommand(newDemoCmd(f))
	root.AddCommand(newScanCmd(f))
	root.AddCommand(newFindingsCmd(f))
	return root
}

func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("unknown log level %q: use debug, info, warn or error", s)
}

// noArgs and friends wrap cobra's validators so argument mistakes exit 2.
func argsUsage(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := v(c, args); err != nil {
			return usageError(err)
		}
		return nil
	}
}

func startCPUProfile(path string) (func(), error) {
	fh, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(fh); err != nil {
		fh.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); fh.Close() }, nil
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
