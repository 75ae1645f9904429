package awssim

import (
	"context"
	"encoding/csv"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
)

func TestIAMRoundTrip(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{})
	ctx := context.Background()
	c := iam.NewFromConfig(auditConfig(t, s, mgmt, "eu-west-1"))
	prodc := iam.NewFromConfig(auditConfig(t, s, prod, "us-east-1"))
	sandc := iam.NewFromConfig(auditConfig(t, s, sandbox, "us-east-1"))

	t.Run("GetAccountPasswordPolicy", func(t *testing.T) {
		out, err := c.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
		if err != nil {
			t.Fatal(err)
		}
		p := out.PasswordPolicy
		want := types.PasswordPolicy{MinimumPasswordLength: aws.Int32(14), RequireSymbols: true, RequireNumbers: true,
			RequireUppercaseCharacters: true, RequireLowercaseCharacters: true, AllowUsersToChangePassword: true,
			ExpirePasswords: true, MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(24)}
		if diff := cmp.Diff(want, *p, cmpOpts...); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
		_, err = sandc.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
		var nse *types.NoSuchEntityException
		if !errors.As(err, &nse) {
			t.Errorf("sandbox without a policy: err = %v, want NoSuchEntityException", err)
		}
	})

	t.Run("GetAccountSummary", func(t *testing.T) {
		for _, tc := range []struct {
			client                  *iam.Client
			mfa, keys, users, roles int32
		}{{c, 1, 0, 3, 4}, {prodc, 1, 0, 3, 3}, {sandc, 0, 1, 1, 3}} {
			out, err := tc.client.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
			if err != nil {
				t.Fatal(err)
			}
			m := out.SummaryMap
			got := [4]int32{m["AccountMFAEnabled"], m["AccountAccessKeysPresent"], m["Users"], m["Roles"]}
			if want := [4]int32{tc.mfa, tc.keys, tc.users, tc.roles}; got != want {
				t.Errorf("summary = %v, want %v", got, want)
			}
		}
	})

	t.Run("ListUsers", func(t *testing.T) {
		out, err := c.ListUsers(ctx, &iam.ListUsersInput{})
		if err != nil {
			t.Fatal(err)
		}
		if out.IsTruncated || len(out.Users) != 3 {
			t.Fatalf("users = %d truncated %v", len(out.Users), out.IsTruncated)
		}
		u := out.Users[1]
		want := types.User{Path: aws.String("/"), UserName: aws.String("alice"), UserId: aws.String(userID(s.fx.Accounts[0], s.fx.Accounts[0].IAM.Users[1])),
			Arn: aws.String("arn:aws:iam::111111111111:user/alice"), CreateDate: aws.Time(ago(700 * day)), PasswordLastUsed: aws.Time(ago(day))}
		if diff := cmp.Diff(want, u, cmpOpts...); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
	})

	t.Run("GetUser", func(t *testing.T) {
		out, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(out.User.Arn); got != "arn:aws:iam::111111111111:user/bob" {
			t.Errorf("arn = %s", got)
		}
		_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
		var nse *types.NoSuchEntityException
		if !errors.As(err, &nse) {
			t.Errorf("err = %v, want NoSuchEntityException", err)
		}
	})

	t.Run("ListAttachedUserPolicies", func(t *testing.T) {
		out, err := c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("bob")})
		if err != nil {
			t.Fatal(err)
		}
		want := []types.AttachedPolicy{{PolicyName: aws.String("ReadOnlyAccess"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}}
		if diff := cmp.Diff(want, out.AttachedPolicies, cmpOpts...); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
	})

	t.Run("ListUserPolicies and GetUserPolicy", func(t *testing.T) {
		out, err := c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("bob")})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"bob-billing"}, out.PolicyNames); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
		p, err := c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("bob-billing")})
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := url.QueryUnescape(aws.ToString(p.PolicyDocument))
		if !strings.Contains(doc, `"aws-portal:ViewBilling"`) {
			t.Errorf("document = %s", doc)
		}
	})

	t.Run("ListPolicies and GetPolicyVersion", func(t *testing.T) {
		out, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Policies) != 2 {
			t.Fatalf("local policies = %d, want 2", len(out.Policies))
		}
		p := out.Policies[0]
		want := types.Policy{PolicyName: aws.String("AllowEverything"), PolicyId: aws.String(policyID(mgmt, s.fx.Accounts[0].IAM.Policies[0])),
			Arn: aws.String("arn:aws:iam::111111111111:policy/AllowEverything"), Path: aws.String("/"),
			DefaultVersionId: aws.String("v1"), AttachmentCount: aws.Int32(1), PermissionsBoundaryUsageCount: aws.Int32(0),
			IsAttachable: true, Description: aws.String(`Break-glass administrator access (full "*:*").`),
			CreateDate: aws.Time(ago(1400 * day)), UpdateDate: aws.Time(ago(1400 * day))}
		if diff := cmp.Diff(want, p, cmpOpts...); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
		v, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: p.Arn, VersionId: p.DefaultVersionId})
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := url.QueryUnescape(aws.ToString(v.PolicyVersion.Document))
		if doc != `{"Statement":[{"Action":"*","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}` || !v.PolicyVersion.IsDefaultVersion {
			t.Errorf("version = %s default %v", doc, v.PolicyVersion.IsDefaultVersion)
		}
		all, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all.Policies) != 6 {
			t.Errorf("all policies = %d, want 6 (4 AWS managed + 2 local)", len(all.Policies))
		}
		g, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/SecurityAudit")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(g.Policy.DefaultVersionId) != "v42" || aws.ToInt32(g.Policy.AttachmentCount) != 1 {
			t.Errorf("SecurityAudit = %+v", g.Policy)
		}
	})

	t.Run("ListEntitiesForPolicy", func(t *testing.T) {
		arn := aws.String("arn:aws:iam::aws:policy/AWSSupportAccess")
		out, err := c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.PolicyRoles) != 1 || aws.ToString(out.PolicyRoles[0].RoleName) != "SupportCaseManager" || aws.ToString(out.PolicyRoles[0].RoleId) == "" {
			t.Errorf("roles = %+v", out.PolicyRoles)
		}
		out, err = prodc.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.PolicyRoles)+len(out.PolicyUsers)+len(out.PolicyGroups) != 0 {
			t.Errorf("production has AWSSupportAccess attached: %+v", out)
		}
	})

	t.Run("ListVirtualMFADevices", func(t *testing.T) {
		out, err := prodc.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.VirtualMFADevices) != 1 || aws.ToString(out.VirtualMFADevices[0].SerialNumber) != "arn:aws:iam::222222222222:mfa/root-account-mfa-device" ||
			aws.ToString(out.VirtualMFADevices[0].User.Arn) != "arn:aws:iam::222222222222:root" {
			t.Errorf("production devices = %+v", out.VirtualMFADevices)
		}
		out, err = c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.VirtualMFADevices) != 1 || aws.ToString(out.VirtualMFADevices[0].User.UserName) != "alice" {
			t.Errorf("management devices = %+v (root has hardware MFA)", out.VirtualMFADevices)
		}
	})

	t.Run("ListMFADevices", func(t *testing.T) {
		out, err := prodc.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("carol")})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.MFADevices) != 1 || aws.ToString(out.MFADevices[0].UserName) != "carol" || out.MFADevices[0].EnableDate == nil {
			t.Errorf("devices = %+v", out.MFADevices)
		}
	})

	t.Run("ListAccessKeys and GetAccessKeyLastUsed", func(t *testing.T) {
		out, err := prodc.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("dave")})
		if err != nil {
			t.Fatal(err)
		}
		want := []types.AccessKeyMetadata{
			{UserName: aws.String("dave"), AccessKeyId: aws.String("AKIAFOOTPRINTSIMDAV1"), Status: types.StatusTypeInactive, CreateDate: aws.Time(ago(500 * day))},
			{UserName: aws.String("dave"), AccessKeyId: aws.String("AKIAFOOTPRINTSIMDAV2"), Status: types.StatusTypeActive, CreateDate: aws.Time(ago(100 * day))},
		}
		if diff := cmp.Diff(want, out.AccessKeyMetadata, cmpOpts...); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
		lu, err := prodc.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String("AKIAFOOTPRINTSIMDAV1")})
		if err != nil {
			t.Fatal(err)
		}
		wantLU := types.AccessKeyLastUsed{LastUsedDate: aws.Time(ago(450 * day)), ServiceName: aws.String("ec2"), Region: aws.String("us-east-1")}
		if diff := cmp.Diff(wantLU, *lu.AccessKeyLastUsed, cmpOpts...); diff != "" || aws.ToString(lu.UserName) != "dave" {
			t.Errorf("(-want +got)\n%s", diff)
		}
	})

	t.Run("ListRoles and GetRole", func(t *testing.T) {
		out, err := prodc.ListRoles(ctx, &iam.ListRolesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Roles) != 3 {
			t.Fatalf("roles = %d", len(out.Roles))
		}
		r, err := prodc.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ThirdPartyAudit")})
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := url.QueryUnescape(aws.ToString(r.Role.AssumeRolePolicyDocument))
		if !strings.Contains(doc, "footprint-sim-external-id") || aws.ToInt32(r.Role.MaxSessionDuration) != 3600 ||
			aws.ToString(r.Role.Arn) != "arn:aws:iam::222222222222:role/ThirdPartyAudit" || r.Role.CreateDate == nil {
			t.Errorf("role = %+v, trust %s", r.Role, doc)
		}
		ar, err := prodc.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("Deployer")})
		if err != nil {
			t.Fatal(err)
		}
		if len(ar.AttachedPolicies) != 1 || aws.ToString(ar.AttachedPolicies[0].PolicyName) != "DeployLimited" {
			t.Errorf("attached = %+v", ar.AttachedPolicies)
		}
		rp, err := prodc.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("Deployer")})
		if err != nil || len(rp.PolicyNames) != 0 {
			t.Errorf("role policies = %v, %v", rp, err)
		}
	})
}

