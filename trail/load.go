package trail

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/footprint-dev/footprint/internal/store"
)

// loader is the single goroutine that writes: it appends decoded rows to a
// staging table and, per batch, moves the rows that are new into events in
// one transaction together with the batch's manifest rows.
type loader struct {
	conn      *sql.Conn
	app       *duckdb.Appender // staging
	filesApp  *duckdb.Appender // files
	digestApp *duckdb.Appender // digest_log_files
	opts      IngestOptions

	known      map[string]knownFile // sha256 -> decided by earlier runs; never written after init (workers read it)
	run        map[string]knownFile // sha256 -> decided in this run
	nextFileID int64

	// the open batch
	inTx     bool
	rows     int
	ids      map[string]struct{}
	lo, hi   time.Time
	files    []fileRow
	quar     []quarantineRow
	digests  []digestRow
	resolved []string // paths ingested successfully: clear their quarantine rows
}

// maxBatchFiles bounds a transaction's file count when files are small.
const maxBatchFiles = 20_000

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
	ld := &loader{conn: conn, opts: opts, known: map[string]knownFile{}, run: map[string]knownFile{}, ids: map[string]struct{}{}}
	if err := ld.init(ctx); err != nil {
		conn.Close()
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
	// record is staged as VARCHAR: the appender would JSON-encode a string
	// bound for a JSON column. The records were validated while decoding.
	if _, err := ld.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE staging AS SELECT * REPLACE (record::VARCHAR AS record) FROM events WITH NO DATA`); err != nil {
		return fmt.Errorf("create staging table: %w", err)
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
	return ld.conn.Raw(func(dc any) error {
		var err error
		c := dc.(driver.Conn)
		if ld.app, err = duckdb.NewAppender(c, "temp", "main", "staging"); err != nil {
			return err
		}
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
	for _, a := range []*duckdb.Appender{ld.app, ld.filesApp, ld.digestApp} {
		if a != nil {
			a.Close()
		}
	}
	if ld.inTx {
		ld.conn.ExecContext(context.Background(), "ROLLBACK")
	}
	ld.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS temp.staging")
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
func (ld *loader) file(ctx context.Context, in input, stream <-chan chunk, sum *IngestSummary) (*fileResult, error) {
	fileID := ld.nextFileID
	var added []string // event IDs this file added to the batch
	var newRows, dups int64
	var first, last time.Time
	var res *fileResult
	for c := range stream {
		if c.done != nil {
			res = c.done
			break
		}
		if err := ld.begin(ctx); err != nil {
			return nil, err
		}
		for _, r := range c.rows {
			id := r[colEventID].(string)
			if _, dup := ld.ids[id]; dup {
				dups++
				continue
			}
			ld.ids[id] = struct{}{}
			added = append(added, id)
			r[colFileID] = fileID
			t := r[colEventTime].(time.Time)
			if first.IsZero() || t.Before(first) {
				first = t
			}
			if t.After(last) {
				last = t
			}
			if err := ld.app.AppendRow(r...); err != nil {
				return nil, fmt.Errorf("stage %s: %w", in.path, err)
			}
			newRows++
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
	now := ld.opts.Now().UTC()
	switch {
	case res.skip != "":
		sum.SkippedFiles++
		sum.SkippedReasons[res.skip]++
		ld.opts.Logger.Debug("skipped", "path", in.path, "reason", res.skip)
		return res, nil
	case res.problem != nil:
		if newRows > 0 {
			if err := ld.unstage(ctx, fileID, added); err != nil {
				return nil, err
			}
		}
		return res, ld.quarantine(ctx, in, res, sum, now)
	}
	if k, ok := ld.known[res.sha256]; ok {
		return res, ld.unchanged(ctx, in, res, k, sum, now)
	}
	if k, ok := ld.run[res.sha256]; ok {
		// the same content earlier in this run
		if newRows > 0 {
			if err := ld.unstage(ctx, fileID, added); err != nil {
				return nil, err
			}
		}
		return res, ld.unchanged(ctx, in, res, k, sum, now)
	}
	if err := ld.begin(ctx); err != nil {
		return nil, err
	}
	ld.nextFileID++
	status := "ingested"
	if res.digest != nil {
		status = "digest"
		ld.digests = append(ld.digests, digestRow{fileID: fileID, d: res.digest})
		sum.DigestFiles++
	} else {
		sum.IngestedFiles++
		sum.Records += res.records
	}
	ld.run[res.sha256] = knownFile{fileID: fileID, status: status}
	ld.files = append(ld.files, fileRow{id: fileID, path: in.path, sha256: res.sha256, size: res.size,
		format: res.format, status: status, records: res.records, newEv: newRows, dupEv: dups,
		first: first, last: last})
	ld.resolved = append(ld.resolved, in.path)
	ld.rows += int(newRows)
	if newRows > 0 {
		if ld.lo.IsZero() || first.Before(ld.lo) {
			ld.lo = first
		}
		if last.After(ld.hi) {
			ld.hi = last
		}
	}
	ld.opts.Logger.Debug("staged", "path", in.path, "format", res.format, "records", res.records)
	if ld.rows >= ld.opts.BatchRows || len(ld.files) >= maxBatchFiles {
		return res, ld.commit(ctx, sum)
	}
	return res, nil
}

// unchanged handles content already ingested (or quarantined) before.
func (ld *loader) unchanged(ctx context.Context, in input, res *fileResult, k knownFile, sum *IngestSummary, now time.Time) error {
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

func (ld *loader) quarantine(ctx context.Context, in input, res *fileResult, sum *IngestSummary, now time.Time) error {
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

// unstage removes a failed file's rows from the staging table and batch.
func (ld *loader) unstage(ctx context.Context, fileID int64, added []string) error {
	if err := ld.app.Flush(); err != nil {
		return fmt.Errorf("flush staging: %w", err)
	}
	if _, err := ld.conn.ExecContext(ctx, `DELETE FROM temp.staging WHERE file_id = ?`, fileID); err != nil {
		return fmt.Errorf("unstage: %w", err)
	}
	for _, id := range added {
		delete(ld.ids, id)
	}
	return nil
}

// commit moves the batch's new events into events and writes its manifest
// rows, all in the open transaction, then commits it.
func (ld *loader) commit(ctx context.Context, sum *IngestSummary) error {
	if !ld.inTx {
		return nil
	}
	if err := ld.app.Flush(); err != nil {
		return fmt.Errorf("flush staging: %w", err)
	}
	if ld.rows > 0 {
		dups, err := ld.dedupe(ctx)
		if err != nil {
			return err
		}
		for i := range ld.files {
			d := dups[ld.files[i].id]
			ld.files[i].newEv -= d
			ld.files[i].dupEv += d
		}
	}
	for _, f := range ld.files {
		sum.NewEvents += f.newEv
		sum.DuplicateEvents += f.dupEv
	}
	if err := ld.writeManifest(ctx); err != nil {
		return err
	}
	if _, err := ld.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	ld.inTx = false
	ld.rows, ld.lo, ld.hi = 0, time.Time{}, time.Time{}
	ld.ids = map[string]struct{}{}
	ld.files, ld.quar, ld.digests, ld.resolved = nil, nil, nil, nil
	return nil
}

// dedupe inserts the staged events that are not stored yet and returns, per
// file, how many staged rows were already there. Only stored events inside
// the batch's time range can match (a duplicate carries the same eventTime),
// so DuckDB's zone maps keep the probe small however large events grows.
func (ld *loader) dedupe(ctx context.Context) (map[int64]int64, error) {
	if _, err := ld.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE staged_dups AS
		SELECT s.file_id, s.event_id FROM temp.staging s
		SEMI JOIN (SELECT event_id FROM events WHERE event_time BETWEEN ? AND ?) e ON s.event_id = e.event_id`,
		ld.lo, ld.hi); err != nil {
		return nil, fmt.Errorf("find duplicates: %w", err)
	}
	rows, err := ld.conn.QueryContext(ctx, `SELECT file_id, count(*) FROM temp.staged_dups GROUP BY file_id`)
	if err != nil {
		return nil, fmt.Errorf("count duplicates: %w", err)
	}
	dups := map[int64]int64{}
	var total int64
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, err
		}
		dups[id] = n
		total += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	insert := `INSERT INTO events SELECT * FROM temp.staging`
	if total > 0 {
		insert = `INSERT INTO events SELECT * FROM temp.staging s ANTI JOIN temp.staged_dups d ON s.event_id = d.event_id`
	}
	if _, err := ld.conn.ExecContext(ctx, insert); err != nil {
		return nil, fmt.Errorf("insert events: %w", err)
	}
	if _, err := ld.conn.ExecContext(ctx, `DELETE FROM temp.staging; DROP TABLE temp.staged_dups`); err != nil {
		return nil, fmt.Errorf("clear staging: %w", err)
	}
	return dups, nil
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
		// Few paths are ever quarantined: ask which of this batch's are
		// before deleting anything.
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
