package collect

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// IAM is a global service: every IAM call goes to the account's home region
// and every IAM row is in region "global".

const (
	// credentialReportMaxAge is how long AWS keeps a credential report: a
	// GenerateCredentialReport within it answers COMPLETE at once.
	credentialReportMaxAge = 4 * time.Hour
	// credentialReportPolls bounds GenerateCredentialReport calls per run.
	credentialReportPolls = 10
	// credentialReportWait is the pause between polls.
	credentialReportWait = 2 * time.Second
)

func init() {
	register(
		&Collector{
			Name: "iam_credential_report", Service: "iam", Scope: Global,
			Tables: []string{"iam_credential_report"},
			Ops: []Op{
				{Name: "iam:GenerateCredentialReport", Kind: Poll, Assume: 2, AssumeMax: credentialReportPolls},
				{Name: "iam:GetCredentialReport", Kind: Once},
			},
			Run:     credentialReport,
			Predict: predictCredentialReport,
		},
		&Collector{
			Name: "iam_password_policy", Service: "iam", Scope: Global,
			Tables: []string{"iam_password_policy"},
			Ops:    []Op{{Name: "iam:GetAccountPasswordPolicy", Kind: Once}},
			Run:    passwordPolicy,
		},
		&Collector{
			Name: "iam_account_summary", Service: "iam", Scope: Global,
			Tables: []string{"iam_account_summary"},
			Ops:    []Op{{Name: "iam:GetAccountSummary", Kind: Once}},
			Run:    accountSummary,
		},
		&Collector{
			Name: "iam_virtual_mfa_devices", Service: "iam", Scope: Global,
			Tables: []string{"iam_virtual_mfa_devices"},
			Ops:    []Op{{Name: "iam:ListVirtualMFADevices", Kind: Paged, Assume: 1, AssumeMax: 3}},
			Run:    virtualMFADevices,
		},
		&Collector{
			Name: "iam_users", Service: "iam", Scope: Global,
			Tables: []string{"iam_users"},
			Ops:    []Op{{Name: "iam:ListUsers", Kind: Paged, Assume: 1, AssumeMax: 5}},
			Run:    users,
		},
		&Collector{
			Name: "iam_user_attached_policies", Service: "iam", Scope: Global,
			Tables: []string{"iam_user_attached_policies"},
			Needs:  []string{"iam_users"},
			Ops:    []Op{{Name: "iam:ListAttachedUserPolicies", Kind: PerResource, Per: "user", Assume: 10, AssumeMax: 200}},
			Run:    userAttachedPolicies,
		},
		&Collector{
			Name: "iam_user_inline_policies", Service: "iam", Scope: Global,
			Tables: []string{"iam_user_inline_policies"},
			Needs:  []string{"iam_users"},
			Ops:    []Op{{Name: "iam:ListUserPolicies", Kind: PerResource, Per: "user", Assume: 10, AssumeMax: 200}},
			Run:    userInlinePolicies,
		},
		&Collector{
			Name: "iam_policies", Service: "iam", Scope: Global,
			Tables: []string{"iam_policies"},
			Ops:    []Op{{Name: "iam:ListPolicies", Kind: Paged, Assume: 1, AssumeMax: 10}},
			Run:    customerPolicies,
		},
		&Collector{
			Name: "iam_policy_statements", Service: "iam", Scope: Global,
			Tables: []string{"iam_policy_statements"},
			Needs:  []string{"iam_policies"},
			Ops:    []Op{{Name: "iam:GetPolicyVersion", Kind: PerResource, Per: "customer managed policy", Assume: 10, AssumeMax: 300}},
			Run:    policyStatements,
		},
		&Collector{
			Name: "iam_policy_entities", Service: "iam", Scope: Global,
			Tables: []string{"iam_policy_entities"},
			Ops:    []Op{{Name: "iam:ListEntitiesForPolicy", Kind: Paged, Assume: 1, AssumeMax: 3}},
			Run:    supportPolicyEntities,
		},
	)
}

// SupportPolicy is the AWS managed policy IAM.18 looks for, in partition.
func SupportPolicy(partition string) string {
	return "arn:" + partition + ":iam::aws:policy/AWSSupportAccess"
}

