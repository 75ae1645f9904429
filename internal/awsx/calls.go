package awsx

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"golang.org/x/time/rate"
)

// Attempt is one HTTP request of a call: the first, or a retry the SDK's
// retryer made after a throttle or a transient error. Each attempt is its
// own CloudTrail event.
type Attempt struct {
	Start      time.Time
	RequestID  string // as the SDK received it ("" when no response came back)
	HTTPStatus int    // 0 when no response came back
	Throttled  bool
	ErrorCode  string
}

// Call is one logical AWS call (one SDK operation invocation) with every
// attempt it took.
type Call struct {
	Service   string // IAM action prefix: iam, ec2, s3, s3control, logs, cloudwatch ...
	Operation string // SDK operation name: ListUsers
	Region    string // the region the client was configured for
	Start     time.Time
	Duration  time.Duration
	Attempts  []Attempt
	Err       error // the call's final error, if it failed
}

// Throttled reports whether any attempt was throttled.
func (c *Call) Throttled() bool {
	for _, a := range c.Attempts {
		if a.Throttled {
			return true
		}
	}
	return false
}

// Observer receives every call made with an instrumented config, after its
// last attempt. It is called from the goroutine that made the call.
type Observer interface {
	ObserveCall(ctx context.Context, c *Call)
}

// Limiter is a set of token buckets, one per key (footprint keys them by
// account and region), that every attempt waits on before it is sent. One
// Limiter shared by every client of an account and region keeps the scanner
// below the customer's shared API quotas whichever services it calls.
type Limiter struct {
	rps   rate.Limit
	burst int
	mu    sync.Mutex
	m     map[string]*rate.Limiter
}

// NewLimiter returns buckets refilling at rps requests per second with room
// for burst requests at once. rps <= 0 means no limit.
func NewLimiter(rps float64, burst int) *Limiter {
	if burst < 1 {
		burst = 1
	}
	l := rate.Limit(rps)
	if rps <= 0 {
		l = rate.Inf
	}
	return &Limiter{rps: l, burst: burst, m: map[string]*rate.Limiter{}}
}

// Wait blocks until key's bucket has a token or ctx ends.
func (l *Limiter) Wait(ctx context.Context, key string) error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	b := l.m[key]
	if b == nil {
		b = rate.NewLimiter(l.rps, l.burst)
		l.m[key] = b
	}
	l.mu.Unlock()
	return b.Wait(ctx)
}

// InstrumentOptions configure Instrument.
type InstrumentOptions struct {
	// Account is the account the config's credentials act in; the limiter
	// key is Account + "/" + the request's region.
	Account  string
	Limiter  *Limiter
	Observer Observer
	// Now is the clock call and attempt times are read from; nil is time.Now.
	Now func() time.Time
}

// Instrument returns a copy of cfg whose clients wait on the limiter before
// every attempt (retries included) and report every call, with each
// attempt's request ID, HTTP status and throttling, to the observer. Clients
// built from the copy, including the STS client an AssumeRole provider
// builds from it, are instrumented.
func Instrument(cfg aws.Config, opts InstrumentOptions) aws.Config {
	out := cfg.Copy()
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	out.APIOptions = append(append([]func(*middleware.Stack) error{}, cfg.APIOptions...), func(st *middleware.Stack) error {
		if err := st.Initialize.Add(&callMiddleware{obs: opts.Observer, now: now}, middleware.Before); err != nil {
			return err
		}
		am := &attemptMiddleware{account: opts.Account, lim: opts.Limiter, now: now}
		if _, ok := st.Finalize.Get("Retry"); ok {
			return st.Finalize.Insert(am, "Retry", middleware.After)
		}
		return st.Finalize.Add(am, middleware.Before)
	})
	return out
}

type callKey struct{}

type callMiddleware struct {
	obs Observer
	now func() time.Time
}

func (*callMiddleware) ID() string { return "footprint.Call" }

func (m *callMiddleware) HandleInitialize(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
	middleware.InitializeOutput, middleware.Metadata, error) {
	c := &Call{Start: m.now()}
	out, md, err := next.HandleInitialize(context.WithValue(ctx, callKey{}, c), in)
	c.Duration = m.now().Sub(c.Start)
	c.Err = err
	if c.Service == "" { // failed before the first attempt (parameter validation)
		c.Service = ServicePrefix(awsmiddleware.GetServiceID(ctx))
		c.Operation = awsmiddleware.GetOperationName(ctx)
	}
	if m.obs != nil {
		m.obs.ObserveCall(ctx, c)
	}
	return out, md, err
}

type attemptMiddleware struct {
	account string
	lim     *Limiter
	now     func() time.Time
}

func (*attemptMiddleware) ID() string { return "footprint.Attempt" }

func (m *attemptMiddleware) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
	middleware.FinalizeOutput, middleware.Metadata, error) {
	c, _ := ctx.Value(callKey{}).(*Call)
	region := awsmiddleware.GetRegion(ctx)
	if c != nil && c.Service == "" {
		c.Service = ServicePrefix(awsmiddleware.GetServiceID(ctx))
		c.Operation = awsmiddleware.GetOperationName(ctx)
		c.Region = region
	}
	if err := m.lim.Wait(ctx, m.account+"/"+region); err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, err
	}
	a := Attempt{Start: m.now()}
	out, md, err := next.HandleFinalize(ctx, in)
	a.RequestID, _ = awsmiddleware.GetRequestIDMetadata(md)
	if resp, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok && resp != nil {
		a.HTTPStatus = resp.StatusCode
	}
	if err != nil {
		var re *awshttp.ResponseError
		if errors.As(err, &re) {
			if a.RequestID == "" {
				a.RequestID = re.ServiceRequestID()
			}
			if a.HTTPStatus == 0 {
				a.HTTPStatus = re.HTTPStatusCode()
			}
		}
		a.ErrorCode = Code(err)
		a.Throttled = Classify(err) == ErrThrottled
	}
	if c != nil {
		c.Attempts = append(c.Attempts, a)
	}
	return out, md, err
}

// serviceIDs maps SDK service IDs to IAM action prefixes where they differ
// from the lower-cased ID.
var serviceIDs = map[string]string{
	"S3 Control":                 "s3control",
	"CloudWatch Logs":            "logs",
	"Config Service":             "config",
	"Elastic Load Balancing v2":  "elasticloadbalancing",
	"Elastic Load Balancing":     "elasticloadbalancing",
	"Auto Scaling":               "autoscaling",
	"Secrets Manager":            "secretsmanager",
	"Database Migration Service": "dms",
	"Elasticsearch Service":      "es",
	"OpenSearch":                 "es",
}

// ServicePrefix turns an SDK service ID ("CloudWatch Logs") into the IAM
// action prefix CloudTrail-based tools use ("logs").
func ServicePrefix(serviceID string) string {
	if p, ok := serviceIDs[serviceID]; ok {
		return p
	}
	return strings.ToLower(strings.ReplaceAll(serviceID, " ", ""))
}
