package scan

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"golang.org/x/sync/errgroup"

	"github.com/footprint-dev/footprint/internal/awsx"
	"github.com/footprint-dev/footprint/scan/collect"
)

// Defaults of a scan.
const (
	DefaultSessionName = "footprint-scanner"
	DefaultRoleName    = "FootprintAudit"
	// DefaultMaxRPS is the refill rate of each account-and-region token
	// bucket: well under the lowest published per-account limits of the
	// read APIs a scan calls, so a scan leaves room for everyone else.
	DefaultMaxRPS = 5
	// DefaultConcurrency bounds the collectors running at once per account
	// (and the accounts scanned at once).
	DefaultConcurrency = 4
)

// Errors callers branch on.
var (
	// ErrCredentials: the caller's AWS credentials are missing or invalid.
	ErrCredentials = errors.New("missing or invalid AWS credentials")
	// ErrAssumeRole: the scanner's role could not be assumed in any target
	// account.
	ErrAssumeRole = errors.New("cannot assume the scanner's role")
)

// Options configure Run and DryRun.
type Options struct {
	Plan *Plan
	// Base is the caller's AWS config (credentials, region, the retryer and
	// user agent): every client the scan builds derives from it.
	Base aws.Config
	// Accounts to scan; empty means the caller's account.
	Accounts []string
	// RoleName is the role assumed in each account (FootprintAudit);
	// RoleARN names one role explicitly instead.
	RoleName        string
	RoleARN         string
	ExternalID      string
	SessionName     string
	SessionDuration time.Duration
	// Regions narrows the enabled regions; ExcludeRegions removes some.
	Regions        []string
	ExcludeRegions []string
	// MaxRPS is each account-and-region token bucket's rate; Burst its
	// size (default: MaxRPS rounded up).
	MaxRPS      float64
	Burst       int
	Concurrency int
	DB          *sql.DB
	// Now is the clock findings are judged against (credential ages).
	Now func() time.Time
	// Sleep waits between credential report polls.
	Sleep  func(context.Context, time.Duration) error
	NewID  func() string
	Logger *slog.Logger
	// UserAgent and Version are recorded with the scan.
	UserAgent string
	Version   string
}

// scanner is one run's state.
type scanner struct {
	opts    Options
	plan    *Plan
	db      *sql.DB
	man     *Manifest
	limiter *awsx.Limiter
	log     *slog.Logger
	now     func() time.Time
	res     *Result
	gapsMu  sync.Mutex
	gaps    []collect.Gap
	runs    []collectorRun
	runsMu  sync.Mutex
}

type collectorRun struct {
	account, region, collector string
	scope                      collect.Scope
	rows, gaps                 int
	started                    time.Time
	duration                   time.Duration
}

