// Command footprint scans AWS accounts, ingests CloudTrail into DuckDB and
// attributes, prices and verifies the API calls it finds. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/footprint-dev/footprint/cmd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal cancels ctx, restore the default handlers so a
	// second Ctrl-C kills the process at once.
	go func() { <-ctx.Done(); stop() }()
	os.Exit(cmd.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
