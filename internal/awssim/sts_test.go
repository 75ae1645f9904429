package awssim

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

func TestSTS(t *testing.T) {
	t.Parallel()
	now := testClock
	s := newTestSim(t, Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	caller := sts.NewFromConfig(callerConfig(t, s, "us-east-1"))

	id, err := caller.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	op := s.fx.Accounts[0].IAM.Users[0]
	if aws.ToString(id.Arn) != "arn:aws:iam::111111111111:user/sim-operator" || aws.ToString(id.Account) != mgmt ||
		aws.ToString(id.UserId) != userID(s.fx.Accounts[0], op) {
		t.Errorf("caller identity = %s %s %s", aws.ToString(id.Arn), aws.ToString(id.Account), aws.ToString(id.UserId))
	}

	tests := []struct {
		name, role, external, source string
		wantErr                      string
	}{
		{name: "trusted", role: "arn:aws:iam::222222222222:role/FootprintAudit"},
		{name: "external id required and given", role: "arn:aws:iam::222222222222:role/ThirdPartyAudit", external: "footprint-sim-external-id"},
		{name: "external id missing", role: "arn:aws:iam::222222222222:role/ThirdPartyAudit", wantErr: "AccessDenied"},
		{name: "external id wrong", role: "arn:aws:iam::222222222222:role/ThirdPartyAudit", external: "nope", wantErr: "AccessDenied"},
		{name: "trust names another principal", role: "arn:aws:iam::222222222222:role/Deployer", wantErr: "AccessDenied"},
		{name: "no such role", role: "arn:aws:iam::222222222222:role/Nope", wantErr: "AccessDenied"},
		{name: "no such account", role: "arn:aws:iam::999999999999:role/FootprintAudit", wantErr: "AccessDenied"},
		{name: "source identity", role: "arn:aws:iam::333333333333:role/FootprintAudit", source: "alice@example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := &sts.AssumeRoleInput{RoleArn: aws.String(tc.role), RoleSessionName: aws.String("footprint-scanner")}
			if tc.external != "" {
				in.ExternalId = aws.String(tc.external)
			}
			if tc.source != "" {
				in.SourceIdentity = aws.String(tc.source)
			}
			out, err := caller.AssumeRole(ctx, in)
			if tc.wantErr != "" {
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorCode() != tc.wantErr {
					t.Fatalf("err = %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			acct := tc.role[13:25]
			role := tc.role[strings.LastIndex(tc.role, "/")+1:]
			wantARN := "arn:aws:sts::" + acct + ":assumed-role/" + role + "/footprint-scanner"
			if aws.ToString(out.AssumedRoleUser.Arn) != wantARN || !aws.ToTime(out.Credentials.Expiration).Equal(now.Add(time.Hour)) ||
				aws.ToString(out.SourceIdentity) != tc.source {
				t.Errorf("assumed %s until %v source %q", aws.ToString(out.AssumedRoleUser.Arn), out.Credentials.Expiration, aws.ToString(out.SourceIdentity))
			}
			// the session runs in the role's account
			sess := sts.NewFromConfig(s.AWSConfig("eu-west-1", Credentials{*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken}))
			who, err := sess.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(who.Arn) != wantARN || aws.ToString(who.Account) != acct {
				t.Errorf("session identity = %s in %s", aws.ToString(who.Arn), aws.ToString(who.Account))
			}
		})
	}

	t.Run("wrong session token", func(t *testing.T) {
		out, err := caller.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/FootprintAudit"), RoleSessionName: aws.String("x1")})
		if err != nil {
			t.Fatal(err)
		}
		bad := iam.NewFromConfig(s.AWSConfig("us-east-1", Credentials{*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, "forged"}))
		_, err = bad.ListUsers(ctx, &iam.ListUsersInput{})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidClientTokenId" {
			t.Errorf("err = %v, want InvalidClientTokenId", err)
		}
	})

	t.Run("expired session", func(t *testing.T) {
		cfg := auditConfig(t, s, mgmt, "us-east-1")
		now = now.Add(2 * time.Hour)
		defer func() { now = testClock }()
		_, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "ExpiredToken" {
			t.Errorf("err = %v, want ExpiredToken", err)
		}
	})

	t.Run("root", func(t *testing.T) {
		creds, ok := s.AccessKey("AKIAFOOTPRINTSIMROOT")
		if !ok {
			t.Fatal("no root key in the fixture")
		}
		who, err := sts.NewFromConfig(s.AWSConfig("ap-southeast-2", creds)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(who.Arn) != "arn:aws:iam::333333333333:root" || aws.ToString(who.UserId) != sandbox {
			t.Errorf("root identity = %s %s", aws.ToString(who.Arn), aws.ToString(who.UserId))
		}
		r := lastRecord(s)
		if r.UserIdentity.Type != "Root" || r.UserIdentity.PrincipalID != sandbox || r.UserIdentity.AccessKeyID != "AKIAFOOTPRINTSIMROOT" || r.RecipientAccountID != sandbox {
			t.Errorf("record identity = %+v", r.UserIdentity)
		}
	})

	t.Run("unknown key", func(t *testing.T) {
		_, err := sts.NewFromConfig(s.AWSConfig("us-east-1", Credentials{"AKIAFOOTPRINTSIMNONE", "x", ""})).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidClientTokenId" {
			t.Errorf("err = %v, want InvalidClientTokenId", err)
		}
	})

	t.Run("region not enabled", func(t *testing.T) {
		_, err := sts.NewFromConfig(callerConfig(t, s, "af-south-1")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidClientTokenId" {
			t.Errorf("err = %v, want InvalidClientTokenId", err)
		}
	})
}
