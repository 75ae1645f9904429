package trail

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/footprint-dev/footprint/internal/synth"
)

// snapshot is everything an ingest decides, minus wall-clock times.
type snapshot struct {
	Events     []string // event_id|file path|sha256 of the record
	Files      []string
	Quarantine []string
}

func readSnapshot(t *testing.T, q func(string) []string) snapshot {
	return snapshot{
		Events: q(`SELECT e.event_id || '|' || f.path || '|' || sha256(CAST(e.record AS VARCHAR)) || '|' || e.size_bytes
			FROM events e JOIN files f USING (file_id) ORDER BY 1`),
		Files: q(`SELECT file_id || '|' || path || '|' || sha256 || '|' || status || '|' || records || '|' || new_events || '|' ||
			duplicate_events || '|' || coalesce(CAST(first_event_time AS VARCHAR), '') || '|' || coalesce(reason, '') FROM files ORDER BY file_id`),
		Quarantine: q(`SELECT path || '|' || coalesce(sha256, '') || '|' || coalesce(CAST(record_index AS VARCHAR), '') || '|' || reason FROM quarantine ORDER BY 1`),
	}
}

func TestIngestIsIdempotent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := synth.Write(dir, synth.Options{Seed: 7, Events: 3000, Days: 1, OrgID: "o-exampleorg1"}); err != nil {
		t.Fatal(err)
	}
	// a bad file and a README beside the logs
	os.WriteFile(filepath.Join(dir, "broken.json"), []byte(`{"Records":[`+rec("x1", "")+`,{`), 0o644)
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("# logs"), 0o644)

	st := openTestStore(t)
	first := ingestPaths(t, st, IngestOptions{BatchRows: 700}, dir)
	// every file arrives twice, byte for byte, under the organization trail's
	// prefix and the account trail's: the copies are recognised by content
	if first.NewEvents != 3000 || first.UnchangedFiles != first.IngestedFiles || first.QuarantinedFiles != 1 {
		t.Fatalf("first run %+v, want 3,000 new events, every org-trail copy unchanged, 1 quarantined", first)
	}
	if got := count(t, st.DB, `SELECT count(*) FROM events`); got != 3000 {
		t.Fatalf("%d events stored, want 3000", got)
	}
	if got := count(t, st.DB, `SELECT count(*) - count(DISTINCT event_id) FROM events`); got != 0 {
		t.Fatalf("%d duplicate event IDs stored", got)
	}
	// the manifest's per-file counts add up
	if got := count(t, st.DB, `SELECT sum(new_events) FROM files`); got != 3000 {
		t.Errorf("files.new_events sums to %d, want 3000", got)
	}
	if got := count(t, st.DB, `SELECT count(*) FROM files WHERE status = 'ingested' AND records <> new_events + duplicate_events`); got != 0 {
		t.Errorf("%d files whose records are not new + duplicate", got)
	}
	if got := count(t, st.DB, `SELECT count(*) FROM files f WHERE new_events <> (SELECT count(*) FROM events e WHERE e.file_id = f.file_id)`); got != 0 {
		t.Errorf("%d files whose new_events disagrees with the events they delivered", got)
	}
	q := func(sql string) []string {
		rows, err := st.DB.Query(sql)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out = append(out, s)
		}
		return out
	}
	before := readSnapshot(t, q)

	// the same files again: nothing added, every file recognised
	again := ingestPaths(t, st, IngestOptions{}, dir)
	if again.NewEvents != 0 || again.DuplicateEvents != 0 || again.UnchangedFiles != first.IngestedFiles+first.UnchangedFiles || again.Records != 0 {
		t.Errorf("second run %+v, want everything unchanged", again)
	}
	if again.QuarantinedFiles != 1 || !again.Quarantined[0].Previously {
		t.Errorf("second run quarantine %+v, want the broken file reported again as before", again.Quarantined)
	}
	if diff := cmp.Diff(before, readSnapshot(t, q)); diff != "" {
		t.Errorf("re-ingest changed the database (-before +after):\n%s", diff)
	}

	// the same events under other names: new files, no new events
	copyDir := t.TempDir()
	n := 0
	filepath.WalkDir(filepath.Join(dir, "AWSLogs", "111122223333"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && n < 5 {
			b, _ := os.ReadFile(p)
			// a different file: same records, recompressed with a trailing newline
			raw := gunzip(t, b)
			os.WriteFile(filepath.Join(copyDir, fmt.Sprintf("copy-%d.json", n)), append(raw, '\n'), 0o644)
			n++
		}
		return nil
	})
	renamed := ingestPaths(t, st, IngestOptions{}, copyDir)
	if renamed.NewEvents != 0 || renamed.DuplicateEvents == 0 || renamed.IngestedFiles != 5 {
		t.Errorf("renamed copies %+v, want 5 files of duplicates only", renamed)
	}
	if got := count(t, st.DB, `SELECT count(*) FROM events`); got != 3000 {
		t.Errorf("%d events after renamed copies, want 3000", got)
	}

	// a repaired copy of the broken file ingests and clears its quarantine row
	os.WriteFile(filepath.Join(dir, "broken.json"), records(rec("x1", ""), rec("x2", "")), 0o644)
	fixed := ingestPaths(t, st, IngestOptions{}, filepath.Join(dir, "broken.json"))
	if fixed.NewEvents != 2 || fixed.QuarantinedFiles != 0 {
		t.Errorf("repaired file %+v, want 2 new events", fixed)
	}
	if got := count(t, st.DB, `SELECT count(*) FROM quarantine`); got != 0 {
		t.Errorf("%d quarantine rows left after the repair, want 0", got)
	}
	if got := count(t, st.DB, `SELECT count(*) FROM files WHERE path LIKE '%broken.json'`); got != 2 {
		t.Errorf("files keeps %d rows for broken.json, want 2 (the history: quarantined, then ingested)", got)
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestIngestFileLargerThanBatch: a file bigger than a batch is loaded alone in
// slices; if it breaks at the end none of it is kept and nothing else is lost.
func TestIngestFileLargerThanBatch(t *testing.T) {
	t.Parallel()
	var recs []string
	for i := 0; i < 250; i++ {
		recs = append(recs, rec(fmt.Sprintf("big-%03d", i), ""))
	}
	recs = append(recs, rec("big-000", "")) // a duplicate inside the file, in a later slice
	bigOK := records(recs...)
	bigBroken := []byte(strings.TrimSuffix(string(records(recs...)), "]}") + `,{"eventName":`)
	small := records(rec("small-1", ""), rec("big-001", ""))
	dir := writeFiles(t, map[string][]byte{
		"a-small.json":      small,
		"b-big.json":        bigOK,
		"c-big-broken.json": bigBroken,
		"d-small.json":      records(rec("small-2", "")),
	})
	st := openTestStore(t)
	sum := ingestPaths(t, st, IngestOptions{BatchRows: 40}, dir)
	if sum.QuarantinedFiles != 1 || !strings.HasSuffix(sum.Quarantined[0].Path, "c-big-broken.json") {
		t.Fatalf("quarantined %+v, want c-big-broken.json", sum.Quarantined)
	}
	// small-1, big-001 (from a-small), big-000..249 except big-001 (from b-big), small-2
	if got := count(t, st.DB, `SELECT count(*) FROM events`); got != 252 {
		t.Errorf("%d events, want 252", got)
	}
	if got := count(t, st.DB, `SELECT count(*) FROM events e JOIN files f USING (file_id) WHERE f.path LIKE '%c-big-broken.json'`); got != 0 {
		t.Errorf("%d events from the broken big file were kept", got)
	}
	if got := count(t, st.DB, `SELECT new_events FROM files WHERE path LIKE '%b-big.json'`); got != 249 {
		t.Errorf("b-big.json new_events %d, want 249", got)
	}
	if got := count(t, st.DB, `SELECT duplicate_events FROM files WHERE path LIKE '%b-big.json'`); got != 2 {
		t.Errorf("b-big.json duplicate_events %d, want 2 (big-001 from a-small, big-000 twice)", got)
	}
}
