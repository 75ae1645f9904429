package awssim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure a simulator.
type Options struct {
	// Fixture is the organisation; nil means Default().
	Fixture *Fixture
	// Now is the clock; nil means time.Now. Fixture times are relative to it.
	Now func() time.Time
	// TrailDir receives CloudTrail files; empty keeps them in memory only.
	TrailDir string
	// PageSize, when positive, caps every page the simulator returns.
	PageSize int
	// Faults are added to the fixture's.
	Faults []Fault
	// Seed makes request IDs, event IDs, credentials and file names
	// reproducible; 0 draws a random seed.
	Seed uint64
	// OnRequest, when set, is called once per request after it is recorded.
	OnRequest func(RequestInfo)
	// Sleep waits for injected latency; nil means a real, context-aware sleep.
	Sleep func(ctx context.Context, d time.Duration)
}

// RequestInfo summarises one request (for per-request logging).
type RequestInfo struct {
	Time      time.Time
	Account   string
	Region    string
	Operation string // "iam:ListUsers"
	Principal string // ARN, or the access key when unknown
	Status    int
	ErrorCode string
	RequestID string
	Duration  time.Duration
}

// String is the one-line log form.
func (r RequestInfo) String() string {
	code := r.ErrorCode
	if code == "" {
		code = "-"
	}
	return fmt.Sprintf("%s %s %s %s %d %s %s %s", r.Time.UTC().Format(time.RFC3339), r.Account, r.Region,
		r.Operation, r.Status, code, r.Principal, r.RequestID)
}

// Sim is the simulated organisation. It is an http.Handler and safe for
// concurrent use.
type Sim struct {
	fx       *Fixture
	now      func() time.Time
	pageSize int
	ops      registry
	onReq    func(RequestInfo)
	sleep    func(context.Context, time.Duration)

	mu       sync.Mutex
	rng      *rand.Rand
	keys     map[string]*principal // long-term keys
	sessions map[string]*principal // temporary keys
	reports  map[string]*credReport
	faults   *faultState
	trail    *trailWriter
}

