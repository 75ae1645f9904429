package analysis

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/footprint-dev/footprint/internal/store"
)

type trailRow struct {
	id, requestID, account, region, source, name, session, role, key, ip string
	at                                                                   time.Time
}

func addTrail(t *testing.T, st *store.Store, rows ...trailRow) {
	t.Helper()
	for _, r := range rows {
		roleARN := "arn:aws:iam::" + r.account + ":role/" + r.role
		_, err := st.DB.Exec(`INSERT INTO events (event_id, event_time, event_source, event_name, aws_region, recipient_account_id,
			identity_type, principal_arn, account_id, session_issuer_arn, session_issuer_name, session_name, access_key_id,
			source_ip_address, user_agent, request_id, read_only, event_type, event_category, management_event, size_bytes, file_id, record)
			VALUES ($1, $2, $3, $4, $5, $6, 'AssumedRole', 'arn:aws:sts::' || $6 || ':assumed-role/' || $7 || '/' || $8, $6,
			$9, $7, $8, $10, $11, 'footprint/0.3.0', $12, true, 'AwsApiCall', 'Management', true, 1000, 1, '{}')`,
			r.id, r.at, r.source, r.name, r.region, r.account, r.role, r.session, roleARN, r.key, r.ip, r.requestID)
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestVerifyScan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	const acct = "111122223333"
	setup := func(t *testing.T) *store.Store {
		st := memStore(t)
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := st.DB.Exec(q, args...); err != nil {
				t.Fatal(err)
			}
		}
		exec(`INSERT INTO scans (scan_id, started_at, finished_at, status, session_name, accounts, regions)
			VALUES ('s1', $1, $2, 'complete', 'footprint-scanner', ['111122223333'], ['us-east-1', 'eu-west-1'])`, t0, t0.Add(5*time.Minute))
		exec(`INSERT INTO scan_targets VALUES ('s1', $1, 'arn:aws:iam::111122223333:role/FootprintAudit', 'ASIAFOOTPRINT0000001')`, acct)
		// 1: plain call; 2: throttled once, then succeeded (two attempts, two
		// events); 3: a call the scanner recorded without its request ID
		exec(`INSERT INTO scan_calls (scan_id, seq, account_id, region, service, operation, event_source, event_name, started_at,
			duration_ms, request_id, attempt_request_ids, http_status, attempts, throttled) VALUES
			('s1', 1, $1, 'us-east-1', 'iam', 'ListUsers', 'iam.amazonaws.com', 'ListUsers', $2, 120, 'req-1', ['req-1'], 200, 1, false),
			('s1', 2, $1, 'eu-west-1', 'ec2', 'DescribeVpcs', NULL, NULL, $3, 900, 'req-2b', ['req-2a', 'req-2b'], 200, 2, true),
			('s1', 3, $1, 'eu-west-1', 'ec2', 'DescribeFlowLogs', 'ec2.amazonaws.com', 'DescribeFlowLogs', $4, 80, NULL, NULL, 200, 1, false)`,
			acct, t0.Add(time.Minute), t0.Add(2*time.Minute), t0.Add(3*time.Minute))
		addTrail(t, st,
			trailRow{id: "e1", requestID: "req-1", account: acct, region: "us-east-1", source: "iam.amazonaws.com", name: "ListUsers", session: "footprint-scanner", role: "FootprintAudit", key: "ASIAFOOTPRINT0000001", ip: "198.51.100.7", at: t0.Add(time.Minute)},
			trailRow{id: "e2a", requestID: "req-2a", account: acct, region: "eu-west-1", source: "ec2.amazonaws.com", name: "DescribeVpcs", session: "footprint-scanner", role: "FootprintAudit", key: "ASIAFOOTPRINT0000001", ip: "198.51.100.7", at: t0.Add(2 * time.Minute)},
			trailRow{id: "e2b", requestID: "req-2b", account: acct, region: "eu-west-1", source: "ec2.amazonaws.com", name: "DescribeVpcs", session: "footprint-scanner", role: "FootprintAudit", key: "ASIAFOOTPRINT0000001", ip: "198.51.100.7", at: t0.Add(2*time.Minute + time.Second)},
			trailRow{id: "e3", requestID: "other-id", account: acct, region: "eu-west-1", source: "ec2.amazonaws.com", name: "DescribeFlowLogs", session: "footprint-scanner", role: "FootprintAudit", key: "ASIAFOOTPRINT0000001", ip: "198.51.100.7", at: t0.Add(3*time.Minute + 2*time.Second)},
			// the same session name on another tool's role is not the scanner
			trailRow{id: "other-tool", requestID: "x-1", account: acct, region: "us-east-1", source: "s3.amazonaws.com", name: "ListBuckets", session: "footprint-scanner", role: "SomethingElse", key: "ASIAOTHER", ip: "203.0.113.9", at: t0.Add(time.Minute)},
		)
		return st
	}

	t.Run("match", func(t *testing.T) {
		st := setup(t)
		res, err := VerifyScan(ctx, st.DB, ScanVerifyOptions{ScanID: "s1"})
		if err != nil {
			t.Fatal(err)
		}
		got := [6]int{res.ManifestCalls, res.ManifestAttempts, res.MatchedByRequestID, res.MatchedByFallback, len(res.Missing), len(res.Unexpected)}
		if diff := cmp.Diff([6]int{3, 4, 3, 1, 0, 0}, got); diff != "" || res.Verdict != VerdictMatch {
			t.Errorf("verdict %s; calls, attempts, by request ID, by fallback, missing, unexpected (-want +got):\n%s", res.Verdict, diff)
		}
	})
	t.Run("missing attempt and someone else on the role", func(t *testing.T) {
		st := setup(t)
		if _, err := st.DB.Exec(`DELETE FROM events WHERE event_id = 'e2a'`); err != nil {
			t.Fatal(err)
		}
		addTrail(t, st, trailRow{id: "intruder", requestID: "req-9", account: acct, region: "us-east-1", source: "iam.amazonaws.com",
			name: "CreateAccessKey", session: "footprint-scanner", role: "FootprintAudit", key: "ASIAFOOTPRINT0000001", ip: "203.0.113.66", at: t0.Add(4 * time.Minute)})
		res, err := VerifyScan(ctx, st.DB, ScanVerifyOptions{ScanID: "s1"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != VerdictMismatch {
			t.Fatalf("verdict %s", res.Verdict)
		}
		wantMissing := []MissingCall{{Seq: 2, Attempt: 1, Account: acct, Region: "eu-west-1", Operation: "ec2:DescribeVpcs", StartedAt: t0.Add(2 * time.Minute), RequestID: "req-2a"}}
		if diff := cmp.Diff(wantMissing, res.Missing); diff != "" {
			t.Errorf("missing (-want +got):\n%s", diff)
		}
		if len(res.Unexpected) != 1 || res.Unexpected[0].EventID != "intruder" || res.Unexpected[0].SourceIP != "203.0.113.66" {
			t.Errorf("unexpected %+v", res.Unexpected)
		}
	})
	t.Run("another scan's calls are not unexpected", func(t *testing.T) {
		st := setup(t)
		// a dry run a minute earlier, under the same session and role
		for _, q := range []string{
			`INSERT INTO scans (scan_id, started_at, finished_at, status, session_name) VALUES ('d1', $1, $1, 'dry_run', 'footprint-scanner')`,
			`INSERT INTO scan_calls (scan_id, seq, account_id, region, service, operation, started_at, request_id, attempt_request_ids, attempts, throttled)
				VALUES ('d1', 1, '111122223333', 'us-east-1', 'ec2', 'DescribeRegions', $1, 'req-d1', ['req-d1'], 1, false)`,
		} {
			if _, err := st.DB.Exec(q, t0); err != nil {
				t.Fatal(err)
			}
		}
		addTrail(t, st, trailRow{id: "dry", requestID: "req-d1", account: acct, region: "us-east-1", source: "ec2.amazonaws.com",
			name: "DescribeRegions", session: "footprint-scanner", role: "FootprintAudit", key: "ASIAFOOTPRINT0000001", ip: "198.51.100.7", at: t0})
		res, err := VerifyScan(ctx, st.DB, ScanVerifyOptions{ScanID: "s1"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != VerdictMatch || res.OtherScanEvents != 1 || len(res.Unexpected) != 0 {
			t.Errorf("verdict %s, other scans' events %d, unexpected %+v", res.Verdict, res.OtherScanEvents, res.Unexpected)
		}
	})
	t.Run("unknown scan", func(t *testing.T) {
		st := setup(t)
		if _, err := VerifyScan(ctx, st.DB, ScanVerifyOptions{ScanID: "nope"}); err == nil {
			t.Error("unknown scan accepted")
		}
	})
}

// addScan records a one-call scan (its event is not in the trail).
func addScan(t *testing.T, db interface {
	Exec(string, ...any) (sql.Result, error)
}) {
	t.Helper()
	t0 := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	for _, q := range []string{
		`INSERT INTO scans (scan_id, started_at, finished_at, status, session_name) VALUES ('s1', $1, $1, 'complete', 'footprint-scanner')`,
		`INSERT INTO scan_calls (scan_id, seq, account_id, region, service, operation, started_at, request_id, attempts, throttled)
			VALUES ('s1', 1, '111122223333', 'us-east-1', 'iam', 'ListUsers', $1, 'no-such-request', 1, false)`,
	} {
		if _, err := db.Exec(q, t0); err != nil {
			t.Fatal(err)
		}
	}
}
