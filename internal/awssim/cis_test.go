package awssim

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/footprint-dev/footprint/scan/catalog"
)

// TestDefaultFixtureCIS evaluates every automated CIS v1.2.0 control against
// the built-in fixture's model, with the semantics docs/simulator.md states,
// and checks that each control passes somewhere and fails somewhere. The
// findings are pinned in testdata/TestDefaultFixtureCIS/findings.txt, which the
// table in docs/simulator.md summarises: the scanner must reach the same
// verdicts through the API.
func TestDefaultFixtureCIS(t *testing.T) {
	t.Parallel()
	fx := Default()
	findings := evalCIS(fx, testClock)
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	ids, err := cat.ControlIDs(catalog.CIS120)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 43 {
		t.Fatalf("the catalogue has %d CIS controls, want 43", len(ids))
	}
	var lines []string
	for _, id := range ids {
		pass, fail := 0, 0
		for _, f := range findings[id] {
			if f.pass {
				pass++
			} else {
				fail++
			}
			lines = append(lines, f.String(id))
		}
		if pass == 0 || fail == 0 {
			t.Errorf("%s: %d passing and %d failing findings; the default fixture needs both", id, pass, fail)
		}
	}
	for id := range findings {
		if cat.Controls[id] == nil {
			t.Errorf("evaluated %s, which the catalogue does not have", id)
		}
	}
	got := strings.Join(lines, "\n") + "\n"
	golden := filepath.Join("testdata", t.Name(), "findings.txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("findings (-want +got)\n%s", diff)
	}
}

type finding struct {
	account, region, resource string
	pass                      bool
	why                       string
}

func (f finding) String(id string) string {
	v := "FAIL"
	if f.pass {
		v = "PASS"
	}
	region := f.region
	if region == "" {
		region = "global"
	}
	return fmt.Sprintf("%-13s %s %s %-14s %s: %s", id, v, f.account, region, f.resource, f.why)
}

type findings map[string][]finding

func (fs findings) add(id string, f finding) { fs[id] = append(fs[id], f) }

// cisMetricFilters maps each CloudWatch.N control to its CIS 3.x requirement
// ID and exact metric filter pattern.
func cisMetricFilters() (req, pattern map[string]string) {
	req, pattern = map[string]string{}, map[string]string{}
	cat, err := catalog.Load()
	if err != nil {
		panic(err)
	}
	std, _ := cat.Standard(catalog.CIS120)
	for _, r := range std.Requirements {
		if r.MetricFilterPattern == "" || !strings.HasPrefix(r.ID, "3.") {
			continue
		}
		for _, c := range r.Controls {
			req[c], pattern[c] = r.ID, r.MetricFilterPattern
		}
	}
	return req, pattern
}

