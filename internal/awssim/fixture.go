package awssim

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Fixture is a simulated AWS organisation: accounts, regions and every
// resource the simulator answers about. docs/simulator.md documents the YAML.
type Fixture struct {
	// Organization is the AWS Organizations view; empty ID means none.
	Organization Organization `yaml:"organization"`
	// Regions every account has enabled and not enabled.
	Regions Regions `yaml:"regions"`
	// TrailBucket is the bucket (in one of the accounts) through which the
	// simulator's own CloudTrail files are readable with S3.
	TrailBucket string `yaml:"trail_bucket"`
	// Caller is the access key the env file hands out (sim serve).
	Caller string `yaml:"caller"`
	// AWSManagedPolicies are the AWS managed policies every account sees.
	AWSManagedPolicies []*Policy `yaml:"aws_managed_policies"`
	// Faults injected into matching requests.
	Faults   []Fault    `yaml:"faults"`
	Accounts []*Account `yaml:"accounts"`
}

// Organization is the organisation all accounts belong to.
type Organization struct {
	ID                string `yaml:"id"`
	ManagementAccount string `yaml:"management_account"`
	FeatureSet        string `yaml:"feature_set"`
}

// Regions lists enabled and not-enabled (opt-in) regions.
type Regions struct {
	Enabled    []string `yaml:"enabled"`
	NotEnabled []string `yaml:"not_enabled"`
}

// Account is one AWS account.
type Account struct {
	ID      string  `yaml:"id"`
	Name    string  `yaml:"name"`
	Email   string  `yaml:"email"`
	Created RelTime `yaml:"created"`
	IAM     IAM     `yaml:"iam"`
	S3      S3      `yaml:"s3"`
	// Regions holds regional resources by region name.
	Regions map[string]*Regional `yaml:"regions"`
}

// IAM is an account's IAM state.
type IAM struct {
	Root           Root            `yaml:"root"`
	PasswordPolicy *PasswordPolicy `yaml:"password_policy"`
	Users          []*User         `yaml:"users"`
	Roles          []*Role         `yaml:"roles"`
	// Policies are customer managed policies.
	Policies []*Policy `yaml:"policies"`
}

// Root is the account's root user.
type Root struct {
	// MFA is none, virtual or hardware.
	MFA              string       `yaml:"mfa"`
	PasswordLastUsed RelTime      `yaml:"password_last_used"`
	AccessKeys       []*AccessKey `yaml:"access_keys"`
}

// PasswordPolicy is the account password policy.
type PasswordPolicy struct {
	MinimumPasswordLength      int  `yaml:"minimum_password_length"`
	RequireSymbols             bool `yaml:"require_symbols"`
	RequireNumbers             bool `yaml:"require_numbers"`
	RequireUppercaseCharacters bool `yaml:"require_uppercase_characters"`
	RequireLowercaseCharacters bool `yaml:"require_lowercase_characters"`
	AllowUsersToChangePassword bool `yaml:"allow_users_to_change_password"`
	// MaxPasswordAge in days; 0 means passwords never expire.
	MaxPasswordAge int `yaml:"max_password_age"`
	// PasswordReusePrevention is how many previous passwords are remembered.
	PasswordReusePrevention int  `yaml:"password_reuse_prevention"`
	HardExpiry              bool `yaml:"hard_expiry"`
}

// User is an IAM user.
type User struct {
	Name       string       `yaml:"name"`
	Path       string       `yaml:"path"`
	ID         string       `yaml:"id"`
	Created    RelTime      `yaml:"created"`
	Password   *Password    `yaml:"password"`
	AccessKeys []*AccessKey `yaml:"access_keys"`
	// MFA devices: virtual or hardware.
	MFA              []*MFADevice `yaml:"mfa"`
	AttachedPolicies []string     `yaml:"attached_policies"`
	InlinePolicies   []*Inline    `yaml:"inline_policies"`
}

// Password is a user's console password.
type Password struct {
	Changed  RelTime `yaml:"changed"`
	LastUsed RelTime `yaml:"last_used"`
}

// AccessKey is a long-term access key of a user or the root user.
type AccessKey struct {
	ID     string `yaml:"id"`
	Secret string `yaml:"secret"`
	// Status is Active (default) or Inactive.
	Status   string     `yaml:"status"`
	Created  RelTime    `yaml:"created"`
	LastUsed *KeyUse    `yaml:"last_used"`
	owner    *principal // set on load
}

