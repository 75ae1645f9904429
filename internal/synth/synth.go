// Package synth generates realistic CloudTrail deterministically: the same
// options always give byte-identical files. It feeds the ingest benchmark
// (a million events and more) and the tests that need multi-day,
// multi-account, multi-region traffic from known actors.
//
// Records follow the real format (../shared/reference/cloudtrail.md): the
// field order CloudTrail writes, per-principal userIdentity shapes, global
// services in us-east-1, random request and event IDs, TLS details and a mix
// of errors, so that sizes and compressibility resemble real trails.
package synth

import (
	"compress/gzip"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Identity is how an actor appears in userIdentity.
type Identity struct {
	// Type is the userIdentity type: AssumedRole, IAMUser, Root, AWSService.
	Type string
	// Role is the role name for AssumedRole identities.
	Role string
	// Session is the role-session name; "%d" is replaced by a number that
	// changes per day (SDK default session names), "%s" by the tenant.
	Session string
	// User is the IAM user name for IAMUser identities.
	User string
	// Service is the invoking service for AWSService identities.
	Service string
}

// Op is an API operation an actor calls: "iam:ListUsers".
type Op string

// Service is the part before the colon.
func (o Op) Service() string { s, _, _ := strings.Cut(string(o), ":"); return s }

// Name is the part after the colon.
func (o Op) Name() string { _, n, _ := strings.Cut(string(o), ":"); return n }

// Actor is one source of traffic.
type Actor struct {
	// ID is the actor id footprint's attribution should give this traffic.
	ID        string
	Identity  Identity
	UserAgent string
	// SourceIP is fixed when set, else drawn from a small pool per actor.
	SourceIP string
	// Weight is the actor's share of the corpus's events.
	Weight float64
	// Ops are called uniformly at random.
	Ops []Op
	// ErrorRate is the fraction of calls that fail (AccessDenied and
	// throttling).
	ErrorRate float64
	// Write marks the actor's calls as mutating (readOnly false).
	Write bool
	// Until, when set, stops the actor at that time; From starts it.
	From, Until time.Time
	// OpsAfter, when OpsFrom is set, replaces Ops from OpsFrom on: a scanner
	// whose configuration changed (a standard switched off) at that time.
	OpsFrom  time.Time
	OpsAfter []Op
	// Regions limits the actor to these regions (default: all).
	Regions []string
	// CLI marks an IAM user's calls as made with access keys rather than
	// from the console (no sessionCredentialFromConsole).
	CLI bool
}

// Options configure a corpus.
type Options struct {
	Seed     uint64
	Start    time.Time
	Days     int
	Accounts []string
	Regions  []string
	// Events is the total number of events to generate (approximately: the
	// total is exact, spread over accounts, regions and time).
	Events int
	// Actors default to DefaultActors().
	Actors []Actor
	// OrgID, when set, also writes every file again under the organization
	// trail's layout AWSLogs/<OrgID>/<account>/..., as an organization trail
	// and an account trail both deliver the same events.
	OrgID string
	// FileWindow is how much time one delivered file covers per account and
	// region; default 5 minutes, as CloudTrail delivers. Tests that need
	// weeks of trail use an hour to keep the file count small.
	FileWindow time.Duration
}

// Stats describes what Write produced.
type Stats struct {
	Files  int
	Events int
	Bytes  int64 // compressed bytes written
	// ByActor counts events per Actor.ID.
	ByActor map[string]int
}

var globalServices = map[string]bool{"iam": true, "sts": true, "organizations": true, "cloudfront": true}

// DefaultActors is a mixed organisation: two scanners, AWS Config, Terraform
// in CI, people in the console and AWS services.
func DefaultActors() []Actor {
	return []Actor{
		{ID: "defender-for-cloud", Identity: Identity{Type: "AssumedRole", Role: "CspmMonitorAws", Session: "MicrosoftDefenderForClouds_%s"},
			UserAgent: "aws-sdk-dotnet-coreclr/3.7.300.2 aws-sdk-dotnet-core/3.7.302.5 .NET_Core/6.0.26 OS/Linux_5.15.0 ClientAsync",
			Weight:    0.30, Ops: append(append([]Op{}, cisOps...), fsbpOps...), ErrorRate: 0.02},
		{ID: "prowler", Identity: Identity{Type: "AssumedRole", Role: "ProwlerScan", Session: "ProwlerAssessmentSession"},
			UserAgent: "APN_1826889 Boto3/1.34.70 md/Botocore#1.34.70 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8 cfg/retry-mode#standard Botocore/1.34.70",
			Weight:    0.15, Ops: append(append([]Op{}, cisOps...), fsbpOps...), ErrorRate: 0.05},
		{ID: "aws-config", Identity: Identity{Type: "AssumedRole", Role: "AWSServiceRoleForConfig", Session: "AWSConfig-Describe"},
			UserAgent: "config.amazonaws.com", SourceIP: "config.amazonaws.com", Weight: 0.20, Ops: configOps},
		{ID: "terraform", Identity: Identity{Type: "AssumedRole", Role: "ci-deploy", Session: "aws-go-sdk-%d"},
			UserAgent: "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.64.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.4 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.177.0",
			Weight:    0.10, Ops: terraformOps, Write: true, ErrorRate: 0.01},
		{ID: "user:alice", Identity: Identity{Type: "IAMUser", User: "alice"},
			UserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
			Weight:    0.05, Ops: consoleOps, ErrorRate: 0.03},
		{ID: "service:ec2.amazonaws.com", Identity: Identity{Type: "AWSService", Service: "ec2.amazonaws.com"},
			UserAgent: "ec2.amazonaws.com", SourceIP: "ec2.amazonaws.com", Weight: 0.20, Ops: serviceOps},
	}
}

var (
	cisOps = []Op{"iam:GetAccountPasswordPolicy", "iam:GenerateCredentialReport", "iam:GetCredentialReport",
		"iam:ListUsers", "iam:ListPolicies", "iam:GetPolicyVersion", "iam:ListAttachedUserPolicies",
		"iam:ListUserPolicies", "iam:GetAccountSummary", "iam:ListVirtualMFADevices", "cloudtrail:DescribeTrails",
		"cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors", "config:DescribeConfigurationRecorders",
		"config:DescribeConfigurationRecorderStatus", "kms:ListKeys", "kms:GetKeyRotationStatus",
		"logs:DescribeMetricFilters", "cloudwatch:DescribeAlarms", "sns:ListSubscriptionsByTopic",
		"ec2:DescribeVpcs", "ec2:DescribeFlowLogs", "ec2:DescribeSecurityGroups", "ec2:DescribeRouteTables",
		"ec2:DescribeVpcPeeringConnections", "s3:GetBucketAcl", "s3:GetBucketPolicy", "s3:GetBucketLogging"}
	fsbpOps = []Op{"ec2:DescribeInstances", "ec2:GetEbsEncryptionByDefault", "ec2:DescribeSnapshots",
		"ec2:DescribeVolumes", "lambda:ListFunctions", "rds:DescribeDBInstances", "rds:DescribeDBSnapshots",
		"guardduty:ListDetectors", "securityhub:DescribeHub", "ecr:DescribeRepositories", "eks:ListClusters",
		"elasticloadbalancing:DescribeLoadBalancers", "sqs:ListQueues", "dynamodb:ListTables",
		"secretsmanager:ListSecrets", "ssm:DescribeInstanceInformation", "acm:ListCertificates"}
	configOps = []Op{"ec2:DescribeSecurityGroups", "ec2:DescribeInstances", "ec2:DescribeVolumes",
		"ec2:DescribeNetworkInterfaces", "iam:GetRole", "iam:GetPolicy", "s3:GetBucketPolicy",
		"s3:GetBucketAcl", "lambda:GetFunction", "rds:DescribeDBInstances"}
	terraformOps = []Op{"ec2:DescribeInstances", "ec2:RunInstances", "ec2:CreateTags", "ec2:DescribeSecurityGroups",
		"ec2:AuthorizeSecurityGroupIngress", "iam:GetRole", "iam:CreateRole", "iam:AttachRolePolicy",
		"s3:PutBucketPolicy", "s3:CreateBucket", "sts:GetCallerIdentity"}
	consoleOps = []Op{"ec2:DescribeInstances", "s3:ListBuckets", "iam:ListRoles", "cloudtrail:LookupEvents",
		"ce:GetCostAndUsage", "health:DescribeEventAggregates", "signin:ConsoleLogin"}
	serviceOps = []Op{"kms:Decrypt", "kms:GenerateDataKey", "sts:AssumeRole", "ec2:DescribeInstanceStatus"}
)

// defaultFileWindow is how often CloudTrail delivers a file per account and region.
const defaultFileWindow = 5 * time.Minute

// Write generates the corpus under dir in the delivery layout
// AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz.
func Write(dir string, o Options) (Stats, error) {
	o = o.withDefaults()
	g := newGen(o)
	st := Stats{ByActor: map[string]int{}}
	fileWindow := o.FileWindow
	windows := int(time.Duration(o.Days) * 24 * time.Hour / fileWindow)
	slots := len(o.Accounts) * len(o.Regions) * windows
	perSlot := float64(o.Events) / float64(slots)
	emitted := 0
	slot := 0
	var recs []byte
	for w := 0; w < windows; w++ {
		winStart := o.Start.Add(time.Duration(w) * fileWindow)
		for _, acct := range o.Accounts {
			for _, region := range o.Regions {
				slot++
				// spread the exact total evenly: this slot ends at round(slot*perSlot)
				n := int(math.Round(float64(slot)*perSlot)) - emitted
				if n <= 0 {
					continue
				}
				emitted += n
				recs = recs[:0]
				recs = append(recs, `{"Records":[`...)
				for i := 0; i < n; i++ {
					if i > 0 {
						recs = append(recs, ',')
					}
					t := winStart.Add(time.Duration(g.r.Int64N(int64(fileWindow))))
					var id string
					recs, id = g.record(recs, acct, region, t)
					st.ByActor[id]++
				}
				recs = append(recs, "]}"...)
				deliver := winStart.Add(fileWindow + time.Duration(g.r.IntN(5))*time.Minute)
				name := fmt.Sprintf("%s_CloudTrail_%s_%s_%s.json.gz", acct, region, deliver.Format("20060102T1504Z"), g.token(16))
				rel := filepath.Join("AWSLogs", acct, "CloudTrail", region, deliver.Format("2006/01/02"), name)
				b, err := writeGz(filepath.Join(dir, rel), recs)
				if err != nil {
					return st, err
				}
				st.Files++
				st.Bytes += b
				if o.OrgID != "" {
					rel := filepath.Join("AWSLogs", o.OrgID, acct, "CloudTrail", region, deliver.Format("2006/01/02"), name)
					b, err := writeGz(filepath.Join(dir, rel), recs)
					if err != nil {
						return st, err
					}
					st.Files++
					st.Bytes += b
				}
				st.Events += n
			}
		}
	}
	return st, nil
}

// Records returns n records as a Records document, for tests that want one
// file's worth in memory.
func Records(o Options, account, region string, n int) []byte {
	o = o.withDefaults()
	g := newGen(o)
	out := []byte(`{"Records":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			out = append(out, ',')
		}
		t := o.Start.Add(time.Duration(i) * time.Second)
		out, _ = g.record(out, account, region, t)
	}
	return append(out, "]}"...)
}

func (o Options) withDefaults() Options {
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.Days <= 0 {
		o.Days = 1
	}
	if len(o.Accounts) == 0 {
		o.Accounts = []string{"111122223333", "444455556666", "777788889999"}
	}
	if len(o.Regions) == 0 {
		o.Regions = []string{"us-east-1", "eu-west-1", "ap-northeast-1"}
	}
	if len(o.Actors) == 0 {
		o.Actors = DefaultActors()
	}
	if o.Events <= 0 {
		o.Events = 1000
	}
	if o.FileWindow <= 0 {
		o.FileWindow = defaultFileWindow
	}
	return o
}

func writeGz(path string, data []byte) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, err
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.DefaultCompression)
	if _, err := zw.Write(data); err != nil {
		f.Close()
		return 0, err
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return 0, err
	}
	return st.Size(), f.Close()
}

type gen struct {
	o      Options
	r      *rand.Rand
	cum    []float64
	tenant string
	keys   map[string]string // principal -> access key
	ips    [][]string        // per actor
}

func newGen(o Options) *gen {
	g := &gen{o: o, r: rand.New(rand.NewPCG(o.Seed, 0x5eed)), keys: map[string]string{}}
	total := 0.0
	for _, a := range o.Actors {
		total += a.Weight
		g.cum = append(g.cum, total)
	}
	for i := range g.cum {
		g.cum[i] /= total
	}
	g.tenant = g.uuid()
	for range o.Actors {
		pool := make([]string, 4)
		for j := range pool {
			pool[j] = fmt.Sprintf("%d.%d.%d.%d", 20+g.r.IntN(180), g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))
		}
		g.ips = append(g.ips, pool)
	}
	return g
}

func (g *gen) pick(t time.Time, region string) int {
	for tries := 0; tries < 16; tries++ {
		x := g.r.Float64()
		i := 0
		for i < len(g.cum)-1 && x > g.cum[i] {
			i++
		}
		a := g.o.Actors[i]
		if (!a.From.IsZero() && t.Before(a.From)) || (!a.Until.IsZero() && !t.Before(a.Until)) {
			continue
		}
		if len(a.Regions) > 0 && !contains(a.Regions, region) {
			continue
		}
		return i
	}
	// fall back to the first actor active here
	for i, a := range g.o.Actors {
		if (a.From.IsZero() || !t.Before(a.From)) && (a.Until.IsZero() || t.Before(a.Until)) &&
			(len(a.Regions) == 0 || contains(a.Regions, region)) {
			return i
		}
	}
	return 0
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

const hexdigits = "0123456789abcdef"
const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func (g *gen) uuid() string {
	var b [36]byte
	for i := range b {
		switch i {
		case 8, 13, 18, 23:
			b[i] = '-'
		default:
			b[i] = hexdigits[g.r.IntN(16)]
		}
	}
	return string(b[:])
}

func (g *gen) token(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[g.r.IntN(len(alnum))]
	}
	return string(b)
}

func (g *gen) key(prefix string) string {
	b := []byte(prefix)
	for len(b) < 20 {
		b = append(b, upper[g.r.IntN(len(upper))])
	}
	return string(b)
}

// record appends one record for a call at t and returns the actor's ID.
func (g *gen) record(b []byte, acct, region string, t time.Time) ([]byte, string) {
	ai := g.pick(t, region)
	a := g.o.Actors[ai]
	ops := a.Ops
	if !a.OpsFrom.IsZero() && !t.Before(a.OpsFrom) {
		ops = a.OpsAfter
	}
	op := ops[g.r.IntN(len(ops))]
	svc, name := op.Service(), op.Name()
	callRegion := region
	if globalServices[svc] {
		callRegion = "us-east-1"
	}
	source := svc + ".amazonaws.com"
	switch svc {
	case "cloudwatch":
		source = "monitoring.amazonaws.com"
	case "elasticloadbalancing":
		source = "elasticloadbalancing.amazonaws.com"
	}
	readOnly := !a.Write && (strings.HasPrefix(name, "Describe") || strings.HasPrefix(name, "Get") ||
		strings.HasPrefix(name, "List") || strings.HasPrefix(name, "Lookup") || name == "GenerateCredentialReport" ||
		name == "AssumeRole" || name == "Decrypt" || name == "GenerateDataKey")
	if a.Write && (strings.HasPrefix(name, "Describe") || strings.HasPrefix(name, "Get")) {
		readOnly = true
	}
	eventType := "AwsApiCall"
	if name == "ConsoleLogin" {
		eventType = "AwsConsoleSignIn"
		source = "signin.amazonaws.com"
	}
	ip := a.SourceIP
	if ip == "" {
		ip = g.ips[ai][g.r.IntN(len(g.ips[ai]))]
	}

	b = append(b, `{"eventVersion":"1.09","userIdentity":`...)
	b = g.identity(b, a, acct, t)
	b = append(b, `,"eventTime":"`...)
	b = t.UTC().AppendFormat(b, "2006-01-02T15:04:05Z")
	b = append(b, `","eventSource":"`...)
	b = append(b, source...)
	b = append(b, `","eventName":"`...)
	b = append(b, name...)
	b = append(b, `","awsRegion":"`...)
	b = append(b, callRegion...)
	b = append(b, `","sourceIPAddress":"`...)
	b = append(b, ip...)
	b = append(b, `","userAgent":`...)
	b = strconv.AppendQuote(b, a.UserAgent)
	failed := a.ErrorRate > 0 && g.r.Float64() < a.ErrorRate
	if failed {
		code, msg := "AccessDenied", "User: arn:aws:sts::"+acct+":assumed-role/"+a.Identity.Role+"/session is not authorized to perform: "+op.Service()+":"+name+" because no identity-based policy allows the "+string(op)+" action"
		switch {
		case g.r.IntN(3) == 0:
			code, msg = "ThrottlingException", "Rate exceeded"
		case svc == "ec2":
			code, msg = "Client.UnauthorizedOperation", "You are not authorized to perform this operation."
		}
		b = append(b, `,"errorCode":"`...)
		b = append(b, code...)
		b = append(b, `","errorMessage":`...)
		b = strconv.AppendQuote(b, msg)
	}
	b = append(b, `,"requestParameters":`...)
	b = g.params(b, svc, name, acct, callRegion)
	b = append(b, `,"responseElements":`...)
	if readOnly || failed {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"requestId":"`...)
		b = append(b, g.uuid()...)
		b = append(b, `","return":true}`...)
	}
	b = append(b, `,"requestID":"`...)
	b = append(b, g.uuid()...)
	b = append(b, `","eventID":"`...)
	b = append(b, g.uuid()...)
	b = append(b, `","readOnly":`...)
	b = strconv.AppendBool(b, readOnly)
	b = append(b, `,"eventType":"`...)
	b = append(b, eventType...)
	b = append(b, `","managementEvent":true,"recipientAccountId":"`...)
	b = append(b, acct...)
	b = append(b, `","eventCategory":"Management"`...)
	if a.Identity.Type != "AWSService" {
		b = append(b, `,"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"`...)
		b = append(b, svc...)
		b = append(b, '.')
		b = append(b, callRegion...)
		b = append(b, `.amazonaws.com"}`...)
	}
	if a.Identity.Type == "IAMUser" && !a.CLI {
		b = append(b, `,"sessionCredentialFromConsole":"true"`...)
	}
	b = append(b, '}')
	return b, a.ID
}

func (g *gen) identity(b []byte, a Actor, acct string, t time.Time) []byte {
	id := a.Identity
	switch id.Type {
	case "AWSService":
		b = append(b, `{"type":"AWSService","invokedBy":"`...)
		b = append(b, id.Service...)
		return append(b, `"}`...)
	case "Root":
		b = append(b, `{"type":"Root","principalId":"`...)
		b = append(b, acct...)
		b = append(b, `","arn":"arn:aws:iam::`...)
		b = append(b, acct...)
		b = append(b, `:root","accountId":"`...)
		b = append(b, acct...)
		b = append(b, `","accessKeyId":"`...)
		b = append(b, g.principalKey(acct+"root", "ASIA")...)
		return append(b, `"}`...)
	case "IAMUser":
		b = append(b, `{"type":"IAMUser","principalId":"AIDA`...)
		b = append(b, g.stable(acct+id.User, 17)...)
		b = append(b, `","arn":"arn:aws:iam::`...)
		b = append(b, acct...)
		b = append(b, `:user/`...)
		b = append(b, id.User...)
		b = append(b, `","accountId":"`...)
		b = append(b, acct...)
		b = append(b, `","accessKeyId":"`...)
		b = append(b, g.principalKey(acct+id.User, "ASIA")...)
		b = append(b, `","userName":"`...)
		b = append(b, id.User...)
		b = append(b, `","sessionContext":{"sessionIssuer":{},"webIdFederationData":{},"attributes":{"creationDate":"`...)
		b = t.Add(-time.Hour).UTC().AppendFormat(b, "2006-01-02T15:04:05Z")
		return append(b, `","mfaAuthenticated":"true"}}}`...)
	}
	session := id.Session
	if strings.Contains(session, "%s") {
		session = strings.Replace(session, "%s", g.tenant, 1)
	}
	if strings.Contains(session, "%d") {
		day := t.Truncate(24 * time.Hour)
		session = strings.Replace(session, "%d", strconv.FormatInt(day.UnixNano()+int64(len(acct)), 10), 1)
	}
	roleID := "AROA" + g.stable(acct+id.Role, 17)
	b = append(b, `{"type":"AssumedRole","principalId":"`...)
	b = append(b, roleID...)
	b = append(b, ':')
	b = append(b, session...)
	b = append(b, `","arn":"arn:aws:sts::`...)
	b = append(b, acct...)
	b = append(b, `:assumed-role/`...)
	b = append(b, id.Role...)
	b = append(b, '/')
	b = append(b, session...)
	b = append(b, `","accountId":"`...)
	b = append(b, acct...)
	b = append(b, `","accessKeyId":"`...)
	b = append(b, g.principalKey(acct+id.Role+t.Truncate(time.Hour).String(), "ASIA")...)
	b = append(b, `","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"`...)
	b = append(b, roleID...)
	b = append(b, `","arn":"arn:aws:iam::`...)
	b = append(b, acct...)
	b = append(b, `:role/`...)
	if strings.HasPrefix(id.Role, "AWSServiceRole") {
		b = append(b, "aws-service-role/"...)
	}
	b = append(b, id.Role...)
	b = append(b, `","accountId":"`...)
	b = append(b, acct...)
	b = append(b, `","userName":"`...)
	b = append(b, id.Role...)
	b = append(b, `"},"webIdFederationData":{},"attributes":{"creationDate":"`...)
	b = t.Truncate(time.Hour).UTC().AppendFormat(b, "2006-01-02T15:04:05Z")
	b = append(b, `","mfaAuthenticated":"false"}}`...)
	if strings.HasPrefix(id.Role, "AWSServiceRole") {
		b = append(b, `,"invokedBy":"`...)
		b = append(b, a.UserAgent...)
		b = append(b, '"')
	}
	return append(b, '}')
}

// principalKey is a stable access key per principal (and hour for roles).
func (g *gen) principalKey(k, prefix string) string {
	if v, ok := g.keys[k]; ok {
		return v
	}
	v := g.key(prefix)
	if len(g.keys) > 100_000 {
		g.keys = map[string]string{}
	}
	g.keys[k] = v
	return v
}

// stable derives an ID-looking string from k without consuming randomness.
func (g *gen) stable(k string, n int) string {
	h := uint64(1469598103934665603)
	for i := 0; i < len(k); i++ {
		h ^= uint64(k[i])
		h *= 1099511628211
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = upper[h%uint64(len(upper))]
		h = h*6364136223846793005 + 1442695040888963407
	}
	return string(b)
}

func (g *gen) params(b []byte, svc, name, acct, region string) []byte {
	switch {
	case svc == "ec2" && strings.HasPrefix(name, "Describe"):
		b = append(b, `{"maxResults":1000,"filterSet":{"items":[{"name":"vpc-id","valueSet":{"items":[{"value":"vpc-`...)
		b = append(b, g.hex(17)...)
		return append(b, `"}]}}]}}`...)
	case svc == "s3":
		b = append(b, `{"bucketName":"`...)
		b = append(b, "logs-"...)
		b = append(b, acct...)
		b = append(b, '-')
		b = append(b, g.hex(6)...)
		b = append(b, `","Host":"s3.`...)
		b = append(b, region...)
		return append(b, `.amazonaws.com"}`...)
	case svc == "kms" && name != "ListKeys":
		b = append(b, `{"keyId":"arn:aws:kms:`...)
		b = append(b, region...)
		b = append(b, ':')
		b = append(b, acct...)
		b = append(b, `:key/`...)
		b = append(b, g.uuid()...)
		return append(b, `","encryptionAlgorithm":"SYMMETRIC_DEFAULT"}`...)
	case svc == "iam" && (name == "GetRole" || name == "GetPolicy" || name == "GetPolicyVersion" || name == "ListAttachedUserPolicies" || name == "ListUserPolicies"):
		b = append(b, `{"roleName":"app-`...)
		b = append(b, g.hex(8)...)
		return append(b, `"}`...)
	case svc == "cloudtrail" && (name == "GetTrailStatus" || name == "GetEventSelectors"):
		b = append(b, `{"name":"arn:aws:cloudtrail:us-east-1:`...)
		b = append(b, acct...)
		return append(b, `:trail/org-trail"}`...)
	case strings.HasPrefix(name, "List") || strings.HasPrefix(name, "Describe"):
		if g.r.IntN(2) == 0 {
			return append(b, "null"...)
		}
		b = append(b, `{"maxResults":`...)
		b = strconv.AppendInt(b, int64(50*(1+g.r.IntN(20))), 10)
		return append(b, '}')
	}
	return append(b, "null"...)
}

func (g *gen) hex(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = hexdigits[g.r.IntN(16)]
	}
	return string(b)
}
