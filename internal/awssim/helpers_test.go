package awssim

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// testClock is the simulator clock in tests.
var testClock = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// ago resolves a fixture offset against testClock.
func ago(d time.Duration) time.Time { return testClock.Add(-d) }

const day = 24 * time.Hour

const (
	mgmt    = "111111111111"
	prod    = "222222222222"
	sandbox = "333333333333"
)

func newTestSim(t *testing.T, opts Options) *Sim {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return testClock }
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// callerConfig is the fixture caller's config in region.
func callerConfig(t *testing.T, s *Sim, region string) aws.Config {
	t.Helper()
	creds, err := s.CallerCredentials()
	if err != nil {
		t.Fatal(err)
	}
	return s.AWSConfig(region, creds)
}

// auditConfig assumes FootprintAudit in account as the fixture caller and
// returns a config for the session in region.
func auditConfig(t *testing.T, s *Sim, account, region string) aws.Config {
	t.Helper()
	out, err := sts.NewFromConfig(callerConfig(t, s, region)).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:aws:iam::" + account + ":role/FootprintAudit"),
		RoleSessionName: aws.String("footprint-scanner"),
	})
	if err != nil {
		t.Fatalf("AssumeRole FootprintAudit in %s: %v", account, err)
	}
	c := out.Credentials
	return s.AWSConfig(region, Credentials{*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken})
}
