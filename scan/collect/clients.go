package collect

import (
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// Clients hands out SDK clients for one account's credentials, one per
// service and region, built once from the account's config (which carries
// the scanner's retryer, rate limiter and call manifest).
type Clients struct {
	cfg aws.Config
	mu  sync.Mutex
	m   map[[2]string]any
}

// NewClients returns a client factory for cfg.
func NewClients(cfg aws.Config) *Clients {
	return &Clients{cfg: cfg, m: map[[2]string]any{}}
}

func client[T any](c *Clients, service, region string, mk func(aws.Config) T) T {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := [2]string{service, region}
	if v, ok := c.m[k]; ok {
		return v.(T)
	}
	cfg := c.cfg.Copy()
	cfg.Region = region
	v := mk(cfg)
	c.m[k] = v
	return v
}

// IAM is the IAM client (a global service, signed for region).
func (c *Clients) IAM(region string) *iam.Client {
	return client(c, "iam", region, func(cfg aws.Config) *iam.Client { return iam.NewFromConfig(cfg) })
}

// EC2 is the EC2 client in region.
func (c *Clients) EC2(region string) *ec2.Client {
	return client(c, "ec2", region, func(cfg aws.Config) *ec2.Client { return ec2.NewFromConfig(cfg) })
}

// CloudTrail is the CloudTrail client in region.
func (c *Clients) CloudTrail(region string) *cloudtrail.Client {
	return client(c, "cloudtrail", region, func(cfg aws.Config) *cloudtrail.Client { return cloudtrail.NewFromConfig(cfg) })
}

// Logs is the CloudWatch Logs client in region.
func (c *Clients) Logs(region string) *cloudwatchlogs.Client {
	return client(c, "logs", region, func(cfg aws.Config) *cloudwatchlogs.Client { return cloudwatchlogs.NewFromConfig(cfg) })
}

// CloudWatch is the CloudWatch client in region.
func (c *Clients) CloudWatch(region string) *cloudwatch.Client {
	return client(c, "cloudwatch", region, func(cfg aws.Config) *cloudwatch.Client { return cloudwatch.NewFromConfig(cfg) })
}

// SNS is the SNS client in region.
func (c *Clients) SNS(region string) *sns.Client {
	return client(c, "sns", region, func(cfg aws.Config) *sns.Client { return sns.NewFromConfig(cfg) })
}

// Config is the AWS Config client in region.
func (c *Clients) Config(region string) *configservice.Client {
	return client(c, "config", region, func(cfg aws.Config) *configservice.Client { return configservice.NewFromConfig(cfg) })
}

// KMS is the KMS client in region.
func (c *Clients) KMS(region string) *kms.Client {
	return client(c, "kms", region, func(cfg aws.Config) *kms.Client { return kms.NewFromConfig(cfg) })
}

// S3 is the S3 client in region.
func (c *Clients) S3(region string) *s3.Client {
	return client(c, "s3", region, func(cfg aws.Config) *s3.Client { return s3.NewFromConfig(cfg) })
}

// S3Control is the S3 Control client in region.
func (c *Clients) S3Control(region string) *s3control.Client {
	return client(c, "s3control", region, func(cfg aws.Config) *s3control.Client { return s3control.NewFromConfig(cfg) })
}
