package awssim

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// Fault is an injected failure. It matches requests by operation
// ("iam:ListUsers", "ec2:*", "*"), account and region (empty matches all) and
// then throttles, denies, delays or fails them.
type Fault struct {
	Operation string `yaml:"operation"`
	Account   string `yaml:"account"`
	Region    string `yaml:"region"`
	// Throttle throttles the first N matching calls.
	Throttle int `yaml:"throttle"`
	// ThrottleRate throttles this fraction (0..1) of matching calls.
	ThrottleRate float64 `yaml:"throttle_rate"`
	// Deny answers AccessDenied.
	Deny bool `yaml:"deny"`
	// Latency delays the answer.
	Latency Duration `yaml:"latency"`
	// Fail answers ServiceUnavailable (a failing region or service).
	Fail bool `yaml:"fail"`
}

// Duration is a time.Duration written as "250ms" in YAML.
type Duration time.Duration

// UnmarshalYAML parses a Go duration.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration like 250ms", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

func (f *Fault) check() error {
	if f.Operation == "" && f.Region == "" && f.Account == "" {
		return fmt.Errorf("a fault needs an operation, an account or a region to match")
	}
	if f.Operation != "" && f.Operation != "*" && !strings.Contains(f.Operation, ":") {
		return fmt.Errorf("operation %q is not service:Name (iam:ListUsers), service:* or *", f.Operation)
	}
	if f.ThrottleRate < 0 || f.ThrottleRate > 1 {
		return fmt.Errorf("throttle_rate %v is outside 0..1", f.ThrottleRate)
	}
	if f.Throttle < 0 {
		return fmt.Errorf("throttle %d is negative", f.Throttle)
	}
	if f.Throttle == 0 && f.ThrottleRate == 0 && !f.Deny && f.Latency == 0 && !f.Fail {
		return fmt.Errorf("a fault needs throttle, throttle_rate, deny, latency or fail")
	}
	return nil
}

// ParseFault reads a fault from a flag: comma-separated key=value pairs with
// the fixture's keys, e.g. "operation=iam:ListUsers,throttle=3",
// "operation=ec2:*,throttle_rate=0.5", "operation=s3:GetBucketPolicy,deny",
// "operation=*,latency=50ms", "region=eu-west-1,fail".
func ParseFault(spec string) (Fault, error) {
	var f Fault
	for _, kv := range strings.Split(spec, ",") {
		k, v, hasV := strings.Cut(strings.TrimSpace(kv), "=")
		var err error
		switch k {
		case "operation", "op":
			f.Operation = v
		case "account":
			f.Account = v
		case "region":
			f.Region = v
		case "throttle":
			f.Throttle, err = strconv.Atoi(v)
		case "throttle_rate", "rate":
			f.ThrottleRate, err = strconv.ParseFloat(v, 64)
		case "deny":
			f.Deny = !hasV || v == "true"
		case "fail":
			f.Fail = !hasV || v == "true"
		case "latency":
			var d time.Duration
			d, err = time.ParseDuration(v)
			f.Latency = Duration(d)
		default:
			return f, fmt.Errorf("fault %q: unknown key %q (use operation, account, region, throttle, throttle_rate, deny, latency, fail)", spec, k)
		}
		if err != nil {
			return f, fmt.Errorf("fault %q: %s: %w", spec, k, err)
		}
	}
	if err := f.check(); err != nil {
		return f, fmt.Errorf("fault %q: %w", spec, err)
	}
	return f, nil
}

type faultState struct {
	mu     sync.Mutex
	faults []Fault
	used   []int
	rng    *rand.Rand
}

func newFaultState(f []Fault, rng *rand.Rand) *faultState {
	return &faultState{faults: f, used: make([]int, len(f)), rng: rng}
}

// activeFault is a fault that fired for one request.
type activeFault struct {
	Latency  time.Duration
	throttle bool
	deny     bool
	fail     bool
}

func (f *Fault) matches(c *Call) bool {
	if f.Account != "" && (c.Account == nil || c.Account.ID != f.Account) {
		return false
	}
	if f.Region != "" && f.Region != c.Region {
		return false
	}
	switch op := f.Operation; {
	case op == "" || op == "*":
		return true
	case strings.HasSuffix(op, ":*"):
		return strings.TrimSuffix(op, ":*") == c.svc.Prefix
	default:
		// the wire name, or the IAM action the catalogue and Operations()
		// use when it differs (s3:GetBucketPublicAccessBlock is the wire's
		// GetPublicAccessBlock)
		return op == c.svc.Prefix+":"+c.Name || (c.op != nil && c.op.Action != "" && op == c.svc.Prefix+":"+c.op.Action)
	}
}

// match returns the combined effect of the faults that fire for c, or nil.
func (fs *faultState) match(c *Call) *activeFault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var a *activeFault
	for i := range fs.faults {
		f := &fs.faults[i]
		if !f.matches(c) {
			continue
		}
		if a == nil {
			a = &activeFault{}
		}
		a.Latency += time.Duration(f.Latency)
		a.deny = a.deny || f.Deny
		a.fail = a.fail || f.Fail
		if f.Throttle > 0 && fs.used[i] < f.Throttle {
			fs.used[i]++
			a.throttle = true
		}
		if f.ThrottleRate > 0 && fs.rng.Float64() < f.ThrottleRate {
			a.throttle = true
		}
	}
	return a
}

func (a *activeFault) apply(c *Call) *Error {
	switch {
	case a.fail:
		return c.err(errUnavailable, "Service is unavailable in %s (awssim fault)", c.Region)
	case a.deny:
		return c.err(errAccessDenied, "User: %s is not authorized to perform: %s (awssim fault)", c.caller.ARN(), c.opName())
	case a.throttle:
		return c.err(errThrottled, "Rate exceeded")
	}
	return nil
}
