package awssim

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const smokeYAML = `
regions: {enabled: [us-east-1, eu-west-1], not_enabled: [af-south-1]}
caller: AKIAFOOTPRINTSIMTEST1
accounts:
  - id: "111111111111"
    name: mgmt
    iam:
      root: {mfa: hardware}
      password_policy: {minimum_password_length: 14, require_symbols: true, max_password_age: 90}
      users:
        - name: alice
          created: -400d
          password: {changed: -100d, last_used: -1d}
          mfa: [{type: virtual}]
          access_keys:
            - {id: AKIAFOOTPRINTSIMTEST1, secret: sim-secret-1, created: -400d, last_used: {date: -1d, region: us-east-1, service: iam}}
      roles:
        - name: FootprintAudit
          trust_policy:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: "sts:AssumeRole", Condition: {StringEquals: {"sts:ExternalId": "x"}}}
`

func TestSmoke(t *testing.T) {
	fx, err := ParseFixture([]byte(smokeYAML))
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	s, err := New(Options{Fixture: fx, Now: func() time.Time { return clock }, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	creds, _ := s.CallerCredentials()
	cfg := s.AWSConfig("eu-west-1", creds)
	st := sts.NewFromConfig(cfg)
	id, err := st.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(*id.Arn, *id.UserId)
	ar, err := st.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/FootprintAudit"), RoleSessionName: aws.String("footprint-scanner"), ExternalId: aws.String("x")})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(*ar.AssumedRoleUser.Arn, *ar.Credentials.AccessKeyId, ar.Credentials.Expiration)
	_, err = st.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/FootprintAudit"), RoleSessionName: aws.String("footprint-scanner")})
	t.Log(err)
	rc := s.AWSConfig("eu-west-1", Credentials{*ar.Credentials.AccessKeyId, *ar.Credentials.SecretAccessKey, *ar.Credentials.SessionToken})
	ic := iam.NewFromConfig(rc)
	u, err := ic.ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(*u.Users[0].UserName, *u.Users[0].PasswordLastUsed)
	sum, err := ic.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(sum.SummaryMap)
	_, err = ic.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	t.Log(err)
	g, err := ic.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
	t.Log(g.State, err)
	_, err = ic.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	t.Log(err)
	r, err := ic.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(string(r.Content))
	pp, err := ic.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	t.Log(*pp.PasswordPolicy.MinimumPasswordLength, *pp.PasswordPolicy.MaxPasswordAge, err)
	_, err = ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
	t.Log(err)
	s.Flush()
	for _, r := range s.Records() {
		t.Logf("%s %s %s %s", r.EventName, r.ErrorCode, r.UserIdentity.ARN, r.RecipientAccountID)
	}
}
