package awssim

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func lastRecord(s *Sim) *Record {
	r := s.Records()
	return r[len(r)-1]
}

func TestStrictByDefault(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{})
	ctx := context.Background()
	cfg := auditConfig(t, s, prod, "eu-west-1")

	tests := []struct {
		name                string
		call                func() error
		wantCode, wantTrail string
		wantStatus          int
		eventSource, event  string
	}{
		{"mutating IAM", func() error {
			_, err := iam.NewFromConfig(cfg).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
			return err
		}, "AccessDenied", "AccessDenied", 403, "iam.amazonaws.com", "CreateUser"},
		{"mutating EC2", func() error {
			_, err := ec2.NewFromConfig(cfg).AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String("sg-02200000000000001")})
			return err
		}, "UnauthorizedOperation", "Client.UnauthorizedOperation", 403, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"},
		{"mutating S3", func() error {
			_, err := s3.NewFromConfig(cfg).PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("footprint-sim-prod-trail"), Policy: aws.String("{}")})
			return err
		}, "AccessDenied", "AccessDenied", 403, "s3.amazonaws.com", "PutBucketPolicy"},
		{"mutating KMS", func() error {
			_, err := kms.NewFromConfig(cfg).DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String("2222bbbb-0000-4000-8000-000000000001")})
			return err
		}, "AccessDeniedException", "AccessDeniedException", 403, "kms.amazonaws.com", "DisableKey"},
		{"unknown read", func() error {
			_, err := ec2.NewFromConfig(cfg).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
			return err
		}, "NotImplemented", "NotImplemented", 501, "ec2.amazonaws.com", "DescribeInstances"},
		{"unknown JSON read", func() error {
			_, err := cloudtrail.NewFromConfig(cfg).GetInsightSelectors(ctx, &cloudtrail.GetInsightSelectorsInput{TrailName: aws.String("x")})
			return err
		}, "NotImplemented", "NotImplemented", 501, "cloudtrail.amazonaws.com", "GetInsightSelectors"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tc.wantCode {
				t.Fatalf("err = %v, want %s", err, tc.wantCode)
			}
			var re *smithyhttp.ResponseError
			if errors.As(err, &re) && re.HTTPStatusCode() != tc.wantStatus {
				t.Errorf("status = %d, want %d", re.HTTPStatusCode(), tc.wantStatus)
			}
			r := lastRecord(s)
			if r.ErrorCode != tc.wantTrail || r.EventSource != tc.eventSource || r.EventName != tc.event || r.RecipientAccountID != prod {
				t.Errorf("record %s %s %s in %s", r.EventSource, r.EventName, r.ErrorCode, r.RecipientAccountID)
			}
		})
	}
}

// TestUnknownProtocol sends CloudWatch's old awsQuery form: the simulator
// answers 501 in that protocol and still records the call.
func TestUnknownProtocol(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{})
	req, _ := http.NewRequest(http.MethodPost, Endpoint+"/", strings.NewReader("Action=DescribeAlarms&Version=2010-08-01"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAFOOTPRINTSIMOPS1/20261128/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0")
	req.Header.Set("User-Agent", "old-cli/1.0")
	res, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusNotImplemented {
		t.Errorf("status = %d", res.StatusCode)
	}
	r := lastRecord(s)
	if r.EventSource != "monitoring.amazonaws.com" || r.EventName != "DescribeAlarms" || r.ErrorCode != "NotImplemented" || r.UserAgent != "old-cli/1.0" {
		t.Errorf("record = %+v", r)
	}
}

// TestUnknownService: a service the simulator does not know answers 501 and
// is recorded under the name in the credential scope.
func TestUnknownService(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{})
	req, _ := http.NewRequest(http.MethodPost, Endpoint+"/", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSShineFrontendService_20170701.GetFindings")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAFOOTPRINTSIMOPS1/20261128/eu-west-1/inspector/aws4_request, SignedHeaders=host, Signature=0")
	res, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusNotImplemented || res.Header.Get("X-Amzn-ErrorType") != "NotImplemented" {
		t.Errorf("status = %d, type %q", res.StatusCode, res.Header.Get("X-Amzn-ErrorType"))
	}
	r := lastRecord(s)
	if r.EventSource != "inspector.amazonaws.com" || r.EventName != "GetFindings" || r.ErrorCode != "NotImplemented" || r.AWSRegion != "eu-west-1" ||
		r.UserIdentity.ARN != "arn:aws:iam::111111111111:user/sim-operator" {
		t.Errorf("record = %+v", r)
	}
}

