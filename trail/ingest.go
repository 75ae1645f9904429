package trail

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/footprint-dev/footprint/internal/store"
)

// IngestOptions configure Ingest.
type IngestOptions struct {
	// Paths are files and directories (walked recursively) to ingest.
	Paths []string
	// Workers decode files in parallel; 0 means one per CPU.
	Workers int
	// BatchRows is how many rows one transaction aims for. Files are never
	// split across transactions, so a batch may hold more.
	BatchRows int
	// Progress, when set, is called from the loading goroutine as work
	// advances. It must return quickly.
	Progress func(Progress)
	// Now is the clock (ingested_at); defaults to time.Now.
	Now func() time.Time
	// Logger receives per-file debug lines; nil discards them.
	Logger *slog.Logger
}

// Progress is a snapshot of an ingest in flight.
type Progress struct {
	FilesDone, FilesTotal int
	BytesDone, BytesTotal int64
	Events                int64
	Started               time.Time
}

// IngestSummary says what an ingest did. Every input is counted exactly once
// in one of the *_files fields.
type IngestSummary struct {
	Inputs           int              `json:"inputs"`
	IngestedFiles    int              `json:"ingested_files"`
	DigestFiles      int              `json:"digest_files"`
	UnchangedFiles   int              `json:"unchanged_files"`
	SkippedFiles     int              `json:"skipped_files"`
	QuarantinedFiles int              `json:"quarantined_files"`
	SkippedReasons   map[string]int   `json:"skipped_reasons"`
	Records          int64            `json:"records"`
	NewEvents        int64            `json:"new_events"`
	DuplicateEvents  int64            `json:"duplicate_events"`
	Bytes            int64            `json:"bytes"`
	ElapsedSeconds   float64          `json:"elapsed_seconds"`
	Quarantined      []QuarantineItem `json:"quarantined"`
}

// QuarantineItem is one input this run could not ingest.
type QuarantineItem struct {
	Path        string `json:"path"`
	RecordIndex *int64 `json:"record_index"`
	Reason      string `json:"reason"`
	// Previously is set when the same content was quarantined by an earlier run.
	Previously bool `json:"previously"`
}

const (
	defaultBatchRows = 250_000
	chunkRows        = 1024
)

// chunk is a slice of decoded rows, or the end of one input.
type chunk struct {
	rows  []row
	bytes int64
	done  *fileResult
}

// fileResult is what decoding one input found.
type fileResult struct {
	sha256  string
	size    int64
	format  string
	records int64
	digest  *Digest
	problem *badInput
	skip    string // skipped: reason
	err     error  // a failure that is not the input's fault (cancellation)
}

// Ingest loads CloudTrail inputs into the store. Inputs are decoded in
// parallel and committed in input order, each file in the same transaction
// as its manifest row, so an interrupted run leaves whole files only and a
// re-run completes it exactly.
func Ingest(ctx context.Context, st *store.Store, opts IngestOptions) (*IngestSummary, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.BatchRows <= 0 {
		opts.BatchRows = defaultBatchRows
	}
	start := opts.Now()
	inputs, closeInputs, err := discover(opts.Paths)
	if err != nil {
		return nil, err
	}
	defer closeInputs()

	ld, err := newLoader(ctx, st, opts)
	if err != nil {
		return nil, err
	}
	defer ld.close()

	var total int64
	for _, in := range inputs {
		total += in.size
	}
	prog := Progress{FilesTotal: len(inputs), BytesTotal: total, Started: start}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	streams := make([]chan chunk, len(inputs))
	for i := range streams {
		streams[i] = make(chan chunk, 4)
	}
	// Workers decode ahead of the loader so it never waits while it
	// commits, but only while the rows in flight stay under the budget:
	// memory is bounded by the budget, not by the corpus.
	inflight := newBudget(ctx, inflightBudget)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < opts.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if !inflight.wait() {
					return
				}
				i := int(next.Add(1) - 1)
				if i >= len(inputs) {
					return
				}
				decodeInput(ctx, inputs[i], ld.knownHash, streams[i], inflight)
			}
		}()
	}
	defer wg.Wait()
	defer cancel()

	sum := &IngestSummary{Inputs: len(inputs), SkippedReasons: map[string]int{}}
	for i, in := range inputs {
		_, err := ld.file(ctx, in, streams[i], sum, inflight)
		if err != nil {
			cancel()
			drain(streams[i:])
			return nil, err
		}
		// progress counts inputs the loader has finished with, so the bar
		// never runs ahead of what is decided
		prog.FilesDone = i + 1
		prog.Events = sum.Records
		prog.BytesDone += in.size
		if opts.Progress != nil {
			opts.Progress(prog)
		}
	}
	if err := ld.commit(ctx, sum); err != nil {
		return nil, err
	}
	sum.Bytes = total
	sum.ElapsedSeconds = opts.Now().Sub(start).Seconds()
	sort.SliceStable(sum.Quarantined, func(i, j int) bool { return sum.Quarantined[i].Path < sum.Quarantined[j].Path })
	return sum, nil
}

