package scan

import (
	"context"
	"flag"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"

	"github.com/footprint-dev/footprint/internal/awssim"
	"github.com/footprint-dev/footprint/internal/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testClock is the simulator's (and the scan's) frozen clock in tests: noon
// tomorrow. The SDK judges the simulator's session credentials by the real
// clock, so the frozen one must not lie in the past; every fixture time is
// relative to it, so findings do not depend on the day the tests run.
var testClock = time.Now().UTC().Truncate(24 * time.Hour).Add(36 * time.Hour)

var allAccounts = []string{"111111111111", "222222222222", "333333333333"}

// env is a simulator, a store and the options a scan against them takes.
type env struct {
	sim  *awssim.Sim
	st   *store.Store
	reqs atomic.Int64
	// bad collects requests the strict simulator refused: a write or an
	// operation it does not implement.
	bad chan string
}

func newEnv(t *testing.T, opts awssim.Options) *env {
	t.Helper()
	e := &env{bad: make(chan string, 1000)}
	if opts.Now == nil {
		opts.Now = func() time.Time { return testClock }
	}
	if opts.Seed == 0 {
		opts.Seed = 7
	}
	opts.OnRequest = func(r awssim.RequestInfo) {
		e.reqs.Add(1)
		if r.Status == 501 || (r.ErrorCode != "" && isWriteRefusal(r)) {
			select {
			case e.bad <- r.String():
			default:
			}
		}
	}
	s, err := awssim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	e.sim = s
	st, err := store.Open(context.Background(), store.InMemory, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st
	return e
}

// isWriteRefusal: the strict simulator answers every write with
// AccessDenied; a read the test denied on purpose is not one.
func isWriteRefusal(r awssim.RequestInfo) bool {
	op := r.Operation[len(prefixOf(r.Operation))+1:]
	for _, p := range []string{"Create", "Put", "Delete", "Update", "Attach", "Detach", "Modify", "Set", "Start", "Stop", "Tag", "Untag", "Enable", "Disable", "Authorize", "Revoke", "Remove", "Add"} {
		if len(op) >= len(p) && op[:len(p)] == p {
			return true
		}
	}
	return false
}

func prefixOf(op string) string {
	for i := range op {
		if op[i] == ':' {
			return op[:i]
		}
	}
	return op
}

// strict fails the test if the scanner wrote or called anything the
// simulator does not implement.
func (e *env) strict(t *testing.T) {
	t.Helper()
	for {
		select {
		case b := <-e.bad:
			t.Errorf("the scanner made a call the strict simulator refused: %s", b)
		default:
			return
		}
	}
}

// options are scan options against the simulator for plan.
func (e *env) options(t *testing.T, plan *Plan) Options {
	t.Helper()
	creds, err := e.sim.CallerCredentials()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	base := e.sim.AWSConfig("us-east-1", creds)
	// as awsx.Load does for the binary
	base.APIOptions = append(base.APIOptions, awsmiddleware.AddUserAgentKeyValue("footprint", "test"))
	return Options{
		Plan:      plan,
		Base:      base,
		Accounts:  allAccounts,
		MaxRPS:    -1, // no limit: the simulator has no quotas to protect
		DB:        e.st.DB,
		Now:       func() time.Time { return testClock },
		Sleep:     func(context.Context, time.Duration) error { return nil },
		NewID:     func() string { n++; return fmt.Sprintf("scan-%d", n) },
		UserAgent: "footprint/test",
		Version:   "test",
	}
}

func mustPlan(t *testing.T, sel Selection) *Plan {
	t.Helper()
	p, err := NewPlan(sel)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