func TestGetAccountAuthorizationDetails(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{PageSize: 3})
	c := iam.NewFromConfig(auditConfig(t, s, mgmt, "us-east-1"))
	p := iam.NewGetAccountAuthorizationDetailsPaginator(c, &iam.GetAccountAuthorizationDetailsInput{})
	var users, roles, policies []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, u := range out.UserDetailList {
			users = append(users, aws.ToString(u.UserName))
			if aws.ToString(u.UserName) == "bob" && (len(u.UserPolicyList) != 1 || len(u.AttachedManagedPolicies) != 1) {
				t.Errorf("bob = %+v", u)
			}
		}
		for _, r := range out.RoleDetailList {
			roles = append(roles, aws.ToString(r.RoleName))
		}
		for _, pol := range out.Policies {
			policies = append(policies, aws.ToString(pol.PolicyName))
			if len(pol.PolicyVersionList) != 1 || !pol.PolicyVersionList[0].IsDefaultVersion {
				t.Errorf("policy %s versions = %+v", aws.ToString(pol.PolicyName), pol.PolicyVersionList)
			}
		}
	}
	if diff := cmp.Diff([]string{"sim-operator", "alice", "bob"}, users); diff != "" {
		t.Errorf("users (-want +got)\n%s", diff)
	}
	if len(roles) != 4 || pages != 4 {
		t.Errorf("roles %v in %d pages", roles, pages)
	}
	if diff := cmp.Diff([]string{"AllowEverything", "ReadBillingOnly", "SecurityAudit", "ReadOnlyAccess", "AWSSupportAccess"}, policies); diff != "" {
		t.Errorf("policies (-want +got)\n%s", diff)
	}
}

