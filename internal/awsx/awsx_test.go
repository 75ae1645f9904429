package awsx_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/footprint-dev/footprint/internal/awssim"
	"github.com/footprint-dev/footprint/internal/awsx"
)

func TestClassifyCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		want error
	}{
		{"AccessDenied", awsx.ErrAccessDenied},
		{"AccessDeniedException", awsx.ErrAccessDenied},
		{"UnauthorizedOperation", awsx.ErrAccessDenied},
		{"AuthorizationError", awsx.ErrAccessDenied},
		{"Throttling", awsx.ErrThrottled},
		{"ThrottlingException", awsx.ErrThrottled},
		{"RequestLimitExceeded", awsx.ErrThrottled},
		{"SlowDown", awsx.ErrThrottled},
		{"TooManyRequestsException", awsx.ErrThrottled},
		{"InvalidClientTokenId", awsx.ErrRegionDisabled},
		{"UnrecognizedClientException", awsx.ErrRegionDisabled},
		{"AuthFailure", awsx.ErrRegionDisabled},
		{"NoSuchEntity", awsx.ErrNotFound},
		{"NoSuchBucketPolicy", awsx.ErrNotFound},
		{"NoSuchPublicAccessBlockConfiguration", awsx.ErrNotFound},
		{"InvalidVpcID.NotFound", awsx.ErrNotFound},
		{"TrailNotFoundException", awsx.ErrNotFound},
		{"ExpiredToken", awsx.ErrCredentials},
		{"ValidationError", nil},
		{"InternalFailure", nil},
	}
	for _, tc := range tests {
		err := fmt.Errorf("collect: %w", &smithy.GenericAPIError{Code: tc.code})
		if got := awsx.Classify(err); got != tc.want {
			t.Errorf("%s: Classify = %v, want %v", tc.code, got, tc.want)
		}
		w := awsx.Wrap(err)
		if tc.want != nil && !errors.Is(w, tc.want) {
			t.Errorf("%s: Wrap does not satisfy errors.Is", tc.code)
		}
		var ae smithy.APIError
		if !errors.As(w, &ae) || ae.ErrorCode() != tc.code {
			t.Errorf("%s: Wrap lost the API error", tc.code)
		}
	}
	if awsx.Classify(nil) != nil || awsx.Wrap(nil) != nil {
		t.Error("nil is not classified")
	}
}

// TestClassifySimulatorErrors classifies the errors the real SDK clients
// return from the simulator.
func TestClassifySimulatorErrors(t *testing.T) {
	t.Parallel()
	s, err := awssim.New(awssim.Options{Seed: 1, Faults: []awssim.Fault{{Operation: "iam:ListRoles", Throttle: 100}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	creds, _ := s.CallerCredentials()
	base := s.AWSConfig("eu-west-1", creds)
	audit := awsx.AssumeRole(base, awsx.AssumeRoleOptions{RoleARN: "arn:aws:iam::222222222222:role/FootprintAudit", SessionName: "footprint-scanner"})
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"mutating call", func() error {
			_, err := iam.NewFromConfig(audit).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
			return err
		}, awsx.ErrAccessDenied},
		{"EC2 mutating call", func() error {
			_, err := ec2.NewFromConfig(audit).DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String("vpc-1")})
			return err
		}, awsx.ErrAccessDenied},
		{"no such user", func() error {
			_, err := iam.NewFromConfig(audit).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
			return err
		}, awsx.ErrNotFound},
		{"no password policy", func() error {
			sb := awsx.AssumeRole(base, awsx.AssumeRoleOptions{RoleARN: "arn:aws:iam::333333333333:role/FootprintAudit", SessionName: "footprint-scanner"})
			_, err := iam.NewFromConfig(sb).GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
			return err
		}, awsx.ErrNotFound},
		{"no bucket policy", func() error {
			_, err := s3.NewFromConfig(audit).GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("footprint-sim-prod-artifacts")})
			return err
		}, awsx.ErrNotFound},
		{"no account public access block", func() error {
			_, err := s3control.NewFromConfig(audit).GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String("222222222222")})
			return err
		}, awsx.ErrNotFound},
		{"throttled past retries", func() error {
			cfg := audit.Copy()
			cfg.Retryer = func() aws.Retryer { return retry.AddWithMaxBackoffDelay(retry.NewStandard(), time.Millisecond) }
			_, err := iam.NewFromConfig(cfg).ListRoles(ctx, &iam.ListRolesInput{})
			return err
		}, awsx.ErrThrottled},
		{"region not enabled", func() error {
			cfg := audit.Copy()
			cfg.Region = "af-south-1"
			_, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
			return err
		}, awsx.ErrRegionDisabled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if got := awsx.Classify(err); got != tc.want {
				t.Errorf("Classify(%v) = %v, want %v", err, got, tc.want)
			}
		})
	}
}

