package trail

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/footprint-dev/footprint/internal/store"
)

// loader is the single goroutine that writes. A batch of whole files is one
// transaction. Within it, every few thousand rows, the loader asks DuckDB
// which of the buffered events are stored already (in earlier batches or
// earlier in this one), and inserts the rest through a parallel table
// function: DuckDB's threads copy the rows out of Go memory, with no
// staging table. The batch's manifest rows are appended and the
// transaction committed when the batch is full.
//
// A file that turns out broken after some of its rows were inserted has
// those rows deleted again before the next file is examined, so a file is
// stored whole or not at all and nothing else is lost with it.
type loader struct {
	conn      *sql.Conn
	opts      IngestOptions
	fn        *batchFunctions
	filesApp  *duckdb.Appender // files
	digestApp *duckdb.Appender // digest_log_files

	known      map[string]knownFile // sha256 -> decided by earlier runs; never written after init (workers read it)
	run        map[string]knownFile // sha256 -> decided in this run
	nextFileID int64

	// the open batch
	inTx      bool
	segs      []*segment          // the batch's files, in input order
	buffered  int                 // rows decoded but not yet inserted
	txRows    int                 // rows of the batch's files
	flushRows int                 // insert once this many rows are buffered
	ids       map[string]*segment // event IDs buffered -> the segment holding them
	files     []fileRow
	quar      []quarantineRow
	digests   []digestRow
	resolved  []string // paths ingested successfully: clear their quarantine rows
}

// segment holds one file's buffered rows.
type segment struct {
	fileID  int64
	chunks  [][]row
	rows    int
	dups    int64 // rows dropped as duplicates of earlier rows or stored events
	flushed int64 // rows inserted so far
	skipped int   // rows of the current flush found stored already
	first   time.Time
	last    time.Time
}

// maxBatchFiles bounds a transaction's file count when files are small.
const maxBatchFiles = 20_000

// flushRows is how many decoded rows the loader holds before inserting them.
const flushRows = 20_000

type knownFile struct {
	fileID int64
	status string
}

type fileRow struct {
	id                    int64
	path, sha256          string
	size                  int64
	format, status        string
	records, newEv, dupEv int64
	first, last           time.Time
	reason                string
}

type quarantineRow struct {
	path, sha256 string
	size         int64
	record       int64
	reason       string
}

type digestRow struct {
	fileID int64
	d      *Digest
}

func newLoader(ctx context.Context, st *store.Store, opts IngestOptions) (*loader, error) {
	conn, err := st.Conn(ctx)
	if err != nil {
		return nil, err
	}
	ld := &loader{conn: conn, opts: opts, known: map[string]knownFile{}, run: map[string]knownFile{},
		ids: map[string]*segment{}, flushRows: min(opts.BatchRows, flushRows)}
	if err := ld.init(ctx); err != nil {
		ld.close()
		return nil, err
	}
	return ld, nil
}

func (ld *loader) init(ctx context.Context) error {
	rows, err := ld.conn.QueryContext(ctx, `SELECT column_name FROM duckdb_columns()
		WHERE table_name = 'events' AND schema_name = 'main' AND database_name = current_database() ORDER BY column_index`)
	if err != nil {
		return fmt.Errorf("read events columns: %w", err)
	}
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return err
		}
		cols = append(cols, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := checkColumns(cols); err != nil {
		return err
	}
	if err := ld.conn.QueryRowContext(ctx, `SELECT coalesce(max(file_id), 0) + 1 FROM files`).Scan(&ld.nextFileID); err != nil {
		return fmt.Errorf("read files: %w", err)
	}
	krows, err := ld.conn.QueryContext(ctx, `SELECT sha256, file_id, status FROM files`)
	if err != nil {
		return fmt.Errorf("read files: %w", err)
	}
	for krows.Next() {
		var h string
		var k knownFile
		if err := krows.Scan(&h, &k.fileID, &k.status); err != nil {
			krows.Close()
			return err
		}
		ld.known[h] = k
	}
	krows.Close()
	if err := krows.Err(); err != nil {
		return err
	}
	if ld.fn, err = registerBatchFunctions(ld.conn); err != nil {
		return err
	}
	return ld.conn.Raw(func(dc any) error {
		var err error
		c := dc.(driver.Conn)
		if ld.filesApp, err = duckdb.NewAppenderFromConn(c, "", "files"); err != nil {
			return err
		}
		ld.digestApp, err = duckdb.NewAppenderFromConn(c, "", "digest_log_files")
		return err
	})
}

