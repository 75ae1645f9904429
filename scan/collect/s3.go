package collect

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
)

// The S3 collectors read the buckets the controls ask about: for CIS, the
// trails' buckets. The bucket's location is asked of the home region; every
// other read goes to the bucket's own region, and only when the scan reads
// that region.

func init() {
	register(
		&Collector{
			Name: "s3_trail_buckets", Service: "s3", Scope: Global,
			Tables: []string{"s3_buckets"},
			Needs:  []string{"cloudtrail_trails"},
			Ops:    []Op{{Name: "s3:GetBucketLocation", Kind: PerResource, Per: "trail bucket", Assume: 1, AssumeMax: 5}},
			Run:    trailBuckets,
		},
		&Collector{
			Name: "s3_bucket_acl", Service: "s3", Scope: Global,
			Tables: []string{"s3_bucket_acl_grants"},
			Needs:  []string{"s3_buckets"},
			Ops:    []Op{{Name: "s3:GetBucketAcl", Kind: PerResource, Per: "bucket", Assume: 1, AssumeMax: 5}},
			Run:    perBucket("s3:GetBucketAcl", bucketACL),
		},
		&Collector{
			Name: "s3_bucket_policy", Service: "s3", Scope: Global,
			Tables: []string{"s3_bucket_policies", "s3_bucket_policy_statements"},
			Needs:  []string{"s3_buckets"},
			Ops:    []Op{{Name: "s3:GetBucketPolicy", Kind: PerResource, Per: "bucket", Assume: 1, AssumeMax: 5}},
			Run:    perBucket("s3:GetBucketPolicy", bucketPolicy),
		},
		&Collector{
			Name: "s3_bucket_logging", Service: "s3", Scope: Global,
			Tables: []string{"s3_bucket_logging"},
			Needs:  []string{"s3_buckets"},
			Ops:    []Op{{Name: "s3:GetBucketLogging", Kind: PerResource, Per: "bucket", Assume: 1, AssumeMax: 5}},
			Run:    perBucket("s3:GetBucketLogging", bucketLogging),
		},
		&Collector{
			Name: "s3_bucket_public_access_block", Service: "s3", Scope: Global,
			Tables: []string{"s3_bucket_public_access_block"},
			Needs:  []string{"s3_buckets"},
			Ops:    []Op{{Name: "s3:GetBucketPublicAccessBlock", Kind: PerResource, Per: "bucket", Assume: 1, AssumeMax: 5}},
			Run:    perBucket("s3:GetBucketPublicAccessBlock", bucketPublicAccessBlock),
		},
		&Collector{
			Name: "s3_account_public_access_block", Service: "s3control", Scope: Global,
			Tables: []string{"s3_account_public_access_block"},
			Ops:    []Op{{Name: "s3control:GetPublicAccessBlock", Kind: Once}},
			Run:    accountPublicAccessBlock,
		},
	)
}

// BucketARN is a bucket's ARN in partition.
func BucketARN(partition, bucket string) string { return "arn:" + partition + ":s3:::" + bucket }

