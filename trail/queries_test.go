package trail

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/footprint-dev/footprint/internal/store"
	"github.com/footprint-dev/footprint/queries"
)

// The fixture corpus for the forensic queries lives in
// testdata/TestForensicQueries: hand-written CloudTrail records in real
// shapes for three accounts (111122223333 prod, 444455556666 dev,
// 777788889999 security) in several regions. Each query has records that
// must match and near misses that must not, and every query runs against the
// whole corpus, so a query that over-matches picks up another topic's records
// and fails. Record n has eventID fid(n). backgroundRecords adds bulk traffic
// for two more accounts, which the rare-region cases need.

const (
	acctProd     = "111122223333"
	acctDev      = "444455556666"
	acctSecurity = "777788889999"
	acctBusy     = "210987654321" // background: 200 events
	acctSmall    = "123412341234" // background: 99 events

	arnAlice  = "arn:aws:iam::111122223333:user/alice"
	arnBob    = "arn:aws:iam::111122223333:user/bob"
	arnRoot   = "arn:aws:iam::111122223333:root"
	arnCarol  = "arn:aws:iam::444455556666:user/carol"
	arnDeploy = "arn:aws:sts::444455556666:assumed-role/deploy/gitlab-runner-42"

	uaConsoleAttacker = "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0"
	uaConsoleRoot     = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0"
	uaConsoleRootFail = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36"
	uaConsoleBob      = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15"
	uaConsoleSSO      = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"
	uaAliceCreateKey  = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1014-aws exe/x86_64.ubuntu.22 prompt/off command/iam.create-access-key"

	defenderSession = "MicrosoftDefenderForClouds_33e01921-4d64-4f8c-a055-5bdaffd5e33d"
	defenderSubject = "a8f6c2b1-7d3e-4f5a-9b0c-1d2e3f4a5b6c"
)

// fid is the eventID of hand-written fixture record n.
func fid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// ts parses an RFC 3339 time for expected rows.
func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// queryCase is one run of a named query and the rows it must return.
type queryCase struct {
	name   string
	params map[string]string
	rows   [][]any
}

// queryTests are a query's columns and its cases.
type queryTests struct {
	columns []string
	cases   []queryCase
}

