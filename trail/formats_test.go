package trail

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestIngestFormats covers every input shape footprint recognises from
// content, and the inputs it must skip.
func TestIngestFormats(t *testing.T) {
	t.Parallel()
	pretty := func(b []byte) []byte {
		var out bytes.Buffer
		if err := json.Indent(&out, b, "", "    "); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	lookup := func(recs ...string) []byte {
		var items []string
		for i, r := range recs {
			s, _ := json.Marshal(r)
			items = append(items, `{"EventId":"e`+string(rune('0'+i))+`","EventName":"ListUsers","ReadOnly":"true","CloudTrailEvent":`+string(s)+`}`)
		}
		return []byte(`{"Events":[` + strings.Join(items, ",") + `],"NextToken":"abc"}`)
	}
	big := strings.Repeat("x", 200<<10)
	tests := []struct {
		name       string
		files      map[string][]byte
		events     int64
		skipped    map[string]int
		digests    int
		formats    []string
		checkQuery string // must return a non-zero count
	}{
		{name: "delivery object gzipped", files: map[string][]byte{
			"AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/111122223333_CloudTrail_us-east-1_20261101T1005Z_abcdefghijklmnop.json.gz": gz(t, records(rec("a1", ""), rec("a2", "")))},
			events: 2, formats: []string{FormatRecords}},
		{name: "delivery object plain single line", files: map[string][]byte{"x.json": records(rec("b1", ""))},
			events: 1, formats: []string{FormatRecords}},
		{name: "pretty printed", files: map[string][]byte{"x.json": pretty(records(rec("c1", ""), rec("c2", ""), rec("c3", "")))},
			events: 3, formats: []string{FormatRecords}},
		{name: "json lines with extra keys", files: map[string][]byte{
			"export.jsonl": []byte(rec("d1", `"@timestamp":"2026-11-01T10:00:00.000Z","@version":"1"`) + "\n" + rec("d2", `"siem_tag":"x"`) + "\n\n")},
			events: 2, formats: []string{FormatJSONL}, checkQuery: `SELECT count(*) FROM events WHERE record->>'siem_tag' = 'x'`},
		{name: "json lines gzipped", files: map[string][]byte{"export.ndjson.gz": gz(t, []byte(rec("e1", "")+"\n"+rec("e2", "")+"\n"))},
			events: 2, formats: []string{FormatJSONL}},
		{name: "json lines without eventTime", files: map[string][]byte{"x.jsonl": []byte(strings.Replace(rec("f1", `"@timestamp":"2026-11-02T03:04:05.000Z"`), `"eventTime":"2026-11-01T10:00:00Z",`, "", 1) + "\n")},
			events: 1, formats: []string{FormatJSONL}, checkQuery: `SELECT count(*) FROM events WHERE event_time = '2026-11-02 03:04:05+00'`},
		{name: "lookup-events output", files: map[string][]byte{"lookup.json": lookup(rec("g1", ""), rec("g2", ""))},
			events: 2, formats: []string{FormatLookup}, checkQuery: `SELECT count(*) FROM events WHERE event_id = 'g2'`},
		{name: "top-level array", files: map[string][]byte{"arr.json": []byte("[" + rec("h1", "") + "," + rec("h2", "") + "]")},
			events: 2, formats: []string{FormatArray}},
		{name: "zip of several formats", files: map[string][]byte{"logs.zip": zipOf(t, map[string][]byte{
			"a/one.json.gz": gz(t, records(rec("i1", ""))),
			"b/two.jsonl":   []byte(rec("i2", "") + "\n" + rec("i3", "")),
			"README.md":     []byte("# notes"),
		})}, events: 3, skipped: map[string]int{skipNotLog: 1}, formats: []string{FormatJSONL, FormatRecords}},
		{name: "digest file kept apart", files: map[string][]byte{
			"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/01/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20261101T110000Z.json.gz": gz(t, []byte(`{"awsAccountId":"111122223333","digestStartTime":"2026-11-01T10:00:00Z","digestEndTime":"2026-11-01T11:00:00Z","digestS3Bucket":"trail-bucket","digestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/01/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20261101T110000Z.json.gz","newestEventTime":"2026-11-01T10:55:00Z","oldestEventTime":"2026-11-01T10:01:00Z","previousDigestS3Bucket":"trail-bucket","previousDigestS3Object":"prev.json.gz","logFiles":[{"s3Bucket":"trail-bucket","s3Object":"AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/a.json.gz","hashValue":"abc","hashAlgorithm":"SHA-256","newestEventTime":"2026-11-01T10:05:00Z","oldestEventTime":"2026-11-01T10:01:00Z"},{"s3Bucket":"trail-bucket","s3Object":"b.json.gz","hashValue":"def","hashAlgorithm":"SHA-256","newestEventTime":"2026-11-01T10:55:00Z","oldestEventTime":"2026-11-01T10:50:00Z"}]}`)),
		}, events: 0, digests: 1, formats: []string{FormatDigest},
			checkQuery: `SELECT count(*) FROM digests d JOIN digest_log_files l USING (file_id) WHERE d.region = 'us-east-1' AND d.account_id = '111122223333' AND d.log_file_count = 2`},
		{name: "other services in the trail bucket", files: map[string][]byte{
			"AWSLogs/111122223333/Config/us-east-1/2026/11/01/ConfigSnapshot/x.json.gz":                  gz(t, []byte(`{"fileVersion":"1.0","configurationItems":[]}`)),
			"AWSLogs/o-abc123/111122223333/Config/ConfigWritabilityCheckFile":                            []byte("x"),
			"AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/11/01/flow.log.gz":                          gz(t, []byte("version account-id\n")),
			"AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/2026/11/01/111122223333_CloudTrail.json": records(rec("j1", "")),
		}, events: 1, skipped: map[string]int{skipOtherAWSLog: 3}, formats: []string{FormatRecords}},
		{name: "files that are not logs", files: map[string][]byte{
			"README":      []byte("CloudTrail exports from the incident"),
			"LICENSE":     []byte("MIT License"),
			"notes.txt":   []byte("{not json"),
			".DS_Store":   []byte{0, 0, 0, 1},
			"blob":        []byte("plain text, no extension"),
			"events.json": records(rec("k1", "")),
		}, events: 1, skipped: map[string]int{skipNotLog: 3, skipHidden: 1, skipNotTrail: 1}, formats: []string{FormatRecords}},
		{name: "records that are odd but valid", files: map[string][]byte{"odd.json": records(
			// missing optional fields
			`{"eventVersion":"1.0","eventTime":"2014-01-01T00:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances"}`,
			// unknown newer fields and a userIdentity without type
			rec("l2", `"futureField":{"nested":[1,2,3]},"eventContext":{"x":true}`),
			`{"eventVersion":"1.08","userIdentity":{"accountId":"111122223333","invokedBy":"AWS Internal"},"eventTime":"2026-11-01T10:00:00Z","eventSource":"kms.amazonaws.com","eventName":"Decrypt","awsRegion":"us-east-1","eventID":"l3","eventType":"AwsServiceEvent","recipientAccountId":"111122223333"}`,
			// unicode, escapes and a 200 KB request parameter
			rec("l4", `"requestParameters":{"note":"Zürich 東京 \u00e9 \ud83d\ude00 tab\tquote\"","blob":"`+big+`"}`),
			// readOnly as a string, large integers kept exactly
			rec("l5", `"readOnly":"false","additionalEventData":{"bytesTransferredOut":12345678901234567890}`),
		)}, events: 5, formats: []string{FormatRecords},
			checkQuery: `SELECT CAST(count(*) = 2 AS INTEGER) FROM events WHERE (event_id = 'l5' AND read_only = false AND CAST(record AS VARCHAR) LIKE '%12345678901234567890%') OR (event_id = 'l4' AND size_bytes > 200000 AND (record->'requestParameters'->>'note') = 'Zürich 東京 é 😀 tab' || chr(9) || 'quote"')`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := openTestStore(t)
			dir := writeFiles(t, tt.files)
			sum := ingestPaths(t, st, IngestOptions{}, dir)
			if sum.QuarantinedFiles != 0 {
				t.Fatalf("quarantined %+v", sum.Quarantined)
			}
			if sum.NewEvents != tt.events {
				t.Errorf("new events %d, want %d", sum.NewEvents, tt.events)
			}
			if got := count(t, st.DB, `SELECT count(*) FROM events`); got != tt.events {
				t.Errorf("events table has %d rows, want %d", got, tt.events)
			}
			want := tt.skipped
			if want == nil {
				want = map[string]int{}
			}
			if diff := cmp.Diff(want, sum.SkippedReasons); diff != "" {
				t.Errorf("skipped (-want +got):\n%s", diff)
			}
			if sum.DigestFiles != tt.digests {
				t.Errorf("digest files %d, want %d", sum.DigestFiles, tt.digests)
			}
			var formats []string
			rows, err := st.DB.Query(`SELECT format FROM files ORDER BY format`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var f string
				rows.Scan(&f)
				formats = append(formats, f)
			}
			rows.Close()
			if diff := cmp.Diff(tt.formats, formats); diff != "" {
				t.Errorf("formats (-want +got):\n%s", diff)
			}
			if tt.checkQuery != "" && count(t, st.DB, tt.checkQuery) == 0 {
				t.Errorf("%s found nothing", tt.checkQuery)
			}
			if tt.events > 0 && count(t, st.DB, `SELECT count(*) FROM events WHERE record IS NULL OR size_bytes <> strlen(CAST(record AS VARCHAR))`) != 0 {
				t.Error("a record is missing or its size_bytes is wrong")
			}
		})
	}
}

