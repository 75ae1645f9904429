package awsx

import (
	"errors"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The classes of AWS errors callers branch on. Classify returns one of them;
// Wrap makes errors.Is work on the original error.
var (
	// ErrAccessDenied: the principal may not call the operation or read the
	// resource.
	ErrAccessDenied = errors.New("access denied")
	// ErrThrottled: the request was throttled (after the SDK's retries).
	ErrThrottled = errors.New("throttled")
	// ErrRegionDisabled: the region is not enabled for the account (AWS
	// answers with an invalid-token error there).
	ErrRegionDisabled = errors.New("region disabled")
	// ErrNotFound: the resource or its configuration does not exist.
	ErrNotFound = errors.New("not found")
	// ErrCredentials: the credentials are missing, expired or malformed.
	ErrCredentials = errors.New("invalid AWS credentials")
)

var (
	accessDeniedCodes = map[string]bool{
		"AccessDenied": true, "AccessDeniedException": true, "UnauthorizedOperation": true,
		"Client.UnauthorizedOperation": true, "AuthorizationError": true, "UnauthorizedAccess": true,
		"AuthorizationErrorException": true, "Forbidden": true, "InsufficientPrivilegesException": true,
	}
	throttleCodes = map[string]bool{
		"Throttling": true, "ThrottlingException": true, "ThrottledException": true, "Throttled": true,
		"RequestThrottledException": true, "TooManyRequestsException": true, "RequestLimitExceeded": true,
		"SlowDown": true, "EC2ThrottledException": true, "RequestThrottled": true, "PriorRequestNotComplete": true,
		"BandwidthLimitExceeded": true, "ProvisionedThroughputExceededException": true,
	}
	// Calls into a region the account has not enabled fail authentication.
	regionDisabledCodes = map[string]bool{
		"InvalidClientTokenId": true, "UnrecognizedClientException": true, "AuthFailure": true,
		"OptInRequired": true, "InvalidToken": true,
	}
	credentialCodes = map[string]bool{
		"ExpiredToken": true, "ExpiredTokenException": true, "SignatureDoesNotMatch": true,
		"InvalidAccessKeyId": true, "MissingAuthenticationToken": true, "IncompleteSignature": true,
		"RequestExpired": true,
	}
	notFoundCodes = map[string]bool{
		"NoSuchEntity": true, "NoSuchEntityException": true, "NoSuchBucket": true, "NoSuchKey": true,
		"NoSuchBucketPolicy": true, "NoSuchPublicAccessBlockConfiguration": true,
		"ServerSideEncryptionConfigurationNotFoundError": true, "NoSuchTagSet": true, "NoSuchLifecycleConfiguration": true,
		"NoSuchCORSConfiguration": true, "NoSuchWebsiteConfiguration": true, "ReplicationConfigurationNotFoundError": true,
		"OwnershipControlsNotFoundError": true, "NotFound": true, "NotFoundException": true,
		"ResourceNotFoundException": true, "ResourceNotFound": true, "TrailNotFoundException": true,
		"NoSuchConfigurationRecorderException": true, "NoSuchDeliveryChannelException": true,
		"ReportNotPresent": true, "CredentialReportNotPresentException": true,
		"AWSOrganizationsNotInUseException": true,
	}
)

// Code returns the AWS error code in err's chain, or "".
func Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Classify returns the class of an AWS error (one of the Err* sentinels), or
// nil when err is nil or of no class. A throttle that outlasted the SDK's
// retries (retry.MaxAttemptsError) is still ErrThrottled.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	for _, s := range []error{ErrAccessDenied, ErrThrottled, ErrRegionDisabled, ErrNotFound, ErrCredentials} {
		if errors.Is(err, s) {
			return s
		}
	}
	code := Code(err)
	switch {
	case accessDeniedCodes[code]:
		return ErrAccessDenied
	case throttleCodes[code]:
		return ErrThrottled
	case regionDisabledCodes[code]:
		return ErrRegionDisabled
	case credentialCodes[code]:
		return ErrCredentials
	case notFoundCodes[code], strings.HasSuffix(code, ".NotFound"):
		return ErrNotFound
	}
	var me *retry.MaxAttemptsError
	if errors.As(err, &me) && Classify(me.Err) == ErrThrottled {
		return ErrThrottled
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && code == "" {
		switch re.HTTPStatusCode() {
		case http.StatusNotFound:
			return ErrNotFound
		case http.StatusForbidden:
			return ErrAccessDenied
		case http.StatusTooManyRequests:
			return ErrThrottled
		}
	}
	return nil
}

// Error is an AWS error with its class.
type Error struct {
	Class error
	Err   error
}

func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the original error, so errors.As still finds smithy types.
func (e *Error) Unwrap() error { return e.Err }

// Is matches the class sentinel.
func (e *Error) Is(target error) bool { return target == e.Class }

// Wrap returns err with its class attached (errors.Is(err, ErrNotFound)), or
// err unchanged when it has none.
func Wrap(err error) error {
	c := Classify(err)
	if c == nil {
		return err
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Class: c, Err: err}
}