// KeyUse is when, where and for what an access key was last used.
type KeyUse struct {
	Date    RelTime `yaml:"date"`
	Region  string  `yaml:"region"`
	Service string  `yaml:"service"`
}

// MFADevice is an MFA device enabled for a user.
type MFADevice struct {
	// Type is virtual or hardware.
	Type    string  `yaml:"type"`
	Serial  string  `yaml:"serial"`
	Enabled RelTime `yaml:"enabled"`
}

// Role is an IAM role.
type Role struct {
	Name               string    `yaml:"name"`
	Path               string    `yaml:"path"`
	ID                 string    `yaml:"id"`
	Created            RelTime   `yaml:"created"`
	Description        string    `yaml:"description"`
	MaxSessionDuration int       `yaml:"max_session_duration"`
	TrustPolicy        Document  `yaml:"trust_policy"`
	AttachedPolicies   []string  `yaml:"attached_policies"`
	InlinePolicies     []*Inline `yaml:"inline_policies"`
}

// Policy is a managed policy (customer managed, or AWS managed when listed
// under aws_managed_policies).
type Policy struct {
	Name        string   `yaml:"name"`
	Path        string   `yaml:"path"`
	ID          string   `yaml:"id"`
	Description string   `yaml:"description"`
	Created     RelTime  `yaml:"created"`
	Updated     RelTime  `yaml:"updated"`
	Document    Document `yaml:"document"`
	// Version is the default version's ID (v1 when empty).
	Version string `yaml:"version"`
}

// Inline is an inline policy.
type Inline struct {
	Name     string   `yaml:"name"`
	Document Document `yaml:"document"`
}

// Document is a JSON policy document, written in YAML as a mapping or as a
// JSON string. Its JSON text is kept compact.
type Document struct {
	JSON string
}

// UnmarshalYAML accepts a mapping or a JSON string.
func (d *Document) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var s string
		if err := n.Decode(&s); err != nil {
			return err
		}
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return fmt.Errorf("line %d: policy document is not JSON: %w", n.Line, err)
		}
		var b bytes.Buffer
		if err := json.Compact(&b, []byte(s)); err != nil {
			return err
		}
		d.JSON = b.String()
		return nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("line %d: policy document: %w", n.Line, err)
	}
	d.JSON = string(b)
	return nil
}

// S3 is an account's S3 state.
type S3 struct {
	// PublicAccessBlock is the account-level block (S3 Control); nil means
	// none is configured.
	PublicAccessBlock *PublicAccessBlock `yaml:"public_access_block"`
	Buckets           []*Bucket          `yaml:"buckets"`
}

// PublicAccessBlock is an S3 public access block configuration.
type PublicAccessBlock struct {
	BlockPublicAcls       bool `yaml:"block_public_acls"`
	IgnorePublicAcls      bool `yaml:"ignore_public_acls"`
	BlockPublicPolicy     bool `yaml:"block_public_policy"`
	RestrictPublicBuckets bool `yaml:"restrict_public_buckets"`
}

// Bucket is an S3 bucket.
type Bucket struct {
	Name    string  `yaml:"name"`
	Region  string  `yaml:"region"`
	Created RelTime `yaml:"created"`
	// ACL is a canned ACL: private (default), public-read,
	// public-read-write, authenticated-read or log-delivery-write.
	ACL string `yaml:"acl"`
	// Grants are added to the canned ACL's.
	Grants            []*Grant           `yaml:"grants"`
	Policy            *Document          `yaml:"policy"`
	Logging           *BucketLogging     `yaml:"logging"`
	PublicAccessBlock *PublicAccessBlock `yaml:"public_access_block"`
	Encryption        *BucketEncryption  `yaml:"encryption"`
	// Versioning is Enabled, Suspended or empty (never enabled).
	Versioning string    `yaml:"versioning"`
	Objects    []*Object `yaml:"objects"`
}

// Grant is one ACL grant.
type Grant struct {
	// Grantee is a canonical user ID, or a group: AllUsers,
	// AuthenticatedUsers, LogDelivery.
	Grantee    string `yaml:"grantee"`
	Permission string `yaml:"permission"`
}

// BucketLogging is server access logging.
type BucketLogging struct {
	TargetBucket string `yaml:"target_bucket"`
	TargetPrefix string `yaml:"target_prefix"`
}

