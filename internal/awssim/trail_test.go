package awssim

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

func requestID(t *testing.T, md middleware.Metadata, err error) string {
	t.Helper()
	if err != nil {
		var re *awshttp.ResponseError
		if !errors.As(err, &re) {
			t.Fatalf("no request ID in %v", err)
		}
		return re.ServiceRequestID()
	}
	id, _ := awsmiddleware.GetRequestIDMetadata(md)
	return id
}

// recordView is what TestTrailRecords checks of each record.
type recordView struct {
	Recipient, IdentityType, ARN, SessionIssuer, Source, Name, Region, ErrorCode, RequestID string
	ReadOnly                                                                                bool
	Category                                                                                string
}

func TestTrailRecords(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{})
	ctx := context.Background()
	var ids []string

	callerSTS := sts.NewFromConfig(callerConfig(t, s, "us-east-1"))
	o1, err := callerSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	ids = append(ids, requestID(t, o1.ResultMetadata, err))
	o2, err := callerSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/FootprintAudit"),
		RoleSessionName: aws.String("footprint-scanner"), SourceIdentity: aws.String("operator")})
	ids = append(ids, requestID(t, o2.ResultMetadata, err))
	ids = append(ids, ids[len(ids)-1]) // the role account's copy
	sess := s.AWSConfig("eu-west-1", Credentials{*o2.Credentials.AccessKeyId, *o2.Credentials.SecretAccessKey, *o2.Credentials.SessionToken})
	o3, err := iam.NewFromConfig(sess).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
	var md middleware.Metadata
	if o3 != nil {
		md = o3.ResultMetadata
	}
	ids = append(ids, requestID(t, md, err))
	o4, err := ec2.NewFromConfig(sess).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{
		Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{"vpc-02200000000000001"}}}})
	ids = append(ids, requestID(t, o4.ResultMetadata, err))
	_, err = ec2.NewFromConfig(sess).DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String("vpc-02200000000000001")})
	ids = append(ids, requestID(t, middleware.Metadata{}, err))
	_, err = s3.NewFromConfig(sess).GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("footprint-sim-prod-artifacts")})
	ids = append(ids, requestID(t, middleware.Metadata{}, err))

	role := "arn:aws:sts::222222222222:assumed-role/FootprintAudit/footprint-scanner"
	issuer := "arn:aws:iam::222222222222:role/FootprintAudit"
	op := "arn:aws:iam::111111111111:user/sim-operator"
	want := []recordView{
		{mgmt, "IAMUser", op, "", "sts.amazonaws.com", "GetCallerIdentity", "us-east-1", "", ids[0], true, "Management"},
		{mgmt, "IAMUser", op, "", "sts.amazonaws.com", "AssumeRole", "us-east-1", "", ids[1], true, "Management"},
		{prod, "AWSAccount", "", "", "sts.amazonaws.com", "AssumeRole", "us-east-1", "", ids[2], true, "Management"},
		{prod, "AssumedRole", role, issuer, "iam.amazonaws.com", "GetUser", "us-east-1", "NoSuchEntityException", ids[3], true, "Management"},
		{prod, "AssumedRole", role, issuer, "ec2.amazonaws.com", "DescribeSecurityGroups", "eu-west-1", "", ids[4], true, "Management"},
		{prod, "AssumedRole", role, issuer, "ec2.amazonaws.com", "DeleteVpc", "eu-west-1", "Client.UnauthorizedOperation", ids[5], false, "Management"},
		{prod, "AssumedRole", role, issuer, "s3.amazonaws.com", "GetBucketPolicy", "eu-west-1", "NoSuchBucketPolicy", ids[6], true, "Management"},
	}
	var got []recordView
	recs := s.Records()
	for _, r := range recs {
		v := recordView{r.RecipientAccountID, r.UserIdentity.Type, r.UserIdentity.ARN, "", r.EventSource, r.EventName, r.AWSRegion,
			r.ErrorCode, r.RequestID, r.ReadOnly, r.EventCategory}
		if sc := r.UserIdentity.SessionContext; sc != nil {
			v.SessionIssuer = sc.SessionIssuer.ARN
		}
		got = append(got, v)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got)\n%s", diff)
	}
	// details the view leaves out
	ar := recs[1]
	if ar.SharedEventID == "" || ar.SharedEventID != recs[2].SharedEventID || ar.EventID == recs[2].EventID {
		t.Errorf("cross-account AssumeRole copies: shared %q/%q event %q/%q", ar.SharedEventID, recs[2].SharedEventID, ar.EventID, recs[2].EventID)
	}
	creds, _ := ar.ResponseElements.(map[string]any)["credentials"].(map[string]any)
	if creds["accessKeyId"] != *o2.Credentials.AccessKeyId || recs[3].UserIdentity.AccessKeyID != *o2.Credentials.AccessKeyId {
		t.Errorf("AssumeRole responseElements %v do not tie to the session's key %s", creds, recs[3].UserIdentity.AccessKeyID)
	}
	if sc := recs[3].UserIdentity.SessionContext; sc.SourceIdentity != "operator" || sc.Attributes.CreationDate != "2026-11-28T12:00:00Z" {
		t.Errorf("session context = %+v", sc)
	}
	if recs[0].RequestParameters != nil {
		t.Errorf("GetCallerIdentity requestParameters = %v, want null", recs[0].RequestParameters)
	}
	fs, _ := json.Marshal(recs[4].RequestParameters)
	if string(fs) != `{"filterSet":{"items":[{"name":"vpc-id","valueSet":{"items":[{"value":"vpc-02200000000000001"}]}}]}}` {
		t.Errorf("EC2 requestParameters = %s", fs)
	}
	if recs[6].AdditionalEventData == nil || recs[6].RequestParameters.(map[string]any)["bucketName"] != "footprint-sim-prod-artifacts" {
		t.Errorf("S3 record = %+v", recs[6])
	}
	for _, r := range recs {
		if r.UserAgent == "" || r.SourceIPAddress != "127.0.0.1" || r.EventID == "" || r.TLSDetails == nil || r.EventType != "AwsApiCall" {
			t.Errorf("record %s lacks common fields: %+v", r.EventName, r)
		}
	}
}