// TestIngestBadInput: each broken input is quarantined whole, with a reason
// a person understands, and never costs the good input beside it.
func TestIngestBadInput(t *testing.T) {
	t.Parallel()
	good := records(rec("good-1", ""), rec("good-2", ""))
	full := gz(t, records(rec("t1", ""), rec("t2", ""), rec("t3", "")))
	tests := []struct {
		name   string
		file   string
		data   []byte
		reason string
		record int64 // -1: none
	}{
		{"truncated gzip", "t.json.gz", full[:len(full)/2], "gzip stream is truncated", -1},
		{"corrupt gzip", "c.json.gz", append(append([]byte{}, full[:20]...), bytes.Repeat([]byte{0xff}, 60)...), "gzip", -1},
		{"gzip checksum", "k.json.gz", func() []byte { b := append([]byte{}, full...); b[len(b)-6] ^= 0xff; return b }(), "checksum mismatch: the file is corrupted after 3 records", 3},
		{"empty file", "e.json", nil, "file is empty", -1},
		{"only whitespace", "w.json", []byte(" \n\t\n"), "only whitespace", -1},
		{"invalid json", "i.json", []byte(`{"Records":[{"eventName":}]}`), "invalid JSON", 0},
		{"not json at all", "n.json", []byte("hello world"), "not JSON", -1},
		{"non-CloudTrail JSON", "package.json", []byte(`{"name":"x","version":"1.0.0","dependencies":{}}`), "no CloudTrail records", -1},
		{"empty Records", "r.json", []byte(`{"Records":[]}`), "no CloudTrail records", -1},
		{"record not an object", "o.json", records(rec("o1", ""), `"just a string"`), "not a JSON object", 1},
		{"record without eventName", "m.json", records(rec("m1", ""), `{"eventSource":"iam.amazonaws.com","eventTime":"2026-11-01T10:00:00Z"}`), "not a CloudTrail record", 1},
		{"record with a bad time", "b.json", records(rec("b1", ""), strings.Replace(rec("b2", ""), "2026-11-01T10:00:00Z", "yesterday", 1)), "is not a time", 1},
		{"breaks part-way", "p.json", []byte(`{"Records":[` + rec("p1", "") + "," + rec("p2", "") + `,{"eventVersion":"1.09","eventSo`), "truncated", 2},
		{"broken in the middle", "q.json", records(rec("q1", ""), rec("q2", "")+"}", rec("q3", "")), "invalid JSON", 2},
		{"invalid UTF-8", "u.json", records(rec("u1", ""), strings.Replace(rec("u2", ""), "alice", "al\xffce", 1)), "UTF-8", 1},
		{"control character in a string", "x.json", records(strings.Replace(rec("x1", ""), "alice", "al\x01ce", 1)), "control character", 0},
		{"lookup item without CloudTrailEvent", "l.json", []byte(`{"Events":[{"EventId":"1","EventName":"x"}]}`), "CloudTrailEvent", 0},
		{"nested zip", "outer.zip", zipOf(t, map[string][]byte{"inner.zip": zipOf(t, map[string][]byte{"a.json": good})}), "zip archive inside a zip", -1},
		{"corrupt zip", "bad.zip", []byte("PK\x03\x04 not really a zip"), "zip archive cannot be read", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := openTestStore(t)
			dir := writeFiles(t, map[string][]byte{"a-good.json": good, "z-good.json.gz": gz(t, records(rec("good-3", ""))), tt.file: tt.data})
			sum := ingestPaths(t, st, IngestOptions{}, dir)
			if sum.QuarantinedFiles != 1 || len(sum.Quarantined) != 1 {
				t.Fatalf("quarantined %d files (%+v), want 1", sum.QuarantinedFiles, sum.Quarantined)
			}
			q := sum.Quarantined[0]
			if !strings.Contains(q.Reason, tt.reason) {
				t.Errorf("reason %q, want it to mention %q", q.Reason, tt.reason)
			}
			if !strings.HasSuffix(filepath.ToSlash(q.Path), tt.file) && !strings.Contains(q.Path, tt.file+"!") {
				t.Errorf("path %q, want %s", q.Path, tt.file)
			}
			gotRec := int64(-1)
			if q.RecordIndex != nil {
				gotRec = *q.RecordIndex
			}
			if gotRec != tt.record {
				t.Errorf("record index %d, want %d", gotRec, tt.record)
			}
			// the good files are stored, none of the broken file's records are
			if sum.NewEvents != 3 || count(t, st.DB, `SELECT count(*) FROM events`) != 3 {
				t.Errorf("stored %d events, want exactly the 3 good ones", count(t, st.DB, `SELECT count(*) FROM events`))
			}
			if n := count(t, st.DB, `SELECT count(*) FROM quarantine WHERE reason = ?`, q.Reason); n != 1 {
				t.Errorf("quarantine table has %d rows for the input, want 1", n)
			}
		})
	}
}