// BucketEncryption is default encryption.
type BucketEncryption struct {
	// Algorithm is AES256 or aws:kms.
	Algorithm        string `yaml:"algorithm"`
	KMSKeyID         string `yaml:"kms_key_id"`
	BucketKeyEnabled bool   `yaml:"bucket_key_enabled"`
}

// Object is an object stored in a bucket.
type Object struct {
	Key      string  `yaml:"key"`
	Body     string  `yaml:"body"`
	Modified RelTime `yaml:"modified"`
}

// Regional is an account's state in one region. Each service has its own
// fields; a new service adds fields here and a handler file.
type Regional struct {
	Trails                []*Trail             `yaml:"trails"`
	LogGroups             []*LogGroup          `yaml:"log_groups"`
	Alarms                []*Alarm             `yaml:"alarms"`
	Topics                []*Topic             `yaml:"sns_topics"`
	ConfigRecorders       []*ConfigRecorder    `yaml:"config_recorders"`
	KMSKeys               []*KMSKey            `yaml:"kms_keys"`
	VPCs                  []*VPC               `yaml:"vpcs"`
	SecurityGroups        []*SecurityGroup     `yaml:"security_groups"`
	FlowLogs              []*FlowLog           `yaml:"flow_logs"`
	RouteTables           []*RouteTable        `yaml:"route_tables"`
	VPCPeeringConnections []*PeeringConnection `yaml:"vpc_peering_connections"`
}

// Trail is a CloudTrail trail, listed under its home region.
type Trail struct {
	Name                         string  `yaml:"name"`
	MultiRegion                  bool    `yaml:"multi_region"`
	IncludeGlobalServiceEvents   *bool   `yaml:"include_global_service_events"`
	OrganizationTrail            bool    `yaml:"organization_trail"`
	Logging                      bool    `yaml:"logging"`
	LogFileValidation            bool    `yaml:"log_file_validation"`
	KMSKeyID                     string  `yaml:"kms_key_id"`
	S3Bucket                     string  `yaml:"s3_bucket"`
	S3KeyPrefix                  string  `yaml:"s3_key_prefix"`
	SNSTopic                     string  `yaml:"sns_topic"`
	CloudWatchLogsLogGroup       string  `yaml:"cloudwatch_logs_log_group"`
	CloudWatchLogsRoleARN        string  `yaml:"cloudwatch_logs_role_arn"`
	LatestDelivery               RelTime `yaml:"latest_delivery"`
	LatestCloudWatchLogsDelivery RelTime `yaml:"latest_cloudwatch_logs_delivery"`
	StartLogging                 RelTime `yaml:"start_logging"`
	StopLogging                  RelTime `yaml:"stop_logging"`
	// EventSelectors; none means the default (all management events).
	EventSelectors []*EventSelector `yaml:"event_selectors"`
}

// EventSelector is a basic CloudTrail event selector.
type EventSelector struct {
	// ReadWriteType is All, ReadOnly or WriteOnly.
	ReadWriteType                 string   `yaml:"read_write_type"`
	IncludeManagementEvents       bool     `yaml:"include_management_events"`
	ExcludeManagementEventSources []string `yaml:"exclude_management_event_sources"`
}

// LogGroup is a CloudWatch Logs log group with its metric filters.
type LogGroup struct {
	Name          string          `yaml:"name"`
	Created       RelTime         `yaml:"created"`
	RetentionDays int             `yaml:"retention_days"`
	KMSKeyID      string          `yaml:"kms_key_id"`
	MetricFilters []*MetricFilter `yaml:"metric_filters"`
}

// MetricFilter is a CloudWatch Logs metric filter.
type MetricFilter struct {
	Name            string  `yaml:"name"`
	Pattern         string  `yaml:"pattern"`
	MetricName      string  `yaml:"metric_name"`
	MetricNamespace string  `yaml:"metric_namespace"`
	MetricValue     string  `yaml:"metric_value"`
	Created         RelTime `yaml:"created"`
}