// TestCredentialReport walks the state machine and checks the CSV.
func TestCredentialReport(t *testing.T) {
	t.Parallel()
	now := testClock
	s := newTestSim(t, Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	c := iam.NewFromConfig(auditConfig(t, s, prod, "us-east-1"))

	_, err := c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	var np *types.CredentialReportNotPresentException
	if !errors.As(err, &np) {
		t.Fatalf("before generation: err = %v, want CredentialReportNotPresentException", err)
	}
	g, err := c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
	if err != nil || g.State != types.ReportStateTypeStarted {
		t.Fatalf("generate = %v, %v; want STARTED", g, err)
	}
	_, err = c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	var nr *types.CredentialReportNotReadyException
	if !errors.As(err, &nr) {
		t.Fatalf("while generating: err = %v, want CredentialReportNotReadyException", err)
	}
	g, err = c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
	if err != nil || g.State != types.ReportStateTypeComplete {
		t.Fatalf("generate again = %v, %v; want COMPLETE", g, err)
	}
	r, err := c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	if r.ReportFormat != types.ReportFormatTypeTextCsv || !aws.ToTime(r.GeneratedTime).Equal(now) {
		t.Errorf("format %q generated %v", r.ReportFormat, r.GeneratedTime)
	}
	rows, err := csv.NewReader(strings.NewReader(string(r.Content))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ReportHeader, rows[0]); diff != "" {
		t.Errorf("header (-want +got)\n%s", diff)
	}
	want := [][]string{
		{"<root_account>", "arn:aws:iam::222222222222:root", "2023-08-16T12:00:00+00:00", "not_supported", "no_information", "not_supported", "not_supported", "true",
			"false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A"},
		{"ci-deployer", "arn:aws:iam::222222222222:user/ci-deployer", "2026-05-12T12:00:00+00:00", "false", "N/A", "N/A", "N/A", "false",
			"true", "2026-10-29T12:00:00+00:00", "2026-11-28T11:00:00+00:00", "eu-west-1", "s3", "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A"},
		{"carol", "arn:aws:iam::222222222222:user/carol", "2024-06-11T12:00:00+00:00", "true", "2026-05-12T12:00:00+00:00", "2026-02-01T12:00:00+00:00", "2026-07-31T12:00:00+00:00", "true",
			"false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A"},
		{"dave", "arn:aws:iam::222222222222:user/dave", "2025-06-26T12:00:00+00:00", "true", "no_information", "2026-07-31T12:00:00+00:00", "2027-01-27T12:00:00+00:00", "false",
			"false", "2025-07-16T12:00:00+00:00", "2025-09-04T12:00:00+00:00", "us-east-1", "ec2", "true", "2026-08-20T12:00:00+00:00", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A"},
	}
	if diff := cmp.Diff(want, rows[1:]); diff != "" {
		t.Errorf("rows (-want +got)\n%s", diff)
	}

	// four hours later the report has expired; generating starts again
	now = now.Add(4 * time.Hour)
	c = iam.NewFromConfig(auditConfig(t, s, prod, "us-east-1")) // the first session expired after an hour
	_, err = c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	var ex *types.CredentialReportExpiredException
	if !errors.As(err, &ex) {
		t.Fatalf("after 4h: err = %v, want CredentialReportExpiredException", err)
	}
	g, err = c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
	if err != nil || g.State != types.ReportStateTypeStarted {
		t.Fatalf("regenerate = %v, %v; want STARTED", g, err)
	}
}