// forensicCases maps every query in queries/trail to its test cases;
// TestEveryQueryIsTested fails when a query file has no entry here.
func forensicCases() map[string]queryTests {
	return map[string]queryTests{
		"root_activity": {
			columns: []string{"event_time", "account", "region", "event_source", "event_name", "source_ip_address", "user_agent", "error_code", "event_id"},
			cases: []queryCase{
				{name: "all", rows: [][]any{
					{ts("2026-03-02T09:00:00Z"), acctProd, "us-east-1", "signin.amazonaws.com", "ConsoleLogin", "192.0.2.77", uaConsoleRoot, nil, fid(103)},
					{ts("2026-03-02T09:05:00Z"), acctProd, "us-east-1", "iam.amazonaws.com", "CreateAccessKey", "192.0.2.77", "AWS Internal", nil, fid(201)},
					// A failed sign-in is root activity too; CloudTrail gives it no errorCode.
					{ts("2026-03-02T11:00:00Z"), acctProd, "us-east-1", "signin.amazonaws.com", "ConsoleLogin", "203.0.113.9", uaConsoleRootFail, nil, fid(110)},
				}},
				{name: "until is exclusive", params: map[string]string{"since": "2026-03-02T09:00:01Z", "until": "2026-03-02T11:00:00Z"}, rows: [][]any{
					{ts("2026-03-02T09:05:00Z"), acctProd, "us-east-1", "iam.amazonaws.com", "CreateAccessKey", "192.0.2.77", "AWS Internal", nil, fid(201)},
				}},
			},
		},
		"console_logins_without_mfa": {
			columns: []string{"event_time", "account", "region", "identity_type", "principal", "user_name", "source_ip_address", "user_agent", "login_to", "event_id"},
			cases: []queryCase{
				// Not listed: alice (MFA used), carol's failed attempts
				// (MFAUsed=No but Failure), bob's CheckMfa, the SSO sign-in.
				{name: "IAM users and root", rows: [][]any{
					{ts("2026-03-02T08:05:00Z"), acctProd, "us-east-2", "IAMUser", arnBob, "bob", "198.51.100.23", uaConsoleBob, "https://us-east-2.console.aws.amazon.com/ec2/home?region=us-east-2", fid(102)},
					{ts("2026-03-02T09:00:00Z"), acctProd, "us-east-1", "Root", arnRoot, nil, "192.0.2.77", uaConsoleRoot, "https://console.aws.amazon.com/console/home", fid(103)},
					{ts("2026-03-02T10:01:00Z"), acctDev, "us-east-1", "IAMUser", arnCarol, "carol", "203.0.113.50", uaConsoleAttacker, "https://console.aws.amazon.com/console/home", fid(108)},
				}},
				{name: "with federated", params: map[string]string{"include_federated": "true"}, rows: [][]any{
					{ts("2026-03-02T08:05:00Z"), acctProd, "us-east-2", "IAMUser", arnBob, "bob", "198.51.100.23", uaConsoleBob, "https://us-east-2.console.aws.amazon.com/ec2/home?region=us-east-2", fid(102)},
					{ts("2026-03-02T08:30:00Z"), acctProd, "us-east-1", "AssumedRole", "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/dave@example.com", nil, "192.0.2.40", uaConsoleSSO, nil, fid(104)},
					{ts("2026-03-02T09:00:00Z"), acctProd, "us-east-1", "Root", arnRoot, nil, "192.0.2.77", uaConsoleRoot, "https://console.aws.amazon.com/console/home", fid(103)},
					{ts("2026-03-02T10:01:00Z"), acctDev, "us-east-1", "IAMUser", arnCarol, "carol", "203.0.113.50", uaConsoleAttacker, "https://console.aws.amazon.com/console/home", fid(108)},
				}},
				{name: "window", params: map[string]string{"since": "2026-03-02T08:06:00Z", "until": "2026-03-02T10:00:00Z"}, rows: [][]any{
					{ts("2026-03-02T09:00:00Z"), acctProd, "us-east-1", "Root", arnRoot, nil, "192.0.2.77", uaConsoleRoot, "https://console.aws.amazon.com/console/home", fid(103)},
				}},
			},
		},
		"console_login_failures": {
			columns: []string{"account", "user", "identity_type", "source_ip_address", "failures", "first_failure", "last_failure", "error_messages", "succeeded_after"},
			cases: []queryCase{
				{name: "all", rows: [][]any{
					// Three guesses, then carol's password worked (fid 108).
					{acctDev, "carol", "IAMUser", "203.0.113.50", int64(3), ts("2026-03-02T10:00:00Z"), ts("2026-03-02T10:00:40Z"), "Failed authentication", true},
					// Root signed in successfully at 09:00, before this failure: not "after".
					{acctProd, arnRoot, "Root", "203.0.113.9", int64(1), ts("2026-03-02T11:00:00Z"), ts("2026-03-02T11:00:00Z"), "Failed authentication", false},
					{acctDev, "HIDDEN_DUE_TO_SECURITY_REASONS", "IAMUser", "203.0.113.50", int64(1), ts("2026-03-02T10:02:00Z"), ts("2026-03-02T10:02:00Z"), "No username found in supplied account", false},
					{acctDev, "carol", "IAMUser", "198.51.100.99", int64(1), ts("2026-03-03T07:00:00Z"), ts("2026-03-03T07:00:00Z"), "Authorization denied because of a resource-based policy", false},
				}},
				{name: "min failures", params: map[string]string{"min_failures": "3"}, rows: [][]any{
					{acctDev, "carol", "IAMUser", "203.0.113.50", int64(3), ts("2026-03-02T10:00:00Z"), ts("2026-03-02T10:00:40Z"), "Failed authentication", true},
				}},
				{name: "window", params: map[string]string{"since": "2026-03-02T10:00:10Z", "until": "2026-03-02T10:30:00Z"}, rows: [][]any{
					{acctDev, "carol", "IAMUser", "203.0.113.50", int64(2), ts("2026-03-02T10:00:20Z"), ts("2026-03-02T10:00:40Z"), "Failed authentication", true},
					{acctDev, "HIDDEN_DUE_TO_SECURITY_REASONS", "IAMUser", "203.0.113.50", int64(1), ts("2026-03-02T10:02:00Z"), ts("2026-03-02T10:02:00Z"), "No username found in supplied account", false},
				}},
			},
		},
		"access_denied_by_principal": {
			columns: []string{"account", "principal", "identity_type", "denied", "operations", "top_operations", "source_ips", "first_seen", "last_seen"},
			cases: []queryCase{
				// The scanner's Client.RequestLimitExceeded and the deploy
				// role's NoSuchPublicAccessBlockConfiguration are errors, not denials.
				{name: "all", rows: [][]any{
					{acctSecurity, "arn:aws:iam::777788889999:role/ProwlerScan", "AssumedRole", int64(9), int64(6),
						"ec2:DescribeFlowLogs (3), guardduty:ListDetectors (2), kms:ListKeys (1), logs:DescribeLogGroups (1), macie2:GetMacieSession (1)",
						int64(1), ts("2026-03-02T20:00:00Z"), ts("2026-03-02T20:00:08Z")},
					{acctDev, arnCarol, "IAMUser", int64(6), int64(6),
						"cloudtrail:DeleteTrail (1), ec2:AuthorizeSecurityGroupIngress (1), iam:CreateAccessKey (1), kms:ScheduleKeyDeletion (1), signin:ConsoleLogin (1)",
						int64(2), ts("2026-03-02T10:04:00Z"), ts("2026-03-03T07:00:00Z")},
				}},
				{name: "min errors", params: map[string]string{"min_errors": "7"}, rows: [][]any{
					{acctSecurity, "arn:aws:iam::777788889999:role/ProwlerScan", "AssumedRole", int64(9), int64(6),
						"ec2:DescribeFlowLogs (3), guardduty:ListDetectors (2), kms:ListKeys (1), logs:DescribeLogGroups (1), macie2:GetMacieSession (1)",
						int64(1), ts("2026-03-02T20:00:00Z"), ts("2026-03-02T20:00:08Z")},
				}},
				{name: "window", params: map[string]string{"since": "2026-03-02T10:00:00Z", "until": "2026-03-02T10:07:00Z"}, rows: [][]any{
					{acctDev, arnCarol, "IAMUser", int64(2), int64(2), "cloudtrail:DeleteTrail (1), iam:CreateAccessKey (1)",
						int64(1), ts("2026-03-02T10:04:00Z"), ts("2026-03-02T10:06:00Z")},
				}},
			},
		},
		"iam_changes": {
			columns: []string{"event_time", "account", "principal", "identity_type", "event_name", "target", "policy", "access_key_id", "source_ip_address", "error_code", "event_id"},
			cases: []queryCase{
				// Not listed: ListAccessKeys, GetUser, GenerateCredentialReport,
				// TagRole, ListAttachedUserPolicies, and IAM reads by roles.
				{name: "all", rows: [][]any{
					{ts("2026-03-02T09:05:00Z"), acctProd, arnRoot, "Root", "CreateAccessKey", nil, nil, "AKIAROOTKEY000000001", "192.0.2.77", nil, fid(201)},
					{ts("2026-03-02T10:03:00Z"), acctDev, arnCarol, "IAMUser", "CreateAccessKey", nil, nil, "AKIACAROLNEWKEY00001", "203.0.113.50", nil, fid(203)},
					{ts("2026-03-02T10:04:00Z"), acctDev, arnCarol, "IAMUser", "CreateAccessKey", "user/deploy-bot", nil, nil, "203.0.113.50", "AccessDenied", fid(204)},
					{ts("2026-03-02T10:05:00Z"), acctDev, arnCarol, "IAMUser", "DeactivateMFADevice", "user/carol", nil, nil, "203.0.113.50", nil, fid(305)},
					{ts("2026-03-02T12:00:00Z"), acctProd, arnAlice, "IAMUser", "CreateAccessKey", "user/bob", nil, "AKIABOBNEWKEY0000001", "192.0.2.10", nil, fid(202)},
					{ts("2026-03-02T12:10:00Z"), acctProd, arnAlice, "IAMUser", "CreateUser", "user/svc-backup", nil, nil, "192.0.2.10", nil, fid(301)},
					{ts("2026-03-02T12:11:00Z"), acctProd, arnAlice, "IAMUser", "AttachUserPolicy", "user/svc-backup", "arn:aws:iam::aws:policy/AdministratorAccess", nil, "192.0.2.10", nil, fid(302)},
					{ts("2026-03-02T12:12:00Z"), acctProd, arnAlice, "IAMUser", "CreateLoginProfile", "user/svc-backup", nil, nil, "192.0.2.10", nil, fid(303)},
					{ts("2026-03-02T12:13:00Z"), acctProd, arnAlice, "IAMUser", "PutRolePolicy", "role/Admin", "inline-escalate", nil, "192.0.2.10", nil, fid(304)},
					{ts("2026-03-02T12:14:00Z"), acctProd, arnAlice, "IAMUser", "AddUserToGroup", "user/svc-backup", nil, nil, "192.0.2.10", nil, fid(311)},
					{ts("2026-03-02T12:20:00Z"), acctProd, arnAlice, "IAMUser", "UpdateAccessKey", "user/bob", nil, "AKIABOB0000000000001", "192.0.2.10", nil, fid(206)},
					{ts("2026-03-02T12:21:00Z"), acctProd, arnAlice, "IAMUser", "CreateVirtualMFADevice", "mfa/bob-mfa", nil, nil, "192.0.2.10", nil, fid(306)},
				}},
				{name: "window", params: map[string]string{"since": "2026-03-02T12:00:00Z", "until": "2026-03-02T12:14:00Z"}, rows: [][]any{
					{ts("2026-03-02T12:00:00Z"), acctProd, arnAlice, "IAMUser", "CreateAccessKey", "user/bob", nil, "AKIABOBNEWKEY0000001", "192.0.2.10", nil, fid(202)},
					{ts("2026-03-02T12:10:00Z"), acctProd, arnAlice, "IAMUser", "CreateUser", "user/svc-backup", nil, nil, "192.0.2.10", nil, fid(301)},
					{ts("2026-03-02T12:11:00Z"), acctProd, arnAlice, "IAMUser", "AttachUserPolicy", "user/svc-backup", "arn:aws:iam::aws:policy/AdministratorAccess", nil, "192.0.2.10", nil, fid(302)},
					{ts("2026-03-02T12:12:00Z"), acctProd, arnAlice, "IAMUser", "CreateLoginProfile", "user/svc-backup", nil, nil, "192.0.2.10", nil, fid(303)},
					{ts("2026-03-02T12:13:00Z"), acctProd, arnAlice, "IAMUser", "PutRolePolicy", "role/Admin", "inline-escalate", nil, "192.0.2.10", nil, fid(304)},
				}},
			},
		},
		"cloudtrail_tampering": {
			columns: []string{"event_time", "account", "region", "principal", "event_name", "trail", "detail", "source_ip_address", "error_code", "event_id"},
			cases: []queryCase{
				// Not listed: StartLogging, GetEventSelectors, CreateTrail, GetTrailStatus.
				{name: "all", rows: [][]any{
					{ts("2026-03-02T10:06:00Z"), acctDev, "us-east-1", arnCarol, "DeleteTrail", "dev-trail", nil, "203.0.113.50", "AccessDeniedException", fid(403)},
					{ts("2026-03-02T13:00:00Z"), acctProd, "us-east-1", arnAlice, "StopLogging", "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail", nil, "192.0.2.10", nil, fid(401)},
					{ts("2026-03-02T13:01:00Z"), acctProd, "us-east-1", arnAlice, "PutEventSelectors", "org-trail", "readWriteType=ReadOnly includeManagementEvents=false", "192.0.2.10", nil, fid(402)},
					{ts("2026-03-02T13:02:00Z"), acctProd, "us-east-1", arnAlice, "UpdateTrail", "org-trail", "isMultiRegionTrail=false s3BucketName=attacker-logs-bucket", "192.0.2.10", nil, fid(404)},
					{ts("2026-03-02T13:03:00Z"), acctProd, "us-east-1", arnAlice, "PutInsightSelectors", "org-trail", "insightTypes=", "192.0.2.10", nil, fid(405)},
					{ts("2026-03-02T13:04:00Z"), acctProd, "us-east-1", arnBob, "PutEventSelectors", "org-trail", "advancedEventSelectors: 2", "198.51.100.23", nil, fid(406)},
				}},
				{name: "window", params: map[string]string{"since": "2026-03-02T13:01:00Z", "until": "2026-03-02T13:02:00Z"}, rows: [][]any{
					{ts("2026-03-02T13:01:00Z"), acctProd, "us-east-1", arnAlice, "PutEventSelectors", "org-trail", "readWriteType=ReadOnly includeManagementEvents=false", "192.0.2.10", nil, fid(402)},
				}},
			},
		},
		"security_services_disabled": {
			columns: []string{"event_time", "account", "region", "service", "principal", "event_name", "resource", "member_accounts", "error_code", "event_id"},
			cases: []queryCase{
				// Not listed: UpdateDetector with enable=true or without
				// enable, CreateDetector, ListDetectors, BatchEnableStandards,
				// StartConfigurationRecorder, DeleteConfigRule.
				{name: "all", rows: [][]any{
					{ts("2026-03-02T13:10:00Z"), acctProd, "us-east-1", "guardduty", arnAlice, "UpdateDetector", "12abc34d567e8fa901bc2d34e56789f0", nil, nil, fid(501)},
					{ts("2026-03-02T14:00:00Z"), acctDev, "eu-west-1", "guardduty", arnDeploy, "DeleteDetector", "a4bc5de6f7890a1b2c3d4e5f6a7b8c9d", nil, nil, fid(504)},
					{ts("2026-03-02T14:10:00Z"), acctSecurity, "us-east-1", "guardduty", "arn:aws:iam::777788889999:user/secadmin", "StopMonitoringMembers", "7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f", "111122223333,444455556666", nil, fid(505)},
					{ts("2026-03-02T14:20:00Z"), acctProd, "us-east-1", "securityhub", arnAlice, "BatchDisableStandards", "arn:aws:securityhub:us-east-1:111122223333:subscription/cis-aws-foundations-benchmark/v/1.2.0", nil, nil, fid(506)},
					{ts("2026-03-02T14:21:00Z"), acctProd, "us-east-1", "securityhub", arnAlice, "DisableSecurityHub", nil, nil, nil, fid(507)},
					{ts("2026-03-02T14:30:00Z"), acctProd, "us-east-1", "config", arnAlice, "StopConfigurationRecorder", "default", nil, nil, fid(508)},
					{ts("2026-03-02T14:31:00Z"), acctProd, "us-east-1", "config", arnAlice, "DeleteDeliveryChannel", "default", nil, "LastDeliveryChannelDeleteFailedException", fid(509)},
				}},
				{name: "window", params: map[string]string{"since": "2026-03-02T14:00:00Z", "until": "2026-03-02T14:20:00Z"}, rows: [][]any{
					{ts("2026-03-02T14:00:00Z"), acctDev, "eu-west-1", "guardduty", arnDeploy, "DeleteDetector", "a4bc5de6f7890a1b2c3d4e5f6a7b8c9d", nil, nil, fid(504)},
					{ts("2026-03-02T14:10:00Z"), acctSecurity, "us-east-1", "guardduty", "arn:aws:iam::777788889999:user/secadmin", "StopMonitoringMembers", "7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f", "111122223333,444455556666", nil, fid(505)},
				}},
			},
		},
		"security_groups_open_to_world": {
			columns: []string{"event_time", "account", "region", "principal", "event_name", "group_id", "direction", "protocol", "from_port", "to_port", "cidr", "error_code", "event_id"},
			cases: []queryCase{
				// Not listed: 10.0.0.0/8 and 203.0.113.0/24 beside the open
				// ranges, the egress rule and the later modification of it,
				// a private CIDR, a prefix list, a group reference, a revoke.
				{name: "all", rows: [][]any{
					{ts("2026-03-02T10:07:00Z"), acctDev, "us-east-1", arnCarol, "AuthorizeSecurityGroupIngress", "sg-0e5f6a7b8c9d0e1f2", "ingress", "tcp", int32(0), int32(65535), "0.0.0.0/0", "Client.UnauthorizedOperation", fid(607)},
					{ts("2026-03-02T15:00:00Z"), acctProd, "us-east-1", arnAlice, "AuthorizeSecurityGroupIngress", "sg-0a1b2c3d4e5f60718", "ingress", "tcp", int32(22), int32(22), "0.0.0.0/0", nil, fid(601)},
					{ts("2026-03-02T15:00:00Z"), acctProd, "us-east-1", arnAlice, "AuthorizeSecurityGroupIngress", "sg-0a1b2c3d4e5f60718", "ingress", "tcp", int32(22), int32(22), "::/0", nil, fid(601)},
					// The older flat request form, by group name in a default VPC.
					{ts("2026-03-02T15:05:00Z"), acctProd, "eu-west-1", arnBob, "AuthorizeSecurityGroupIngress", "default", "ingress", "tcp", int32(3389), int32(3389), "0.0.0.0/0", nil, fid(602)},
					// The rule was created as ingress by fid 601.
					{ts("2026-03-02T15:20:00Z"), acctProd, "us-east-1", arnAlice, "ModifySecurityGroupRules", "sg-0a1b2c3d4e5f60718", "ingress", "tcp", int32(443), int32(443), "0.0.0.0/0", nil, fid(605)},
					// A rule this trail never saw created.
					{ts("2026-03-02T15:25:00Z"), acctDev, "us-west-2", arnDeploy, "ModifySecurityGroupRules", "sg-0d4e5f6a7b8c9d0e1", "unknown", "all", int32(-1), int32(-1), "::/0", nil, fid(606)},
				}},
				{name: "window", params: map[string]string{"since": "2026-03-02T15:00:00Z", "until": "2026-03-02T15:05:00Z"}, rows: [][]any{
					{ts("2026-03-02T15:00:00Z"), acctProd, "us-east-1", arnAlice, "AuthorizeSecurityGroupIngress", "sg-0a1b2c3d4e5f60718", "ingress", "tcp", int32(22), int32(22), "0.0.0.0/0", nil, fid(601)},
					{ts("2026-03-02T15:00:00Z"), acctProd, "us-east-1", arnAlice, "AuthorizeSecurityGroupIngress", "sg-0a1b2c3d4e5f60718", "ingress", "tcp", int32(22), int32(22), "::/0", nil, fid(601)},
				}},
			},
		},
		"new_access_keys": {
			columns: []string{"event_time", "account", "created_by", "created_by_type", "for_user", "root_key", "access_key_id", "source_ip_address", "user_agent", "error_code", "event_id"},
			cases: []queryCase{
				// Not listed: ListAccessKeys, UpdateAccessKey.
				{name: "all", rows: [][]any{
					{ts("2026-03-02T09:05:00Z"), acctProd, arnRoot, "Root", "root", true, "AKIAROOTKEY000000001", "192.0.2.77", "AWS Internal", nil, fid(201)},
					{ts("2026-03-02T10:03:00Z"), acctDev, arnCarol, "IAMUser", "carol", false, "AKIACAROLNEWKEY00001", "203.0.113.50", "AWS Internal", nil, fid(203)},
					{ts("2026-03-02T10:04:00Z"), acctDev, arnCarol, "IAMUser", "deploy-bot", false, nil, "203.0.113.50", "AWS Internal", "AccessDenied", fid(204)},
					{ts("2026-03-02T12:00:00Z"), acctProd, arnAlice, "IAMUser", "bob", false, "AKIABOBNEWKEY0000001", "192.0.2.10", uaAliceCreateKey, nil, fid(202)},
				}},
				{name: "window", params: map[string]string{"since": "2026-03-02T10:00:00Z", "until": "2026-03-02T11:00:00Z"}, rows: [][]any{
					{ts("2026-03-02T10:03:00Z"), acctDev, arnCarol, "IAMUser", "carol", false, "AKIACAROLNEWKEY00001", "203.0.113.50", "AWS Internal", nil, fid(203)},
					{ts("2026-03-02T10:04:00Z"), acctDev, arnCarol, "IAMUser", "deploy-bot", false, nil, "203.0.113.50", "AWS Internal", "AccessDenied", fid(204)},
				}},
			},
		},
		"s3_public_access_changes": {
			columns: []string{"event_time", "account", "region", "principal", "event_name", "bucket", "canned_acl", "grants_public", "other_accounts", "blocks_off", "error_code", "event_id"},
			cases: []queryCase{
				// Not listed: GetBucketPolicy, PutBucketTagging, PutObjectAcl
				// (an object, not the bucket), GetAccountPublicAccessBlock.
				{name: "all", rows: [][]any{
					{ts("2026-03-02T18:00:00Z"), acctProd, "us-east-1", arnAlice, "PutBucketPolicy", "prod-data", nil, true, nil, nil, nil, fid(701)},
					{ts("2026-03-02T18:01:00Z"), acctProd, "us-east-1", arnAlice, "PutBucketPolicy", "shared-data", nil, false, "999988887777", nil, nil, fid(702)},
					// Deny with Principal "*" is not public; the own account is not another.
					{ts("2026-03-02T18:02:00Z"), acctProd, "us-east-1", arnAlice, "PutBucketPolicy", "logs-archive", nil, false, nil, nil, nil, fid(703)},
					{ts("2026-03-02T18:03:00Z"), acctProd, "us-east-1", arnBob, "PutBucketAcl", "legacy-www", "public-read", true, nil, nil, nil, fid(704)},
					{ts("2026-03-02T18:04:00Z"), acctProd, "us-east-1", arnBob, "PutBucketAcl", "legacy-www", nil, true, nil, nil, nil, fid(705)},
					{ts("2026-03-02T18:05:00Z"), acctProd, "us-east-1", arnAlice, "PutBucketAcl", "prod-data", "private", false, nil, nil, nil, fid(706)},
					{ts("2026-03-02T18:06:00Z"), acctProd, "us-east-1", arnAlice, "PutBucketPublicAccessBlock", "prod-data", nil, nil, nil, "BlockPublicAcls,BlockPublicPolicy", nil, fid(707)},
					{ts("2026-03-02T18:07:00Z"), acctProd, "us-east-1", arnBob, "DeleteBucketPublicAccessBlock", "legacy-www", nil, nil, nil, "all", nil, fid(708)},
					{ts("2026-03-02T18:08:00Z"), acctDev, "us-west-2", arnDeploy, "PutAccountPublicAccessBlock", nil, nil, nil, nil, "", nil, fid(709)},
					{ts("2026-03-02T18:09:00Z"), acctDev, "us-west-2", arnDeploy, "DeleteAccountPublicAccessBlock", nil, nil, nil, nil, "all", nil, fid(710)},
					{ts("2026-03-02T18:10:00Z"), acctProd, "us-east-1", arnAlice, "DeleteBucketPolicy", "shared-data", nil, nil, nil, nil, nil, fid(711)},
				}},
				{name: "window", params: map[string]string{"since": "2026-03-02T18:08:00Z", "until": "2026-03-02T18:10:00Z"}, rows: [][]any{
					{ts("2026-03-02T18:08:00Z"), acctDev, "us-west-2", arnDeploy, "PutAccountPublicAccessBlock", nil, nil, nil, nil, "", nil, fid(709)},
					{ts("2026-03-02T18:09:00Z"), acctDev, "us-west-2", arnDeploy, "DeleteAccountPublicAccessBlock", nil, nil, nil, nil, "all", nil, fid(710)},
				}},
			},
		},
		"kms_key_disable_or_deletion": {
			columns: []string{"event_time", "account", "region", "principal", "event_name", "key", "pending_window_days", "deletion_date", "error_code", "event_id"},
			cases: []queryCase{
				// Not listed: CancelKeyDeletion, EnableKey, DisableKeyRotation, Decrypt.
				{name: "all", rows: [][]any{
					// Failed, and without resources: the key comes from the request.
					{ts("2026-03-02T10:08:00Z"), acctDev, "us-east-1", arnCarol, "ScheduleKeyDeletion", "arn:aws:kms:us-east-1:444455556666:key/5555aaaa-55aa-55aa-55aa-5555aaaa5555", int32(7), nil, "AccessDeniedException", fid(808)},
					{ts("2026-03-02T19:00:00Z"), acctProd, "us-east-1", arnAlice, "ScheduleKeyDeletion", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", int32(7), "Mar 9, 2026, 7:00:00 PM", nil, fid(801)},
					{ts("2026-03-02T19:05:00Z"), acctDev, "us-west-2", arnDeploy, "DisableKey", "arn:aws:kms:us-west-2:444455556666:key/0987dcba-09fe-87dc-65ba-ab0987654321", nil, nil, nil, fid(802)},
					// Requested by alias without a window: the key ARN is in resources.
					{ts("2026-03-02T19:10:00Z"), acctProd, "us-east-1", arnAlice, "ScheduleKeyDeletion", "arn:aws:kms:us-east-1:111122223333:key/abcd1234-ab12-cd34-ef56-abcdef123456", nil, "Apr 1, 2026, 7:10:00 PM", nil, fid(803)},
				}},
				{name: "window", params: map[string]string{"since": "2026-03-02T19:00:00Z", "until": "2026-03-02T19:05:00Z"}, rows: [][]any{
					{ts("2026-03-02T19:00:00Z"), acctProd, "us-east-1", arnAlice, "ScheduleKeyDeletion", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", int32(7), "Mar 9, 2026, 7:00:00 PM", nil, fid(801)},
				}},
			},
		},
		"rare_regions": {
			columns: []string{"account", "region", "events", "account_events", "share", "account_regions", "principals", "operations", "first_seen", "last_seen"},
			cases: []queryCase{
				// Defaults: below 1% in accounts with at least 100 events.
				// ap-southeast-2 holds exactly 1% and is not below it; the
				// fixture accounts have fewer than 100 events each.
				{name: "defaults", rows: [][]any{
					{acctBusy, "me-south-1", int64(1), int64(200), 0.005, int64(4), int64(1), int64(1), ts("2026-03-04T03:19:00Z"), ts("2026-03-04T03:19:00Z")},
				}},
				{name: "max share", params: map[string]string{"max_share": "0.05"}, rows: [][]any{
					{acctBusy, "me-south-1", int64(1), int64(200), 0.005, int64(4), int64(1), int64(1), ts("2026-03-04T03:19:00Z"), ts("2026-03-04T03:19:00Z")},
					{acctBusy, "ap-southeast-2", int64(2), int64(200), 0.01, int64(4), int64(1), int64(1), ts("2026-03-04T03:17:00Z"), ts("2026-03-04T03:18:00Z")},
					{acctBusy, "eu-west-1", int64(8), int64(200), 0.04, int64(4), int64(1), int64(1), ts("2026-03-04T03:09:00Z"), ts("2026-03-04T03:16:00Z")},
				}},
				// With 99 events the small account qualifies; the fixture
				// accounts (at most 78 events) still do not.
				{name: "min account events", params: map[string]string{"max_share": "0.05", "min_account_events": "99"}, rows: [][]any{
					{acctSmall, "sa-east-1", int64(1), int64(99), 1.0 / 99, int64(2), int64(1), int64(1), ts("2026-03-05T01:38:00Z"), ts("2026-03-05T01:38:00Z")},
					{acctBusy, "me-south-1", int64(1), int64(200), 0.005, int64(4), int64(1), int64(1), ts("2026-03-04T03:19:00Z"), ts("2026-03-04T03:19:00Z")},
					{acctBusy, "ap-southeast-2", int64(2), int64(200), 0.01, int64(4), int64(1), int64(1), ts("2026-03-04T03:17:00Z"), ts("2026-03-04T03:18:00Z")},
					{acctBusy, "eu-west-1", int64(8), int64(200), 0.04, int64(4), int64(1), int64(1), ts("2026-03-04T03:09:00Z"), ts("2026-03-04T03:16:00Z")},
				}},
				// The window holds 100 of the busy account's events, 7 of them in eu-west-1.
				{name: "window", params: map[string]string{"since": "2026-03-04T01:36:00Z", "until": "2026-03-04T03:16:00Z", "max_share": "0.1"}, rows: [][]any{
					{acctBusy, "eu-west-1", int64(7), int64(100), 0.07, int64(2), int64(1), int64(1), ts("2026-03-04T03:09:00Z"), ts("2026-03-04T03:15:00Z")},
				}},
			},
		},
		"top_callers": {
			columns: []string{"principal", "identity_type", "events", "errors", "operations", "sessions", "first_seen", "last_seen"},
			cases: []queryCase{
				{name: "limit", params: map[string]string{"limit": "2"}, rows: [][]any{
					{"arn:aws:iam::210987654321:user/svc-app", "IAMUser", int64(200), int64(0), int64(3), int64(0), ts("2026-03-04T00:00:00Z"), ts("2026-03-04T03:19:00Z")},
					{"arn:aws:iam::123412341234:user/svc-batch", "IAMUser", int64(99), int64(0), int64(3), int64(0), ts("2026-03-05T00:00:00Z"), ts("2026-03-05T01:38:00Z")},
				}},
				// Roles are grouped; the web identity user has no ARN and is
				// shown by name.
				{name: "window", params: map[string]string{"since": "2026-03-02T16:00:00Z", "until": "2026-03-02T17:04:00Z"}, rows: [][]any{
					// The cross-account AssumeRole was delivered to both accounts: two events.
					{"arn:aws:iam::111122223333:role/Admin", "AssumedRole", int64(4), int64(0), int64(3), int64(1), ts("2026-03-02T16:01:00Z"), ts("2026-03-02T16:03:00Z")},
					{"arn:aws:iam::111122223333:role/CspmMonitorAws", "AssumedRole", int64(3), int64(0), int64(3), int64(1), ts("2026-03-02T17:01:00Z"), ts("2026-03-02T17:03:00Z")},
					{"arn:aws:iam::444455556666:role/CrossAccountAudit", "AssumedRole", int64(3), int64(0), int64(3), int64(1), ts("2026-03-02T16:04:00Z"), ts("2026-03-02T16:06:00Z")},
					{defenderSubject, "WebIdentityUser", int64(1), int64(0), int64(1), int64(0), ts("2026-03-02T17:00:00Z"), ts("2026-03-02T17:00:00Z")},
					{arnAlice, "IAMUser", int64(1), int64(0), int64(1), int64(0), ts("2026-03-02T16:00:00Z"), ts("2026-03-02T16:00:00Z")},
					{"arn:aws:iam::444455556666:role/ReadOnly", "AssumedRole", int64(1), int64(0), int64(1), int64(1), ts("2026-03-02T16:07:00Z"), ts("2026-03-02T16:07:00Z")},
				}},
			},
		},
		"sessions_per_role": {
			columns: []string{"role", "role_account", "sessions", "session_names", "source_ips", "accounts", "events", "errors", "first_seen", "last_seen", "sample_session_names"},
			cases: []queryCase{
				{name: "all", rows: [][]any{
					// Two sessions from two addresses; its cross-account AssumeRole was
					// delivered to both accounts and counts as two events.
					{"arn:aws:iam::111122223333:role/Admin", acctProd, int64(2), int64(2), int64(2), int64(2), int64(5), int64(0), ts("2026-03-02T16:01:00Z"), ts("2026-03-03T09:01:00Z"), "alice, bob"},
					{"arn:aws:iam::777788889999:role/ProwlerScan", acctSecurity, int64(1), int64(1), int64(1), int64(1), int64(11), int64(10), ts("2026-03-02T19:59:59Z"), ts("2026-03-02T20:00:09Z"), "ProwlerAssessmentSession"},
					{"arn:aws:iam::444455556666:role/deploy", acctDev, int64(1), int64(1), int64(1), int64(1), int64(6), int64(1), ts("2026-03-02T14:00:00Z"), ts("2026-03-02T19:05:00Z"), "gitlab-runner-42"},
					{"arn:aws:iam::111122223333:role/CspmMonitorAws", acctProd, int64(1), int64(1), int64(1), int64(1), int64(3), int64(0), ts("2026-03-02T17:01:00Z"), ts("2026-03-02T17:03:00Z"), defenderSession},
					{"arn:aws:iam::444455556666:role/CrossAccountAudit", acctDev, int64(1), int64(1), int64(1), int64(1), int64(3), int64(0), ts("2026-03-02T16:04:00Z"), ts("2026-03-02T16:06:00Z"), "alice-audit"},
					{"arn:aws:iam::111122223333:role/web-app", acctProd, int64(1), int64(1), int64(1), int64(1), int64(1), int64(0), ts("2026-03-02T07:05:00Z"), ts("2026-03-02T07:05:00Z"), "i-0abc123def4567890"},
					{"arn:aws:iam::444455556666:role/ReadOnly", acctDev, int64(1), int64(1), int64(1), int64(1), int64(1), int64(0), ts("2026-03-02T16:07:00Z"), ts("2026-03-02T16:07:00Z"), "hop2"},
					// The console sign-in carries no access key: no countable session.
					{"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef", acctProd, int64(0), int64(1), int64(1), int64(1), int64(1), int64(0), ts("2026-03-02T08:30:00Z"), ts("2026-03-02T08:30:00Z"), "dave@example.com"},
				}},
				{name: "window", params: map[string]string{"since": "2026-03-03T00:00:00Z"}, rows: [][]any{
					{"arn:aws:iam::111122223333:role/Admin", acctProd, int64(1), int64(1), int64(1), int64(1), int64(1), int64(0), ts("2026-03-03T09:01:00Z"), ts("2026-03-03T09:01:00Z"), "bob"},
				}},
			},
		},
		"assumed_role_chains": {
			columns: []string{"assumed_at", "account", "assumed_by", "assumed_by_type", "via", "role_arn", "session_name", "access_key_id", "calls", "errors", "operations", "first_call", "last_call", "depth", "chain", "event_id"},
			cases: []queryCase{
				// Not listed: carol's denied AssumeRole (no credentials), GetCallerIdentity,
				// and fid 920, the caller account's copy of fid 904. Admin/alice's
				// AssumeRole counts once among its key's calls.
				{name: "all", rows: [][]any{
					// A SAML session whose key made no calls in the trail.
					{ts("2026-03-02T06:00:00Z"), acctDev, "erin@example.com", "SAMLUser", "AssumeRoleWithSAML", "arn:aws:iam::444455556666:role/SAMLDevs", "erin@example.com", "ASIASAML000000000001",
						int64(0), int64(0), int64(0), nil, nil, int32(0), "erin@example.com -> role/SAMLDevs", fid(919)},
					{ts("2026-03-02T07:00:00Z"), acctProd, "ec2.amazonaws.com", "AWSService", "AssumeRole", "arn:aws:iam::111122223333:role/web-app", "i-0abc123def4567890", "ASIAWEBAPP0000000001",
						int64(1), int64(0), int64(1), ts("2026-03-02T07:05:00Z"), ts("2026-03-02T07:05:00Z"), int32(0), "ec2.amazonaws.com -> role/web-app", fid(912)},
					{ts("2026-03-02T16:00:00Z"), acctProd, arnAlice, "IAMUser", "AssumeRole", "arn:aws:iam::111122223333:role/Admin", "alice", "ASIAADMIN00000000001",
						int64(3), int64(0), int64(3), ts("2026-03-02T16:01:00Z"), ts("2026-03-02T16:03:00Z"), int32(0), arnAlice + " -> role/Admin", fid(901)},
					{ts("2026-03-02T16:03:00Z"), acctDev, "arn:aws:sts::111122223333:assumed-role/Admin/alice", "AssumedRole", "AssumeRole", "arn:aws:iam::444455556666:role/CrossAccountAudit", "alice-audit", "ASIAAUDIT00000000001",
						int64(3), int64(0), int64(3), ts("2026-03-02T16:04:00Z"), ts("2026-03-02T16:06:00Z"), int32(1), arnAlice + " -> role/Admin -> role/CrossAccountAudit", fid(904)},
					{ts("2026-03-02T16:06:00Z"), acctDev, "arn:aws:sts::444455556666:assumed-role/CrossAccountAudit/alice-audit", "AssumedRole", "AssumeRole", "arn:aws:iam::444455556666:role/ReadOnly", "hop2", "ASIAREADONLY00000001",
						int64(1), int64(0), int64(1), ts("2026-03-02T16:07:00Z"), ts("2026-03-02T16:07:00Z"), int32(2), arnAlice + " -> role/Admin -> role/CrossAccountAudit -> role/ReadOnly", fid(917)},
					{ts("2026-03-02T17:00:00Z"), acctProd, defenderSubject, "WebIdentityUser", "AssumeRoleWithWebIdentity", "arn:aws:iam::111122223333:role/CspmMonitorAws", defenderSession, "ASIADEFENDER00000001",
						int64(3), int64(0), int64(3), ts("2026-03-02T17:01:00Z"), ts("2026-03-02T17:03:00Z"), int32(0), defenderSubject + " -> role/CspmMonitorAws", fid(907)},
					{ts("2026-03-03T09:00:00Z"), acctProd, arnBob, "IAMUser", "AssumeRole", "arn:aws:iam::111122223333:role/Admin", "bob", "ASIAADMIN00000000002",
						int64(1), int64(0), int64(1), ts("2026-03-03T09:01:00Z"), ts("2026-03-03T09:01:00Z"), int32(0), arnBob + " -> role/Admin", fid(914)},
				}},
				// The window picks the AssumeRole events; the chains still
				// reach back before it and the calls are counted wherever they fall.
				{name: "window", params: map[string]string{"since": "2026-03-02T16:03:00Z", "until": "2026-03-02T17:00:00Z"}, rows: [][]any{
					{ts("2026-03-02T16:03:00Z"), acctDev, "arn:aws:sts::111122223333:assumed-role/Admin/alice", "AssumedRole", "AssumeRole", "arn:aws:iam::444455556666:role/CrossAccountAudit", "alice-audit", "ASIAAUDIT00000000001",
						int64(3), int64(0), int64(3), ts("2026-03-02T16:04:00Z"), ts("2026-03-02T16:06:00Z"), int32(1), arnAlice + " -> role/Admin -> role/CrossAccountAudit", fid(904)},
					{ts("2026-03-02T16:06:00Z"), acctDev, "arn:aws:sts::444455556666:assumed-role/CrossAccountAudit/alice-audit", "AssumedRole", "AssumeRole", "arn:aws:iam::444455556666:role/ReadOnly", "hop2", "ASIAREADONLY00000001",
						int64(1), int64(0), int64(1), ts("2026-03-02T16:07:00Z"), ts("2026-03-02T16:07:00Z"), int32(2), arnAlice + " -> role/Admin -> role/CrossAccountAudit -> role/ReadOnly", fid(917)},
				}},
			},
		},
	}
}

// regionCount is how many background calls go to one region.
type regionCount struct {
	name string
	n    int
}

// backgroundRecords builds bulk traffic deterministically for two accounts
// that work almost only in us-east-1: one user per account, one call a
// minute from start, regions in the order listed; reads in us-east-1,
// RunInstances elsewhere.
func backgroundRecords() []map[string]any {
	background := []struct {
		account, user, start string
		regions              []regionCount
	}{
		{acctBusy, "svc-app", "2026-03-04T00:00:00Z", []regionCount{{"us-east-1", 189}, {"eu-west-1", 8}, {"ap-southeast-2", 2}, {"me-south-1", 1}}},
		{acctSmall, "svc-batch", "2026-03-05T00:00:00Z", []regionCount{{"us-east-1", 98}, {"sa-east-1", 1}}},
	}
	var out []map[string]any
	n := 0
	for _, b := range background {
		start := ts(b.start)
		i := 0
		for _, r := range b.regions {
			for j := 0; j < r.n; j++ {
				source, name := "ec2.amazonaws.com", "RunInstances"
				if r.name == "us-east-1" {
					source, name = "ec2.amazonaws.com", "DescribeInstances"
					if i%2 == 1 {
						source, name = "s3.amazonaws.com", "ListBuckets"
					}
				}
				n++
				out = append(out, map[string]any{
					"eventVersion": "1.09",
					"userIdentity": map[string]any{
						"type": "IAMUser", "principalId": "AIDA" + strings.ToUpper(strings.ReplaceAll(b.user, "-", "")) + "EXAMPLE",
						"arn": "arn:aws:iam::" + b.account + ":user/" + b.user, "accountId": b.account,
						"accessKeyId": "AKIA" + b.account + "0001", "userName": b.user,
					},
					"eventTime":          start.Add(time.Duration(i) * time.Minute).Format(time.RFC3339),
					"eventSource":        source,
					"eventName":          name,
					"awsRegion":          r.name,
					"sourceIPAddress":    "10.10.0.5",
					"userAgent":          "aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64",
					"requestParameters":  nil,
					"responseElements":   nil,
					"requestID":          fmt.Sprintf("f0f0f0f0-0000-4000-8000-%012d", n),
					"eventID":            fmt.Sprintf("00000000-0000-4000-9000-%012d", n),
					"readOnly":           name != "RunInstances",
					"eventType":          "AwsApiCall",
					"managementEvent":    true,
					"recipientAccountId": b.account,
					"eventCategory":      "Management",
				})
				i++
			}
		}
	}
	return out
}

// fixtureStore ingests the fixture corpus and the background records into a
// fresh in-memory store, checking that every record was stored.
func fixtureStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.InMemory, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })

	const dir = "testdata/TestForensicQueries"
	want := 0
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixture files in %s (%v)", dir, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ Records []json.RawMessage }
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		want += len(doc.Records)
	}
	bg := backgroundRecords()
	want += len(bg)
	b, err := json.Marshal(map[string]any{"Records": bg})
	if err != nil {
		t.Fatal(err)
	}
	bgPath := filepath.Join(t.TempDir(), "background.json")
	if err := os.WriteFile(bgPath, b, 0o644); err != nil {
		t.Fatal(err)
	}

	sum, err := Ingest(ctx, st, IngestOptions{Paths: []string{dir, bgPath}, Workers: 2})
	if err != nil {
		t.Fatalf("ingest fixtures: %v", err)
	}
	if sum.QuarantinedFiles != 0 || sum.SkippedFiles != 0 || sum.NewEvents != int64(want) {
		t.Fatalf("ingest fixtures: %d new events, %d quarantined, %d skipped files (%+v); want %d events and no others",
			sum.NewEvents, sum.QuarantinedFiles, sum.SkippedFiles, sum.Quarantined, want)
	}
	return st
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestForensicQueries(t *testing.T) {
	st := fixtureStore(t)
	all := forensicCases()
	for _, name := range sortedKeys(all) {
		qt := all[name]
		for _, tc := range qt.cases {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				got, err := RunQuery(context.Background(), st.DB, QueryOptions{Name: name, Params: tc.params})
				if err != nil {
					t.Fatalf("RunQuery(%s, %v): %v", name, tc.params, err)
				}
				want := &Result{Columns: qt.columns, Rows: tc.rows}
				if diff := cmp.Diff(want, got, cmpopts.EquateEmpty(), cmpopts.EquateApprox(0, 1e-12)); diff != "" {
					t.Errorf("RunQuery(%s, %v) mismatch (-want +got):\n%s", name, tc.params, diff)
				}
			})
		}
	}
}