func trailBuckets(ctx context.Context, env *Env) error {
	rows, err := env.DB.QueryContext(ctx, `SELECT s3_bucket, min(coalesce(home_region, region)) FROM cloudtrail_trails
		WHERE scan_id = $1 AND account_id = $2 AND s3_bucket IS NOT NULL GROUP BY s3_bucket ORDER BY s3_bucket`, env.ScanID, env.Account)
	if err != nil {
		return fmt.Errorf("read inventory: %w", err)
	}
	var buckets []namedARN // name: bucket, arn: the region to blame on failure
	for rows.Next() {
		var b namedARN
		if err := rows.Scan(&b.name, &b.arn); err != nil {
			rows.Close()
			return err
		}
		buckets = append(buckets, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	cl := env.Clients.S3(env.HomeRegion)
	cctx := env.Context(ctx)
	for _, b := range buckets {
		out, err := cl.GetBucketLocation(cctx, &s3.GetBucketLocationInput{Bucket: aws.String(b.name)})
		if err != nil {
			env.Gap("s3:GetBucketLocation", b.arn, BucketARN(env.Partition, b.name), err)
			if err := ctx.Err(); err != nil {
				return err
			}
			continue
		}
		env.Add("s3_buckets", bucketRegion(string(out.LocationConstraint)), b.name, BucketARN(env.Partition, b.name))
	}
	return nil
}

// bucketRegion turns a LocationConstraint into a region: empty is
// us-east-1, EU is eu-west-1.
func bucketRegion(loc string) string {
	switch loc {
	case "":
		return "us-east-1"
	case "EU":
		return "eu-west-1"
	}
	return loc
}

type bucketRef struct{ name, arn, region string }

// perBucket runs read for every located bucket in a scanned region and
// records the others as out of scope.
func perBucket(op string, read func(ctx context.Context, env *Env, cl *s3.Client, b bucketRef) error) func(context.Context, *Env) error {
	return func(ctx context.Context, env *Env) error {
		rows, err := env.DB.QueryContext(ctx, `SELECT bucket, bucket_arn, region FROM s3_buckets
			WHERE scan_id = $1 AND account_id = $2 ORDER BY bucket`, env.ScanID, env.Account)
		if err != nil {
			return fmt.Errorf("read inventory: %w", err)
		}
		var bs []bucketRef
		for rows.Next() {
			var b bucketRef
			if err := rows.Scan(&b.name, &b.arn, &b.region); err != nil {
				rows.Close()
				return err
			}
			bs = append(bs, b)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		cctx := env.Context(ctx)
		for _, b := range bs {
			if !env.InScope(b.region) {
				env.GapReason(op, b.region, b.arn, ClassOutOfScope,
					fmt.Sprintf("%s not called: bucket %s is in %s, which this scan does not read (--region)", op, b.name, b.region))
				continue
			}
			if err := read(cctx, env, env.Clients.S3(b.region), b); err != nil {
				env.Gap(op, b.region, b.arn, err)
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		return nil
	}
}

func bucketACL(ctx context.Context, env *Env, cl *s3.Client, b bucketRef) error {
	out, err := cl.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(b.name)})
	if err != nil {
		return err
	}
	for _, g := range out.Grants {
		var typ, uri, id any
		if g.Grantee != nil {
			typ, uri, id = nullable(string(g.Grantee.Type)), nullable(str(g.Grantee.URI)), nullable(str(g.Grantee.ID))
		}
		env.Add("s3_bucket_acl_grants", b.region, b.name, typ, uri, id, nullable(string(g.Permission)))
	}
	return nil
}

func bucketPolicy(ctx context.Context, env *Env, cl *s3.Client, b bucketRef) error {
	out, err := cl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(b.name)})
	if err != nil {
		if NotFound(err) {
			env.Add("s3_bucket_policies", b.region, b.name, false, nil)
			return nil
		}
		return err
	}
	doc := str(out.Policy)
	sts, perr := parsePolicy(doc)
	if perr != nil {
		env.GapReason("s3:GetBucketPolicy", b.region, b.arn, ClassError, "s3:GetBucketPolicy: "+b.name+": "+perr.Error())
		return nil
	}
	env.Add("s3_bucket_policies", b.region, b.name, true, doc)
	for i, st := range sts {
		env.Add("s3_bucket_policy_statements", b.region, b.name, i, nullable(st.Sid), nullable(st.Effect), list(st.Principals),
			list(st.NotPrincipals), list(st.Actions), list(st.NotActions), list(st.Resources), st.Condition != "", nullable(st.Condition))
	}
	return nil
}

func bucketLogging(ctx context.Context, env *Env, cl *s3.Client, b bucketRef) error {
	out, err := cl.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String(b.name)})
	if err != nil {
		return err
	}
	if le := out.LoggingEnabled; le != nil && str(le.TargetBucket) != "" {
		env.Add("s3_bucket_logging", b.region, b.name, true, str(le.TargetBucket), nullable(str(le.TargetPrefix)))
		return nil
	}
	env.Add("s3_bucket_logging", b.region, b.name, false, nil, nil)
	return nil
}

func bucketPublicAccessBlock(ctx context.Context, env *Env, cl *s3.Client, b bucketRef) error {
	out, err := cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(b.name)})
	if err != nil {
		if NotFound(err) {
			env.Add("s3_bucket_public_access_block", b.region, b.name, false, nil, nil, nil, nil)
			return nil
		}
		return err
	}
	c := out.PublicAccessBlockConfiguration
	if c == nil {
		env.Add("s3_bucket_public_access_block", b.region, b.name, false, nil, nil, nil, nil)
		return nil
	}
	env.Add("s3_bucket_public_access_block", b.region, b.name, true, boolVal(c.BlockPublicAcls), boolVal(c.IgnorePublicAcls),
		boolVal(c.BlockPublicPolicy), boolVal(c.RestrictPublicBuckets))
	return nil
}

func accountPublicAccessBlock(ctx context.Context, env *Env) error {
	out, err := env.Clients.S3Control(env.HomeRegion).GetPublicAccessBlock(env.Context(ctx), &s3control.GetPublicAccessBlockInput{AccountId: aws.String(env.Account)})
	switch {
	case err != nil && NotFound(err):
		env.Add("s3_account_public_access_block", GlobalRegion, false, nil, nil, nil, nil)
		return nil
	case err != nil:
		env.Gap("s3control:GetPublicAccessBlock", GlobalRegion, "", err)
		return ctx.Err()
	}
	c := out.PublicAccessBlockConfiguration
	if c == nil {
		env.Add("s3_account_public_access_block", GlobalRegion, false, nil, nil, nil, nil)
		return nil
	}
	env.Add("s3_account_public_access_block", GlobalRegion, true, boolVal(c.BlockPublicAcls), boolVal(c.IgnorePublicAcls),
		boolVal(c.BlockPublicPolicy), boolVal(c.RestrictPublicBuckets))
	return nil
}