// TestLoadLoopback runs the simulator on a loopback listener and loads the
// config from the environment as the footprint binary does: S3 Control's
// <account>.127.0.0.1 host must still reach the simulator.
func TestLoadLoopback(t *testing.T) {
	s, err := awssim.New(awssim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	creds, _ := s.CallerCredentials()
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": "http://" + ln.Addr().String(), "AWS_ACCESS_KEY_ID": creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY": creds.SecretAccessKey, "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": empty, "AWS_SHARED_CREDENTIALS_FILE": empty, "AWS_PROFILE": "", "AWS_SESSION_TOKEN": "",
	} {
		t.Setenv(k, v)
	}
	cfg, err := awsx.Load(ctx, awsx.Options{UserAgent: "footprint/0.0.0-test"})
	if err != nil {
		t.Fatal(err)
	}
	audit := awsx.AssumeRole(cfg, awsx.AssumeRoleOptions{RoleARN: "arn:aws:iam::111111111111:role/FootprintAudit", SessionName: "footprint-scanner"})
	who, err := sts.NewFromConfig(audit).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(who.Arn) != "arn:aws:sts::111111111111:assumed-role/FootprintAudit/footprint-scanner" {
		t.Errorf("identity = %s", aws.ToString(who.Arn))
	}
	pab, err := s3control.NewFromConfig(audit).GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String("111111111111")})
	if err != nil {
		t.Fatalf("S3 Control through the loopback dialer: %v", err)
	}
	if !aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicAcls) {
		t.Errorf("block = %+v", pab.PublicAccessBlockConfiguration)
	}
	if _, err := s3.NewFromConfig(audit).GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("footprint-sim-cloudtrail")}); err != nil {
		t.Errorf("S3: %v", err)
	}
	var ua string
	for _, r := range s.Records() {
		if r.EventName == "GetAccountPublicAccessBlock" {
			ua = r.UserAgent
		}
	}
	if !contains(ua, " footprint/0.0.0-test") {
		t.Errorf("user agent %q lacks the app ID", ua)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestLoopbackEndpoint(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"http://127.0.0.1:4566": "127.0.0.1:4566", "http://localhost:9000": "localhost:9000", "http://[::1]:80": "[::1]:80",
		"http://127.0.0.2": "127.0.0.2:80", "https://s3.amazonaws.com": "", "http://10.0.0.1:1": "", "": "",
	} {
		got, ok := awsx.LoopbackEndpoint(in)
		if got != want || ok != (want != "") {
			t.Errorf("%q = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// TestLimiterSharedAcrossServices: one bucket per account and region paces
// every service's requests together; another account or region has its own.
func TestLimiterSharedAcrossServices(t *testing.T) {
	t.Parallel()
	s, err := awssim.New(awssim.Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	creds, _ := s.CallerCredentials()
	lim := awsx.NewLimiter(20, 1)
	var calls []*awsx.Call
	obs := observerFunc(func(_ context.Context, c *awsx.Call) { calls = append(calls, c) })
	cfg := awsx.Instrument(s.AWSConfig("us-east-1", creds), awsx.InstrumentOptions{Account: "111111111111", Limiter: lim, Observer: obs})
	start := time.Now()
	for i := 0; i < 3; i++ {
		if _, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
			t.Fatal(err)
		}
		if _, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}); err != nil {
			t.Fatal(err)
		}
	}
	// six requests through one bucket of 20/s with room for one: >= 5 x 50ms
	if d := time.Since(start); d < 240*time.Millisecond {
		t.Errorf("six requests of two services took %v: the bucket is not shared", d)
	}
	other := awsx.Instrument(s.AWSConfig("eu-west-1", creds), awsx.InstrumentOptions{Account: "111111111111", Limiter: lim})
	start = time.Now()
	if _, err := ec2.NewFromConfig(other).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 40*time.Millisecond {
		t.Errorf("another region waited %v on us-east-1's bucket", d)
	}
	if len(calls) != 6 || calls[0].Service != "iam" || calls[0].Operation != "ListUsers" || calls[1].Service != "ec2" ||
		calls[0].Region != "us-east-1" || len(calls[0].Attempts) != 1 || calls[0].Attempts[0].RequestID == "" || calls[0].Attempts[0].HTTPStatus != 200 {
		t.Errorf("observed %d calls, first %+v", len(calls), calls[0])
	}
}

type observerFunc func(context.Context, *awsx.Call)

func (f observerFunc) ObserveCall(ctx context.Context, c *awsx.Call) { f(ctx, c) }
