package scan

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"golang.org/x/sync/errgroup"

	"github.com/footprint-dev/footprint/internal/awsx"
	"github.com/footprint-dev/footprint/scan/collect"
)

// target is one account the scan reads, through the role it assumed there.
type target struct {
	account     string
	roleARN     string
	cfg         aws.Config
	clients     *collect.Clients
	accessKeyID string
	regions     []RegionStatus
	scanned     []string
	err         error // the role could not be assumed
}

// discovery is who the caller is and what the scan can reach.
type discovery struct {
	callerARN     string
	callerAccount string
	partition     string
	homeRegion    string
	targets       []*target
}

// homeRegions is where each partition's global services are called.
var homeRegions = map[string]string{"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}

// discover asks who the caller is, assumes the role in every target
// account and lists each account's regions. These calls are the scan's
// first entries in its manifest (collector "discovery").
func (s *scanner) discover(ctx context.Context) (*discovery, error) {
	o := s.opts
	dctx := collect.WithCollector(ctx, "discovery")
	caller := awsx.Instrument(o.Base, awsx.InstrumentOptions{Limiter: s.limiter, Observer: s.man.Observer(""), Now: s.now})
	id, err := sts.NewFromConfig(caller).GetCallerIdentity(dctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, credentialsError(err)
	}
	d := &discovery{callerARN: aws.ToString(id.Arn), callerAccount: aws.ToString(id.Account), partition: "aws"}
	s.man.setAccount(d.callerAccount)
	if parts := strings.SplitN(d.callerARN, ":", 3); len(parts) == 3 && parts[1] != "" {
		d.partition = parts[1]
	}
	d.homeRegion = homeRegions[d.partition]
	if d.homeRegion == "" {
		d.homeRegion = o.Base.Region
	}

	roles, err := s.roles(d)
	if err != nil {
		return nil, err
	}
	d.targets = make([]*target, len(roles))
	g, gctx := errgroup.WithContext(dctx)
	g.SetLimit(o.Concurrency)
	for i, r := range roles {
		g.Go(func() error {
			t := &target{account: r[0], roleARN: r[1]}
			d.targets[i] = t
			s.assume(gctx, d, t)
			if t.err == nil {
				s.regions(gctx, d, t)
			}
			return gctx.Err()
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	ok := 0
	var failures []string
	for _, t := range d.targets {
		if t.err == nil {
			ok++
			continue
		}
		failures = append(failures, t.err.Error())
		s.log.Warn("account not scanned", "account", t.account, "err", t.err)
		// every control reading any table is not evaluated in the account
		s.addGaps(collect.Gap{Account: t.account, Region: collect.GlobalRegion, Collector: "discovery", Tables: s.plan.Tables,
			Operation: "sts:AssumeRole", Class: collect.ClassAccessDenied, ErrorCode: awsx.Code(t.err),
			Reason: "the scanner's role could not be assumed in this account: " + firstLine(t.err.Error())})
	}
	if ok == 0 {
		return nil, fmt.Errorf("%w: %s", ErrAssumeRole, strings.Join(failures, "\n"))
	}
	return d, nil
}

// roles lists (account, role ARN) to scan.
func (s *scanner) roles(d *discovery) ([][2]string, error) {
	o := s.opts
	if o.RoleARN != "" {
		parts := strings.Split(o.RoleARN, ":")
		if len(parts) < 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") {
			return nil, fmt.Errorf("--role-arn %q is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)", o.RoleARN)
		}
		return [][2]string{{parts[4], o.RoleARN}}, nil
	}
	accounts := dedupe(o.Accounts)
	if len(accounts) == 0 {
		accounts = []string{d.callerAccount}
	}
	sort.Strings(accounts)
	var out [][2]string
	for _, a := range accounts {
		if len(a) != 12 || strings.Trim(a, "0123456789") != "" {
			return nil, fmt.Errorf("account %q is not a 12-digit AWS account ID", a)
		}
		out = append(out, [2]string{a, "arn:" + d.partition + ":iam::" + a + ":role/" + o.RoleName})
	}
	return out, nil
}

// assume assumes the role in t's account under the fixed session name.
func (s *scanner) assume(ctx context.Context, d *discovery, t *target) {
	o := s.opts
	base := awsx.Instrument(o.Base, awsx.InstrumentOptions{Account: t.account, Limiter: s.limiter, Observer: s.man.Observer(t.account), Now: s.now})
	t.cfg = awsx.AssumeRole(base, awsx.AssumeRoleOptions{RoleARN: t.roleARN, SessionName: o.SessionName,
		ExternalID: o.ExternalID, Duration: o.SessionDuration})
	creds, err := t.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.err = assumeError(d, t, o, err)
		return
	}
	t.accessKeyID = creds.AccessKeyID
	t.clients = collect.NewClients(t.cfg)
}

// regions lists the account's regions and decides which the scan reads.
func (s *scanner) regions(ctx context.Context, d *discovery, t *target) {
	o := s.opts
	out, err := ec2.NewFromConfig(t.cfg).DescribeRegions(ctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)})
	if err != nil {
		if len(o.Regions) > 0 {
			for _, r := range dedupe(o.Regions) {
				t.regions = append(t.regions, RegionStatus{Account: t.account, Region: r, Status: "scanned",
					Reason: "region discovery failed (" + awsx.Code(err) + "); read as --region asked"})
			}
			t.scanned = dedupe(o.Regions)
			sort.Strings(t.scanned)
			return
		}
		var tables []string
		for _, c := range s.plan.Collectors {
			if c.Scope == collect.Regional {
				tables = append(tables, c.Tables...)
			}
		}
		tables = append(tables, "scan_regions")
		g := collect.Gap{Account: t.account, Region: collect.GlobalRegion, Collector: "discovery", Tables: tables,
			Operation: "ec2:DescribeRegions", Class: collect.ClassError, ErrorCode: awsx.Code(err),
			Reason: "ec2:DescribeRegions failed (" + firstLine(err.Error()) + "): no region was read; name them with --region"}
		if errors.Is(awsx.Classify(err), awsx.ErrAccessDenied) {
			g.Class = collect.ClassAccessDenied
		}
		s.addGaps(g)
		return
	}
	want := map[string]bool{}
	for _, r := range o.Regions {
		want[r] = true
	}
	exclude := map[string]bool{}
	for _, r := range o.ExcludeRegions {
		exclude[r] = true
	}
	listed := map[string]bool{}
	for _, r := range out.Regions {
		name, opt := aws.ToString(r.RegionName), aws.ToString(r.OptInStatus)
		listed[name] = true
		st := RegionStatus{Account: t.account, Region: name, OptInStatus: opt}
		switch {
		case opt != "" && opt != "opt-in-not-required" && opt != "opted-in":
			st.Status, st.Reason = "not_enabled", "not enabled for the account (opt-in status "+opt+")"
		case exclude[name]:
			st.Status, st.Reason = "excluded", "--exclude-region"
		case len(want) > 0 && !want[name]:
			st.Status, st.Reason = "not_selected", "not in --region"
		default:
			st.Status = "scanned"
			t.scanned = append(t.scanned, name)
		}
		t.regions = append(t.regions, st)
	}
	for r := range want {
		if !listed[r] {
			t.regions = append(t.regions, RegionStatus{Account: t.account, Region: r, Status: "not_enabled",
				Reason: "DescribeRegions does not list it for the account"})
		}
	}
	sort.Slice(t.regions, func(i, j int) bool { return t.regions[i].Region < t.regions[j].Region })
	sort.Strings(t.scanned)
}

