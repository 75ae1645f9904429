// Package collect reads AWS configuration into inventory tables: one file per
// AWS service, one Collector per inventory table (or per call that fills
// several tables at once). Collectors are the only code that touches the AWS
// SDK's types: they turn responses into rows of plain values, flatten
// policies and security-group rules so that controls stay plain SQL, and turn
// every read that fails into a Gap instead of a silent hole.
//
// Collectors are data as much as code: each declares the tables it fills,
// the tables of the same scan it reads first, and every operation it may
// call with how the number of calls is known in advance. The scanner plans
// (which collectors, in which order), prints least-privilege policies and
// predicts a scan's footprint from these declarations alone.
package collect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/footprint-dev/footprint/internal/awsx"
)

// Scope says how often a collector runs in an account.
type Scope string

const (
	// Regional collectors run once per account and scanned region.
	Regional Scope = "regional"
	// Global collectors run once per account: global services (IAM), and
	// per-resource reads that go to each resource's own region.
	Global Scope = "global"
)

// GlobalRegion is the region column of rows and gaps that belong to no
// region (IAM, the account's S3 Block Public Access).
const GlobalRegion = "global"

// OpKind says how an operation's number of calls is known before a scan.
type OpKind string

const (
	// Once: exactly one call per run.
	Once OpKind = "once"
	// Paged: one call per page of a list.
	Paged OpKind = "paged"
	// PerResource: one call (or one paged list) per resource read earlier in
	// the scan.
	PerResource OpKind = "per_resource"
	// Poll: repeated until the service reports a state (the credential
	// report); how often depends on state outside the inventory.
	Poll OpKind = "poll"
)

// Op is an operation a collector may call.
type Op struct {
	// Name is the catalogue key, "<IAM prefix>:<name>" (scan/catalog).
	Name string
	Kind OpKind
	// Per names the resource a PerResource call is made for ("user").
	Per string
	// Assume and AssumeMax are the calls per run assumed when no earlier
	// scan of the same targets says how many there are: the typical count
	// and the top of the range (the bottom is 0 for PerResource, 1 for
	// Once, Paged and Poll).
	Assume, AssumeMax int
}

// Collector reads one part of an account's configuration.
type Collector struct {
	Name    string // unique, lower_snake: "iam_users"
	Service string // the IAM prefix of the service it reads
	Scope   Scope
	// Tables are the inventory tables it fills (and only it fills).
	Tables []string
	// Needs are the tables of the same scan it reads before calling AWS.
	Needs []string
	// Ops are every operation Run may call.
	Ops []Op
	// Run reads the configuration. It returns an error only for what ends
	// the scan (the context, a broken database); AWS errors become gaps.
	Run func(ctx context.Context, env *Env) error
	// Predict, when set, predicts the calls of its Poll operations for the
	// next run in account from the inventory of an earlier scan.
	Predict func(ctx context.Context, db Querier, scanID, account string, now time.Time) (Estimate, error)
}

// Estimate is a predicted number of calls with its range and why.
type Estimate struct {
	Calls, Min, Max int
	Basis           string
}

// Querier reads the store (a *sql.DB).
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Gap is a read that failed: the data it would have given is unknown, and
// the controls that read its tables report not_evaluated.
type Gap struct {
	Account   string
	Region    string // where the data lives; GlobalRegion for account-wide data
	Collector string
	Tables    []string
	Operation string // catalogue key of the failed call
	// Resource is the ARN the failed call was about, when only that one
	// resource's data is missing; empty when the whole table is.
	Resource  string
	Class     string // access_denied | throttled | region_failure | error
	ErrorCode string
	Reason    string // for people
}

// Env is what a collector run sees: where it runs, its clients, the store,
// and where its rows and gaps go.
type Env struct {
	ScanID    string
	Account   string
	Partition string // aws, aws-cn, aws-us-gov
	// Region is the run's region, or GlobalRegion for a Global collector.
	Region string
	// Regions are the regions scanned in the account: per-resource reads
	// never leave them.
	Regions []string
	// HomeRegion is where global services are called (us-east-1 in the aws
	// partition).
	HomeRegion string
	Clients    *Clients
	DB         Querier
	Now        func() time.Time
	// Sleep waits between polls; tests pass one that returns at once.
	Sleep func(ctx context.Context, d time.Duration) error

	collector *Collector
	rows      map[string][][]any
	gaps      []Gap
	err       error
}

