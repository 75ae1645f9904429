package awssim

import (
	"fmt"
	"net"
	"regexp"
	"strings"
)

var (
	accountRe = regexp.MustCompile(`^\d{12}$`)
	regionRe  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
	keyIDRe   = regexp.MustCompile(`^(AKIA|ASIA)[A-Z0-9]{12,124}$`)
	nameRe    = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
)

// fieldErr is a validation error naming the field.
func fieldErr(path, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidFixture, path, fmt.Sprintf(format, args...))
}

type validator struct {
	errs []error
}

func (v *validator) errf(path, format string, args ...any) {
	v.errs = append(v.errs, fieldErr(path, format, args...))
}

func (v *validator) time(path string, t *RelTime) {
	if err := t.parse(); err != nil {
		v.errf(path, "%v", err)
	}
}

func (v *validator) oneOf(path, val string, allowed ...string) {
	if val == "" {
		return
	}
	for _, a := range allowed {
		if val == a {
			return
		}
	}
	v.errf(path, "%q is not one of %s", val, strings.Join(allowed, ", "))
}

func (v *validator) required(path, val string) bool {
	if val == "" {
		v.errf(path, "is required")
		return false
	}
	return true
}

func (f *Fixture) validate() error {
	v := &validator{}
	f.check(v)
	if len(v.errs) > 0 {
		// The first error is the one to fix first; the count says how many.
		if len(v.errs) > 1 {
			return fmt.Errorf("%w (and %d more)", v.errs[0], len(v.errs)-1)
		}
		return v.errs[0]
	}
	return nil
}