// TestEveryQueryIsTested fails when a file in queries/trail has no cases in
// forensicCases, or a case names a query that does not exist.
func TestEveryQueryIsTested(t *testing.T) {
	entries, err := os.ReadDir("../queries/trail")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name, ok := strings.CutSuffix(e.Name(), ".sql")
		if !ok {
			t.Errorf("queries/trail/%s is not a .sql file", e.Name())
			continue
		}
		files = append(files, name)
	}
	sort.Strings(files)
	if len(files) < 15 {
		t.Errorf("queries/trail holds %d queries, want at least 15", len(files))
	}

	all := forensicCases()
	if diff := cmp.Diff(files, sortedKeys(all)); diff != "" {
		t.Errorf("query files and test cases differ (-files +cases):\n%s", diff)
	}
	for name, qt := range all {
		if len(qt.cases) == 0 {
			t.Errorf("%s: no test cases", name)
		}
		for _, tc := range qt.cases {
			if tc.name == "" {
				t.Errorf("%s: a case has no name", name)
			}
		}
	}

	qs, err := Queries()
	if err != nil {
		t.Fatal(err)
	}
	var embedded []string
	for _, q := range qs {
		embedded = append(embedded, q.Name)
		// Every query takes the same time window, the same way.
		var window []queries.Param
		for _, p := range q.Params {
			if p.Name == "since" || p.Name == "until" {
				window = append(window, p)
			}
		}
		wantWindow := []queries.Param{
			{Name: "since", Type: "TIMESTAMPTZ", Default: "-infinity"},
			{Name: "until", Type: "TIMESTAMPTZ", Default: "infinity"},
		}
		if diff := cmp.Diff(wantWindow, window, cmpopts.IgnoreFields(queries.Param{}, "Description")); diff != "" {
			t.Errorf("%s: window parameters (-want +got):\n%s", q.Name, diff)
		}
		for _, cond := range []string{"event_time >= $since", "event_time < $until"} {
			if !strings.Contains(q.SQL, cond) {
				t.Errorf("%s: statement does not filter %q", q.Name, cond)
			}
		}
		if !strings.Contains(q.SQL, "ORDER BY") {
			t.Errorf("%s: statement has no ORDER BY; output must be deterministic", q.Name)
		}
	}
	if diff := cmp.Diff(files, embedded); diff != "" {
		t.Errorf("query files and embedded queries differ (-files +embedded):\n%s", diff)
	}
}