// NewEnv prepares a run of c.
func NewEnv(c *Collector, base Env) *Env {
	e := base
	e.collector = c
	e.rows = map[string][][]any{}
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.Sleep == nil {
		e.Sleep = sleep
	}
	return &e
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Add appends a row to one of the collector's tables. region is where the
// row's data lives; vals are the table's columns after scan_id, account_id
// and region, in order (Columns).
func (e *Env) Add(table, region string, vals ...any) {
	cols, ok := Tables[table]
	switch {
	case !ok:
		e.fail(fmt.Errorf("collector %s: unknown table %s", e.collector.Name, table))
		return
	case !contains(e.collector.Tables, table):
		e.fail(fmt.Errorf("collector %s writes %s, which it does not declare", e.collector.Name, table))
		return
	case len(vals) != len(cols):
		e.fail(fmt.Errorf("collector %s: %s has %d columns after the key, got %d values", e.collector.Name, table, len(cols), len(vals)))
		return
	}
	row := append([]any{e.ScanID, e.Account, region}, vals...)
	e.rows[table] = append(e.rows[table], row)
}

func (e *Env) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

// Gap records that op failed with err: for the resource when resource is
// set, for the whole of the collector's tables in region otherwise. It
// returns err's class so callers can tell what happened.
func (e *Env) Gap(op, region, resource string, err error) {
	class, reason := describe(err)
	what := "the " + e.collector.Tables[0] + " data"
	if resource != "" {
		what = resource
	}
	where := ""
	if region != GlobalRegion && region != "" {
		where = " in " + region
	}
	e.gaps = append(e.gaps, Gap{
		Account: e.Account, Region: region, Collector: e.collector.Name, Tables: e.collector.Tables,
		Operation: op, Resource: resource, Class: class, ErrorCode: awsx.Code(err),
		Reason: fmt.Sprintf("%s could not read %s%s: %s", op, what, where, reason),
	})
}

// GapReason records a gap that is not an AWS error (a resource outside the
// scanned regions, a document that does not parse).
func (e *Env) GapReason(op, region, resource, class, reason string) {
	e.gaps = append(e.gaps, Gap{Account: e.Account, Region: region, Collector: e.collector.Name, Tables: e.collector.Tables,
		Operation: op, Resource: resource, Class: class, Reason: reason})
}

// Rows are the rows a run produced, by table.
func (e *Env) Rows() map[string][][]any { return e.rows }

// Gaps are the gaps a run recorded.
func (e *Env) Gaps() []Gap { return e.gaps }

// Err is a programming error a run hit (a row that does not fit its table).
func (e *Env) Err() error { return e.err }

// Context returns ctx marked with the collector's name, so the call manifest
// knows who made each call.
func (e *Env) Context(ctx context.Context) context.Context {
	return WithCollector(ctx, e.collector.Name)
}

// InScope reports whether region is one the scan reads in this account.
func (e *Env) InScope(region string) bool { return contains(e.Regions, region) }

// Gap classes.
const (
	ClassAccessDenied  = "access_denied"
	ClassThrottled     = "throttled"
	ClassRegionFailure = "region_failure"
	ClassOutOfScope    = "out_of_scope"
	ClassError         = "error"
)

func describe(err error) (class, reason string) {
	code := awsx.Code(err)
	var ae smithy.APIError
	msg := ""
	if errors.As(err, &ae) {
		msg = ae.ErrorMessage()
	}
	switch c := awsx.Classify(err); {
	case errors.Is(c, awsx.ErrAccessDenied):
		return ClassAccessDenied, "access denied (" + code + "); allow it in the scanner's role (footprint scan --print-policy)"
	case errors.Is(c, awsx.ErrThrottled):
		return ClassThrottled, "throttled (" + code + ") on every attempt; scan again later or lower --max-rps"
	case errors.Is(c, awsx.ErrRegionDisabled):
		return ClassRegionFailure, "the region refused the credentials (" + code + "); is it enabled for the account?"
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
		return ClassRegionFailure, fmt.Sprintf("the service failed on every attempt (%s, HTTP %d)", code, re.HTTPStatusCode())
	}
	if code != "" {
		if msg != "" {
			return ClassError, code + ": " + msg
		}
		return ClassError, code
	}
	return ClassError, err.Error()
}

type collectorKey struct{}

// WithCollector marks ctx with the name of the collector making calls.
func WithCollector(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, collectorKey{}, name)
}

// CollectorFrom returns the collector name ctx was marked with, or "".
func CollectorFrom(ctx context.Context) string {
	s, _ := ctx.Value(collectorKey{}).(string)
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// registry is every collector, in no particular order.
var registry []*Collector

func register(cs ...*Collector) { registry = append(registry, cs...) }

// All returns every collector sorted by name.
func All() []*Collector {
	out := append([]*Collector{}, registry...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ByTable returns the collector that fills each table.
func ByTable() map[string]*Collector {
	m := map[string]*Collector{}
	for _, c := range registry {
		for _, t := range c.Tables {
			m[t] = c
		}
	}
	return m
}

// NotFound reports whether err says the thing read does not exist (no
// password policy, no bucket policy): an answer, not a gap.
func NotFound(err error) bool { return errors.Is(awsx.Classify(err), awsx.ErrNotFound) }

// str dereferences a string pointer ("" for nil).
func str(p *string) string { return aws.ToString(p) }

// ts turns an optional time into a nullable column value.
func ts(p *time.Time) any {
	if p == nil || p.IsZero() {
		return nil
	}
	return p.UTC()
}