func (f *Fixture) check(v *validator) {
	if len(f.Accounts) == 0 {
		v.errf("accounts", "at least one account is required")
	}
	if len(f.Regions.Enabled) == 0 {
		v.errf("regions.enabled", "at least one enabled region is required")
	}
	regions := map[string]bool{}
	for i, r := range f.Regions.Enabled {
		if !regionRe.MatchString(r) {
			v.errf(fmt.Sprintf("regions.enabled[%d]", i), "%q is not a region name", r)
		}
		regions[r] = true
	}
	for i, r := range f.Regions.NotEnabled {
		if !regionRe.MatchString(r) {
			v.errf(fmt.Sprintf("regions.not_enabled[%d]", i), "%q is not a region name", r)
		}
		if regions[r] {
			v.errf(fmt.Sprintf("regions.not_enabled[%d]", i), "%q is also enabled", r)
		}
	}
	if f.Organization.ID != "" {
		if !regexp.MustCompile(`^o-[a-z0-9]{10,32}$`).MatchString(f.Organization.ID) {
			v.errf("organization.id", "%q is not an organization ID (o- and 10 to 32 lower-case letters or digits)", f.Organization.ID)
		}
		if f.account(f.Organization.ManagementAccount) == nil {
			v.errf("organization.management_account", "%q is not one of the accounts", f.Organization.ManagementAccount)
		}
		v.oneOf("organization.feature_set", f.Organization.FeatureSet, "ALL", "CONSOLIDATED_BILLING")
	}
	awsPolicies := map[string]bool{}
	for i, p := range f.AWSManagedPolicies {
		path := fmt.Sprintf("aws_managed_policies[%d]", i)
		f.checkPolicy(v, path, p)
		awsPolicies[policyARN("aws", p)] = true
	}
	seenAcct := map[string]bool{}
	keys := map[string]string{}
	buckets := map[string]string{}
	for i, a := range f.Accounts {
		path := fmt.Sprintf("accounts[%d]", i)
		if !accountRe.MatchString(a.ID) {
			v.errf(path+".id", "%q is not a 12-digit account ID", a.ID)
		}
		if seenAcct[a.ID] {
			v.errf(path+".id", "account %s appears twice", a.ID)
		}
		seenAcct[a.ID] = true
		v.time(path+".created", &a.Created)
		f.checkIAM(v, path+".iam", a, awsPolicies, keys)
		for j, b := range a.S3.Buckets {
			bp := fmt.Sprintf("%s.s3.buckets[%d]", path, j)
			if v.required(bp+".name", b.Name) {
				if other, ok := buckets[b.Name]; ok {
					v.errf(bp+".name", "bucket %q is also defined at %s (bucket names are global)", b.Name, other)
				}
				buckets[b.Name] = bp
			}
			if b.Region != "" && !regions[b.Region] {
				v.errf(bp+".region", "%q is not an enabled region", b.Region)
			}
			v.time(bp+".created", &b.Created)
			v.oneOf(bp+".acl", b.ACL, "private", "public-read", "public-read-write", "authenticated-read", "log-delivery-write")
			for k, g := range b.Grants {
				gp := fmt.Sprintf("%s.grants[%d]", bp, k)
				v.required(gp+".grantee", g.Grantee)
				v.oneOf(gp+".permission", g.Permission, "FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP")
				v.required(gp+".permission", g.Permission)
			}
			if b.Encryption != nil {
				v.oneOf(bp+".encryption.algorithm", b.Encryption.Algorithm, "AES256", "aws:kms", "aws:kms:dsse")
				v.required(bp+".encryption.algorithm", b.Encryption.Algorithm)
			}
			v.oneOf(bp+".versioning", b.Versioning, "Enabled", "Suspended")
			for k, o := range b.Objects {
				v.required(fmt.Sprintf("%s.objects[%d].key", bp, k), o.Key)
				v.time(fmt.Sprintf("%s.objects[%d].modified", bp, k), &o.Modified)
			}
		}
		for region, r := range a.Regions {
			rp := fmt.Sprintf("%s.regions.%s", path, region)
			if !regions[region] {
				v.errf(rp, "%q is not an enabled region", region)
			}
			if r == nil {
				continue
			}
			f.checkRegional(v, rp, r)
		}
	}
	if f.TrailBucket != "" {
		if _, ok := buckets[f.TrailBucket]; !ok {
			v.errf("trail_bucket", "%q is not a bucket of any account", f.TrailBucket)
		}
	}
	if f.Caller != "" {
		if _, ok := keys[f.Caller]; !ok {
			v.errf("caller", "%q is not an access key of any user or root", f.Caller)
		}
	}
	for i := range f.Faults {
		if err := f.Faults[i].check(); err != nil {
			v.errf(fmt.Sprintf("faults[%d]", i), "%v", err)
		}
	}
	// references between accounts' resources
	for i, a := range f.Accounts {
		for region, r := range a.Regions {
			if r == nil {
				continue
			}
			for j, t := range r.Trails {
				if t.S3Bucket != "" {
					if _, ok := buckets[t.S3Bucket]; !ok {
						v.errf(fmt.Sprintf("accounts[%d].regions.%s.trails[%d].s3_bucket", i, region, j), "%q is not a bucket of any account", t.S3Bucket)
					}
				}
			}
		}
	}
}

func (f *Fixture) account(id string) *Account {
	for _, a := range f.Accounts {
		if a.ID == id {
			return a
		}
	}
	return nil
}

func (f *Fixture) checkPolicy(v *validator, path string, p *Policy) {
	if v.required(path+".name", p.Name) && !nameRe.MatchString(p.Name) {
		v.errf(path+".name", "%q is not a valid policy name", p.Name)
	}
	if p.Document.JSON == "" {
		v.errf(path+".document", "is required")
	}
	v.time(path+".created", &p.Created)
	v.time(path+".updated", &p.Updated)
	if p.Path != "" && (!strings.HasPrefix(p.Path, "/") || !strings.HasSuffix(p.Path, "/")) {
		v.errf(path+".path", "%q must begin and end with /", p.Path)
	}
}

func (f *Fixture) checkKey(v *validator, path string, k *AccessKey, keys map[string]string) {
	if v.required(path+".id", k.ID) {
		if !keyIDRe.MatchString(k.ID) || !strings.HasPrefix(k.ID, "AKIA") {
			v.errf(path+".id", "%q is not a long-term access key ID (AKIA and upper-case letters or digits)", k.ID)
		}
		if other, ok := keys[k.ID]; ok {
			v.errf(path+".id", "access key %s is also defined at %s", k.ID, other)
		}
		keys[k.ID] = path
	}
	v.required(path+".secret", k.Secret)
	v.oneOf(path+".status", k.Status, "Active", "Inactive")
	v.time(path+".created", &k.Created)
	if k.LastUsed != nil {
		v.time(path+".last_used.date", &k.LastUsed.Date)
		v.required(path+".last_used.date", k.LastUsed.Date.raw)
	}
}