// TestDigestLocationFromPath: a digest without digestS3Object still gets its
// account and region, from where it lies in the trail bucket's layout.
func TestDigestLocationFromPath(t *testing.T) {
	t.Parallel()
	st := openTestStore(t)
	dir := writeFiles(t, map[string][]byte{
		"AWSLogs/o-abc123/444455556666/CloudTrail-Digest/eu-west-1/2026/11/01/444455556666_CloudTrail-Digest_eu-west-1_org_us-east-1_20261101T110000Z.json.gz": gz(t, []byte(`{"digestStartTime":"2026-11-01T10:00:00Z","digestEndTime":"2026-11-01T11:00:00Z","logFiles":[]}`)),
	})
	sum := ingestPaths(t, st, IngestOptions{}, dir)
	if sum.DigestFiles != 1 {
		t.Fatalf("summary %+v", sum)
	}
	if got := count(t, st.DB, `SELECT count(*) FROM digests WHERE account_id = '444455556666' AND region = 'eu-west-1' AND log_file_count = 0`); got != 1 {
		t.Errorf("digest location not read from the path")
	}
}

// TestIngestOddTimesAndLinks: times without a zone are UTC, and a symbolic
// link to a log file is followed.
func TestIngestOddTimesAndLinks(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string][]byte{
		"a.jsonl": []byte(strings.Replace(rec("t1", ""), "2026-11-01T10:00:00Z", "2026-11-01T10:00:00", 1) + "\n" +
			strings.Replace(rec("t2", ""), "2026-11-01T10:00:00Z", "2026-11-01 11:30:00.250", 1) + "\n"),
	})
	target := writeFiles(t, map[string][]byte{"real.json": records(rec("l1", ""))})
	if err := os.Symlink(filepath.Join(target, "real.json"), filepath.Join(dir, "link.json")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	st := openTestStore(t)
	sum := ingestPaths(t, st, IngestOptions{}, dir)
	if sum.NewEvents != 3 || sum.QuarantinedFiles != 0 {
		t.Fatalf("summary %+v", sum)
	}
	if got := count(t, st.DB, `SELECT count(*) FROM events WHERE event_time IN ('2026-11-01 10:00:00+00', '2026-11-01 11:30:00.25+00')`); got != 3 {
		t.Errorf("%d events at the expected UTC times, want 3", got)
	}
}

// TestSQLReturnsRecordsExactly: a JSON column comes back as the stored text —
// key order and integers beyond 2^53 intact — not re-encoded by the driver.
func TestSQLReturnsRecordsExactly(t *testing.T) {
	t.Parallel()
	st := openTestStore(t)
	r := rec("big", `"additionalEventData":{"bytesTransferredOut":12345678901234567890}`)
	ingestPaths(t, st, IngestOptions{}, writeFiles(t, map[string][]byte{"a.json": records(r)}))
	res, err := SQL(context.Background(), st, `SELECT event_id, record, record->'userIdentity' AS ui FROM events`)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || len(res.Columns) != 3 {
		t.Fatalf("result %+v", res)
	}
	got, ok := res.Rows[0][1].(json.RawMessage)
	if !ok || string(got) != r {
		t.Errorf("record = %T %s, want the stored text %s", res.Rows[0][1], got, r)
	}
	if ui, ok := res.Rows[0][2].(json.RawMessage); !ok || !strings.HasPrefix(string(ui), `{"type":"IAMUser"`) {
		t.Errorf("ui = %T %v", res.Rows[0][2], res.Rows[0][2])
	}
}
