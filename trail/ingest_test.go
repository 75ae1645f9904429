package trail

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/footprint-dev/footprint/internal/store"
)

// testNow is the clock every ingest test uses.
var testNow = func() time.Time { return time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC) }

func openTestStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.InMemory, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func ingestPaths(t *testing.T, st *store.Store, opts IngestOptions, paths ...string) *IngestSummary {
	t.Helper()
	opts.Paths = paths
	if opts.Now == nil {
		opts.Now = testNow
	}
	sum, err := Ingest(context.Background(), st, opts)
	if err != nil {
		t.Fatalf("ingest %v: %v", paths, err)
	}
	return sum
}

// writeFiles creates files under a new temporary directory.
func writeFiles(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[n])
	}
	zw.Close()
	return buf.Bytes()
}

// baseRecord is a real-shaped record as ordered key/value pairs.
var baseRecord = [][2]string{
	{"eventVersion", `"1.09"`},
	{"userIdentity", `{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE","userName":"alice"}`},
	{"eventTime", `"2026-11-01T10:00:00Z"`},
	{"eventSource", `"iam.amazonaws.com"`},
	{"eventName", `"ListUsers"`},
	{"awsRegion", `"us-east-1"`},
	{"sourceIPAddress", `"198.51.100.7"`},
	{"userAgent", `"aws-cli/2.15.0"`},
	{"requestParameters", `null`},
	{"responseElements", `null`},
	{"requestID", `"req-@ID@"`},
	{"eventID", `"@ID@"`},
	{"readOnly", `true`},
	{"eventType", `"AwsApiCall"`},
	{"managementEvent", `true`},
	{"recipientAccountId", `"111122223333"`},
	{"eventCategory", `"Management"`},
}