// credentialsError explains a failed GetCallerIdentity.
func credentialsError(err error) error {
	var se *v4.SigningError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("%w: no credentials could be loaded (environment, shared config and credentials files, SSO, instance role): %v", ErrCredentials, err)
	case awsx.Code(err) != "":
		return fmt.Errorf("%w: AWS refused them (%s): %v", ErrCredentials, awsx.Code(err), err)
	}
	return fmt.Errorf("%w: %v", ErrCredentials, err)
}

// assumeError names the account, the role and the reason, and says how to
// create the role.
func assumeError(d *discovery, t *target, o Options, err error) error {
	reason := awsx.Code(err)
	var msg string
	if reason == "" {
		msg = err.Error()
		reason = "no answer"
	} else {
		msg = firstLine(err.Error())
	}
	name := t.roleARN[strings.LastIndex(t.roleARN, "/")+1:]
	ext := ""
	if o.ExternalID != "" {
		ext = fmt.Sprintf(" and a StringEquals condition on sts:ExternalId %q", o.ExternalID)
	}
	return fmt.Errorf("cannot assume role %s in account %s as %s (session %s): %s: %s\n"+
		"  To create it: in account %s create an IAM role named %s whose trust policy allows %s to call sts:AssumeRole%s,\n"+
		"  attach the AWS managed policy SecurityAudit (or the least-privilege policy `footprint scan --print-policy` prints),\n"+
		"  and scan again; or name an existing role with --role-name or --role-arn",
		t.roleARN, t.account, d.callerARN, o.SessionName, reason, msg, t.account, name, "arn:"+d.partition+":iam::"+d.callerAccount+":root", ext)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