func (ld *loader) knownHash(h string) bool {
	_, ok := ld.known[h]
	return ok
}

func (ld *loader) close() {
	for _, a := range []*duckdb.Appender{ld.filesApp, ld.digestApp} {
		if a != nil {
			a.Close()
		}
	}
	if ld.inTx {
		ld.conn.ExecContext(context.Background(), "ROLLBACK")
	}
	ld.conn.Close()
}

func (ld *loader) begin(ctx context.Context) error {
	if ld.inTx {
		return nil
	}
	if _, err := ld.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	ld.inTx = true
	return nil
}

// file consumes one input's stream and records the outcome in the batch.
// Rows are inserted into the open transaction every flushRows rows, so Go
// holds at most that many; if the file then turns out broken, the rows it
// already inserted are deleted again before any later file is looked at.
func (ld *loader) file(ctx context.Context, in input, stream <-chan chunk, sum *IngestSummary, inflight *budget) (*fileResult, error) {
	seg := &segment{fileID: ld.nextFileID}
	var res *fileResult
	for c := range stream {
		if c.done != nil {
			res = c.done
			break
		}
		kept := c.rows[:0]
		for i := range c.rows {
			r := &c.rows[i]
			// the file's time span covers every record it holds
			if t := r.when(); seg.first.IsZero() || t.Before(seg.first) {
				seg.first = t
			}
			if t := r.when(); t.After(seg.last) {
				seg.last = t
			}
			if _, dup := ld.ids[r.eventID()]; dup {
				seg.dups++
				continue
			}
			ld.ids[r.eventID()] = seg
			r.fileID = seg.fileID
			kept = append(kept, *r)
		}
		inflight.release(c.bytes)
		if len(kept) == 0 {
			continue
		}
		if err := ld.begin(ctx); err != nil {
			return nil, err
		}
		seg.chunks = append(seg.chunks, kept)
		seg.rows += len(kept)
		ld.buffered += len(kept)
		if ld.buffered >= ld.flushRows {
			if err := ld.flush(ctx, append(append([]*segment(nil), ld.segs...), seg)); err != nil {
				return nil, err
			}
		}
	}
	if res == nil { // the worker stopped early: cancelled
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return nil, errors.New("decoder stopped without a result")
	}
	if res.err != nil {
		return nil, fmt.Errorf("%s: %w", in.path, res.err)
	}
	switch {
	case res.skip != "":
		sum.SkippedFiles++
		sum.SkippedReasons[res.skip]++
		ld.opts.Logger.Debug("skipped", "path", in.path, "reason", res.skip)
		return res, nil
	case res.problem != nil:
		if err := ld.discard(ctx, seg); err != nil {
			return nil, err
		}
		return res, ld.quarantine(ctx, in, res, sum)
	}
	if k, ok := ld.known[res.sha256]; ok {
		return res, ld.unchanged(ctx, in, res, k, sum)
	}
	if k, ok := ld.run[res.sha256]; ok { // the same content earlier in this run
		if err := ld.discard(ctx, seg); err != nil {
			return nil, err
		}
		return res, ld.unchanged(ctx, in, res, k, sum)
	}
	if err := ld.begin(ctx); err != nil {
		return nil, err
	}
	ld.nextFileID++
	status := "ingested"
	if res.digest != nil {
		status = "digest"
		dg := res.digest
		// digests name their own object; fall back to where the file lies
		if dg.Region == "" {
			dg.Region = regionFromKey(filepath.ToSlash(in.path), "CloudTrail-Digest")
		}
		if dg.AccountID == "" {
			dg.AccountID = accountFromKey(filepath.ToSlash(in.path))
		}
		ld.digests = append(ld.digests, digestRow{fileID: seg.fileID, d: dg})
		sum.DigestFiles++
	} else {
		sum.IngestedFiles++
		sum.Records += res.records
	}
	ld.run[res.sha256] = knownFile{fileID: seg.fileID, status: status}
	ld.files = append(ld.files, fileRow{id: seg.fileID, path: in.path, sha256: res.sha256, size: res.size,
		format: res.format, status: status, records: res.records, first: seg.first, last: seg.last})
	ld.resolved = append(ld.resolved, in.path)
	ld.segs = append(ld.segs, seg)
	ld.txRows += seg.rows + int(seg.flushed)
	ld.opts.Logger.Debug("decoded", "path", in.path, "format", res.format, "records", res.records)
	if ld.txRows >= ld.opts.BatchRows || len(ld.files) >= maxBatchFiles {
		return res, ld.commit(ctx, sum)
	}
	return res, nil
}

