// Command gencorpus writes a deterministic synthetic CloudTrail corpus in the
// S3 delivery layout, for benchmarks and manual testing:
//
//	go run ./tools/gencorpus -out /tmp/corpus -events 1000000
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/footprint-dev/footprint/internal/synth"
)

func main() {
	out := flag.String("out", "", "directory to write (required)")
	events := flag.Int("events", 1_000_000, "total events")
	days := flag.Int("days", 7, "days covered")
	accounts := flag.String("accounts", "111122223333,444455556666,777788889999", "comma-separated account IDs")
	regions := flag.String("regions", "us-east-1,eu-west-1,ap-northeast-1,us-west-2", "comma-separated regions")
	seed := flag.Uint64("seed", 1, "random seed")
	org := flag.String("org", "", "also write an organization-trail copy under AWSLogs/<org>/")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gencorpus: -out is required")
		os.Exit(2)
	}
	start := time.Now()
	st, err := synth.Write(*out, synth.Options{
		Seed: *seed, Days: *days, Events: *events, OrgID: *org,
		Accounts: strings.Split(*accounts, ","), Regions: strings.Split(*regions, ","),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gencorpus: %d events in %d files, %.1f MB gzipped, %s\n",
		st.Events, st.Files, float64(st.Bytes)/1e6, time.Since(start).Round(time.Millisecond))
}