// Alarm is a CloudWatch metric alarm.
type Alarm struct {
	Name               string   `yaml:"name"`
	Description        string   `yaml:"description"`
	MetricName         string   `yaml:"metric_name"`
	Namespace          string   `yaml:"namespace"`
	Statistic          string   `yaml:"statistic"`
	Period             int      `yaml:"period"`
	EvaluationPeriods  int      `yaml:"evaluation_periods"`
	Threshold          float64  `yaml:"threshold"`
	ComparisonOperator string   `yaml:"comparison_operator"`
	ActionsEnabled     *bool    `yaml:"actions_enabled"`
	AlarmActions       []string `yaml:"alarm_actions"`
	OKActions          []string `yaml:"ok_actions"`
	// State is OK, ALARM or INSUFFICIENT_DATA.
	State   string  `yaml:"state"`
	Updated RelTime `yaml:"updated"`
}

// Topic is an SNS topic with its subscriptions.
type Topic struct {
	Name          string          `yaml:"name"`
	Subscriptions []*Subscription `yaml:"subscriptions"`
}

// Subscription is an SNS subscription.
type Subscription struct {
	Protocol string `yaml:"protocol"`
	Endpoint string `yaml:"endpoint"`
	// Pending subscriptions are not confirmed (SubscriptionArn
	// PendingConfirmation).
	Pending bool   `yaml:"pending"`
	ID      string `yaml:"id"`
}

// ConfigRecorder is an AWS Config configuration recorder and its status.
type ConfigRecorder struct {
	Name                       string   `yaml:"name"`
	RoleARN                    string   `yaml:"role_arn"`
	AllSupported               bool     `yaml:"all_supported"`
	IncludeGlobalResourceTypes bool     `yaml:"include_global_resource_types"`
	ResourceTypes              []string `yaml:"resource_types"`
	Recording                  bool     `yaml:"recording"`
	// LastStatus is SUCCESS, FAILURE or PENDING.
	LastStatus string  `yaml:"last_status"`
	LastStart  RelTime `yaml:"last_start"`
	LastStop   RelTime `yaml:"last_stop"`
}

// KMSKey is a KMS key.
type KMSKey struct {
	ID          string `yaml:"id"`
	Description string `yaml:"description"`
	// Manager is CUSTOMER (default) or AWS.
	Manager string `yaml:"manager"`
	// State is Enabled (default), Disabled or PendingDeletion.
	State string `yaml:"state"`
	// Spec is SYMMETRIC_DEFAULT (default), RSA_2048, ...
	Spec     string   `yaml:"spec"`
	Usage    string   `yaml:"usage"`
	Rotation bool     `yaml:"rotation"`
	Created  RelTime  `yaml:"created"`
	Aliases  []string `yaml:"aliases"`
}

// VPC is a VPC.
type VPC struct {
	ID      string `yaml:"id"`
	CIDR    string `yaml:"cidr"`
	Default bool   `yaml:"default"`
	State   string `yaml:"state"`
}

// SecurityGroup is an EC2 security group.
type SecurityGroup struct {
	ID          string  `yaml:"id"`
	Name        string  `yaml:"name"`
	Description string  `yaml:"description"`
	VPC         string  `yaml:"vpc"`
	Ingress     []*Rule `yaml:"ingress"`
	Egress      []*Rule `yaml:"egress"`
}

// Rule is a security group permission.
type Rule struct {
	// Protocol is tcp, udp, icmp or -1 (all).
	Protocol  string   `yaml:"protocol"`
	FromPort  *int     `yaml:"from_port"`
	ToPort    *int     `yaml:"to_port"`
	CIDRs     []string `yaml:"cidrs"`
	IPv6CIDRs []string `yaml:"ipv6_cidrs"`
	// Groups are security group IDs (a self reference names its own group).
	Groups []string `yaml:"groups"`
}

// FlowLog is a VPC flow log.
type FlowLog struct {
	ID       string `yaml:"id"`
	Resource string `yaml:"resource"`
	// TrafficType is ALL, ACCEPT or REJECT.
	TrafficType string `yaml:"traffic_type"`
	// DestinationType is cloud-watch-logs or s3.
	DestinationType string  `yaml:"destination_type"`
	LogGroup        string  `yaml:"log_group"`
	Destination     string  `yaml:"destination"`
	Status          string  `yaml:"status"`
	Created         RelTime `yaml:"created"`
}

// RouteTable is a VPC route table.
type RouteTable struct {
	ID      string   `yaml:"id"`
	VPC     string   `yaml:"vpc"`
	Main    bool     `yaml:"main"`
	Subnets []string `yaml:"subnets"`
	Routes  []*Route `yaml:"routes"`
}