// New builds a simulator.
func New(opts Options) (*Sim, error) {
	fx := opts.Fixture
	if fx == nil {
		fx = Default()
	} else if err := fx.validate(); err != nil {
		return nil, err
	}
	s := &Sim{
		fx:       fx,
		now:      opts.Now,
		pageSize: opts.PageSize,
		ops:      newRegistry(),
		onReq:    opts.OnRequest,
		sleep:    opts.Sleep,
		keys:     map[string]*principal{},
		sessions: map[string]*principal{},
		reports:  map[string]*credReport{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.sleep == nil {
		s.sleep = func(ctx context.Context, d time.Duration) {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
			case <-t.C:
			}
		}
	}
	seed := opts.Seed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	s.rng = rand.New(rand.NewPCG(seed, 0xf007))
	faults := append(append([]Fault{}, fx.Faults...), opts.Faults...)
	for i := range faults {
		if err := faults[i].check(); err != nil {
			return nil, fmt.Errorf("fault %d: %w", i, err)
		}
	}
	s.faults = newFaultState(faults, rand.New(rand.NewPCG(seed, 0xfa17)))
	for _, a := range fx.Accounts {
		for _, k := range a.IAM.Root.AccessKeys {
			s.keys[k.ID] = &principal{Type: TypeRoot, Account: a, KeyID: k.ID, Secret: k.Secret}
			k.owner = s.keys[k.ID]
		}
		for _, u := range a.IAM.Users {
			for _, k := range u.AccessKeys {
				s.keys[k.ID] = &principal{Type: TypeIAMUser, Account: a, User: u, KeyID: k.ID, Secret: k.Secret}
				k.owner = s.keys[k.ID]
			}
		}
	}
	s.trail = newTrailWriter(opts.TrailDir, s)
	return s, nil
}

// Fixture returns the organisation the simulator serves.
func (s *Sim) Fixture() *Fixture { return s.fx }

// Now is the simulator's clock.
func (s *Sim) Now() time.Time { return s.now().UTC() }

// Credentials are an access key pair.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// CallerCredentials are the fixture's caller key (what `sim serve` hands out).
func (s *Sim) CallerCredentials() (Credentials, error) {
	p := s.keys[s.fx.Caller]
	if p == nil {
		return Credentials{}, errors.New("the fixture names no caller access key")
	}
	return Credentials{AccessKeyID: p.KeyID, SecretAccessKey: p.Secret}, nil
}

// AccessKey returns the credentials of a fixture access key ID.
func (s *Sim) AccessKey(id string) (Credentials, bool) {
	p := s.keys[id]
	if p == nil {
		return Credentials{}, false
	}
	return Credentials{AccessKeyID: p.KeyID, SecretAccessKey: p.Secret}, true
}

// Flush delivers every pending CloudTrail batch now.
func (s *Sim) Flush() error { return s.trail.flush(true) }

// Close flushes the trail. The simulator must not be used afterwards.
func (s *Sim) Close() error { return s.Flush() }

// Call is one request as a handler sees it.
type Call struct {
	ctx       context.Context
	sim       *Sim
	svc       *service
	protocol  Protocol
	op        *Operation
	method    string
	host      string
	userAgent string
	sourceIP  string
	bucket    string
	hostID    string

	// Name is the operation name.
	Name string
	// Region is the region the client called (us-east-1 for global services
	// as CloudTrail records them is decided by the writer).
	Region string
	// Account is the account the call runs in.
	Account *Account
	// In is the decoded input.
	In Input
	// Now is the simulator's clock at the request.
	Now time.Time
	// RequestID is returned to the client and written to CloudTrail.
	RequestID string

	caller *principal
	// respElems and resources go into the CloudTrail record.
	respElems  any
	resources  []trailResource
	sharedWith *Account // AssumeRole across accounts: also record in this account
}

// Context is the request's context.
func (c *Call) Context() context.Context { return c.ctx }

// Regional returns the account's state in the call's region (never nil).
func (c *Call) Regional() *Regional {
	if r := c.Account.Regions[c.Region]; r != nil {
		return r
	}
	return &Regional{}
}

// err builds the service's error of a kind.
func (c *Call) err(kind errKind, format string, args ...any) *Error {
	return c.svc.errorOf(kind, fmt.Sprintf(format, args...))
}

// ServeHTTP answers one AWS API request and records it in CloudTrail.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	wr := route(r, body)
	c := &Call{
		ctx:       r.Context(),
		sim:       s,
		svc:       wr.svc,
		protocol:  wr.protocol,
		method:    r.Method,
		host:      r.Host,
		userAgent: r.Header.Get("User-Agent"),
		sourceIP:  sourceIP(r.RemoteAddr),
		bucket:    wr.bucket,
		Name:      wr.op,
		Region:    wr.region,
		In:        wr.in,
		Now:       s.Now(),
	}
	c.RequestID, c.hostID = s.requestID(c.protocol == RestXML)
	res, record := s.serve(c, wr)
	for k, v := range res.header {
		w.Header()[k] = v
	}
	w.WriteHeader(res.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(res.body)
	}
	errCode := ""
	if res.status >= 300 {
		errCode = res.errCode
	}
	if record {
		s.trail.record(c, res)
	}
	if s.onReq != nil {
		info := RequestInfo{Time: c.Now, Region: c.Region, Status: res.status, ErrorCode: errCode,
			RequestID: c.RequestID, Duration: time.Since(start), Operation: c.opName()}
		if c.Account != nil {
			info.Account = c.Account.ID
		}
		if c.caller != nil {
			info.Principal = c.caller.ARN()
		} else {
			info.Principal = wr.accessKey
		}
		s.onReq(info)
	}
}

func (c *Call) opName() string {
	prefix := "unknown"
	if c.svc != nil {
		prefix = c.svc.Prefix
	}
	name := c.Name
	if name == "" {
		name = "Unknown"
	}
	return prefix + ":" + name
}

func sourceIP(remote string) string {
	h, _, err := net.SplitHostPort(remote)
	if err != nil || h == "" {
		return "127.0.0.1"
	}
	return h
}

