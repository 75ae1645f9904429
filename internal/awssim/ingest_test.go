package awssim_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/footprint-dev/footprint/internal/awssim"
	"github.com/footprint-dev/footprint/internal/store"
	"github.com/footprint-dev/footprint/trail"
)

// TestDeliveredFilesIngest: the files the simulator writes ingest with
// nothing quarantined, one event per record, attribution columns filled.
func TestDeliveredFilesIngest(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	s, err := awssim.New(awssim.Options{TrailDir: dir, Seed: 7, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	creds, _ := s.CallerCredentials()
	caller := sts.NewFromConfig(s.AWSConfig("us-east-1", creds))
	for _, account := range []string{"111111111111", "222222222222", "333333333333"} {
		out, err := caller.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/FootprintAudit"),
			RoleSessionName: aws.String("footprint-scanner")})
		if err != nil {
			t.Fatal(err)
		}
		c := out.Credentials
		for _, region := range []string{"us-east-1", "eu-west-1", "ap-southeast-2"} {
			cfg := s.AWSConfig(region, awssim.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken})
			_, _ = ec2.NewFromConfig(cfg).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
			_, _ = iam.NewFromConfig(cfg).GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
			_, _ = s3.NewFromConfig(cfg).ListBuckets(ctx, &s3.ListBucketsInput{})
			_, _ = ec2.NewFromConfig(cfg).DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String("vpc-1")})
			now = now.Add(2 * time.Minute) // spread over several 5-minute files
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	records := len(s.Records())

	st, err := store.Open(ctx, store.InMemory, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sum, err := trail.Ingest(ctx, st, trail.IngestOptions{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.QuarantinedFiles != 0 || sum.IngestedFiles != len(s.Delivered()) || sum.NewEvents != int64(records) {
		t.Fatalf("ingest: %d files (%d delivered), %d quarantined %v, %d events of %d records",
			sum.IngestedFiles, len(s.Delivered()), sum.QuarantinedFiles, sum.Quarantined, sum.NewEvents, records)
	}
	var sessions, denied int
	row := st.DB.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE session_name = 'footprint-scanner' AND session_issuer_name = 'FootprintAudit'),
		count(*) FILTER (WHERE error_code = 'Client.UnauthorizedOperation' AND read_only = false) FROM events`)
	if err := row.Scan(&sessions, &denied); err != nil {
		t.Fatal(err)
	}
	if sessions != 3*3*4 || denied != 9 {
		t.Errorf("session events %d (want 36), denied writes %d (want 9)", sessions, denied)
	}
}