// TestTrailGolden pins the exact bytes of a short sequence's delivered file.
func TestTrailGolden(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{})
	ctx := context.Background()
	cfg := auditConfig(t, s, prod, "eu-west-1")
	for _, c := range []func() error{
		func() error {
			_, err := iam.NewFromConfig(cfg).GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
			return err
		},
		func() error {
			_, err := cloudtrail.NewFromConfig(cfg).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
			return err
		},
	} {
		if err := c(); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	var doc bytes.Buffer
	for _, key := range s.Delivered() {
		doc.WriteString(key + "\n")
		for _, o := range s.trail.objects {
			if o.Key == key {
				zr, err := gzip.NewReader(bytes.NewReader(o.Body))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(zr)
				var pretty bytes.Buffer
				_ = json.Indent(&pretty, b, "", "  ")
				doc.Write(pretty.Bytes())
				doc.WriteString("\n")
			}
		}
	}
	// user agents carry the SDK's version and OS: mask them
	got := regexp.MustCompile(`"userAgent": "[^"]*"`).ReplaceAll(doc.Bytes(), []byte(`"userAgent": "<sdk>"`))
	golden := filepath.Join("testdata", t.Name(), "records.txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestTrailDelivery(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 12, 3, 0, 0, time.UTC)
	dir := t.TempDir()
	s := newTestSim(t, Options{Now: func() time.Time { return now }, TrailDir: dir})
	ctx := context.Background()
	c := sts.NewFromConfig(callerConfig(t, s, "eu-west-1"))
	if _, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Delivered()); n != 0 {
		t.Fatalf("delivered %d files before the window closed", n)
	}
	now = now.Add(6 * time.Minute) // the 12:00-12:05 window has closed
	if _, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	keys := s.Delivered()
	re := regexp.MustCompile(`^AWSLogs/111111111111/CloudTrail/eu-west-1/2026/11/28/111111111111_CloudTrail_eu-west-1_20261128T1205Z_[A-Za-z0-9]{16}\.json\.gz$`)
	if len(keys) != 1 || !re.MatchString(keys[0]) {
		t.Fatalf("delivered %v", keys)
	}
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(keys[0]))); err != nil {
		t.Errorf("not on disk: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if keys = s.Delivered(); len(keys) != 2 {
		t.Errorf("after Close delivered %v", keys)
	}
}

func TestLookupEvents(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{PageSize: 2})
	ctx := context.Background()
	cfg := auditConfig(t, s, mgmt, "us-east-1")
	ic := iam.NewFromConfig(cfg)
	for i := 0; i < 3; i++ {
		if _, err := ic.ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
			t.Fatal(err)
		}
	}
	ct := cloudtrail.NewFromConfig(cfg)
	p := cloudtrail.NewLookupEventsPaginator(ct, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("ListUsers")}}})
	var events []cttypes.Event
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, out.Events...)
	}
	if len(events) != 3 {
		t.Fatalf("events = %d, want 3", len(events))
	}
	e := events[0]
	var rec Record
	if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &rec); err != nil {
		t.Fatal(err)
	}
	if aws.ToString(e.EventName) != "ListUsers" || aws.ToString(e.Username) != "footprint-scanner" || aws.ToString(e.ReadOnly) != "true" ||
		aws.ToString(e.EventSource) != "iam.amazonaws.com" || rec.EventID != aws.ToString(e.EventId) || !aws.ToTime(e.EventTime).Equal(testClock) {
		t.Errorf("event = %+v", e)
	}
	// event history is per account and region
	other, err := cloudtrail.NewFromConfig(auditConfig(t, s, prod, "us-east-1")).LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("ListUsers")}}})
	if err != nil || len(other.Events) != 0 {
		t.Errorf("production sees %d management ListUsers events, %v", len(other.Events), err)
	}
}
