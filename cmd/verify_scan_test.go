package cmd

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/footprint-dev/footprint/internal/store"
)

func TestVerifyScanExitCodes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scan.duckdb")
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := st.DB.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	event := `INSERT INTO events (event_id, event_time, event_source, event_name, aws_region, recipient_account_id, identity_type,
		session_issuer_arn, session_issuer_name, session_name, access_key_id, request_id, source_ip_address, size_bytes, file_id, record)
		VALUES ($1, $2, 'iam.amazonaws.com', $3, 'us-east-1', '111122223333', 'AssumedRole',
		'arn:aws:iam::111122223333:role/FootprintAudit', 'FootprintAudit', 'footprint-scanner', 'ASIAKEY', $4, $5, 900, 1, '{}')`
	exec(`INSERT INTO scans (scan_id, started_at, finished_at, status, session_name) VALUES ('s1', $1, $2, 'complete', 'footprint-scanner')`, t0, t0.Add(time.Minute))
	exec(`INSERT INTO scan_targets VALUES ('s1', '111122223333', 'arn:aws:iam::111122223333:role/FootprintAudit', 'ASIAKEY')`)
	exec(`INSERT INTO scan_calls (scan_id, seq, account_id, region, service, operation, started_at, duration_ms, request_id, attempt_request_ids, attempts, throttled)
		VALUES ('s1', 1, '111122223333', 'us-east-1', 'iam', 'ListUsers', $1, 150, 'r1', ['r1'], 1, false)`, t0)
	exec(event, "e1", t0, "ListUsers", "r1", "198.51.100.7")
	st.Close()

	if out, errOut, code := run(t, "--db", path, "verify", "scan", "--scan", "s1"); code != ExitOK {
		t.Fatalf("matching scan: exit %d\n%s%s", code, out, errOut)
	}
	st, err = store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	exec(event, "e2", t0.Add(30*time.Second), "CreateAccessKey", "r9", "203.0.113.66")
	st.Close()
	if out, _, code := run(t, "--db", path, "verify", "scan", "--scan", "s1"); code != ExitPolicy {
		t.Fatalf("someone else on the role: exit %d, want %d\n%s", code, ExitPolicy, out)
	}
}
