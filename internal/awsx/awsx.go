// Package awsx is footprint's AWS configuration layer: loading the SDK
// config the standard way, sending every request to a loopback endpoint when
// one is configured (the simulator), assuming roles under a fixed session
// name, and classifying AWS errors in one place.
package awsx

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
)

// Options configure Load.
type Options struct {
	// Region overrides the region from the environment and shared config.
	Region string
	// Profile selects a shared-config profile.
	Profile string
	// UserAgent is added to every request's User-Agent as it is written
	// ("footprint/1.2.3"), so CloudTrail attributes the calls.
	UserAgent string
	// AppID is the SDK's app ID (written "app/<id>", "/" becomes "-").
	AppID string
	// Retryer, when set, replaces the SDK's standard retryer.
	Retryer func() aws.Retryer
	// HTTPClient, when set, is used as it is (tests hand in the simulator's
	// in-memory client); otherwise see Load.
	HTTPClient aws.HTTPClient
}

// Load loads the AWS config the standard way (environment, shared config and
// credentials files, SSO, IMDS). When AWS_ENDPOINT_URL names a loopback
// address, the HTTP transport dials that address for every host, so requests
// whose host the SDK prefixes (S3 Control's <account>.127.0.0.1) still reach
// a local endpoint such as `footprint sim serve`.
func Load(ctx context.Context, opts Options) (aws.Config, error) {
	var lo []func(*config.LoadOptions) error
	if opts.Region != "" {
		lo = append(lo, config.WithRegion(opts.Region))
	}
	if opts.Profile != "" {
		lo = append(lo, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.AppID != "" {
		lo = append(lo, config.WithAppID(opts.AppID))
	}
	if opts.UserAgent != "" {
		name, version, _ := strings.Cut(opts.UserAgent, "/")
		lo = append(lo, config.WithAPIOptions([]func(*middleware.Stack) error{
			awsmiddleware.AddUserAgentKeyValue(name, version),
		}))
	}
	if opts.Retryer != nil {
		lo = append(lo, config.WithRetryer(opts.Retryer))
	}
	switch {
	case opts.HTTPClient != nil:
		lo = append(lo, config.WithHTTPClient(opts.HTTPClient))
	default:
		if addr, ok := LoopbackEndpoint(os.Getenv("AWS_ENDPOINT_URL")); ok {
			lo = append(lo, config.WithHTTPClient(LoopbackHTTPClient(addr)))
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	return cfg, nil
}

// LoopbackEndpoint returns the host:port an endpoint URL names when it is a
// loopback address (127.0.0.0/8, ::1 or localhost).
func LoopbackEndpoint(endpoint string) (string, bool) {
	if endpoint == "" {
		return "", false
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return "", false
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	if host != "localhost" {
		ip := net.ParseIP(host)
		if ip == nil || !ip.IsLoopback() {
			return "", false
		}
	}
	return net.JoinHostPort(host, port), true
}

// LoopbackHTTPClient is the SDK's HTTP client with a dialer that connects to
// addr whatever host a request names, and no proxy.
func LoopbackHTTPClient(addr string) *awshttp.BuildableClient {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.Proxy = nil
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		}
	})
}

// AssumeRoleOptions configure AssumeRole.
type AssumeRoleOptions struct {
	RoleARN     string
	SessionName string
	ExternalID  string
	// SourceIdentity is carried into every call the session makes.
	SourceIdentity string
	// Duration of the session; 0 means the SDK default (15 minutes).
	Duration time.Duration
}

// AssumeRole returns a copy of cfg whose credentials are the role's, assumed
// with cfg's credentials under the given session name and refreshed as they
// expire.
func AssumeRole(cfg aws.Config, opts AssumeRoleOptions) aws.Config {
	p := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), opts.RoleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = opts.SessionName
		if opts.ExternalID != "" {
			o.ExternalID = aws.String(opts.ExternalID)
		}
		if opts.SourceIdentity != "" {
			o.SourceIdentity = aws.String(opts.SourceIdentity)
		}
		if opts.Duration > 0 {
			o.Duration = opts.Duration
		}
	})
	out := cfg.Copy()
	out.Credentials = aws.NewCredentialsCache(p)
	return out
}