func (f *Fixture) checkIAM(v *validator, path string, a *Account, awsPolicies map[string]bool, keys map[string]string) {
	iam := &a.IAM
	v.oneOf(path+".root.mfa", iam.Root.MFA, "none", "virtual", "hardware")
	v.time(path+".root.password_last_used", &iam.Root.PasswordLastUsed)
	for i, k := range iam.Root.AccessKeys {
		f.checkKey(v, fmt.Sprintf("%s.root.access_keys[%d]", path, i), k, keys)
	}
	if pp := iam.PasswordPolicy; pp != nil && pp.MinimumPasswordLength != 0 && (pp.MinimumPasswordLength < 6 || pp.MinimumPasswordLength > 128) {
		v.errf(path+".password_policy.minimum_password_length", "%d is outside 6..128", pp.MinimumPasswordLength)
	}
	policies := map[string]bool{}
	for k := range awsPolicies {
		policies[k] = true
	}
	for i, p := range iam.Policies {
		pp := fmt.Sprintf("%s.policies[%d]", path, i)
		f.checkPolicy(v, pp, p)
		arn := policyARN(a.ID, p)
		if policies[arn] {
			v.errf(pp+".name", "policy %s is defined twice", arn)
		}
		policies[arn] = true
	}
	attached := func(p string, arns []string) {
		for i, arn := range arns {
			if !policies[arn] {
				v.errf(fmt.Sprintf("%s[%d]", p, i), "%q is neither a policy of this account nor in aws_managed_policies", arn)
			}
		}
	}
	inline := func(p string, ps []*Inline) {
		for i, in := range ps {
			v.required(fmt.Sprintf("%s[%d].name", p, i), in.Name)
			if in.Document.JSON == "" {
				v.errf(fmt.Sprintf("%s[%d].document", p, i), "is required")
			}
		}
	}
	users := map[string]bool{}
	for i, u := range iam.Users {
		up := fmt.Sprintf("%s.users[%d]", path, i)
		if v.required(up+".name", u.Name) && !nameRe.MatchString(u.Name) {
			v.errf(up+".name", "%q is not a valid user name", u.Name)
		}
		if users[u.Name] {
			v.errf(up+".name", "user %q is defined twice", u.Name)
		}
		users[u.Name] = true
		v.time(up+".created", &u.Created)
		if u.Password != nil {
			v.time(up+".password.changed", &u.Password.Changed)
			v.time(up+".password.last_used", &u.Password.LastUsed)
		}
		if len(u.AccessKeys) > 2 {
			v.errf(up+".access_keys", "a user has at most 2 access keys, not %d", len(u.AccessKeys))
		}
		for j, k := range u.AccessKeys {
			f.checkKey(v, fmt.Sprintf("%s.access_keys[%d]", up, j), k, keys)
		}
		for j, m := range u.MFA {
			mp := fmt.Sprintf("%s.mfa[%d]", up, j)
			v.oneOf(mp+".type", m.Type, "virtual", "hardware")
			v.required(mp+".type", m.Type)
			v.time(mp+".enabled", &m.Enabled)
		}
		attached(up+".attached_policies", u.AttachedPolicies)
		inline(up+".inline_policies", u.InlinePolicies)
	}
	roles := map[string]bool{}
	for i, r := range iam.Roles {
		rp := fmt.Sprintf("%s.roles[%d]", path, i)
		if v.required(rp+".name", r.Name) && !nameRe.MatchString(r.Name) {
			v.errf(rp+".name", "%q is not a valid role name", r.Name)
		}
		if roles[r.Name] {
			v.errf(rp+".name", "role %q is defined twice", r.Name)
		}
		roles[r.Name] = true
		v.time(rp+".created", &r.Created)
		if r.TrustPolicy.JSON == "" {
			v.errf(rp+".trust_policy", "is required")
		} else if _, err := parsePolicy(r.TrustPolicy.JSON); err != nil {
			v.errf(rp+".trust_policy", "%v", err)
		}
		if r.MaxSessionDuration != 0 && (r.MaxSessionDuration < 3600 || r.MaxSessionDuration > 43200) {
			v.errf(rp+".max_session_duration", "%d is outside 3600..43200 seconds", r.MaxSessionDuration)
		}
		attached(rp+".attached_policies", r.AttachedPolicies)
		inline(rp+".inline_policies", r.InlinePolicies)
	}
}