// discard drops a file that will not be stored: its buffered rows, and the
// rows it already inserted into the open transaction.
func (ld *loader) discard(ctx context.Context, seg *segment) error {
	ld.buffered -= seg.rows
	ld.forget(seg)
	if seg.flushed == 0 {
		return nil
	}
	if _, err := ld.conn.ExecContext(ctx, `DELETE FROM events WHERE file_id = ?`, seg.fileID); err != nil {
		return fmt.Errorf("remove a broken file's rows: %w", err)
	}
	seg.flushed = 0
	return nil
}

// forget drops a segment's buffered rows.
func (ld *loader) forget(seg *segment) {
	for _, c := range seg.chunks {
		for i := range c {
			if ld.ids[c[i].eventID()] == seg {
				delete(ld.ids, c[i].eventID())
			}
		}
	}
	seg.chunks, seg.rows = nil, 0
}

// unchanged handles content already ingested (or quarantined) before.
func (ld *loader) unchanged(ctx context.Context, in input, res *fileResult, k knownFile, sum *IngestSummary) error {
	if k.status != "quarantined" {
		sum.UnchangedFiles++
		return nil
	}
	// Still the same bad content: report it again, and list this path in
	// quarantine if it is not there yet.
	sum.QuarantinedFiles++
	reason := "quarantined before (same content)"
	var rec sql.NullInt64
	var r sql.NullString
	err := ld.conn.QueryRowContext(ctx, `SELECT any_value(reason), any_value(record_index) FROM quarantine WHERE sha256 = ?`, res.sha256).Scan(&r, &rec)
	if err == nil && r.Valid {
		reason = r.String
	}
	for _, q := range ld.quar { // quarantined earlier in this batch
		if q.sha256 == res.sha256 {
			reason, rec = q.reason, sql.NullInt64{Int64: q.record, Valid: q.record >= 0}
		}
	}
	item := QuarantineItem{Path: in.path, Reason: reason, Previously: true}
	if rec.Valid {
		item.RecordIndex = &rec.Int64
	}
	sum.Quarantined = append(sum.Quarantined, item)
	var n int
	if err := ld.conn.QueryRowContext(ctx, `SELECT count(*) FROM quarantine WHERE sha256 = ? AND path = ?`, res.sha256, in.path).Scan(&n); err != nil {
		return err
	}
	if n == 0 && !ld.pendingQuarantine(in.path, res.sha256) {
		if err := ld.begin(ctx); err != nil {
			return err
		}
		ld.quar = append(ld.quar, quarantineRow{path: in.path, sha256: res.sha256, size: res.size, record: recIndex(rec), reason: reason})
	}
	return nil
}

func recIndex(n sql.NullInt64) int64 {
	if !n.Valid {
		return -1
	}
	return n.Int64
}

