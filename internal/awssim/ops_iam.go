package awssim

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

func registerIAM(r registry) {
	op := func(name string, h func(*Call) (any, error)) *Operation {
		return &Operation{Service: "iam", Name: name, ReadOnly: true, Handler: h}
	}
	r.add(
		op("GenerateCredentialReport", iamGenerateCredentialReport),
		op("GetCredentialReport", iamGetCredentialReport),
		op("GetAccountPasswordPolicy", iamGetAccountPasswordPolicy),
		op("GetAccountSummary", iamGetAccountSummary),
		op("ListUsers", iamListUsers),
		op("GetUser", iamGetUser),
		op("ListAttachedUserPolicies", iamListAttachedUserPolicies),
		op("ListUserPolicies", iamListUserPolicies),
		op("GetUserPolicy", iamGetUserPolicy),
		op("ListPolicies", iamListPolicies),
		op("GetPolicy", iamGetPolicy),
		op("GetPolicyVersion", iamGetPolicyVersion),
		op("ListEntitiesForPolicy", iamListEntitiesForPolicy),
		op("ListVirtualMFADevices", iamListVirtualMFADevices),
		op("ListMFADevices", iamListMFADevices),
		op("ListAccessKeys", iamListAccessKeys),
		op("GetAccessKeyLastUsed", iamGetAccessKeyLastUsed),
		op("ListRoles", iamListRoles),
		op("GetRole", iamGetRole),
		op("ListAttachedRolePolicies", iamListAttachedRolePolicies),
		op("ListRolePolicies", iamListRolePolicies),
		op("GetAccountAuthorizationDetails", iamGetAccountAuthorizationDetails),
	)
}

// iamNoSuchEntity is IAM's 404 (logged by CloudTrail as NoSuchEntityException).
func iamNoSuchEntity(format string, args ...any) *Error {
	return &Error{Code: "NoSuchEntity", TrailCode: "NoSuchEntityException", Status: 404,
		Message: fmt.Sprintf(format, args...)}
}