// serve runs the pipeline: identity, region, faults, operation, encoding.
// It reports whether the request is written to CloudTrail.
func (s *Sim) serve(c *Call, wr *wireRequest) (*response, bool) {
	fail := func(e *Error) (*response, bool) {
		res := encodeError(c, e)
		if c.svc != nil {
			res.errCode = c.svc.trailCode(e)
		} else {
			res.errCode = e.Code
		}
		res.errMsg = e.Message
		return res, true
	}
	if c.svc == nil {
		// No service could be identified: answer loudly in the protocol the
		// client spoke, and record it under the name the scope gave.
		name := wr.scopeSvc
		if name == "" {
			name = "unknown"
		}
		c.svc = &service{Name: name, Prefix: name, EventSource: name + ".amazonaws.com", Protocol: c.protocol}
	}
	// identity
	p, idErr := s.authenticate(wr, c.Now)
	if idErr != nil {
		c.Account = s.managementAccount()
		res, _ := fail(c.svc.errorOf(idErr.kind, idErr.msg))
		return res, false // AWS does not log calls it could not authenticate
	}
	if serviceByName(c.svc.Name) == nil {
		c.caller, c.Account = p, p.Account
		return fail(&Error{Code: "NotImplemented", Status: http.StatusNotImplemented,
			Message: "awssim: service " + c.svc.Name + " is not simulated (credential scope, X-Amz-Target, Version or path)"})
	}
	c.caller = p
	c.Account = p.Account
	// regions
	if !s.regionEnabled(c.Region) {
		res, _ := fail(c.err(errInvalidToken, "The security token included in the request is invalid."))
		return res, false // a region that is not enabled logs nothing
	}
	if wr.badInput != "" {
		return fail(c.err(errValidation, "%s", wr.badInput))
	}
	// operation
	op := s.ops[opKey{c.svc.Name, c.Name}]
	c.op = op
	if c.Name == "" {
		return fail(&Error{Code: "NotImplemented", Status: http.StatusNotImplemented,
			Message: fmt.Sprintf("awssim: %s request %s %s names no operation the simulator knows", c.svc.Prefix, c.method, wr.bucket)})
	}
	// faults come before the operation, as AWS throttles before it looks
	if f := s.faults.match(c); f != nil {
		if f.Latency > 0 {
			s.sleep(c.ctx, f.Latency)
		}
		if e := f.apply(c); e != nil {
			return fail(e)
		}
	}
	if (op == nil && !isReadName(c.Name)) || (op != nil && !op.ReadOnly) {
		return fail(c.err(errAccessDenied, "User: %s is not authorized to perform: %s:%s because no identity-based policy allows the action (every simulated principal is read-only)",
			c.caller.ARN(), c.svc.Prefix, c.Name))
	}
	if op == nil {
		return fail(&Error{Code: "NotImplemented", Status: http.StatusNotImplemented,
			Message: fmt.Sprintf("awssim: operation %s:%s is not implemented", c.svc.Prefix, c.Name)})
	}
	if c.protocol != c.svc.Protocol {
		return fail(&Error{Code: "NotImplemented", Status: http.StatusNotImplemented,
			Message: fmt.Sprintf("awssim: %s speaks %s here, not %s", c.svc.Prefix, c.svc.Protocol, c.protocol)})
	}
	out, err := op.Handler(c)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return fail(e)
		}
		return fail(&Error{Code: "InternalFailure", Status: http.StatusInternalServerError, Message: err.Error()})
	}
	res := encode(c, out)
	return res, true
}

func (s *Sim) managementAccount() *Account {
	if a := s.fx.account(s.fx.Organization.ManagementAccount); a != nil {
		return a
	}
	return s.fx.Accounts[0]
}

func (s *Sim) regionEnabled(r string) bool {
	for _, e := range s.fx.Regions.Enabled {
		if e == r {
			return true
		}
	}
	return false
}

type authError struct {
	kind errKind
	msg  string
}

