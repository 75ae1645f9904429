package cmd

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/footprint-dev/footprint/internal/awssim"
)

func newSimCmd(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "sim",
		Short: "Run the simulated AWS organisation that records CloudTrail",
		Long: `The simulator is a local AWS organisation (accounts, regions, IAM, CloudTrail,
S3, EC2, ...) that speaks AWS's wire protocols and writes a CloudTrail record for
every request, so any AWS tool's API footprint can be measured before it touches
production. See docs/simulator.md.

` + exitCodesHelp,
		Example: `  footprint sim serve --env-file sim.env --trail-dir ./sim-trail`,
		Args:    argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			return c.Help()
		},
	}
	c.AddCommand(newSimServeCmd(f))
	return c
}

type simServeOptions struct {
	Fixture  string
	Addr     string
	TrailDir string
	EnvFile  string
	PageSize int
	Region   string
	Faults   []string
	Seed     uint64
}

func newSimServeCmd(f *Factory) *cobra.Command {
	opts := &simServeOptions{}
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve the simulated organisation on a local address",
		Long: `Serve the simulated AWS organisation on a loopback address until interrupted.

Without --fixture the built-in organisation is served: a management account and two
members, three enabled regions and one that is not, a read-only FootprintAudit role
in every account, deliberately misconfigured so every CIS v1.2.0 control passes
somewhere and fails somewhere. Fixture times are relative to the clock.

Once listening, the KEY=VALUE lines that point an AWS tool at the simulator
(AWS_ENDPOINT_URL, the fixture's caller keys, AWS_REGION, AWS_EC2_METADATA_DISABLED
and empty AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE) are written to --env-file,
or to stdout without it. One line per request is logged on stderr. CloudTrail is
delivered in 5-minute files under --trail-dir (and readable through S3 from the
fixture's trail bucket and through LookupEvents); SIGTERM or Ctrl-C delivers what
is pending and exits 0.

Faults (--fault, repeatable) are comma-separated key=value pairs: operation
(iam:ListUsers, ec2:*, *), account, region, and one or more of throttle=N (the
first N calls), throttle_rate=0.5, deny, latency=200ms, fail.

` + exitCodesHelp,
		Example: `  # serve the built-in organisation and point the AWS CLI at it
  footprint sim serve --env-file sim.env --trail-dir ./sim-trail &
  set -a; . ./sim.env; set +a
  aws sts get-caller-identity

  # a fixture of your own, small pages and a throttled operation
  footprint sim serve --fixture org.yaml --addr 127.0.0.1:4566 --page-size 2 \
      --fault operation=iam:GetCredentialReport,throttle=2

  # measure a tool's footprint, then ingest what it caused
  footprint sim serve --env-file sim.env --trail-dir ./sim-trail
  footprint trail ingest ./sim-trail`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			return runSimServe(c, f, opts)
		},
	}
	fl := c.Flags()
	fl.StringVar(&opts.Fixture, "fixture", "", "fixture YAML (default: the built-in organisation)")
	fl.StringVar(&opts.Addr, "addr", "127.0.0.1:0", "address to listen on (port 0 picks a free one)")
	fl.StringVar(&opts.TrailDir, "trail-dir", "", "directory CloudTrail files are delivered to (default: memory only)")
	fl.StringVar(&opts.EnvFile, "env-file", "", "write the KEY=VALUE environment here once listening (default: stdout)")
	fl.IntVar(&opts.PageSize, "page-size", 0, "cap every page of a paginated answer at N items (0: AWS's sizes)")
	fl.StringVar(&opts.Region, "region", "", "AWS_REGION written to the environment (default: the first enabled region)")
	fl.StringArrayVar(&opts.Faults, "fault", nil, "inject a fault, e.g. operation=iam:ListUsers,throttle=3 (repeatable)")
	fl.Uint64Var(&opts.Seed, "seed", 0, "seed for request IDs, keys and file names (0: random)")
	return c
}

func runSimServe(c *cobra.Command, f *Factory, opts *simServeOptions) error {
	ctx := c.Context()
	fx := awssim.Default()
	if opts.Fixture != "" {
		var err error
		if fx, err = awssim.LoadFixture(opts.Fixture); err != nil {
			return usageError(err)
		}
	}
	var faults []awssim.Fault
	for _, spec := range opts.Faults {
		ft, err := awssim.ParseFault(spec)
		if err != nil {
			return usageError(err)
		}
		faults = append(faults, ft)
	}
	if opts.PageSize < 0 {
		return usageError(fmt.Errorf("--page-size %d is negative", opts.PageSize))
	}
	var logMu sync.Mutex
	sim, err := awssim.New(awssim.Options{
		Fixture:  fx,
		Now:      f.Now,
		TrailDir: opts.TrailDir,
		PageSize: opts.PageSize,
		Faults:   faults,
		Seed:     opts.Seed,
		OnRequest: func(r awssim.RequestInfo) {
			if f.Quiet {
				return
			}
			logMu.Lock()
			defer logMu.Unlock()
			fmt.Fprintln(f.IO.ErrOut, r.String())
		},
	})
	if err != nil {
		return err
	}
	if opts.TrailDir != "" {
		if err := os.MkdirAll(opts.TrailDir, 0o755); err != nil {
			return fmt.Errorf("trail directory: %w", err)
		}
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	endpoint := "http://" + ln.Addr().String()
	configDir := os.TempDir()
	if opts.EnvFile != "" {
		configDir = filepath.Dir(opts.EnvFile)
	}
	configDir, err = os.MkdirTemp(configDir, "footprint-sim-aws-")
	if err != nil {
		ln.Close()
		return fmt.Errorf("config directory: %w", err)
	}
	defer os.RemoveAll(configDir)
	env, err := sim.Env(awssim.EnvOptions{Endpoint: endpoint, Region: opts.Region, ConfigDir: configDir})
	if err != nil {
		ln.Close()
		return err
	}
	if opts.EnvFile != "" {
		if err := awssim.WriteEnvFile(opts.EnvFile, env); err != nil {
			ln.Close()
			return err
		}
	} else {
		fmt.Fprintln(f.IO.Out, strings.Join(env, "\n"))
	}
	f.Infof("footprint sim: serving %d accounts on %s (Ctrl-C or SIGTERM to stop)", len(fx.Accounts), endpoint)
	if err := sim.Serve(ctx, ln); err != nil {
		return err
	}
	if n := len(sim.Delivered()); opts.TrailDir != "" {
		f.Infof("footprint sim: %d CloudTrail files delivered under %s", n, opts.TrailDir)
	}
	return nil
}