// urlDoc URL-encodes a policy document as IAM returns them.
func urlDoc(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// iamPage pages with IAM's Marker/MaxItems (default 100).
func iamPage[T any](c *Call, items []T) ([]T, Struct, error) {
	max, _ := c.In.Int("MaxItems")
	page, next, err := paginate(c, items, c.In.Str("Marker"), max, 100)
	if err != nil {
		return nil, nil, err
	}
	tail := Struct{F("IsTruncated", next != "")}
	if next != "" {
		tail = append(tail, F("Marker", next))
	}
	return page, tail, nil
}

func iamGenerateCredentialReport(c *Call) (any, error) {
	state := c.sim.generateReport(c)
	desc := "No report exists. Starting a new report generation task"
	if state == "COMPLETE" {
		desc = ""
	}
	out := Struct{F("State", state)}
	if desc != "" {
		out = append(out, F("Description", desc))
	}
	return out, nil
}

func iamGetCredentialReport(c *Call) (any, error) {
	r, e := c.sim.report(c)
	if e != nil {
		return nil, e
	}
	return Struct{F("Content", r.content), F("ReportFormat", "text/csv"), F("GeneratedTime", r.generated)}, nil
}

func iamGetAccountPasswordPolicy(c *Call) (any, error) {
	pp := c.Account.IAM.PasswordPolicy
	if pp == nil {
		return nil, iamNoSuchEntity("The Password Policy with domain name %s cannot be found.", c.Account.ID)
	}
	min := pp.MinimumPasswordLength
	if min == 0 {
		min = 8
	}
	p := Struct{
		F("MinimumPasswordLength", min),
		F("RequireSymbols", pp.RequireSymbols),
		F("RequireNumbers", pp.RequireNumbers),
		F("RequireUppercaseCharacters", pp.RequireUppercaseCharacters),
		F("RequireLowercaseCharacters", pp.RequireLowercaseCharacters),
		F("AllowUsersToChangePassword", pp.AllowUsersToChangePassword),
		F("ExpirePasswords", pp.MaxPasswordAge > 0),
	}
	if pp.MaxPasswordAge > 0 {
		p = append(p, F("MaxPasswordAge", pp.MaxPasswordAge))
	}
	if pp.PasswordReusePrevention > 0 {
		p = append(p, F("PasswordReusePrevention", pp.PasswordReusePrevention))
	}
	if pp.HardExpiry {
		p = append(p, F("HardExpiry", true))
	}
	return Struct{F("PasswordPolicy", p)}, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func iamGetAccountSummary(c *Call) (any, error) {
	iam := c.Account.IAM
	mfa, mfaInUse := 0, 0
	for _, u := range iam.Users {
		mfa += len(u.MFA)
		mfaInUse += len(u.MFA)
	}
	if iam.Root.MFA == "virtual" || iam.Root.MFA == "hardware" {
		mfa++
		mfaInUse++
	}
	active := false
	for _, k := range iam.Root.AccessKeys {
		active = active || k.Status != "Inactive"
	}
	// entries in AWS's order
	return Struct{F("SummaryMap", Map{
		F("Users", len(iam.Users)),
		F("UsersQuota", 5000),
		F("Groups", 0),
		F("GroupsQuota", 300),
		F("Roles", len(iam.Roles)),
		F("RolesQuota", 1000),
		F("Policies", len(iam.Policies)),
		F("PoliciesQuota", 1500),
		F("InstanceProfiles", 0),
		F("ServerCertificates", 0),
		F("Providers", 0),
		F("MFADevices", mfa),
		F("MFADevicesInUse", mfaInUse),
		F("AccountMFAEnabled", boolInt(iam.Root.MFA == "virtual" || iam.Root.MFA == "hardware")),
		F("AccountAccessKeysPresent", boolInt(active)),
		F("AccountPasswordPresent", 1),
		F("AccountSigningCertificatesPresent", 0),
		F("AttachedPoliciesPerUserQuota", 10),
		F("AttachedPoliciesPerRoleQuota", 10),
		F("PolicySizeQuota", 6144),
		F("PolicyVersionsInUse", len(iam.Policies)),
		F("PolicyVersionsInUseQuota", 10000),
		F("VersionsPerPolicyQuota", 5),
		F("GlobalEndpointTokenVersion", 1),
	})}, nil
}

func userStruct(c *Call, u *User) Struct {
	s := Struct{
		F("Path", pathOr(u.Path)),
		F("UserName", u.Name),
		F("UserId", userID(c.Account, u)),
		F("Arn", userARN(c.Account, u)),
		F("CreateDate", u.Created.Or(c.Now, -365*24*time.Hour)),
	}
	if u.Password != nil && u.Password.LastUsed.IsSet() {
		s = append(s, F("PasswordLastUsed", u.Password.LastUsed.At(c.Now)))
	}
	return s
}

func (c *Call) user(name string) (*User, error) {
	for _, u := range c.Account.IAM.Users {
		if u.Name == name {
			return u, nil
		}
	}
	return nil, iamNoSuchEntity("The user with name %s cannot be found.", name)
}

// userArg is the UserName member, or the calling user when absent.
func (c *Call) userArg() (*User, error) {
	name := c.In.Str("UserName")
	if name == "" {
		if c.caller.Type == TypeIAMUser {
			return c.caller.User, nil
		}
		return nil, c.err(errValidation, "Must specify userName when calling with non-User credentials")
	}
	return c.user(name)
}

func (c *Call) role(name string) (*Role, error) {
	for _, r := range c.Account.IAM.Roles {
		if r.Name == name {
			return r, nil
		}
	}
	return nil, iamNoSuchEntity("The role with name %s cannot be found.", name)
}

func iamListUsers(c *Call) (any, error) {
	prefix := c.In.Str("PathPrefix")
	var users []any
	for _, u := range c.Account.IAM.Users {
		if strings.HasPrefix(pathOr(u.Path), prefix) {
			users = append(users, userStruct(c, u))
		}
	}
	page, tail, err := iamPage(c, users)
	if err != nil {
		return nil, err
	}
	return append(Struct{F("Users", List(page))}, tail...), nil
}

func iamGetUser(c *Call) (any, error) {
	u, err := c.userArg()
	if err != nil {
		return nil, err
	}
	return Struct{F("User", userStruct(c, u))}, nil
}

// policyName resolves a policy ARN visible in the account.
func (c *Call) policy(arn string) (*Policy, string, error) {
	for _, p := range c.Account.IAM.Policies {
		if policyARN(c.Account.ID, p) == arn {
			return p, c.Account.ID, nil
		}
	}
	for _, p := range c.sim.fx.AWSManagedPolicies {
		if policyARN("aws", p) == arn {
			return p, "aws", nil
		}
	}
	return nil, "", iamNoSuchEntity("Policy %s does not exist or is not attachable.", arn)
}

func (c *Call) attachedList(arns []string) []any {
	var out []any
	for _, arn := range arns {
		p, _, err := c.policy(arn)
		if err != nil {
			continue
		}
		out = append(out, Struct{F("PolicyName", p.Name), F("PolicyArn", arn)})
	}
	return out
}

func iamListAttachedUserPolicies(c *Call) (any, error) {
	u, err := c.user(c.In.Str("UserName"))
	if err != nil {
		return nil, err
	}
	page, tail, err := iamPage(c, c.attachedList(u.AttachedPolicies))
	if err != nil {
		return nil, err
	}
	return append(Struct{F("AttachedPolicies", List(page))}, tail...), nil
}

func inlineNames(ps []*Inline) []any {
	out := make([]any, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func iamListUserPolicies(c *Call) (any, error) {
	u, err := c.user(c.In.Str("UserName"))
	if err != nil {
		return nil, err
	}
	page, tail, err := iamPage(c, inlineNames(u.InlinePolicies))
	if err != nil {
		return nil, err
	}
	return append(Struct{F("PolicyNames", List(page))}, tail...), nil
}

func iamGetUserPolicy(c *Call) (any, error) {
	u, err := c.user(c.In.Str("UserName"))
	if err != nil {
		return nil, err
	}
	name := c.In.Str("PolicyName")
	for _, p := range u.InlinePolicies {
		if p.Name == name {
			return Struct{F("UserName", u.Name), F("PolicyName", p.Name), F("PolicyDocument", urlDoc(p.Document.JSON))}, nil
		}
	}
	return nil, iamNoSuchEntity("The user policy with name %s cannot be found.", name)
}

// attachments lists the users and roles of the account a policy is attached to.
func attachments(a *Account, arn string) (users []*User, roles []*Role) {
	for _, u := range a.IAM.Users {
		for _, p := range u.AttachedPolicies {
			if p == arn {
				users = append(users, u)
			}
		}
	}
	for _, r := range a.IAM.Roles {
		for _, p := range r.AttachedPolicies {
			if p == arn {
				roles = append(roles, r)
			}
		}
	}
	return users, roles
}

func (c *Call) policyStruct(p *Policy, owner string) Struct {
	arn := policyARN(owner, p)
	users, roles := attachments(c.Account, arn)
	version := p.Version
	if version == "" {
		version = "v1"
	}
	created := p.Created.Or(c.Now, -500*24*time.Hour)
	updated := created
	if p.Updated.IsSet() {
		updated = p.Updated.At(c.Now)
	}
	s := Struct{
		F("PolicyName", p.Name),
		F("PolicyId", policyID(owner, p)),
		F("Arn", arn),
		F("Path", pathOr(p.Path)),
		F("DefaultVersionId", version),
		F("AttachmentCount", len(users)+len(roles)),
		F("PermissionsBoundaryUsageCount", 0),
		F("IsAttachable", true),
	}
	if p.Description != "" {
		s = append(s, F("Description", p.Description))
	}
	return append(s, F("CreateDate", created), F("UpdateDate", updated))
}

func iamListPolicies(c *Call) (any, error) {
	scope := c.In.Str("Scope")
	onlyAttached, _ := c.In.Bool("OnlyAttached")
	prefix := c.In.Str("PathPrefix")
	var all []any
	add := func(p *Policy, owner string) {
		s := c.policyStruct(p, owner)
		if onlyAttached {
			users, roles := attachments(c.Account, policyARN(owner, p))
			if len(users)+len(roles) == 0 {
				return
			}
		}
		if !strings.HasPrefix(pathOr(p.Path), prefix) {
			return
		}
		all = append(all, s)
	}
	if scope == "" || scope == "All" || scope == "AWS" {
		for _, p := range c.sim.fx.AWSManagedPolicies {
			add(p, "aws")
		}
	}
	if scope == "" || scope == "All" || scope == "Local" {
		for _, p := range c.Account.IAM.Policies {
			add(p, c.Account.ID)
		}
	}
	page, tail, err := iamPage(c, all)
	if err != nil {
		return nil, err
	}
	return append(Struct{F("Policies", List(page))}, tail...), nil
}

func iamGetPolicy(c *Call) (any, error) {
	p, owner, err := c.policy(c.In.Str("PolicyArn"))
	if err != nil {
		return nil, err
	}
	return Struct{F("Policy", c.policyStruct(p, owner))}, nil
}

func iamGetPolicyVersion(c *Call) (any, error) {
	p, _, err := c.policy(c.In.Str("PolicyArn"))
	if err != nil {
		return nil, err
	}
	version := p.Version
	if version == "" {
		version = "v1"
	}
	if v := c.In.Str("VersionId"); v != version {
		return nil, iamNoSuchEntity("Policy %s version %s does not exist or is not attachable.", c.In.Str("PolicyArn"), v)
	}
	created := p.Created.Or(c.Now, -500*24*time.Hour)
	if p.Updated.IsSet() {
		created = p.Updated.At(c.Now)
	}
	return Struct{F("PolicyVersion", Struct{
		F("Document", urlDoc(p.Document.JSON)),
		F("VersionId", version),
		F("IsDefaultVersion", true),
		F("CreateDate", created),
	})}, nil
}

func iamListEntitiesForPolicy(c *Call) (any, error) {
	arn := c.In.Str("PolicyArn")
	if _, _, err := c.policy(arn); err != nil {
		return nil, err
	}
	filter := c.In.Str("EntityFilter")
	if c.In.Str("PolicyUsageFilter") == "PermissionsBoundary" {
		// the simulator models no permissions boundaries
		return Struct{F("PolicyGroups", List{}), F("PolicyUsers", List{}), F("PolicyRoles", List{}), F("IsTruncated", false)}, nil
	}
	users, roles := attachments(c.Account, arn)
	var u, r []any
	if filter == "" || filter == "User" {
		for _, x := range users {
			u = append(u, Struct{F("UserName", x.Name), F("UserId", userID(c.Account, x))})
		}
	}
	if filter == "" || filter == "Role" {
		for _, x := range roles {
			r = append(r, Struct{F("RoleName", x.Name), F("RoleId", roleID(c.Account, x))})
		}
	}
	return Struct{F("PolicyGroups", List{}), F("PolicyUsers", List(u)), F("PolicyRoles", List(r)), F("IsTruncated", false)}, nil
}

func mfaSerial(a *Account, u *User, m *MFADevice, i int) string {
	if m.Serial != "" {
		return m.Serial
	}
	if m.Type == "hardware" {
		return stableID("GAHT", a.ID+u.Name+string(rune('0'+i)))[:12]
	}
	return "arn:aws:iam::" + a.ID + ":mfa/" + u.Name
}

func iamListVirtualMFADevices(c *Call) (any, error) {
	status := c.In.Str("AssignmentStatus")
	var out []any
	a := c.Account
	if a.IAM.Root.MFA == "virtual" && status != "Unassigned" {
		out = append(out, Struct{
			F("SerialNumber", "arn:aws:iam::"+a.ID+":mfa/root-account-mfa-device"),
			F("User", Struct{F("Path", "/"), F("UserName", "<root_account>"), F("UserId", a.ID),
				F("Arn", "arn:aws:iam::"+a.ID+":root"), F("CreateDate", a.Created.Or(c.Now, -3*365*24*time.Hour))}),
			F("EnableDate", a.Created.Or(c.Now, -3*365*24*time.Hour)),
		})
	}
	if status != "Unassigned" {
		for _, u := range a.IAM.Users {
			for i, m := range u.MFA {
				if m.Type != "virtual" {
					continue
				}
				out = append(out, Struct{
					F("SerialNumber", mfaSerial(a, u, m, i)),
					F("User", userStruct(c, u)),
					F("EnableDate", m.Enabled.Or(c.Now, -100*24*time.Hour)),
				})
			}
		}
	}
	page, tail, err := iamPage(c, out)
	if err != nil {
		return nil, err
	}
	return append(Struct{F("VirtualMFADevices", List(page))}, tail...), nil
}

func iamListMFADevices(c *Call) (any, error) {
	u, err := c.userArg()
	if err != nil {
		return nil, err
	}
	var out []any
	for i, m := range u.MFA {
		out = append(out, Struct{F("UserName", u.Name), F("SerialNumber", mfaSerial(c.Account, u, m, i)),
			F("EnableDate", m.Enabled.Or(c.Now, -100*24*time.Hour))})
	}
	page, tail, err := iamPage(c, out)
	if err != nil {
		return nil, err
	}
	return append(Struct{F("MFADevices", List(page))}, tail...), nil
}

func keyStatus(k *AccessKey) string {
	if k.Status == "" {
		return "Active"
	}
	return k.Status
}

func iamListAccessKeys(c *Call) (any, error) {
	u, err := c.userArg()
	if err != nil {
		return nil, err
	}
	var out []any
	for _, k := range u.AccessKeys {
		out = append(out, Struct{F("UserName", u.Name), F("AccessKeyId", k.ID), F("Status", keyStatus(k)),
			F("CreateDate", k.Created.Or(c.Now, -24*time.Hour))})
	}
	page, tail, err := iamPage(c, out)
	if err != nil {
		return nil, err
	}
	return append(Struct{F("AccessKeyMetadata", List(page))}, tail...), nil
}

func iamGetAccessKeyLastUsed(c *Call) (any, error) {
	id := c.In.Str("AccessKeyId")
	c.sim.mu.Lock()
	p := c.sim.keys[id]
	c.sim.mu.Unlock()
	if p == nil || p.Account != c.Account {
		return nil, c.err(errAccessDenied, "User: %s is not authorized to perform: iam:GetAccessKeyLastUsed on resource: access key %s", c.caller.ARN(), id)
	}
	k := c.sim.keyOf(p)
	name := "<root_account>"
	if p.User != nil {
		name = p.User.Name
	}
	last := Struct{F("ServiceName", "N/A"), F("Region", "N/A")}
	if k.LastUsed != nil {
		svc, region := k.LastUsed.Service, k.LastUsed.Region
		if svc == "" {
			svc = "N/A"
		}
		if region == "" {
			region = "N/A"
		}
		last = Struct{F("LastUsedDate", k.LastUsed.Date.At(c.Now)), F("ServiceName", svc), F("Region", region)}
	}
	return Struct{F("UserName", name), F("AccessKeyLastUsed", last)}, nil
}

func roleStruct(c *Call, r *Role) Struct {
	s := Struct{
		F("Path", pathOr(r.Path)),
		F("RoleName", r.Name),
		F("RoleId", roleID(c.Account, r)),
		F("Arn", roleARN(c.Account, r)),
		F("CreateDate", r.Created.Or(c.Now, -400*24*time.Hour)),
		F("AssumeRolePolicyDocument", urlDoc(r.TrustPolicy.JSON)),
	}
	if r.Description != "" {
		s = append(s, F("Description", r.Description))
	}
	max := r.MaxSessionDuration
	if max == 0 {
		max = 3600
	}
	return append(s, F("MaxSessionDuration", max))
}

func iamListRoles(c *Call) (any, error) {
	prefix := c.In.Str("PathPrefix")
	var out []any
	for _, r := range c.Account.IAM.Roles {
		if strings.HasPrefix(pathOr(r.Path), prefix) {
			out = append(out, roleStruct(c, r))
		}
	}
	page, tail, err := iamPage(c, out)
	if err != nil {
		return nil, err
	}
	return append(Struct{F("Roles", List(page))}, tail...), nil
}

func iamGetRole(c *Call) (any, error) {
	r, err := c.role(c.In.Str("RoleName"))
	if err != nil {
		return nil, err
	}
	return Struct{F("Role", roleStruct(c, r))}, nil
}

func iamListAttachedRolePolicies(c *Call) (any, error) {
	r, err := c.role(c.In.Str("RoleName"))
	if err != nil {
		return nil, err
	}
	page, tail, err := iamPage(c, c.attachedList(r.AttachedPolicies))
	if err != nil {
		return nil, err
	}
	return append(Struct{F("AttachedPolicies", List(page))}, tail...), nil
}

func iamListRolePolicies(c *Call) (any, error) {
	r, err := c.role(c.In.Str("RoleName"))
	if err != nil {
		return nil, err
	}
	page, tail, err := iamPage(c, inlineNames(r.InlinePolicies))
	if err != nil {
		return nil, err
	}
	return append(Struct{F("PolicyNames", List(page))}, tail...), nil
}

func inlineList(ps []*Inline) List {
	out := List{}
	for _, p := range ps {
		out = append(out, Struct{F("PolicyName", p.Name), F("PolicyDocument", urlDoc(p.Document.JSON))})
	}
	return out
}

// iamGetAccountAuthorizationDetails pages over users, roles and policies
// together (in that order), as one listing, filtered by EntityType.
func iamGetAccountAuthorizationDetails(c *Call) (any, error) {
	filter := map[string]bool{}
	for _, f := range c.In.Strs("Filter") {
		filter[f] = true
	}
	want := func(kind string) bool { return len(filter) == 0 || filter[kind] }
	type entity struct {
		kind string
		v    Struct
	}
	var all []entity
	if want("User") {
		for _, u := range c.Account.IAM.Users {
			all = append(all, entity{"user", append(userStruct(c, u)[:5:5],
				F("UserPolicyList", inlineList(u.InlinePolicies)), F("GroupList", List{}),
				F("AttachedManagedPolicies", List(c.attachedList(u.AttachedPolicies))), F("Tags", List{}))})
		}
	}
	if want("Role") {
		for _, r := range c.Account.IAM.Roles {
			rs := roleStruct(c, r)
			all = append(all, entity{"role", Struct{rs[0], rs[1], rs[2], rs[3], rs[4], rs[5],
				F("InstanceProfileList", List{}), F("RolePolicyList", inlineList(r.InlinePolicies)),
				F("AttachedManagedPolicies", List(c.attachedList(r.AttachedPolicies))), F("Tags", List{})}})
		}
	}
	policy := func(p *Policy, owner string) {
		s := c.policyStruct(p, owner)
		version := p.Version
		if version == "" {
			version = "v1"
		}
		created := p.Created.Or(c.Now, -500*24*time.Hour)
		if p.Updated.IsSet() {
			created = p.Updated.At(c.Now)
		}
		all = append(all, entity{"policy", append(s, F("PolicyVersionList", List{Struct{F("Document", urlDoc(p.Document.JSON)),
			F("VersionId", version), F("IsDefaultVersion", true), F("CreateDate", created)}}))})
	}
	if want("LocalManagedPolicy") {
		for _, p := range c.Account.IAM.Policies {
			policy(p, c.Account.ID)
		}
	}
	if want("AWSManagedPolicy") {
		for _, p := range c.sim.fx.AWSManagedPolicies {
			if users, roles := attachments(c.Account, policyARN("aws", p)); len(users)+len(roles) > 0 {
				policy(p, "aws")
			}
		}
	}
	page, tail, err := iamPage(c, all)
	if err != nil {
		return nil, err
	}
	users, roles, policies := List{}, List{}, List{}
	for _, e := range page {
		switch e.kind {
		case "user":
			users = append(users, e.v)
		case "role":
			roles = append(roles, e.v)
		default:
			policies = append(policies, e.v)
		}
	}
	return append(Struct{F("UserDetailList", users), F("GroupDetailList", List{}), F("RoleDetailList", roles),
		F("Policies", policies)}, tail...), nil
}

// sortedKeys returns a map's keys sorted.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