// drain empties the remaining streams so blocked workers can finish.
func drain(streams []chan chunk) {
	for _, s := range streams {
		go func(s chan chunk) {
			for c := range s {
				_ = c
			}
		}(s)
	}
}

// decodeInput hashes and decodes one input into out, then closes out.
func decodeInput(ctx context.Context, in input, known func(string) bool, out chan<- chunk, inflight *budget) {
	defer close(out)
	res := &fileResult{size: in.size}
	send := func(c chunk) bool {
		select {
		case out <- c:
			return true
		case <-ctx.Done():
			return false
		}
	}
	switch {
	case in.kind == kindSkip:
		res.skip = in.skipReason
		send(chunk{done: res})
		return
	case in.problem != nil:
		res.problem = in.problem
		send(chunk{done: res})
		return
	}
	sum, size, err := hashInput(in)
	if err != nil {
		res.problem = bad("cannot read: %v", err)
		send(chunk{done: res})
		return
	}
	res.sha256, res.size = sum, size
	if known(sum) {
		send(chunk{done: res})
		return
	}
	rc, err := in.open()
	if err != nil {
		res.problem = bad("cannot read: %v", err)
		send(chunk{done: res})
		return
	}
	defer rc.Close()
	sk := &chunkSink{ctx: ctx, out: out, send: send, inflight: inflight}
	d := &decoder{out: sk}
	// Hash the bytes actually decoded too: a file that changed since it was
	// hashed must not be recorded under the old content's hash.
	h := sha256.New()
	err = d.decode(io.TeeReader(rc, h))
	if err == nil {
		// read anything the decoder did not need (trailing bytes)
		_, err = io.Copy(h, rc)
		if err == nil && hex.EncodeToString(h.Sum(nil)) != sum {
			err = bad("file changed while it was being read; ingest it again")
		}
	}
	if err == nil {
		err = sk.flush()
	}
	res.format, res.records, res.digest = d.format, d.records, sk.dg
	var bi *badInput
	switch {
	case err == nil:
	case errors.As(err, &bi):
		if in.kind == kindMaybe && d.records == 0 && res.digest == nil {
			res.skip = skipNotTrail
		} else {
			res.problem = bi
		}
	default:
		res.err = err
	}
	send(chunk{done: res})
}

type chunkSink struct {
	ctx      context.Context
	out      chan<- chunk
	send     func(chunk) bool
	inflight *budget
	rows     []row
	bytes    int64
	dg       *Digest
}

func (s *chunkSink) row(r *row) error {
	if s.rows == nil {
		// most delivery files are small: start small, grow to chunkRows
		s.rows = make([]row, 0, 32)
	}
	s.rows = append(s.rows, *r)
	s.bytes += int64(r.size)
	if len(s.rows) >= chunkRows {
		return s.flush()
	}
	return nil
}

func (s *chunkSink) flush() error {
	if len(s.rows) == 0 {
		return nil
	}
	s.inflight.add(s.bytes)
	if !s.send(chunk{rows: s.rows, bytes: s.bytes}) {
		return s.ctx.Err()
	}
	s.rows = nil
	s.bytes = 0
	return nil
}

// inflightBudget bounds the record bytes decoded but not yet loaded.
const inflightBudget = 48 << 20

// budget is a counter workers wait on before starting an input. Only the
// start of an input waits: a worker in the middle of an input never does,
// so the input the loader needs next always progresses.
type budget struct {
	mu   sync.Mutex
	cond *sync.Cond
	used int64
	max  int64
	done bool
}

func newBudget(ctx context.Context, max int64) *budget {
	b := &budget{max: max}
	b.cond = sync.NewCond(&b.mu)
	context.AfterFunc(ctx, func() {
		b.mu.Lock()
		b.done = true
		b.mu.Unlock()
		b.cond.Broadcast()
	})
	return b
}

// wait blocks until the budget has room; false when cancelled.
func (b *budget) wait() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.used >= b.max && !b.done {
		b.cond.Wait()
	}
	return !b.done
}

func (b *budget) add(n int64) {
	b.mu.Lock()
	b.used += n
	b.mu.Unlock()
}

func (b *budget) release(n int64) {
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
	b.cond.Broadcast()
}

func (s *chunkSink) digest(d *Digest) error {
	s.dg = d
	return nil
}

func hashInput(in input) (string, int64, error) {
	rc, err := in.open()
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// errSchemaDrift means the events table and Columns disagree.
var errSchemaDrift = errors.New("events table does not match the loader's columns")

func checkColumns(got []string) error {
	want := Columns()
	if len(got) != len(want) {
		return fmt.Errorf("%w: table has %d columns, loader %d", errSchemaDrift, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Errorf("%w: column %d is %s in the table, %s in the loader", errSchemaDrift, i, got[i], want[i])
		}
	}
	return nil
}