func credentialReport(ctx context.Context, env *Env) error {
	cl := env.Clients.IAM(env.HomeRegion)
	ctx = env.Context(ctx)
	for i := 1; ; i++ {
		out, err := cl.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
		if err != nil {
			env.Gap("iam:GenerateCredentialReport", GlobalRegion, "", err)
			return ctx.Err()
		}
		if out.State == types.ReportStateTypeComplete {
			break
		}
		if i >= credentialReportPolls {
			env.GapReason("iam:GenerateCredentialReport", GlobalRegion, "", ClassError,
				fmt.Sprintf("iam:GenerateCredentialReport: the credential report was still %s after %d polls", out.State, i))
			return nil
		}
		if err := env.Sleep(ctx, credentialReportWait); err != nil {
			return err
		}
	}
	out, err := cl.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if err != nil {
		env.Gap("iam:GetCredentialReport", GlobalRegion, "", err)
		return ctx.Err()
	}
	rows, err := parseCredentialReport(out.Content)
	if err != nil {
		env.GapReason("iam:GetCredentialReport", GlobalRegion, "", ClassError, "iam:GetCredentialReport: "+err.Error())
		return nil
	}
	generated := ts(out.GeneratedTime)
	for _, r := range rows {
		env.Add("iam_credential_report", GlobalRegion, r.user, r.arn, r.user == "<root_account>",
			r.time("user_creation_time"), r.bool("password_enabled"), r.time("password_last_used"),
			r.time("password_last_changed"), r.time("password_next_rotation"), r.bool("mfa_active"),
			r.bool("access_key_1_active"), r.time("access_key_1_last_rotated"), r.time("access_key_1_last_used_date"),
			r.bool("access_key_2_active"), r.time("access_key_2_last_rotated"), r.time("access_key_2_last_used_date"),
			generated)
	}
	return nil
}

type reportRow struct {
	user, arn string
	cols      map[string]string
}

// value is a column's text, "" for the report's placeholders.
func (r reportRow) value(k string) string {
	switch v := r.cols[k]; v {
	case "N/A", "no_information", "not_supported", "":
		return ""
	default:
		return v
	}
}

func (r reportRow) time(k string) any {
	v := r.value(k)
	if v == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil
	}
	return t.UTC()
}

func (r reportRow) bool(k string) any {
	switch r.value(k) {
	case "true":
		return true
	case "false":
		return false
	}
	return nil
}

func parseCredentialReport(b []byte) ([]reportRow, error) {
	rd := csv.NewReader(bytes.NewReader(b))
	rd.FieldsPerRecord = -1
	header, err := rd.Read()
	if err != nil {
		return nil, fmt.Errorf("credential report header: %w", err)
	}
	var out []reportRow
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("credential report: %w", err)
		}
		r := reportRow{cols: map[string]string{}}
		for i, h := range header {
			if i < len(rec) {
				r.cols[h] = rec[i]
			}
		}
		r.user, r.arn = r.cols["user"], r.cols["arn"]
		if r.user == "" || r.arn == "" {
			return nil, fmt.Errorf("credential report row without user or arn")
		}
		out = append(out, r)
	}
	return out, nil
}

// predictCredentialReport: a report younger than AWS's 4 hours is returned
// by the first GenerateCredentialReport; an older one is generated again and
// polled.
func predictCredentialReport(ctx context.Context, db Querier, scanID, account string, now time.Time) (Estimate, error) {
	rows, err := db.QueryContext(ctx, `SELECT max(report_generated_at) FROM iam_credential_report WHERE scan_id = $1 AND account_id = $2`, scanID, account)
	if err != nil {
		return Estimate{}, err
	}
	defer rows.Close()
	var gen sql.NullTime
	if rows.Next() {
		if err := rows.Scan(&gen); err != nil {
			return Estimate{}, err
		}
	}
	if err := rows.Err(); err != nil {
		return Estimate{}, err
	}
	if gen.Valid && now.Sub(gen.Time) < credentialReportMaxAge {
		return Estimate{Calls: 1, Min: 1, Max: 1, Basis: fmt.Sprintf("the credential report generated %s is under 4 hours old: AWS answers COMPLETE at once",
			gen.Time.UTC().Format(time.RFC3339))}, nil
	}
	return Estimate{Calls: 2, Min: 2, Max: credentialReportPolls,
		Basis: fmt.Sprintf("a new credential report: started, then polled every %s until complete (at most %d calls)", credentialReportWait, credentialReportPolls)}, nil
}