// authenticate maps the request's access key to a principal.
func (s *Sim) authenticate(wr *wireRequest, now time.Time) (*principal, *authError) {
	if wr.accessKey == "" {
		return nil, &authError{errInvalidToken, "Request is missing Authentication Token"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.keys[wr.accessKey]; p != nil {
		if k := s.keyOf(p); k != nil && k.Status == "Inactive" {
			return nil, &authError{errInvalidToken, "The security token included in the request is invalid."}
		}
		return p, nil
	}
	if p := s.sessions[wr.accessKey]; p != nil {
		if wr.token != p.Token {
			return nil, &authError{errInvalidToken, "The security token included in the request is invalid."}
		}
		if !now.Before(p.Expires) {
			return nil, &authError{errExpiredToken, "The security token included in the request is expired"}
		}
		return p, nil
	}
	return nil, &authError{errInvalidToken, "The security token included in the request is invalid."}
}

func (s *Sim) keyOf(p *principal) *AccessKey {
	var keys []*AccessKey
	if p.Type == TypeRoot {
		keys = p.Account.IAM.Root.AccessKeys
	} else if p.User != nil {
		keys = p.User.AccessKeys
	}
	for _, k := range keys {
		if k.ID == p.KeyID {
			return k
		}
	}
	return nil
}

// isReadName reports whether an operation name reads (its CloudTrail
// readOnly), by AWS's naming conventions.
func isReadName(name string) bool {
	for _, p := range []string{"Describe", "Get", "List", "Lookup", "Head", "Search", "Select", "Batch Get",
		"BatchGet", "Query", "Scan", "Check", "Estimate", "Preview", "Simulate", "Validate", "Test", "View", "Filter"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return name == "GenerateCredentialReport" || name == "GenerateServiceLastAccessedDetails"
}

// requestID draws a request ID (S3's 16 upper-case hex characters and a
// host ID, a UUID elsewhere).
func (s *Sim) requestID(s3 bool) (string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s3 {
		const hexU = "0123456789ABCDEF"
		b := make([]byte, 16)
		for i := range b {
			b[i] = hexU[s.rng.IntN(16)]
		}
		return string(b), s.tokenLocked(76)
	}
	return s.uuidLocked(), ""
}

func (s *Sim) uuid() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.uuidLocked()
}

func (s *Sim) uuidLocked() string {
	const hex = "0123456789abcdef"
	var b [36]byte
	for i := range b {
		switch i {
		case 8, 13, 18, 23:
			b[i] = '-'
		case 14:
			b[i] = '4'
		case 19:
			b[i] = "89ab"[s.rng.IntN(4)]
		default:
			b[i] = hex[s.rng.IntN(16)]
		}
	}
	return string(b[:])
}

func (s *Sim) tokenLocked(n int) string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[s.rng.IntN(len(alnum))]
	}
	return string(b)
}

// ---- transports ----

// HTTPClient returns a client that hands every request to the simulator in
// memory (no sockets). It satisfies aws.HTTPClient.
func (s *Sim) HTTPClient() *InMemoryClient { return &InMemoryClient{h: s} }

// InMemoryClient calls an http.Handler directly.
type InMemoryClient struct {
	h http.Handler
}

// Do serves req with the handler and returns its response.
func (c *InMemoryClient) Do(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.RequestURI = req.URL.RequestURI()
	if r.Host == "" {
		r.Host = req.URL.Host
	}
	if r.Body == nil {
		r.Body = http.NoBody
	}
	if r.RemoteAddr == "" {
		r.RemoteAddr = "127.0.0.1:49152"
	}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	c.h.ServeHTTP(rec, r)
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	return &http.Response{
		Status:        strconv.Itoa(rec.status) + " " + http.StatusText(rec.status),
		StatusCode:    rec.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rec.header,
		Body:          io.NopCloser(bytes.NewReader(rec.body.Bytes())),
		ContentLength: int64(rec.body.Len()),
		Request:       req,
	}, nil
}

type recorder struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

// Serve answers requests on ln until ctx is done, then shuts the server down
// and delivers the pending CloudTrail.
func (s *Sim) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-errc:
			ferr := s.Flush()
			if errors.Is(err, http.ErrServerClosed) {
				err = nil
			}
			return errors.Join(err, ferr)
		case <-tick.C:
			if err := s.trail.flush(false); err != nil {
				_ = srv.Close()
				return errors.Join(err, s.Flush())
			}
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := srv.Shutdown(sctx)
			cancel()
			return errors.Join(err, s.Flush())
		}
	}
}
