package awssim

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	ctltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestS3RoundTrip(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{})
	ctx := context.Background()
	m := s3.NewFromConfig(auditConfig(t, s, mgmt, "us-east-1"))
	p := s3.NewFromConfig(auditConfig(t, s, prod, "eu-west-1"))
	trail, prodTrail := aws.String("footprint-sim-cloudtrail"), aws.String("footprint-sim-prod-trail")

	t.Run("ListBuckets", func(t *testing.T) {
		out, err := m.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, b := range out.Buckets {
			got = append(got, aws.ToString(b.Name)+"@"+aws.ToString(b.BucketRegion))
			if !aws.ToTime(b.CreationDate).Equal(ago(1400 * day)) {
				t.Errorf("created %v", b.CreationDate)
			}
		}
		if diff := cmp.Diff([]string{"footprint-sim-access-logs@us-east-1", "footprint-sim-cloudtrail@us-east-1"}, got); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
		if aws.ToString(out.Owner.ID) != canonicalID(s.fx.Accounts[0]) {
			t.Errorf("owner = %+v", out.Owner)
		}
	})

	t.Run("GetBucketLocation", func(t *testing.T) {
		out, err := p.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: prodTrail})
		if err != nil {
			t.Fatal(err)
		}
		if out.LocationConstraint != types.BucketLocationConstraintEuWest1 {
			t.Errorf("location = %q", out.LocationConstraint)
		}
		out, err = m.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: trail})
		if err != nil || out.LocationConstraint != "" {
			t.Errorf("us-east-1 location = %q, %v", out.LocationConstraint, err)
		}
	})

	t.Run("GetBucketAcl", func(t *testing.T) {
		out, err := p.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: prodTrail})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Grants) != 2 {
			t.Fatalf("grants = %+v", out.Grants)
		}
		g := out.Grants[1]
		if g.Permission != types.PermissionRead || g.Grantee.Type != types.TypeGroup || aws.ToString(g.Grantee.URI) != "http://acs.amazonaws.com/groups/global/AllUsers" {
			t.Errorf("public grant = %+v %+v", g, g.Grantee)
		}
		if o := out.Grants[0].Grantee; o.Type != types.TypeCanonicalUser || aws.ToString(o.ID) != canonicalID(s.fx.Accounts[1]) {
			t.Errorf("owner grant = %+v", o)
		}
	})

	t.Run("GetBucketPolicy", func(t *testing.T) {
		out, err := m.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: trail})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Policy) != s.fx.Accounts[0].S3.Buckets[0].Policy.JSON {
			t.Errorf("policy = %s", aws.ToString(out.Policy))
		}
		_, err = m.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("footprint-sim-access-logs")})
		if apiCode(err) != "NoSuchBucketPolicy" {
			t.Errorf("err = %v, want NoSuchBucketPolicy", err)
		}
		st, err := p.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: prodTrail})
		if err != nil || !aws.ToBool(st.PolicyStatus.IsPublic) {
			t.Errorf("policy status = %+v, %v", st, err)
		}
	})

	t.Run("GetBucketLogging", func(t *testing.T) {
		out, err := m.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: trail})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.LoggingEnabled.TargetBucket) != "footprint-sim-access-logs" || aws.ToString(out.LoggingEnabled.TargetPrefix) != "cloudtrail/" {
			t.Errorf("logging = %+v", out.LoggingEnabled)
		}
		out, err = p.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: prodTrail})
		if err != nil || out.LoggingEnabled != nil {
			t.Errorf("production logging = %+v, %v", out.LoggingEnabled, err)
		}
	})

	t.Run("GetPublicAccessBlock", func(t *testing.T) {
		out, err := m.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: trail})
		if err != nil {
			t.Fatal(err)
		}
		c := out.PublicAccessBlockConfiguration
		if !aws.ToBool(c.BlockPublicAcls) || !aws.ToBool(c.IgnorePublicAcls) || !aws.ToBool(c.BlockPublicPolicy) || !aws.ToBool(c.RestrictPublicBuckets) {
			t.Errorf("block = %+v", c)
		}
		_, err = p.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: prodTrail})
		if apiCode(err) != "NoSuchPublicAccessBlockConfiguration" {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("GetBucketEncryption and versioning", func(t *testing.T) {
		out, err := m.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: trail})
		if err != nil {
			t.Fatal(err)
		}
		r := out.ServerSideEncryptionConfiguration.Rules[0]
		if r.ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAwsKms || !aws.ToBool(r.BucketKeyEnabled) ||
			aws.ToString(r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID) == "" {
			t.Errorf("rule = %+v", r)
		}
		v, err := m.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: trail})
		if err != nil || v.Status != types.BucketVersioningStatusEnabled {
			t.Errorf("versioning = %+v, %v", v, err)
		}
	})

	t.Run("another account's bucket", func(t *testing.T) {
		_, err := p.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: trail})
		if apiCode(err) != "AccessDenied" {
			t.Errorf("err = %v, want AccessDenied", err)
		}
		_, err = p.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("no-such-bucket")})
		if apiCode(err) != "NoSuchBucket" {
			t.Errorf("err = %v, want NoSuchBucket", err)
		}
	})

	t.Run("trail bucket objects", func(t *testing.T) {
		if err := s.Flush(); err != nil {
			t.Fatal(err)
		}
		out, err := m.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: trail, Prefix: aws.String("AWSLogs/")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt32(out.KeyCount) == 0 || len(out.Contents) != int(aws.ToInt32(out.KeyCount)) {
			t.Fatalf("objects = %d (KeyCount %d)", len(out.Contents), aws.ToInt32(out.KeyCount))
		}
		key := out.Contents[0].Key
		obj, err := m.GetObject(ctx, &s3.GetObjectInput{Bucket: trail, Key: key})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(obj.Body)
		if len(body) < 2 || body[0] != 0x1f || body[1] != 0x8b || aws.ToInt64(out.Contents[0].Size) != int64(len(body)) {
			t.Errorf("object %s is not the gzip file listed (%d bytes)", aws.ToString(key), len(body))
		}
		head, err := m.HeadObject(ctx, &s3.HeadObjectInput{Bucket: trail, Key: key})
		if err != nil || aws.ToInt64(head.ContentLength) != int64(len(body)) || aws.ToString(head.ETag) != aws.ToString(out.Contents[0].ETag) {
			t.Errorf("HeadObject = %+v, %v", head, err)
		}
		hb, err := m.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: trail})
		if err != nil || aws.ToString(hb.BucketRegion) != "us-east-1" {
			t.Errorf("HeadBucket = %+v, %v", hb, err)
		}
		_, err = m.HeadObject(ctx, &s3.HeadObjectInput{Bucket: trail, Key: aws.String("AWSLogs/nope")})
		if apiCode(err) != "NotFound" {
			t.Errorf("HeadObject missing: err = %v, want NotFound", err)
		}
		_, err = m.GetObject(ctx, &s3.GetObjectInput{Bucket: trail, Key: aws.String("AWSLogs/nope")})
		var nk *types.NoSuchKey
		if !errors.As(err, &nk) {
			t.Errorf("err = %v, want NoSuchKey", err)
		}
	})
}