func passwordPolicy(ctx context.Context, env *Env) error {
	out, err := env.Clients.IAM(env.HomeRegion).GetAccountPasswordPolicy(env.Context(ctx), &iam.GetAccountPasswordPolicyInput{})
	switch {
	case err != nil && NotFound(err):
		env.Add("iam_password_policy", GlobalRegion, false, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil)
		return nil
	case err != nil:
		env.Gap("iam:GetAccountPasswordPolicy", GlobalRegion, "", err)
		return ctx.Err()
	}
	p := out.PasswordPolicy
	env.Add("iam_password_policy", GlobalRegion, true, int32Val(p.MinimumPasswordLength), p.RequireSymbols, p.RequireNumbers,
		p.RequireUppercaseCharacters, p.RequireLowercaseCharacters, p.AllowUsersToChangePassword, p.ExpirePasswords,
		int32Val(p.MaxPasswordAge), int32Val(p.PasswordReusePrevention), boolVal(p.HardExpiry))
	return nil
}

func accountSummary(ctx context.Context, env *Env) error {
	out, err := env.Clients.IAM(env.HomeRegion).GetAccountSummary(env.Context(ctx), &iam.GetAccountSummaryInput{})
	if err != nil {
		env.Gap("iam:GetAccountSummary", GlobalRegion, "", err)
		return ctx.Err()
	}
	for _, k := range sortedKeys(out.SummaryMap) {
		env.Add("iam_account_summary", GlobalRegion, k, int64(out.SummaryMap[k]))
	}
	return nil
}

func virtualMFADevices(ctx context.Context, env *Env) error {
	p := iam.NewListVirtualMFADevicesPaginator(env.Clients.IAM(env.HomeRegion), &iam.ListVirtualMFADevicesInput{})
	ctx = env.Context(ctx)
	var rows [][]any
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			env.Gap("iam:ListVirtualMFADevices", GlobalRegion, "", err)
			return ctx.Err()
		}
		for _, d := range out.VirtualMFADevices {
			var user any
			if d.User != nil {
				user = nullable(str(d.User.Arn))
			}
			rows = append(rows, []any{str(d.SerialNumber), user, ts(d.EnableDate)})
		}
	}
	for _, r := range rows {
		env.Add("iam_virtual_mfa_devices", GlobalRegion, r...)
	}
	return nil
}

func users(ctx context.Context, env *Env) error {
	p := iam.NewListUsersPaginator(env.Clients.IAM(env.HomeRegion), &iam.ListUsersInput{})
	ctx = env.Context(ctx)
	var rows [][]any
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			env.Gap("iam:ListUsers", GlobalRegion, "", err)
			return ctx.Err()
		}
		for _, u := range out.Users {
			rows = append(rows, []any{str(u.UserName), nullable(str(u.UserId)), str(u.Arn), nullable(str(u.Path)),
				ts(u.CreateDate), ts(u.PasswordLastUsed)})
		}
	}
	for _, r := range rows {
		env.Add("iam_users", GlobalRegion, r...)
	}
	return nil
}

type namedARN struct{ name, arn string }

// listUsers reads the users this scan listed in the account.
func listUsers(ctx context.Context, env *Env) ([]namedARN, error) {
	return queryPairs(ctx, env, `SELECT user_name, arn FROM iam_users WHERE scan_id = $1 AND account_id = $2 ORDER BY arn`)
}

