package scan

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/footprint-dev/footprint/internal/awsx"
	"github.com/footprint-dev/footprint/scan/catalog"
	"github.com/footprint-dev/footprint/scan/collect"
)

// Call is one logical AWS call the scan made: a row of scan_calls.
type Call struct {
	Seq         int64
	Account     string
	Region      string
	Service     string // IAM prefix: iam, s3, s3control ...
	Operation   string // SDK operation: GetPublicAccessBlock
	EventSource string // as CloudTrail records it
	EventName   string
	Collector   string // or "discovery"
	Start       time.Time
	Duration    time.Duration
	RequestIDs  []string // every attempt's, in order
	HTTPStatus  int      // the last attempt's
	Attempts    int
	Throttled   bool
	ErrorCode   string
}

// Key is the call's "service:Operation", as calls.by_operation counts it.
func (c *Call) Key() string { return c.Service + ":" + c.Operation }

// RequestID is the last attempt's request ID.
func (c *Call) RequestID() string {
	if len(c.RequestIDs) == 0 {
		return ""
	}
	return c.RequestIDs[len(c.RequestIDs)-1]
}

// Manifest records every call a scan makes. It is the awsx.Observer of
// every config the scan builds.
type Manifest struct {
	cat   *catalog.Catalog
	mu    sync.Mutex
	calls []*Call
}

// NewManifest returns an empty manifest.
func NewManifest(cat *catalog.Catalog) *Manifest { return &Manifest{cat: cat} }

// observer is the manifest's view for one account's credentials.
type observer struct {
	m       *Manifest
	account string
}

// Observer returns the observer for calls made in account.
func (m *Manifest) Observer(account string) awsx.Observer { return &observer{m: m, account: account} }

// ObserveCall records a call that reached AWS at least once. A call that
// failed before any request was sent (no credentials, bad parameters) is
// no AWS call and leaves no CloudTrail event.
func (o *observer) ObserveCall(ctx context.Context, c *awsx.Call) {
	var ids []string
	sent := 0
	throttled := false
	status := 0
	for _, a := range c.Attempts {
		if a.HTTPStatus == 0 && a.RequestID == "" {
			continue
		}
		sent++
		ids = append(ids, a.RequestID)
		throttled = throttled || a.Throttled
		status = a.HTTPStatus
	}
	if sent == 0 {
		return
	}
	rec := &Call{Account: o.account, Region: c.Region, Service: c.Service, Operation: c.Operation,
		Collector: collect.CollectorFrom(ctx), Start: c.Start.UTC(), Duration: c.Duration, RequestIDs: ids,
		HTTPStatus: status, Attempts: sent, Throttled: throttled}
	if rec.Collector == "" {
		rec.Collector = "discovery"
	}
	if c.Err != nil {
		rec.ErrorCode = awsx.Code(c.Err)
		if rec.ErrorCode == "" {
			rec.ErrorCode = "RequestFailed"
		}
	}
	rec.EventSource, rec.EventName = o.m.eventName(c.Service, c.Operation)
	o.m.mu.Lock()
	o.m.calls = append(o.m.calls, rec)
	o.m.mu.Unlock()
}

// eventName is how CloudTrail records an SDK call.
func (m *Manifest) eventName(service, op string) (string, string) {
	if o := m.cat.OperationByAPI(service, op); o != nil {
		return o.EventSource, o.EventName
	}
	src := service + ".amazonaws.com"
	switch service {
	case "cloudwatch":
		src = "monitoring.amazonaws.com"
	case "s3control":
		src = "s3.amazonaws.com"
	}
	return src, op
}

// setAccount fills the account of calls made before it was known (the
// caller's GetCallerIdentity).
func (m *Manifest) setAccount(account string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.calls {
		if c.Account == "" {
			c.Account = account
		}
	}
}

// Calls returns the calls in the order they started, numbered from 1.
func (m *Manifest) Calls() []*Call {
	m.mu.Lock()
	out := append([]*Call{}, m.calls...)
	m.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].Key() < out[j].Key()
	})
	for i, c := range out {
		c.Seq = int64(i + 1)
	}
	return out
}

// CallSummary is the JSON output's calls.
type CallSummary struct {
	// Total is the number of logical calls (scan_calls rows).
	Total int `json:"total"`
	// ByOperation counts them per "service:Operation".
	ByOperation map[string]int `json:"by_operation"`
	// Attempts counts requests, retries included: each is a CloudTrail event.
	Attempts int `json:"attempts"`
	// Throttled counts the calls with at least one throttled attempt.
	Throttled int `json:"throttled"`
}

// Summarize counts calls.
func Summarize(calls []*Call) CallSummary {
	s := CallSummary{ByOperation: map[string]int{}}
	for _, c := range calls {
		s.Total++
		s.ByOperation[c.Key()]++
		s.Attempts += c.Attempts
		if c.Throttled {
			s.Throttled++
		}
	}
	return s
}

// opKey maps a catalogue key to the manifest's "service:Operation".
func opKey(cat *catalog.Catalog, key string) string {
	if o := cat.Operations[key]; o != nil {
		return o.Service() + ":" + o.APIName()
	}
	return key
}