func TestS3ListObjectsV2Pagination(t *testing.T) {
	t.Parallel()
	fx := Default()
	b := fx.Accounts[0].S3.Buckets[1]
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		b.Objects = append(b.Objects, &Object{Key: "logs/" + k, Body: k})
	}
	s := newTestSim(t, Options{Fixture: fx})
	c := s3.NewFromConfig(auditConfig(t, s, mgmt, "us-east-1"))
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(b.Name), MaxKeys: aws.Int32(2)})
	var keys []string
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	if diff := cmp.Diff([]string{"logs/a", "logs/b", "logs/c", "logs/d", "logs/e"}, keys); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestS3ControlPublicAccessBlock(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{})
	ctx := context.Background()
	for _, tc := range []struct {
		account  string
		want     *ctltypes.PublicAccessBlockConfiguration
		wantCode string
	}{
		{account: mgmt, want: &ctltypes.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
			BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}},
		{account: sandbox, want: &ctltypes.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(false),
			BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}},
		{account: prod, wantCode: "NoSuchPublicAccessBlockConfiguration"},
	} {
		c := s3control.NewFromConfig(auditConfig(t, s, tc.account, "us-east-1"))
		out, err := c.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(tc.account)})
		if tc.wantCode != "" {
			if apiCode(err) != tc.wantCode {
				t.Errorf("%s: err = %v, want %s", tc.account, err, tc.wantCode)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, out.PublicAccessBlockConfiguration, cmpOpts...); diff != "" {
			t.Errorf("%s (-want +got)\n%s", tc.account, diff)
		}
	}
}