// Route is one route.
type Route struct {
	Destination string `yaml:"destination"`
	// Target is local, igw-..., nat-..., pcx-... (peering) or tgw-....
	Target string `yaml:"target"`
}

// PeeringConnection is a VPC peering connection.
type PeeringConnection struct {
	ID        string      `yaml:"id"`
	Requester PeeringSide `yaml:"requester"`
	Accepter  PeeringSide `yaml:"accepter"`
	// Status is active, pending-acceptance, ...
	Status string `yaml:"status"`
}

// PeeringSide is one end of a peering connection.
type PeeringSide struct {
	VPC     string `yaml:"vpc"`
	Account string `yaml:"account"`
	Region  string `yaml:"region"`
	CIDR    string `yaml:"cidr"`
}

//go:embed default.yaml
var defaultFixture []byte

// Default returns the built-in organisation (a fresh copy).
func Default() *Fixture {
	f, err := ParseFixture(defaultFixture)
	if err != nil {
		panic("awssim: built-in fixture: " + err.Error())
	}
	return f
}

// DefaultYAML returns the built-in fixture's YAML.
func DefaultYAML() []byte { return bytes.Clone(defaultFixture) }

// LoadFixture reads and validates a fixture file.
func LoadFixture(path string) (*Fixture, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read fixture: %w", err)
	}
	f, err := ParseFixture(b)
	if err != nil {
		return nil, fmt.Errorf("fixture %s: %w", path, err)
	}
	return f, nil
}

// ErrInvalidFixture is wrapped by every validation error.
var ErrInvalidFixture = errors.New("invalid fixture")

// ParseFixture decodes (unknown fields are errors) and validates a fixture.
func ParseFixture(b []byte) (*Fixture, error) {
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	var f Fixture
	if err := d.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidFixture, err)
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

// ---- relative times ----

// RelTime is a time relative to the simulator's clock ("-400d", "-36h",
// "-90m", "now") or absolute (RFC 3339). The zero RelTime is unset.
type RelTime struct {
	raw string
	off time.Duration
	abs time.Time
}

// UnmarshalYAML keeps the text; validation parses it and names the field.
func (t *RelTime) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: a time must be a scalar like -400d", n.Line)
	}
	t.raw = n.Value
	return nil
}

// Rel returns a RelTime offset from the clock (tests, code-built fixtures).
func Rel(d time.Duration) RelTime { return RelTime{raw: d.String(), off: d} }

// IsSet reports whether the time was given.
func (t RelTime) IsSet() bool { return t.raw != "" }

// At resolves the time against now (zero when unset).
func (t RelTime) At(now time.Time) time.Time {
	switch {
	case t.raw == "":
		return time.Time{}
	case !t.abs.IsZero():
		return t.abs
	}
	return now.Add(t.off).UTC().Truncate(time.Second)
}

// Or resolves the time, or def when unset.
func (t RelTime) Or(now time.Time, def time.Duration) time.Time {
	if t.raw == "" {
		return now.Add(def).UTC().Truncate(time.Second)
	}
	return t.At(now)
}

var relRe = regexp.MustCompile(`^([+-]?)((?:\d+(?:d|h|m|s))+)$`)

func (t *RelTime) parse() error {
	s := strings.TrimSpace(t.raw)
	if s == "" || s == "now" {
		t.off = 0
		return nil
	}
	if m := relRe.FindStringSubmatch(s); m != nil {
		var total time.Duration
		unit := regexp.MustCompile(`(\d+)([dhms])`)
		for _, p := range unit.FindAllStringSubmatch(m[2], -1) {
			n, _ := strconv.Atoi(p[1])
			switch p[2] {
			case "d":
				total += time.Duration(n) * 24 * time.Hour
			case "h":
				total += time.Duration(n) * time.Hour
			case "m":
				total += time.Duration(n) * time.Minute
			case "s":
				total += time.Duration(n) * time.Second
			}
		}
		if m[1] == "-" {
			total = -total
		}
		t.off = total
		return nil
	}
	if a, err := time.Parse(time.RFC3339, s); err == nil {
		t.abs = a.UTC()
		return nil
	}
	return fmt.Errorf("%q is not a time: use an offset from the clock like -400d, -36h, -90m or now, or RFC 3339", t.raw)
}