func newScanner(opts Options) (*scanner, error) {
	if opts.Plan == nil {
		return nil, errors.New("scan: no plan")
	}
	if opts.DB == nil {
		return nil, errors.New("scan: no database")
	}
	if opts.SessionName == "" {
		opts.SessionName = DefaultSessionName
	}
	if opts.RoleName == "" {
		opts.RoleName = DefaultRoleName
	}
	if opts.MaxRPS == 0 {
		opts.MaxRPS = DefaultMaxRPS
	}
	if opts.Burst <= 0 {
		opts.Burst = int(opts.MaxRPS + 0.999)
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewID == nil {
		opts.NewID = func() string { return NewScanID(opts.Now()) }
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Base.Region == "" {
		opts.Base.Region = "us-east-1"
	}
	s := &scanner{opts: opts, plan: opts.Plan, db: opts.DB, man: NewManifest(opts.Plan.catalog),
		limiter: awsx.NewLimiter(opts.MaxRPS, opts.Burst), log: opts.Logger, now: opts.Now}
	s.res = &Result{ScanID: opts.NewID(), SessionName: opts.SessionName, Standards: opts.Plan.Standards,
		Selected: opts.Plan.Selected, StartedAt: opts.Now().UTC(), Findings: []Finding{}, plan: opts.Plan}
	return s, nil
}

// NewScanID returns a ULID: 48 bits of milliseconds and 80 random bits in
// Crockford's base32, so IDs sort by time.
func NewScanID(t time.Time) string {
	const enc = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	var b [16]byte
	ms := uint64(t.UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	_, _ = rand.Read(b[6:])
	// 128 bits -> 26 base32 characters
	var out [26]byte
	var acc uint64
	bits := 0
	j := 0
	// leading 2 bits pad
	acc, bits = 0, 2
	for _, x := range b {
		acc = acc<<8 | uint64(x)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out[j] = enc[(acc>>uint(bits))&31]
			j++
		}
	}
	return string(out[:j])
}

// Run scans: discovery (identity, roles, regions), the plan's collectors in
// stages, the controls over what they read. Everything goes to the store:
// the scan, its targets and regions, the inventory and gaps, every call,
// and the findings. AWS errors reading configuration become gaps, never
// errors; Run fails for missing credentials (ErrCredentials), a role it
// cannot assume anywhere (ErrAssumeRole), the context, or the store.
func Run(ctx context.Context, opts Options) (*Result, error) {
	s, err := newScanner(opts)
	if err != nil {
		return nil, err
	}
	w, err := newWriter(ctx, s.db)
	if err != nil {
		return nil, err
	}
	defer w.close()
	if err := w.startScan(ctx, s.res, StatusRunning, opts.UserAgent, opts.Version); err != nil {
		return nil, fmt.Errorf("record scan: %w", err)
	}
	status := StatusFailed
	defer func() {
		// the calls made so far are the manifest, whatever happened
		fctx := context.WithoutCancel(ctx)
		if ctx.Err() != nil && status != StatusComplete {
			status = StatusInterrupted
		}
		calls := s.man.Calls()
		s.res.Calls = Summarize(calls)
		s.res.FinishedAt = s.now().UTC()
		if s.res.FinishedAt.Before(s.res.StartedAt) {
			s.res.FinishedAt = s.res.StartedAt
		}
		s.res.Status = status
		if err := w.writeCalls(fctx, s.res.ScanID, calls); err != nil {
			s.log.Error("record the scan's calls", "err", err)
		}
		if err := s.writeRuns(fctx, w, calls); err != nil {
			s.log.Error("record the collector runs", "err", err)
		}
		if err := w.finishScan(fctx, s.res, status); err != nil {
			s.log.Error("record the scan's end", "err", err)
		}
	}()

	d, err := s.discover(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.writeDiscovery(ctx, w, d); err != nil {
		return nil, err
	}
	if err := s.collect(ctx, w, d); err != nil {
		return nil, err
	}
	findings, err := s.evaluate(ctx, d)
	if err != nil {
		return nil, err
	}
	if err := w.writeFindings(ctx, s.res.ScanID, findings); err != nil {
		return nil, fmt.Errorf("record findings: %w", err)
	}
	s.res.Findings = findings
	for _, f := range findings {
		s.res.Summary.add(f.Status)
	}
	s.res.Gaps = s.sortedGaps()
	status = StatusComplete
	return s.res, nil
}

func (s *scanner) writeDiscovery(ctx context.Context, w *writer, d *discovery) error {
	var targets, regions [][]any
	accounts := map[string]bool{}
	scanned := map[string]bool{}
	for _, t := range d.targets {
		accounts[t.account] = true
		if t.err == nil {
			targets = append(targets, []any{s.res.ScanID, t.account, t.roleARN, nullStr(t.accessKeyID)})
		}
		for _, r := range t.regions {
			regions = append(regions, []any{s.res.ScanID, t.account, r.Region, r.Status, nullStr(r.OptInStatus), nullStr(r.Reason)})
			if r.Status == "scanned" {
				scanned[r.Region] = true
			} else {
				s.res.Skipped = append(s.res.Skipped, r)
			}
		}
	}
	s.res.Accounts = sortedSet(accounts)
	s.res.Regions = sortedSet(scanned)
	if err := w.append(ctx, "scan_targets", targets); err != nil {
		return err
	}
	if err := w.append(ctx, "scan_regions", regions); err != nil {
		return err
	}
	return w.exec(ctx, `UPDATE scans SET accounts = $2, regions = $3 WHERE scan_id = $1`, s.res.ScanID, orEmpty(s.res.Accounts), orEmpty(s.res.Regions))
}

func (s *scanner) addGaps(gs ...collect.Gap) {
	s.gapsMu.Lock()
	s.gaps = append(s.gaps, gs...)
	s.gapsMu.Unlock()
}

func (s *scanner) sortedGaps() []collect.Gap {
	s.gapsMu.Lock()
	out := append([]collect.Gap{}, s.gaps...)
	s.gapsMu.Unlock()
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		if a.Collector != b.Collector {
			return a.Collector < b.Collector
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		return a.Reason < b.Reason
	})
	return out
}

// collect runs the plan's collectors in every account whose role was
// assumed, accounts in parallel, each account stage by stage.
func (s *scanner) collect(ctx context.Context, w *writer, d *discovery) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.opts.Concurrency)
	for _, t := range d.targets {
		if t.err != nil {
			continue
		}
		g.Go(func() error { return s.collectAccount(gctx, w, d, t) })
	}
	return g.Wait()
}