func (f *Fixture) checkRegional(v *validator, path string, r *Regional) {
	for i, t := range r.Trails {
		tp := fmt.Sprintf("%s.trails[%d]", path, i)
		v.required(tp+".name", t.Name)
		v.required(tp+".s3_bucket", t.S3Bucket)
		for _, rt := range []struct {
			n string
			t *RelTime
		}{{"latest_delivery", &t.LatestDelivery}, {"latest_cloudwatch_logs_delivery", &t.LatestCloudWatchLogsDelivery},
			{"start_logging", &t.StartLogging}, {"stop_logging", &t.StopLogging}} {
			v.time(tp+"."+rt.n, rt.t)
		}
		for j, es := range t.EventSelectors {
			v.oneOf(fmt.Sprintf("%s.event_selectors[%d].read_write_type", tp, j), es.ReadWriteType, "All", "ReadOnly", "WriteOnly")
		}
		if t.CloudWatchLogsLogGroup != "" && t.CloudWatchLogsRoleARN == "" {
			v.errf(tp+".cloudwatch_logs_role_arn", "is required with cloudwatch_logs_log_group")
		}
	}
	for i, g := range r.LogGroups {
		gp := fmt.Sprintf("%s.log_groups[%d]", path, i)
		v.required(gp+".name", g.Name)
		v.time(gp+".created", &g.Created)
		for j, m := range g.MetricFilters {
			mp := fmt.Sprintf("%s.metric_filters[%d]", gp, j)
			v.required(mp+".name", m.Name)
			v.required(mp+".metric_name", m.MetricName)
			v.required(mp+".metric_namespace", m.MetricNamespace)
			v.time(mp+".created", &m.Created)
		}
	}
	for i, al := range r.Alarms {
		ap := fmt.Sprintf("%s.alarms[%d]", path, i)
		v.required(ap+".name", al.Name)
		v.oneOf(ap+".state", al.State, "OK", "ALARM", "INSUFFICIENT_DATA")
		v.time(ap+".updated", &al.Updated)
		for j, act := range append(append([]string{}, al.AlarmActions...), al.OKActions...) {
			if !strings.HasPrefix(act, "arn:") {
				v.errf(fmt.Sprintf("%s.alarm_actions[%d]", ap, j), "%q is not an ARN", act)
			}
		}
	}
	for i, t := range r.Topics {
		tp := fmt.Sprintf("%s.sns_topics[%d]", path, i)
		v.required(tp+".name", t.Name)
		for j, s := range t.Subscriptions {
			sp := fmt.Sprintf("%s.subscriptions[%d]", tp, j)
			v.required(sp+".protocol", s.Protocol)
			v.required(sp+".endpoint", s.Endpoint)
		}
	}
	for i, c := range r.ConfigRecorders {
		cp := fmt.Sprintf("%s.config_recorders[%d]", path, i)
		v.required(cp+".name", c.Name)
		v.oneOf(cp+".last_status", c.LastStatus, "SUCCESS", "FAILURE", "PENDING")
		v.time(cp+".last_start", &c.LastStart)
		v.time(cp+".last_stop", &c.LastStop)
	}
	uuidRe := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	for i, k := range r.KMSKeys {
		kp := fmt.Sprintf("%s.kms_keys[%d]", path, i)
		if v.required(kp+".id", k.ID) && !uuidRe.MatchString(k.ID) {
			v.errf(kp+".id", "%q is not a key ID (a lower-case UUID)", k.ID)
		}
		v.oneOf(kp+".manager", k.Manager, "CUSTOMER", "AWS")
		v.oneOf(kp+".state", k.State, "Enabled", "Disabled", "PendingDeletion", "PendingImport", "Unavailable")
		v.time(kp+".created", &k.Created)
		for j, al := range k.Aliases {
			if !strings.HasPrefix(al, "alias/") {
				v.errf(fmt.Sprintf("%s.aliases[%d]", kp, j), "%q must start with alias/", al)
			}
		}
	}
	vpcs := map[string]bool{}
	for i, x := range r.VPCs {
		xp := fmt.Sprintf("%s.vpcs[%d]", path, i)
		if v.required(xp+".id", x.ID) && !strings.HasPrefix(x.ID, "vpc-") {
			v.errf(xp+".id", "%q must start with vpc-", x.ID)
		}
		vpcs[x.ID] = true
		if _, _, err := net.ParseCIDR(x.CIDR); err != nil {
			v.errf(xp+".cidr", "%q is not a CIDR block", x.CIDR)
		}
	}
	for i, g := range r.SecurityGroups {
		gp := fmt.Sprintf("%s.security_groups[%d]", path, i)
		if v.required(gp+".id", g.ID) && !strings.HasPrefix(g.ID, "sg-") {
			v.errf(gp+".id", "%q must start with sg-", g.ID)
		}
		v.required(gp+".name", g.Name)
		if g.VPC != "" && !vpcs[g.VPC] {
			v.errf(gp+".vpc", "%q is not a VPC in this region", g.VPC)
		}
		for dir, rules := range map[string][]*Rule{"ingress": g.Ingress, "egress": g.Egress} {
			for j, ru := range rules {
				rp := fmt.Sprintf("%s.%s[%d]", gp, dir, j)
				v.required(rp+".protocol", ru.Protocol)
				for k, c := range append(append([]string{}, ru.CIDRs...), ru.IPv6CIDRs...) {
					if _, _, err := net.ParseCIDR(c); err != nil {
						v.errf(fmt.Sprintf("%s.cidrs[%d]", rp, k), "%q is not a CIDR block", c)
					}
				}
			}
		}
	}
	for i, fl := range r.FlowLogs {
		fp := fmt.Sprintf("%s.flow_logs[%d]", path, i)
		v.required(fp+".id", fl.ID)
		v.required(fp+".resource", fl.Resource)
		v.oneOf(fp+".traffic_type", fl.TrafficType, "ALL", "ACCEPT", "REJECT")
		v.oneOf(fp+".destination_type", fl.DestinationType, "cloud-watch-logs", "s3", "kinesis-data-firehose")
		v.time(fp+".created", &fl.Created)
	}
	for i, rt := range r.RouteTables {
		tp := fmt.Sprintf("%s.route_tables[%d]", path, i)
		v.required(tp+".id", rt.ID)
		if rt.VPC != "" && !vpcs[rt.VPC] {
			v.errf(tp+".vpc", "%q is not a VPC in this region", rt.VPC)
		}
		for j, ro := range rt.Routes {
			v.required(fmt.Sprintf("%s.routes[%d].destination", tp, j), ro.Destination)
			v.required(fmt.Sprintf("%s.routes[%d].target", tp, j), ro.Target)
		}
	}
	for i, p := range r.VPCPeeringConnections {
		pp := fmt.Sprintf("%s.vpc_peering_connections[%d]", path, i)
		if v.required(pp+".id", p.ID) && !strings.HasPrefix(p.ID, "pcx-") {
			v.errf(pp+".id", "%q must start with pcx-", p.ID)
		}
		v.required(pp+".requester.vpc", p.Requester.VPC)
		v.required(pp+".accepter.vpc", p.Accepter.VPC)
	}
}

// policyARN is a managed policy's ARN ("aws" for AWS managed policies).
func policyARN(account string, p *Policy) string {
	path := p.Path
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":policy" + path + p.Name
}