func queryPairs(ctx context.Context, env *Env, q string) ([]namedARN, error) {
	rows, err := env.DB.QueryContext(ctx, q, env.ScanID, env.Account)
	if err != nil {
		return nil, fmt.Errorf("read inventory: %w", err)
	}
	defer rows.Close()
	var out []namedARN
	for rows.Next() {
		var n namedARN
		if err := rows.Scan(&n.name, &n.arn); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func userAttachedPolicies(ctx context.Context, env *Env) error {
	us, err := listUsers(ctx, env)
	if err != nil {
		return err
	}
	cl := env.Clients.IAM(env.HomeRegion)
	cctx := env.Context(ctx)
	for _, u := range us {
		p := iam.NewListAttachedUserPoliciesPaginator(cl, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(u.name)})
		var rows [][]any
		failed := false
		for p.HasMorePages() {
			out, err := p.NextPage(cctx)
			if err != nil {
				if !NotFound(err) { // a user deleted since it was listed has nothing attached
					env.Gap("iam:ListAttachedUserPolicies", GlobalRegion, u.arn, err)
				}
				failed = true
				break
			}
			for _, ap := range out.AttachedPolicies {
				rows = append(rows, []any{u.name, u.arn, str(ap.PolicyArn), nullable(str(ap.PolicyName))})
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !failed {
			for _, r := range rows {
				env.Add("iam_user_attached_policies", GlobalRegion, r...)
			}
		}
	}
	return nil
}

func userInlinePolicies(ctx context.Context, env *Env) error {
	us, err := listUsers(ctx, env)
	if err != nil {
		return err
	}
	cl := env.Clients.IAM(env.HomeRegion)
	cctx := env.Context(ctx)
	for _, u := range us {
		p := iam.NewListUserPoliciesPaginator(cl, &iam.ListUserPoliciesInput{UserName: aws.String(u.name)})
		var rows [][]any
		failed := false
		for p.HasMorePages() {
			out, err := p.NextPage(cctx)
			if err != nil {
				if !NotFound(err) {
					env.Gap("iam:ListUserPolicies", GlobalRegion, u.arn, err)
				}
				failed = true
				break
			}
			for _, name := range out.PolicyNames {
				rows = append(rows, []any{u.name, u.arn, name})
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !failed {
			for _, r := range rows {
				env.Add("iam_user_inline_policies", GlobalRegion, r...)
			}
		}
	}
	return nil
}

func customerPolicies(ctx context.Context, env *Env) error {
	p := iam.NewListPoliciesPaginator(env.Clients.IAM(env.HomeRegion), &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	ctx = env.Context(ctx)
	var rows [][]any
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			env.Gap("iam:ListPolicies", GlobalRegion, "", err)
			return ctx.Err()
		}
		for _, pol := range out.Policies {
			rows = append(rows, []any{str(pol.PolicyName), nullable(str(pol.PolicyId)), str(pol.Arn), nullable(str(pol.Path)),
				nullable(str(pol.DefaultVersionId)), int32Val(pol.AttachmentCount), ts(pol.CreateDate), ts(pol.UpdateDate)})
		}
	}
	for _, r := range rows {
		env.Add("iam_policies", GlobalRegion, r...)
	}
	return nil
}

func policyStatements(ctx context.Context, env *Env) error {
	rows, err := env.DB.QueryContext(ctx, `SELECT arn, coalesce(default_version_id, '') FROM iam_policies
		WHERE scan_id = $1 AND account_id = $2 ORDER BY arn`, env.ScanID, env.Account)
	if err != nil {
		return fmt.Errorf("read inventory: %w", err)
	}
	var pols []namedARN // name holds the version
	for rows.Next() {
		var n namedARN
		if err := rows.Scan(&n.arn, &n.name); err != nil {
			rows.Close()
			return err
		}
		pols = append(pols, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	cl := env.Clients.IAM(env.HomeRegion)
	cctx := env.Context(ctx)
	for _, p := range pols {
		out, err := cl.GetPolicyVersion(cctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(p.arn), VersionId: aws.String(p.name)})
		if err != nil {
			if !NotFound(err) {
				env.Gap("iam:GetPolicyVersion", GlobalRegion, p.arn, err)
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			continue
		}
		sts, err := parsePolicy(str(out.PolicyVersion.Document))
		if err != nil {
			env.GapReason("iam:GetPolicyVersion", GlobalRegion, p.arn, ClassError, "iam:GetPolicyVersion: "+p.arn+": "+err.Error())
			continue
		}
		for i, st := range sts {
			env.Add("iam_policy_statements", GlobalRegion, p.arn, nullable(p.name), i, nullable(st.Sid), nullable(st.Effect),
				list(st.Actions), list(st.NotActions), list(st.Resources), list(st.NotResources), st.Condition != "", nullable(st.Condition))
		}
	}
	return nil
}

func supportPolicyEntities(ctx context.Context, env *Env) error {
	arn := SupportPolicy(env.Partition)
	p := iam.NewListEntitiesForPolicyPaginator(env.Clients.IAM(env.HomeRegion), &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn)})
	ctx = env.Context(ctx)
	var rows [][]any
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			env.Gap("iam:ListEntitiesForPolicy", GlobalRegion, "", err)
			return ctx.Err()
		}
		for _, u := range out.PolicyUsers {
			rows = append(rows, []any{arn, "user", str(u.UserName), nullable(str(u.UserId))})
		}
		for _, g := range out.PolicyGroups {
			rows = append(rows, []any{arn, "group", str(g.GroupName), nullable(str(g.GroupId))})
		}
		for _, r := range out.PolicyRoles {
			rows = append(rows, []any{arn, "role", str(r.RoleName), nullable(str(r.RoleId))})
		}
	}
	for _, r := range rows {
		env.Add("iam_policy_entities", GlobalRegion, r...)
	}
	return nil
}

func int32Val(p *int32) any {
	if p == nil {
		return nil
	}
	return *p
}

func boolVal(p *bool) any {
	if p == nil {
		return nil
	}
	return *p
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