// TestQueriesOnEmptyDatabase runs every query with its defaults on a store
// with the schema and no events: no error, no rows, the documented columns.
func TestQueriesOnEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.InMemory, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	qs, err := Queries()
	if err != nil {
		t.Fatal(err)
	}
	all := forensicCases()
	for _, q := range qs {
		t.Run(q.Name, func(t *testing.T) {
			t.Parallel()
			got, err := RunQuery(ctx, st.DB, QueryOptions{Name: q.Name})
			if err != nil {
				t.Fatalf("RunQuery(%s): %v", q.Name, err)
			}
			want := &Result{Columns: all[q.Name].columns, Rows: [][]any{}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("RunQuery(%s) on an empty database (-want +got):\n%s", q.Name, diff)
			}
		})
	}
}

// rowMaps returns a result's rows keyed by column name.
func rowMaps(r *Result) []map[string]any {
	out := make([]map[string]any, len(r.Rows))
	for i, row := range r.Rows {
		m := make(map[string]any, len(r.Columns))
		for j, c := range r.Columns {
			m[c] = row[j]
		}
		out[i] = m
	}
	return out
}

// project picks columns from every row, formatted as "v1|v2|...".
func project(r *Result, cols ...string) []string {
	var out []string
	for _, m := range rowMaps(r) {
		var parts []string
		for _, c := range cols {
			parts = append(parts, fmt.Sprint(m[c]))
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out
}

// sampleChecks pin what the bundled real samples (../testdata/cloudtrail)
// hold for each query, found by reading the records themselves: the invictus
// set is a Stratus Red Team run by user bert-jan in account 123837392027.
func sampleChecks() map[string]func(t *testing.T, r *Result) {
	wantRows := func(n int) func(t *testing.T, r *Result) {
		return func(t *testing.T, r *Result) {
			t.Helper()
			if len(r.Rows) != n {
				t.Errorf("%d rows, want %d: %v", len(r.Rows), n, r.Rows)
			}
		}
	}
	wantProjection := func(cols []string, want []string) func(t *testing.T, r *Result) {
		return func(t *testing.T, r *Result) {
			t.Helper()
			if diff := cmp.Diff(want, project(r, cols...)); diff != "" {
				t.Errorf("%v (-want +got):\n%s", cols, diff)
			}
		}
	}
	return map[string]func(t *testing.T, r *Result){
		// No root user and no failed sign-in, KMS or security-service change in any sample.
		"root_activity":               wantRows(0),
		"console_login_failures":      wantRows(0),
		"kms_key_disable_or_deletion": wantRows(0),
		"security_services_disabled":  wantRows(0),
		// Every sample account works in us-east-1 only.
		"rare_regions": wantRows(0),
		// Two console sign-ins: bert-jan used MFA, the user Stratus created did not.
		"console_logins_without_mfa": wantProjection([]string{"user_name", "event_id"}, []string{
			"stratus-red-team-nmfalu-gfjyeaypjt|70e5932e-9022-4b38-837e-ca10dad94eb7",
		}),
		"access_denied_by_principal": wantProjection([]string{"principal", "denied"}, []string{
			"arn:aws:iam::123837392027:role/stratus-red-team-ec2-get-password-data-role|29",
			"arn:aws:iam::123837392027:role/stratus-red-team-get-usr-data-role|15",
			"arn:aws:iam::123837392027:user/bert-jan|15",
			"arn:aws:iam::123837392027:role/stratus-red-team-leave-org-role|1",
		}),
		"iam_changes": func(t *testing.T, r *Result) {
			wantRows(85)(t, r)
			var admin []string
			for _, m := range rowMaps(r) {
				if m["policy"] == "arn:aws:iam::aws:policy/AdministratorAccess" {
					admin = append(admin, fmt.Sprint(m["event_name"], " ", m["target"]))
				}
			}
			want := []string{
				"AttachRolePolicy role/stratus-red-team-backdoor-r-role",
				"AttachUserPolicy user/malicious-iam-user",
				"DetachUserPolicy user/malicious-iam-user",
				"DetachRolePolicy role/stratus-red-team-backdoor-r-role",
			}
			if diff := cmp.Diff(want, admin); diff != "" {
				t.Errorf("AdministratorAccess changes (-want +got):\n%s", diff)
			}
		},
		"cloudtrail_tampering": wantProjection([]string{"event_name", "error_code", "detail"}, []string{
			"DeleteTrail|<nil>|<nil>",
			"DeleteTrail|TrailNotFoundException|<nil>",
			"PutEventSelectors|<nil>|readWriteType=ReadOnly includeManagementEvents=false",
			"StopLogging|TrailNotFoundException|<nil>",
			"StopLogging|TrailNotFoundException|<nil>",
			"StopLogging|TrailNotFoundException|<nil>",
			"PutEventSelectors|<nil>|readWriteType=All includeManagementEvents=true",
			"DeleteTrail|<nil>|<nil>",
			"DeleteTrail|<nil>|<nil>",
		}),
		// 443 from ipPermissions, 22 from the flat cidrIp form; the egress
		// call with 0.0.0.0/0 and ::/0 is not listed.
		"security_groups_open_to_world": wantProjection([]string{"event_id", "protocol", "from_port", "to_port", "cidr"}, []string{
			"7e96f0e7-4d78-423d-b3f5-391370685b30|tcp|443|443|0.0.0.0/0",
			"74bd84b4-6729-4895-b2a4-e2beb7c6b377|tcp|22|22|0.0.0.0/0",
		}),
		"new_access_keys": wantProjection([]string{"created_by", "for_user", "access_key_id"}, []string{
			"arn:aws:iam::123837392027:user/bert-jan|stratus-red-team-backdoor-u-user|AKIATFQR7NSC3ZO6PKAZ",
			"arn:aws:iam::123837392027:user/bert-jan|malicious-iam-user|AKIATFQR7NSCQLA2F4OD",
		}),
		// The backdoored bucket policy lets account 193672423079 in.
		"s3_public_access_changes": wantProjection([]string{"event_name", "bucket", "grants_public", "other_accounts"}, []string{
			"PutBucketPolicy|stratus-red-team-ctes-bucket-qyxyekjbtk|false|<nil>",
			"PutBucketPolicy|stratus-red-team-ctlr-bucket-zqfsvooxqj|false|<nil>",
			"PutBucketPolicy|stratus-red-team-bdbp-lhfzvgcamn|false|193672423079",
			"DeleteBucketPolicy|stratus-red-team-bdbp-lhfzvgcamn|<nil>|<nil>",
		}),
		"top_callers": func(t *testing.T, r *Result) {
			wantRows(20)(t, r)
			if len(r.Rows) == 0 {
				return
			}
			if diff := cmp.Diff([]string{"arn:aws:iam::123837392027:user/bert-jan|2641"}, project(r, "principal", "events")[:1]); diff != "" {
				t.Errorf("top caller (-want +got):\n%s", diff)
			}
		},
		"sessions_per_role": func(t *testing.T, r *Result) {
			wantRows(11)(t, r)
			if len(r.Rows) == 0 {
				return
			}
			if diff := cmp.Diff([]string{"arn:aws:iam::123837392027:role/stratus-red-team-ec2-steal-credentials-role|2|15"}, project(r, "role", "sessions", "events")[:1]); diff != "" {
				t.Errorf("busiest role (-want +got):\n%s", diff)
			}
		},
		"assumed_role_chains": func(t *testing.T, r *Result) {
			wantRows(41)(t, r)
			var got []string
			for _, m := range rowMaps(r) {
				if m["access_key_id"] == "ASIATFQR7NSCVW2R4OHT" {
					got = append(got, fmt.Sprint(m["assumed_by"], " ", m["role_arn"], " calls=", m["calls"], " errors=", m["errors"], " ", m["chain"]))
				}
				if m["depth"] != int32(0) {
					t.Errorf("%v: depth %v, want 0 (no session in the samples assumes another role)", m["event_id"], m["depth"])
				}
			}
			want := []string{"arn:aws:iam::123837392027:user/bert-jan arn:aws:iam::123837392027:role/stratus-red-team-leave-org-role calls=1 errors=1 " +
				"arn:aws:iam::123837392027:user/bert-jan -> role/stratus-red-team-leave-org-role"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("the key that tried LeaveOrganization (-want +got):\n%s", diff)
			}
		},
	}
}

// TestQueriesOnBundledSamples ingests the real public samples and runs every
// query on them with its defaults.
func TestQueriesOnBundledSamples(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.InMemory, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sum, err := Ingest(ctx, st, IngestOptions{Paths: []string{"../testdata/cloudtrail"}, Workers: 2})
	if err != nil {
		t.Fatalf("ingest samples: %v", err)
	}
	// One zip member is deliberately broken and quarantined whole.
	if sum.NewEvents != 3015 || sum.QuarantinedFiles != 1 || len(sum.Quarantined) != 1 ||
		!strings.HasSuffix(sum.Quarantined[0].Path, "cloudtrail.zip!aws.execution.ec2-user-data.json") {
		t.Fatalf("ingest samples: %d new events, quarantined %+v; want 3015 and the broken ec2-user-data member", sum.NewEvents, sum.Quarantined)
	}
	var invictus int
	if err := st.DB.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE recipient_account_id = '123837392027'`).Scan(&invictus); err != nil {
		t.Fatal(err)
	}
	if invictus != 2900 {
		t.Fatalf("invictus sample: %d events, want 2900", invictus)
	}

	qs, err := Queries()
	if err != nil {
		t.Fatal(err)
	}
	checks := sampleChecks()
	for _, q := range qs {
		t.Run(q.Name, func(t *testing.T) {
			t.Parallel()
			got, err := RunQuery(ctx, st.DB, QueryOptions{Name: q.Name})
			if err != nil {
				t.Fatalf("RunQuery(%s): %v", q.Name, err)
			}
			check, ok := checks[q.Name]
			if !ok {
				t.Fatalf("no expectation for %s on the samples: add one to sampleChecks", q.Name)
			}
			check(t, got)
		})
	}
}