func (ld *loader) pendingQuarantine(path, sha string) bool {
	for _, q := range ld.quar {
		if q.path == path && q.sha256 == sha {
			return true
		}
	}
	return false
}

func (ld *loader) quarantine(ctx context.Context, in input, res *fileResult, sum *IngestSummary) error {
	if err := ld.begin(ctx); err != nil {
		return err
	}
	sum.QuarantinedFiles++
	item := QuarantineItem{Path: in.path, Reason: res.problem.reason}
	if res.problem.record >= 0 {
		r := res.problem.record
		item.RecordIndex = &r
	}
	sum.Quarantined = append(sum.Quarantined, item)
	ld.quar = append(ld.quar, quarantineRow{path: in.path, sha256: res.sha256, size: res.size,
		record: res.problem.record, reason: res.problem.reason})
	ld.opts.Logger.Debug("quarantined", "path", in.path, "reason", res.problem.reason)
	if res.sha256 == "" {
		return nil // unreadable: nothing to remember it by
	}
	fileID := ld.nextFileID
	ld.nextFileID++
	ld.run[res.sha256] = knownFile{fileID: fileID, status: "quarantined"}
	ld.files = append(ld.files, fileRow{id: fileID, path: in.path, sha256: res.sha256, size: res.size,
		format: res.format, status: "quarantined", records: res.records, reason: res.problem.reason})
	return nil
}

// flush inserts the buffered rows of segs that are not stored yet. It runs
// inside the open transaction; the rows leave the buffer.
func (ld *loader) flush(ctx context.Context, segs []*segment) error {
	var rows []*row
	var lo, hi time.Time
	for _, s := range segs {
		for _, c := range s.chunks {
			for i := range c {
				r := &c[i]
				rows = append(rows, r)
				if t := r.when(); lo.IsZero() || t.Before(lo) {
					lo = t
				}
				if t := r.when(); t.After(hi) {
					hi = t
				}
			}
		}
	}
	if len(rows) == 0 {
		return nil
	}
	t0 := time.Now()
	// Which buffered events are stored already? Only stored events inside
	// the buffer's time range can match (a duplicate carries the same
	// eventTime), so DuckDB's zone maps keep the probe small however large
	// events grows.
	handle := ld.fn.put(rows)
	defer ld.fn.drop(handle)
	dupRows, err := ld.conn.QueryContext(ctx, `SELECT b.event_id FROM `+ld.fn.keys+`(?) b
		SEMI JOIN (SELECT event_id FROM events WHERE event_time BETWEEN ? AND ?) e ON b.event_id = e.event_id`,
		handle, lo, hi)
	if err != nil {
		return fmt.Errorf("find duplicates: %w", err)
	}
	stored := map[string]bool{}
	for dupRows.Next() {
		var id string
		if err := dupRows.Scan(&id); err != nil {
			dupRows.Close()
			return err
		}
		stored[id] = true
	}
	dupRows.Close()
	if err := dupRows.Err(); err != nil {
		return err
	}
	if len(stored) > 0 {
		fresh := rows[:0]
		for _, r := range rows {
			if stored[r.eventID()] {
				s := ld.ids[r.eventID()]
				s.dups++
				s.skipped++
				continue
			}
			fresh = append(fresh, r)
		}
		rows = fresh
		ld.fn.replace(handle, rows)
	}
	t1 := time.Now()
	if len(rows) > 0 {
		if _, err := ld.conn.ExecContext(ctx, `INSERT INTO events BY NAME
			SELECT * REPLACE (CAST(record AS JSON) AS record) FROM `+ld.fn.rows+`(?)`, handle); err != nil {
			return fmt.Errorf("insert events: %w", err)
		}
	}
	for _, s := range segs {
		s.flushed += int64(s.rows - s.skipped)
		s.skipped = 0
		ld.buffered -= s.rows
		ld.forget(s)
	}
	ld.opts.Logger.Debug("flushed", "rows", len(rows), "duplicates", len(stored),
		"probe", t1.Sub(t0), "insert", time.Since(t1))
	return nil
}