// evalCIS is a reference evaluation of the 43 controls over the fixture model.
func evalCIS(fx *Fixture, now time.Time) findings {
	fs := findings{}
	cisReq, cisPatterns := cisMetricFilters()
	days := func(t time.Time) int { return int(now.Sub(t) / (24 * time.Hour)) }
	for _, a := range fx.Accounts {
		iam := a.IAM
		acct := func(id string, pass bool, why string) {
			fs.add(id, finding{account: a.ID, resource: "account", pass: pass, why: why})
		}
		// IAM.1: customer managed policies' default versions
		for _, p := range iam.Policies {
			admin := false
			if doc, err := parsePolicy(p.Document.JSON); err == nil {
				for _, st := range doc.Statement {
					for _, act := range strList(st.Action) {
						for _, res := range strList(st.Resource) {
							admin = admin || (st.Effect == "Allow" && (act == "*" || act == "*:*") && res == "*")
						}
					}
				}
			}
			why := "no statement allows Action * on Resource *"
			if admin {
				why = "allows Action * on Resource *"
			}
			fs.add("IAM.1", finding{account: a.ID, resource: "policy/" + p.Name, pass: !admin, why: why})
		}
		for _, u := range iam.Users {
			res := "user/" + u.Name
			// IAM.2
			n := len(u.AttachedPolicies) + len(u.InlinePolicies)
			fs.add("IAM.2", finding{account: a.ID, resource: res, pass: n == 0, why: fmt.Sprintf("%d attached, %d inline policies", len(u.AttachedPolicies), len(u.InlinePolicies))})
			// IAM.3
			old := []string{}
			for _, k := range u.AccessKeys {
				if k.Status != "Inactive" && days(k.Created.Or(now, 0)) > 90 {
					old = append(old, fmt.Sprintf("active key created %d days ago", days(k.Created.Or(now, 0))))
				}
			}
			why := "no active key older than 90 days"
			if len(old) > 0 {
				why = strings.Join(old, ", ")
			}
			fs.add("IAM.3", finding{account: a.ID, resource: res, pass: len(old) == 0, why: why})
			// IAM.5
			if u.Password != nil {
				why := "console password and MFA"
				if len(u.MFA) == 0 {
					why = "console password without MFA"
				}
				fs.add("IAM.5", finding{account: a.ID, resource: res, pass: len(u.MFA) > 0, why: why})
			}
			// IAM.8
			var unused []string
			if p := u.Password; p != nil {
				switch {
				case p.LastUsed.IsSet() && days(p.LastUsed.At(now)) > 90:
					unused = append(unused, fmt.Sprintf("password last used %d days ago", days(p.LastUsed.At(now))))
				case !p.LastUsed.IsSet() && days(p.Changed.Or(now, 0)) > 90:
					unused = append(unused, fmt.Sprintf("password never used, set %d days ago", days(p.Changed.Or(now, 0))))
				}
			}
			for _, k := range u.AccessKeys {
				if k.Status == "Inactive" {
					continue
				}
				switch {
				case k.LastUsed != nil && days(k.LastUsed.Date.At(now)) > 90:
					unused = append(unused, fmt.Sprintf("key %s last used %d days ago", k.ID, days(k.LastUsed.Date.At(now))))
				case k.LastUsed == nil && days(k.Created.Or(now, 0)) > 90:
					unused = append(unused, fmt.Sprintf("key %s never used, created %d days ago", k.ID, days(k.Created.Or(now, 0))))
				}
			}
			why = "every enabled credential used within 90 days"
			if len(unused) > 0 {
				why = strings.Join(unused, ", ")
			}
			fs.add("IAM.8", finding{account: a.ID, resource: res, pass: len(unused) == 0, why: why})
		}
		// IAM.4, IAM.6, IAM.9, IAM.20: root
		active := false
		for _, k := range iam.Root.AccessKeys {
			active = active || k.Status != "Inactive"
		}
		acct("IAM.4", !active, map[bool]string{true: "root has an active access key", false: "root has no access key"}[active])
		mfa := iam.Root.MFA
		if mfa == "" {
			mfa = "none"
		}
		acct("IAM.6", mfa == "hardware", "root MFA: "+mfa)
		acct("IAM.9", mfa != "none", "root MFA: "+mfa)
		// IAM.20 is evaluated with the CIS 3.3 audit steps, as CloudWatch.1
		// (below): Security Hub's documented semantics.
		// IAM.11-17: password policy
		pp := iam.PasswordPolicy
		pw := func(id string, ok func(*PasswordPolicy) bool, what string) {
			if pp == nil {
				acct(id, false, "no password policy")
				return
			}
			acct(id, ok(pp), what)
		}
		pw("IAM.11", func(p *PasswordPolicy) bool { return p.RequireUppercaseCharacters },
			fmt.Sprintf("RequireUppercaseCharacters %v", pp != nil && pp.RequireUppercaseCharacters))
		pw("IAM.12", func(p *PasswordPolicy) bool { return p.RequireLowercaseCharacters },
			fmt.Sprintf("RequireLowercaseCharacters %v", pp != nil && pp.RequireLowercaseCharacters))
		pw("IAM.13", func(p *PasswordPolicy) bool { return p.RequireSymbols }, fmt.Sprintf("RequireSymbols %v", pp != nil && pp.RequireSymbols))
		pw("IAM.14", func(p *PasswordPolicy) bool { return p.RequireNumbers }, fmt.Sprintf("RequireNumbers %v", pp != nil && pp.RequireNumbers))
		if pp != nil {
			pw("IAM.15", func(p *PasswordPolicy) bool { return p.MinimumPasswordLength >= 14 }, fmt.Sprintf("MinimumPasswordLength %d", pp.MinimumPasswordLength))
			pw("IAM.16", func(p *PasswordPolicy) bool { return p.PasswordReusePrevention >= 24 }, fmt.Sprintf("PasswordReusePrevention %d", pp.PasswordReusePrevention))
			pw("IAM.17", func(p *PasswordPolicy) bool { return p.MaxPasswordAge > 0 && p.MaxPasswordAge <= 90 }, fmt.Sprintf("MaxPasswordAge %d", pp.MaxPasswordAge))
		} else {
			for _, id := range []string{"IAM.15", "IAM.16", "IAM.17"} {
				pw(id, nil, "")
			}
		}
		// IAM.18
		users, roles := attachments(a, "arn:aws:iam::aws:policy/AWSSupportAccess")
		support := len(users)+len(roles) > 0
		why := "AWSSupportAccess is attached to no user, group or role"
		if support {
			why = "AWSSupportAccess is attached to role " + roles[0].Name
		}
		acct("IAM.18", support, why)

		// regional controls
		type trail struct {
			*Trail
			home string
		}
		var trails []trail
		for _, region := range fx.Regions.Enabled {
			if r := a.Regions[region]; r != nil {
				for _, t := range r.Trails {
					trails = append(trails, trail{t, region})
				}
			}
		}
		allMgmt := func(t trail) bool {
			if !t.MultiRegion || !t.Logging {
				return false
			}
			if len(t.EventSelectors) == 0 {
				return true
			}
			for _, es := range t.EventSelectors {
				if (es.ReadWriteType == "" || es.ReadWriteType == "All") && es.IncludeManagementEvents && len(es.ExcludeManagementEventSources) == 0 {
					return true
				}
			}
			return false
		}
		for _, region := range fx.Regions.Enabled {
			ok := false
			for _, t := range trails {
				ok = ok || allMgmt(t)
			}
			why := "no logging multi-region trail with read and write management events"
			if ok {
				why = "a logging multi-region trail records all management events"
			}
			fs.add("CloudTrail.1", finding{account: a.ID, region: region, resource: "account", pass: ok, why: why})
		}
		for _, t := range trails {
			res := "trail/" + t.Name
			fs.add("CloudTrail.2", finding{a.ID, t.home, res, t.KMSKeyID != "", map[bool]string{true: "SSE-KMS", false: "no KMS key"}[t.KMSKeyID != ""]})
			fs.add("CloudTrail.4", finding{a.ID, t.home, res, t.LogFileValidation, fmt.Sprintf("log file validation %v", t.LogFileValidation)})
			cw := t.CloudWatchLogsLogGroup != "" && t.Logging && days(t.LatestCloudWatchLogsDelivery.Or(now, 0)) < 1
			fs.add("CloudTrail.5", finding{a.ID, t.home, res, cw, map[bool]string{true: "delivers to CloudWatch Logs group " + t.CloudWatchLogsLogGroup, false: "not integrated with CloudWatch Logs"}[cw]})
			b, owner := (&Sim{fx: fx}).bucket(t.S3Bucket)
			if owner != a {
				continue
			}
			var public []string
			for _, g := range cannedGrants[b.ACL] {
				if g[0] == "AllUsers" || g[0] == "AuthenticatedUsers" {
					public = append(public, "ACL grants "+g[1]+" to "+g[0])
				}
			}
			if b.Policy != nil && policyIsPublic(b.Policy.JSON) {
				public = append(public, "bucket policy allows Principal *")
			}
			why := "ACL and policy grant nothing to everyone"
			if len(public) > 0 {
				why = strings.Join(public, ", ")
			}
			bres := "bucket/" + b.Name
			fs.add("CloudTrail.6", finding{a.ID, bucketRegion(b), bres, len(public) == 0, why})
			why = "no server access logging"
			if b.Logging != nil {
				why = "access logs to " + b.Logging.TargetBucket
			}
			fs.add("CloudTrail.7", finding{a.ID, bucketRegion(b), bres, b.Logging != nil, why})
		}
		// CloudWatch.1-14, and IAM.20 with CloudWatch.1's (CIS 3.3) chain
		for n := 1; n <= 15; n++ {
			id, src := fmt.Sprintf("CloudWatch.%d", n), fmt.Sprintf("CloudWatch.%d", n)
			if n == 15 {
				id, src = "IAM.20", "CloudWatch.1"
			}
			pattern := cisPatterns[src]
			var best finding
			found := false
			for _, t := range trails {
				if !allMgmt(t) || t.CloudWatchLogsLogGroup == "" {
					continue
				}
				found = true
				r := a.Regions[t.home]
				f := finding{account: a.ID, region: t.home, resource: "log-group/" + t.CloudWatchLogsLogGroup}
				f.why = "no metric filter with the exact pattern"
				for _, g := range r.LogGroups {
					if g.Name != t.CloudWatchLogsLogGroup {
						continue
					}
					for _, mf := range g.MetricFilters {
						if mf.Pattern != pattern {
							if strings.HasPrefix(mf.Name, "cis-"+cisReq[src]+"-") {
								f.why = "metric filter " + mf.Name + " has a different pattern"
							}
							continue
						}
						f.why = "metric filter " + mf.Name + " has no alarm on its metric"
						for _, al := range r.Alarms {
							if al.MetricName != mf.MetricName || al.Namespace != mf.MetricNamespace {
								continue
							}
							f.why = "alarm " + al.Name + " has no SNS action"
							for _, act := range al.AlarmActions {
								for _, tp := range r.Topics {
									if "arn:aws:sns:"+t.home+":"+a.ID+":"+tp.Name != act {
										continue
									}
									confirmed := 0
									for _, s := range tp.Subscriptions {
										if !s.Pending {
											confirmed++
										}
									}
									if confirmed > 0 {
										f.pass, f.why = true, fmt.Sprintf("filter %s, alarm %s, topic %s with %d subscriber(s)", mf.Name, al.Name, tp.Name, confirmed)
									} else {
										f.why = "alarm " + al.Name + "'s topic " + tp.Name + " has no confirmed subscriber"
									}
								}
							}
						}
					}
				}
				if !found || f.pass || !best.pass {
					best = f
				}
			}
			if !found {
				best = finding{account: a.ID, resource: "account", why: "no logging multi-region trail with all management events sends to CloudWatch Logs"}
			}
			fs.add(id, best)
		}
		for _, region := range fx.Regions.Enabled {
			r := a.Regions[region]
			if r == nil {
				r = &Regional{}
			}
			// Config.1
			ok, why := false, "no configuration recorder"
			for _, rec := range r.ConfigRecorders {
				switch {
				case !rec.Recording:
					why = "recorder " + rec.Name + " is not recording"
				case !rec.AllSupported:
					why = "recorder " + rec.Name + " does not record all supported resources"
				default:
					ok, why = true, "recorder "+rec.Name+" records all supported resources"
				}
			}
			fs.add("Config.1", finding{a.ID, region, "account", ok, why})
			// KMS.4
			for _, k := range r.KMSKeys {
				manager, state, spec, _ := keyDefaults(k)
				if manager != "CUSTOMER" || state != "Enabled" || spec != "SYMMETRIC_DEFAULT" {
					continue
				}
				fs.add("KMS.4", finding{a.ID, region, "key/" + k.ID, k.Rotation, fmt.Sprintf("rotation %v", k.Rotation)})
			}
			// EC2.6
			for _, v := range r.VPCs {
				ok, why := false, "no flow log"
				for _, fl := range r.FlowLogs {
					if fl.Resource == v.ID {
						ok, why = true, "flow log "+fl.ID
					}
				}
				fs.add("EC2.6", finding{a.ID, region, "vpc/" + v.ID, ok, why})
			}
			// EC2.2, EC2.13, EC2.14
			for _, g := range r.SecurityGroups {
				res := "security-group/" + g.ID
				if g.Name == "default" {
					n := len(g.Ingress) + len(g.Egress)
					fs.add("EC2.2", finding{a.ID, region, res, n == 0, fmt.Sprintf("%d inbound, %d outbound rules", len(g.Ingress), len(g.Egress))})
				}
				for id, port := range map[string]int{"EC2.13": 22, "EC2.14": 3389} {
					open := ""
					for _, ru := range g.Ingress {
						world := false
						for _, c := range append(append([]string{}, ru.CIDRs...), ru.IPv6CIDRs...) {
							world = world || c == "0.0.0.0/0" || c == "::/0"
						}
						covers := ru.Protocol == "-1" || (ru.Protocol == "tcp" && ru.FromPort != nil && ru.ToPort != nil && *ru.FromPort <= port && port <= *ru.ToPort)
						if world && covers {
							open = fmt.Sprintf("port %d open to the world", port)
						}
					}
					if open == "" {
						fs.add(id, finding{a.ID, region, res, true, fmt.Sprintf("port %d not open to the world", port)})
					} else {
						fs.add(id, finding{a.ID, region, res, false, open})
					}
				}
			}
		}
	}
	for id := range fs {
		sort.SliceStable(fs[id], func(i, j int) bool {
			x, y := fs[id][i], fs[id][j]
			if x.account != y.account {
				return x.account < y.account
			}
			if x.region != y.region {
				return x.region < y.region
			}
			return x.resource < y.resource
		})
	}
	return fs
}
