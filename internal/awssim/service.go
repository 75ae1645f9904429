package awssim

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Protocol is an AWS wire protocol.
type Protocol string

// The protocols the simulator speaks.
const (
	AWSQuery  Protocol = "awsQuery"
	EC2Query  Protocol = "ec2Query"
	AWSJSON11 Protocol = "awsJson1_1"
	RestXML   Protocol = "restXml"
	RPCv2CBOR Protocol = "smithy.rpcv2cbor"
	RestJSON  Protocol = "restJson1"
)

// service describes one AWS service as the simulator serves and records it.
type service struct {
	// Name is the service's signing name in the SigV4 credential scope
	// ("monitoring" for CloudWatch); S3 Control is told apart by its path.
	Name string
	// Prefix is the IAM action prefix ("cloudwatch", "s3").
	Prefix      string
	EventSource string
	Protocol    Protocol
	// Global services are recorded in us-east-1 whatever the client's region.
	Global  bool
	Target  string // awsJson X-Amz-Target prefix
	Version string // awsQuery/ec2Query Version
	XMLNS   string
	// CBORService is the RPC v2 CBOR service name in the path.
	CBORService string
	// codes overrides the wire error code for a kind of error.
	codes map[errKind]string
}

var services = []*service{
	{Name: "iam", Prefix: "iam", EventSource: "iam.amazonaws.com", Protocol: AWSQuery, Global: true,
		Version: "2010-05-08", XMLNS: "https://iam.amazonaws.com/doc/2010-05-08/",
		codes: map[errKind]string{errValidation: "InvalidInput"}},
	{Name: "sts", Prefix: "sts", EventSource: "sts.amazonaws.com", Protocol: AWSQuery,
		Version: "2011-06-15", XMLNS: "https://sts.amazonaws.com/doc/2011-06-15/"},
	{Name: "sns", Prefix: "sns", EventSource: "sns.amazonaws.com", Protocol: AWSQuery,
		Version: "2010-03-31", XMLNS: "http://sns.amazonaws.com/doc/2010-03-31/",
		// API rate limiting answers the generic Throttling (400), which the
		// SDK retries; the modelled Throttled (429) is for publish rates.
		codes: map[errKind]string{errAccessDenied: "AuthorizationError", errNotFound: "NotFound",
			errValidation: "InvalidParameter"}},
	{Name: "ec2", Prefix: "ec2", EventSource: "ec2.amazonaws.com", Protocol: EC2Query,
		Version: "2016-11-15", XMLNS: "http://ec2.amazonaws.com/doc/2016-11-15/",
		codes: map[errKind]string{errAccessDenied: "UnauthorizedOperation", errThrottled: "RequestLimitExceeded",
			errInvalidToken: "AuthFailure", errValidation: "InvalidParameterValue", errUnavailable: "Unavailable"}},
	{Name: "s3", Prefix: "s3", EventSource: "s3.amazonaws.com", Protocol: RestXML,
		XMLNS: "http://s3.amazonaws.com/doc/2006-03-01/",
		codes: map[errKind]string{errThrottled: "SlowDown", errInvalidToken: "InvalidAccessKeyId",
			errExpiredToken: "ExpiredToken", errValidation: "InvalidArgument"}},
	{Name: "s3control", Prefix: "s3control", EventSource: "s3.amazonaws.com", Protocol: RestXML,
		XMLNS: "http://awss3control.amazonaws.com/doc/2018-08-20/",
		codes: map[errKind]string{errThrottled: "SlowDown", errInvalidToken: "InvalidAccessKeyId",
			errValidation: "InvalidRequest"}},
	{Name: "monitoring", Prefix: "cloudwatch", EventSource: "monitoring.amazonaws.com", Protocol: RPCv2CBOR,
		CBORService: "GraniteServiceVersion20100801",
		codes:       map[errKind]string{errValidation: "InvalidParameterValue", errNotFound: "ResourceNotFound"}},
	{Name: "cloudtrail", Prefix: "cloudtrail", EventSource: "cloudtrail.amazonaws.com", Protocol: AWSJSON11,
		Target: "CloudTrail_20131101", codes: map[errKind]string{errNotFound: "TrailNotFoundException",
			errValidation: "InvalidParameterException"}},
	{Name: "logs", Prefix: "logs", EventSource: "logs.amazonaws.com", Protocol: AWSJSON11,
		Target: "Logs_20140328", codes: map[errKind]string{errNotFound: "ResourceNotFoundException",
			errValidation: "InvalidParameterException"}},
	{Name: "config", Prefix: "config", EventSource: "config.amazonaws.com", Protocol: AWSJSON11,
		Target: "StarlingDoveService", codes: map[errKind]string{errValidation: "InvalidParameterValueException",
			errNotFound: "NoSuchConfigurationRecorderException"}},
	{Name: "kms", Prefix: "kms", EventSource: "kms.amazonaws.com", Protocol: AWSJSON11,
		Target: "TrentService", codes: map[errKind]string{errNotFound: "NotFoundException",
			errValidation: "InvalidMarkerException"}},
	{Name: "organizations", Prefix: "organizations", EventSource: "organizations.amazonaws.com",
		Protocol: AWSJSON11, Global: true, Target: "AWSOrganizationsV20161128",
		codes: map[errKind]string{errThrottled: "TooManyRequestsException", errValidation: "InvalidInputException"}},
}