type task struct {
	c      *collect.Collector
	region string
}

func (s *scanner) collectAccount(ctx context.Context, w *writer, d *discovery, t *target) error {
	for _, stage := range s.plan.Stages {
		var tasks []task
		for _, c := range stage {
			if c.Scope == collect.Regional {
				for _, r := range t.scanned {
					tasks = append(tasks, task{c, r})
				}
				continue
			}
			tasks = append(tasks, task{c, collect.GlobalRegion})
		}
		envs := make([]*collect.Env, len(tasks))
		runs := make([]collectorRun, len(tasks))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(s.opts.Concurrency)
		for i, tk := range tasks {
			g.Go(func() error {
				env := collect.NewEnv(tk.c, collect.Env{
					ScanID: s.res.ScanID, Account: t.account, Partition: d.partition, Region: tk.region,
					Regions: t.scanned, HomeRegion: d.homeRegion, Clients: t.clients, DB: s.db, Now: s.now, Sleep: s.opts.Sleep,
				})
				start := time.Now()
				runs[i] = collectorRun{account: t.account, region: tk.region, collector: tk.c.Name, scope: tk.c.Scope, started: s.now().UTC()}
				err := tk.c.Run(gctx, env)
				runs[i].duration = time.Since(start)
				envs[i] = env
				if err == nil {
					err = env.Err()
				}
				if err != nil {
					return fmt.Errorf("collector %s in %s %s: %w", tk.c.Name, t.account, tk.region, err)
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		// results go to the store in task order once the stage is done, so
		// the next stage reads them
		for i, env := range envs {
			rows := env.Rows()
			for _, table := range sortedKeys(rows) {
				if err := w.append(ctx, table, rows[table]); err != nil {
					return err
				}
				runs[i].rows += len(rows[table])
			}
			runs[i].gaps = len(env.Gaps())
			s.addGaps(env.Gaps()...)
		}
		s.runsMu.Lock()
		s.runs = append(s.runs, runs...)
		s.runsMu.Unlock()
	}
	return nil
}

// writeRuns records each collector run with its calls and the gaps.
func (s *scanner) writeRuns(ctx context.Context, w *writer, calls []*Call) error {
	count := map[[3]string]int{}
	for _, c := range calls {
		count[[3]string{c.Account, c.Collector, c.Region}]++
		count[[3]string{c.Account, c.Collector, "*"}]++
	}
	var rows [][]any
	s.runsMu.Lock()
	for _, r := range s.runs {
		n := count[[3]string{r.account, r.collector, r.region}]
		if r.scope == collect.Global {
			n = count[[3]string{r.account, r.collector, "*"}]
		}
		status := "ok"
		if r.gaps > 0 {
			status = "gaps"
		}
		rows = append(rows, []any{s.res.ScanID, r.account, r.region, r.collector, status, int32(n), int64(r.rows), int32(r.gaps),
			r.started, float64(r.duration) / float64(time.Millisecond)})
	}
	s.runsMu.Unlock()
	if err := w.append(ctx, "scan_collections", rows); err != nil {
		return err
	}
	var gaps [][]any
	for _, g := range s.sortedGaps() {
		gaps = append(gaps, []any{s.res.ScanID, g.Account, g.Region, g.Collector, orEmpty(g.Tables), nullStr(g.Operation),
			nullStr(g.Resource), g.Class, nullStr(g.ErrorCode), g.Reason})
	}
	return w.append(ctx, "scan_gaps", gaps)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// accountResource is the resource of account-level findings, as Security
// Hub names an account.
func accountResource(account string) string { return "AWS::::Account:" + account }

func joinReasons(a, b string) string {
	if a == "" || strings.Contains(a, b) {
		if a == "" {
			return b
		}
		return a
	}
	return a + "; " + b
}
