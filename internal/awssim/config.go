package awssim

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Endpoint is the base endpoint in-memory configs use. It is an IP address,
// so the S3 client picks path-style addressing; nothing ever dials it.
const Endpoint = "http://127.0.0.1:4566"

// AWSConfig returns an aws.Config whose clients talk to the simulator in
// memory with creds, in region. The retryer is the SDK's standard retryer
// with a 1 ms maximum back-off, so throttling tests retry without waiting.
func (s *Sim) AWSConfig(region string, creds Credentials) aws.Config {
	return aws.Config{
		Region: region,
		Credentials: credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey,
			creds.SessionToken),
		HTTPClient:   s.HTTPClient(),
		BaseEndpoint: aws.String(Endpoint),
		Retryer: func() aws.Retryer {
			return retry.AddWithMaxBackoffDelay(retry.NewStandard(), time.Millisecond)
		},
	}
}