func serviceByName(name string) *service {
	for _, s := range services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

func serviceByTarget(target string) *service {
	prefix, _, _ := strings.Cut(target, ".")
	for _, s := range services {
		if s.Target != "" && s.Target == prefix {
			return s
		}
	}
	return nil
}

func serviceByVersion(v string) *service {
	for _, s := range services {
		if s.Version != "" && s.Version == v {
			return s
		}
	}
	return nil
}

// Operation is one API operation the simulator implements.
type Operation struct {
	Service string // signing name
	Name    string
	// ReadOnly is CloudTrail's readOnly for the operation.
	ReadOnly bool
	// EventName overrides CloudTrail's eventName (S3 ListObjectsV2 is logged
	// as ListObjects).
	EventName string
	// Action is the IAM action name when it differs from Name (S3's
	// GetPublicAccessBlock is s3:GetBucketPublicAccessBlock).
	Action string
	// Data marks a data event (eventCategory Data, managementEvent false).
	Data    bool
	Handler func(*Call) (any, error)
	// Params overrides the CloudTrail requestParameters derived from the input.
	Params func(*Call) any
}

type opKey struct{ service, name string }

// registry maps service+name to an operation. It is built once from the
// ops_*.go files' register functions.
type registry map[opKey]*Operation

func (r registry) add(ops ...*Operation) {
	for _, op := range ops {
		k := opKey{op.Service, op.Name}
		if r[k] != nil {
			panic(fmt.Sprintf("awssim: operation %s:%s registered twice", op.Service, op.Name))
		}
		r[k] = op
	}
}

func newRegistry() registry {
	r := registry{}
	registerIAM(r)
	registerSTS(r)
	registerEC2(r)
	registerS3(r)
	registerCloudTrail(r)
	registerLogs(r)
	registerCloudWatch(r)
	registerSNS(r)
	registerConfig(r)
	registerKMS(r)
	registerOrganizations(r)
	return r
}

// Operations lists the implemented operations as "prefix:Name" (IAM action
// naming), sorted.
func Operations() []string {
	var out []string
	for k, op := range newRegistry() {
		name := k.name
		if op.Action != "" {
			name = op.Action
		}
		out = append(out, serviceByName(k.service).Prefix+":"+name)
	}
	sort.Strings(out)
	return out
}

// ---- errors ----

type errKind int

const (
	errOther errKind = iota
	errAccessDenied
	errThrottled
	errNotImplemented
	errInvalidToken
	errExpiredToken
	errUnavailable
	errValidation
	errNotFound
)

// Error is an AWS error answer. Code is the wire code; TrailCode, when set,
// is how CloudTrail spells it (IAM logs exception shape names).
type Error struct {
	Code      string
	Message   string
	Status    int
	TrailCode string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

var defaultCodes = map[errKind]struct {
	code   string
	status int
}{
	errAccessDenied:   {"AccessDenied", http.StatusForbidden},
	errThrottled:      {"Throttling", http.StatusBadRequest},
	errNotImplemented: {"NotImplemented", http.StatusNotImplemented},
	errInvalidToken:   {"InvalidClientTokenId", http.StatusForbidden},
	errExpiredToken:   {"ExpiredToken", http.StatusBadRequest},
	errUnavailable:    {"ServiceUnavailable", http.StatusServiceUnavailable},
	errValidation:     {"ValidationError", http.StatusBadRequest},
	errNotFound:       {"NotFound", http.StatusNotFound},
}

// jsonCodes are the awsJson spellings of the generic kinds.
var jsonCodes = map[errKind]string{
	errAccessDenied: "AccessDeniedException",
	errThrottled:    "ThrottlingException",
	errInvalidToken: "UnrecognizedClientException",
	errValidation:   "ValidationException",
	errNotFound:     "ResourceNotFoundException",
}

// errorOf builds the service's error of a kind.
func (s *service) errorOf(kind errKind, msg string) *Error {
	d := defaultCodes[kind]
	code := d.code
	if s.Protocol == AWSJSON11 {
		if c, ok := jsonCodes[kind]; ok {
			code = c
		}
	}
	if c, ok := s.codes[kind]; ok {
		code = c
	}
	status := d.status
	switch {
	case kind == errThrottled && (s.Protocol == EC2Query || s.Protocol == RestXML):
		status = http.StatusServiceUnavailable
	case kind == errInvalidToken && s.Protocol == EC2Query:
		status = http.StatusUnauthorized
	case kind == errInvalidToken && s.Protocol == AWSJSON11:
		status = http.StatusBadRequest
	}
	return &Error{Code: code, Message: msg, Status: status}
}

// trailCode is the errorCode CloudTrail writes for e from this service.
func (s *service) trailCode(e *Error) string {
	if e.TrailCode != "" {
		return e.TrailCode
	}
	if s.Protocol == EC2Query && e.Code != "NotImplemented" {
		if e.Status >= 500 {
			return "Server." + e.Code
		}
		return "Client." + e.Code
	}
	return e.Code
}