func TestThrottlingRetried(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{Faults: []Fault{{Operation: "iam:ListUsers", Throttle: 2}, {Operation: "ec2:DescribeVpcs", Throttle: 1},
		{Operation: "s3:ListBuckets", Throttle: 1}, {Operation: "kms:ListKeys", Throttle: 1}, {Operation: "cloudwatch:DescribeAlarms", Throttle: 1},
		{Operation: "logs:DescribeMetricFilters", Throttle: 1}, {Operation: "sns:ListTopics", Throttle: 1},
		{Operation: "organizations:ListAccounts", Throttle: 1}, {Operation: "s3control:GetPublicAccessBlock", Throttle: 1}}})
	ctx := context.Background()
	cfg := auditConfig(t, s, mgmt, "us-east-1")
	cfg.Retryer = func() aws.Retryer { return retry.AddWithMaxBackoffDelay(retry.NewStandard(), time.Millisecond) }
	out, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	attempts, ok := retry.GetAttemptResults(out.ResultMetadata)
	if !ok || len(attempts.Results) != 3 {
		t.Errorf("attempts = %d, want 3", len(attempts.Results))
	}
	var codes []string
	for _, r := range s.Records() {
		if r.EventName == "ListUsers" {
			codes = append(codes, r.ErrorCode)
		}
	}
	if strings.Join(codes, ",") != "Throttling,Throttling," {
		t.Errorf("ListUsers records = %q", codes)
	}
	for name, call := range map[string]func() (any, error){
		"ec2": func() (any, error) { return ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}) },
		"s3":  func() (any, error) { return s3.NewFromConfig(cfg).ListBuckets(ctx, &s3.ListBucketsInput{}) },
		"kms": func() (any, error) { return kms.NewFromConfig(cfg).ListKeys(ctx, &kms.ListKeysInput{}) },
		"cloudwatch": func() (any, error) {
			return cloudwatch.NewFromConfig(cfg).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
		},
		"logs": func() (any, error) {
			return cloudwatchlogs.NewFromConfig(cfg).DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{})
		},
		"sns": func() (any, error) { return sns.NewFromConfig(cfg).ListTopics(ctx, &sns.ListTopicsInput{}) },
		"organizations": func() (any, error) {
			return organizations.NewFromConfig(cfg).ListAccounts(ctx, &organizations.ListAccountsInput{})
		},
		"s3control": func() (any, error) {
			return s3control.NewFromConfig(cfg).GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(mgmt)})
		},
	} {
		if _, err := call(); err != nil {
			t.Errorf("%s: throttle not retried: %v", name, err)
		}
		if r := lastRecord(s); r.ErrorCode != "" {
			t.Errorf("%s: last record has error %s", name, r.ErrorCode)
		}
	}
	// with retries exhausted the throttle surfaces
	s2 := newTestSim(t, Options{Faults: []Fault{{Operation: "iam:*", Throttle: 10}}})
	c2 := auditConfig(t, s2, mgmt, "us-east-1")
	_, err = iam.NewFromConfig(c2).ListUsers(ctx, &iam.ListUsersInput{})
	if apiCode(err) != "Throttling" {
		t.Errorf("err = %v, want Throttling", err)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	var slept time.Duration
	s := newTestSim(t, Options{
		Faults: []Fault{{Operation: "s3:GetBucketPolicy", Deny: true}, {Region: "eu-west-1", Fail: true},
			{Operation: "ec2:DescribeRegions", Latency: Duration(250 * time.Millisecond)},
			// named by its IAM action, as Operations() and the catalogue name it
			{Operation: "s3:GetBucketPublicAccessBlock", Deny: true}},
		Sleep: func(_ context.Context, d time.Duration) { slept += d },
	})
	ctx := context.Background()
	cfg := auditConfig(t, s, mgmt, "us-east-1")
	_, err := s3.NewFromConfig(cfg).GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("footprint-sim-cloudtrail")})
	if apiCode(err) != "AccessDenied" {
		t.Errorf("deny: err = %v", err)
	}
	_, err = s3.NewFromConfig(cfg).GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("footprint-sim-cloudtrail")})
	if apiCode(err) != "AccessDenied" {
		t.Errorf("deny by IAM action name: err = %v", err)
	}
	if _, err := ec2.NewFromConfig(cfg).DescribeRegions(ctx, &ec2.DescribeRegionsInput{}); err != nil || slept != 250*time.Millisecond {
		t.Errorf("latency: slept %v, err %v", slept, err)
	}
	eu := auditConfig(t, s, mgmt, "us-east-1")
	eu.Region = "eu-west-1"
	eu.RetryMaxAttempts = 1
	_, err = kms.NewFromConfig(eu).ListKeys(ctx, &kms.ListKeysInput{})
	if apiCode(err) != "ServiceUnavailable" {
		t.Errorf("failed region: err = %v", err)
	}
}

func TestParseFault(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec    string
		want    Fault
		wantErr bool
	}{
		{spec: "operation=iam:ListUsers,throttle=3", want: Fault{Operation: "iam:ListUsers", Throttle: 3}},
		{spec: "op=ec2:*,rate=0.5", want: Fault{Operation: "ec2:*", ThrottleRate: 0.5}},
		{spec: "operation=s3:GetBucketPolicy,deny", want: Fault{Operation: "s3:GetBucketPolicy", Deny: true}},
		{spec: "operation=*,latency=50ms", want: Fault{Operation: "*", Latency: Duration(50 * time.Millisecond)}},
		{spec: "region=eu-west-1,fail", want: Fault{Region: "eu-west-1", Fail: true}},
		{spec: "operation=iam:ListUsers", wantErr: true},
		{spec: "operation=ListUsers,deny", wantErr: true},
		{spec: "bogus=1", wantErr: true},
		{spec: "operation=*,throttle_rate=2", wantErr: true},
	}
	for _, tc := range tests {
		got, err := ParseFault(tc.spec)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: err = %v", tc.spec, err)
			continue
		}
		if !tc.wantErr && got != tc.want {
			t.Errorf("%s = %+v, want %+v", tc.spec, got, tc.want)
		}
	}
}