// rec builds a record with eventID id; extra holds top-level members
// ("key":value,...) that replace the base record's or are added after them.
func rec(id string, extra string) string {
	overrides := map[string]bool{}
	if extra != "" {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte("{"+extra+"}"), &m); err != nil {
			panic(fmt.Sprintf("rec extra %q: %v", extra, err))
		}
		for k := range m {
			overrides[k] = true
		}
	}
	var parts []string
	for _, kv := range baseRecord {
		if overrides[kv[0]] {
			continue
		}
		parts = append(parts, `"`+kv[0]+`":`+strings.ReplaceAll(kv[1], "@ID@", id))
	}
	if extra != "" {
		parts = append(parts, extra)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func records(recs ...string) []byte {
	return []byte(`{"Records":[` + strings.Join(recs, ",") + `]}`)
}

func count(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestIngestBundledSamples(t *testing.T) {
	t.Parallel()
	st := openTestStore(t)
	dir := filepath.Join("..", "testdata", "cloudtrail", "invictus-ir-aws_dataset")
	sum := ingestPaths(t, st, IngestOptions{}, dir)
	if sum.NewEvents != 2900 || sum.IngestedFiles != 55 || sum.QuarantinedFiles != 0 || sum.DuplicateEvents != 0 {
		t.Fatalf("summary = %+v, want 2,900 new events from 55 files", sum)
	}
	if got := sum.SkippedReasons[skipNotLog]; got != 2 { // LICENSE and SOURCE.md
		t.Errorf("skipped %v, want LICENSE and SOURCE.md skipped as not logs", sum.SkippedReasons)
	}

	// Every stored record equals its source record when both are parsed.
	want := map[string]any{}
	matches, _ := filepath.Glob(filepath.Join(dir, "*.json.gz"))
	for _, m := range matches {
		f, err := os.Open(m)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ Records []json.RawMessage }
		dec := json.NewDecoder(zr)
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		f.Close()
		for _, r := range doc.Records {
			var v map[string]any
			d := json.NewDecoder(bytes.NewReader(r))
			d.UseNumber()
			if err := d.Decode(&v); err != nil {
				t.Fatal(err)
			}
			want[v["eventID"].(string)] = v
		}
	}
	if len(want) != 2900 {
		t.Fatalf("source has %d records", len(want))
	}
	rows, err := st.DB.Query(`SELECT event_id, CAST(record AS VARCHAR), size_bytes FROM events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, text string
		var size int
		if err := rows.Scan(&id, &text, &size); err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		d := json.NewDecoder(strings.NewReader(text))
		d.UseNumber()
		if err := d.Decode(&got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want[id], got); diff != "" {
			t.Fatalf("record %s differs from its source (-want +got):\n%s", id, diff)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, []byte(text)); err != nil {
			t.Fatal(err)
		}
		if size != compact.Len() || size != len(text) {
			t.Fatalf("record %s: size_bytes %d, compact JSON is %d bytes", id, size, compact.Len())
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 2900 {
		t.Fatalf("compared %d records", n)
	}

	// Typed and derived columns, against facts from the data set's SOURCE.md.
	for _, c := range []struct {
		q    string
		want int64
	}{
		{`SELECT count(*) FROM events WHERE identity_type IS NULL`, 42},
		{`SELECT count(*) FROM events WHERE identity_type = 'AssumedRole' AND session_name IS NOT NULL AND session_issuer_name IS NOT NULL`, 76},
		{`SELECT count(*) FROM events WHERE read_only`, 2326},
		{`SELECT count(*) FROM events WHERE NOT read_only`, 574},
		{`SELECT count(*) FROM events WHERE error_code = 'ThrottlingException'`, 102},
		{`SELECT count(*) FROM events WHERE event_type = 'AwsConsoleSignIn'`, 3},
		{`SELECT count(DISTINCT recipient_account_id) FROM events`, 1},
		{`SELECT count(*) FROM events WHERE event_time < TIMESTAMPTZ '2023-07-10 11:42:18+00' OR event_time > TIMESTAMPTZ '2023-07-10 12:37:50+00'`, 0},
		{`SELECT count(*) FROM events WHERE session_name = 'i-0dbc91f429e48eeed' AND session_issuer_name = 'stratus-red-team-ec2-steal-credentials-role'`, -1},
	} {
		got := count(t, st.DB, c.q)
		if c.want >= 0 && got != c.want {
			t.Errorf("%s = %d, want %d", c.q, got, c.want)
		}
		if c.want < 0 && got == 0 {
			t.Errorf("%s found nothing", c.q)
		}
	}
	var tz string
	if err := st.DB.QueryRow(`SELECT strftime(min(event_time), '%Y-%m-%dT%H:%M:%S%z') FROM events`).Scan(&tz); err != nil {
		t.Fatal(err)
	}
	if tz != "2023-07-10T11:42:18+00" {
		t.Errorf("first event time %s, want 2023-07-10T11:42:18+00 (UTC)", tz)
	}
}

func TestIngestAwkwardSamples(t *testing.T) {
	t.Parallel()
	st := openTestStore(t)
	sum := ingestPaths(t, st, IngestOptions{},
		filepath.Join("..", "testdata", "cloudtrail", "otrf-security-datasets"),
		filepath.Join("..", "testdata", "cloudtrail", "zmallen-cloudtrail2sightings"))
	// OTRF: 103 Logstash records without eventTime (@timestamp instead).
	// Datadog: 10 + 1 + 1 records; the fourth file is broken JSON.
	if sum.NewEvents != 115 || sum.QuarantinedFiles != 1 {
		t.Fatalf("summary = %+v, want 115 events and 1 quarantined file", sum)
	}
	q := sum.Quarantined[0]
	if !strings.HasSuffix(q.Path, "cloudtrail.zip!aws.execution.ec2-user-data.json") || q.RecordIndex == nil || *q.RecordIndex != 1 {
		t.Errorf("quarantined %+v, want the ec2-user-data member, record 1", q)
	}
	if got := count(t, st.DB, `SELECT count(*) FROM events WHERE event_time BETWEEN '2020-09-14 00:44:20+00' AND '2020-09-14 01:13:20+00'`); got != 103 {
		t.Errorf("%d OTRF events placed by @timestamp, want 103", got)
	}
	if got := count(t, st.DB, `SELECT count(*) FROM events WHERE record->>'@version' = '1'`); got != 103 {
		t.Errorf("%d records kept their extra @version key, want 103", got)
	}
	if got := count(t, st.DB, `SELECT count(*) FROM events WHERE record->'aws'->'s3'->>'bucket' IS NOT NULL`); got != 12 {
		t.Errorf("%d Datadog records kept their extra keys, want 12", got)
	}
	if got := count(t, st.DB, `SELECT count(*) FROM quarantine WHERE record_index = 1`); got != 1 {
		t.Errorf("quarantine table: %d rows with record_index 1, want 1", got)
	}
}