// commit flushes the buffered files, writes the batch's manifest rows and
// commits the transaction.
func (ld *loader) commit(ctx context.Context, sum *IngestSummary) error {
	if !ld.inTx {
		return nil
	}
	if err := ld.flush(ctx, ld.segs); err != nil {
		return err
	}
	bySeg := map[int64]*segment{}
	for _, s := range ld.segs {
		bySeg[s.fileID] = s
	}
	for i := range ld.files {
		f := &ld.files[i]
		if s := bySeg[f.id]; s != nil {
			f.dupEv = s.dups
			f.newEv = s.flushed
			sum.NewEvents += f.newEv
			sum.DuplicateEvents += f.dupEv
		}
	}
	t0 := time.Now()
	if err := ld.writeManifest(ctx); err != nil {
		return err
	}
	if _, err := ld.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	ld.inTx = false
	ld.opts.Logger.Debug("committed", "files", len(ld.files), "commit", time.Since(t0))
	ld.segs, ld.buffered, ld.txRows = nil, 0, 0
	clear(ld.ids)
	ld.files, ld.quar, ld.digests, ld.resolved = nil, nil, nil, nil
	return nil
}

func (ld *loader) writeManifest(ctx context.Context) error {
	now := ld.opts.Now().UTC()
	if len(ld.files) > 0 {
		for _, f := range ld.files {
			if err := ld.filesApp.AppendRow(f.id, f.path, f.sha256, f.size, nullStr(f.format), f.status, f.records,
				f.newEv, f.dupEv, nullTime(f.first), nullTime(f.last), nullStr(f.reason), now); err != nil {
				return fmt.Errorf("record files: %w", err)
			}
		}
		if err := ld.filesApp.Flush(); err != nil {
			return fmt.Errorf("record files: %w", err)
		}
	}
	if len(ld.resolved) > 0 {
		if _, err := ld.conn.ExecContext(ctx, `DELETE FROM quarantine WHERE list_contains(?::VARCHAR[], path)`, ld.resolved); err != nil {
			return fmt.Errorf("clear resolved quarantine: %w", err)
		}
	}
	for _, q := range ld.quar {
		if _, err := ld.conn.ExecContext(ctx, `INSERT INTO quarantine (path, sha256, size_bytes, record_index, reason, quarantined_at)
			VALUES (?, ?, ?, ?, ?, ?)`, q.path, nullStr(q.sha256), q.size, nullIndex(q.record), q.reason, now); err != nil {
			return fmt.Errorf("record quarantine: %w", err)
		}
	}
	for _, dr := range ld.digests {
		d := dr.d
		if _, err := ld.conn.ExecContext(ctx, `INSERT INTO digests (file_id, account_id, region, digest_start_time,
			digest_end_time, oldest_event_time, newest_event_time, s3_bucket, s3_object, previous_s3_object, log_file_count)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, dr.fileID, nullStr(d.AccountID), nullStr(d.Region), d.Start, d.End,
			nullTime(d.Oldest), nullTime(d.Newest), nullStr(d.S3Bucket), nullStr(d.S3Object), nullStr(d.PreviousS3Object),
			len(d.LogFiles)); err != nil {
			return fmt.Errorf("record digest: %w", err)
		}
		for _, lf := range d.LogFiles {
			if err := ld.digestApp.AppendRow(dr.fileID, nullStr(lf.S3Bucket), nullStr(lf.S3Object), nullStr(lf.HashValue),
				nullStr(lf.HashAlgorithm), nullTime(lf.Oldest), nullTime(lf.Newest)); err != nil {
				return fmt.Errorf("record digest log file: %w", err)
			}
		}
	}
	if len(ld.digests) > 0 {
		if err := ld.digestApp.Flush(); err != nil {
			return fmt.Errorf("record digest log files: %w", err)
		}
	}
	return nil
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func nullIndex(i int64) any {
	if i < 0 {
		return nil
	}
	return i
}
