package collect

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

func init() {
	register(
		&Collector{
			Name: "cloudtrail_trails", Service: "cloudtrail", Scope: Regional,
			Tables: []string{"cloudtrail_trails"},
			Ops:    []Op{{Name: "cloudtrail:DescribeTrails", Kind: Once}},
			Run:    trails,
		},
		&Collector{
			Name: "cloudtrail_trail_status", Service: "cloudtrail", Scope: Global,
			Tables: []string{"cloudtrail_trail_status"},
			Needs:  []string{"cloudtrail_trails"},
			Ops:    []Op{{Name: "cloudtrail:GetTrailStatus", Kind: PerResource, Per: "trail", Assume: 1, AssumeMax: 5}},
			Run:    trailStatus,
		},
		&Collector{
			Name: "cloudtrail_event_selectors", Service: "cloudtrail", Scope: Global,
			Tables: []string{"cloudtrail_event_selectors"},
			Needs:  []string{"cloudtrail_trails"},
			Ops:    []Op{{Name: "cloudtrail:GetEventSelectors", Kind: PerResource, Per: "trail", Assume: 1, AssumeMax: 5}},
			Run:    eventSelectors,
		},
	)
}

// trails lists the trails visible in the region, shadow copies of
// multi-region trails included: a trail homed in a region outside the scan
// still shows where it records.
func trails(ctx context.Context, env *Env) error {
	out, err := env.Clients.CloudTrail(env.Region).DescribeTrails(env.Context(ctx), &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
	if err != nil {
		env.Gap("cloudtrail:DescribeTrails", env.Region, "", err)
		return ctx.Err()
	}
	for _, t := range out.TrailList {
		lg := str(t.CloudWatchLogsLogGroupArn)
		lgRegion, lgAccount, lgName := parseLogGroupARN(lg)
		env.Add("cloudtrail_trails", env.Region, str(t.TrailARN), str(t.Name), nullable(str(t.HomeRegion)), boolVal(t.IsMultiRegionTrail),
			boolVal(t.IsOrganizationTrail), boolVal(t.IncludeGlobalServiceEvents), nullable(str(t.S3BucketName)), nullable(str(t.S3KeyPrefix)),
			nullable(str(t.SnsTopicARN)), boolVal(t.LogFileValidationEnabled), nullable(str(t.KmsKeyId)), nullable(lg),
			nullable(str(t.CloudWatchLogsRoleArn)), nullable(lgName), nullable(lgRegion), nullable(lgAccount), boolVal(t.HasCustomEventSelectors))
	}
	return nil
}

// parseLogGroupARN splits arn:aws:logs:<region>:<account>:log-group:<name>[:*].
func parseLogGroupARN(arn string) (region, account, name string) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) < 7 || parts[2] != "logs" || parts[5] != "log-group" {
		return "", "", ""
	}
	return parts[3], parts[4], strings.TrimSuffix(parts[6], ":*")
}

// trailRef is a trail and where to ask about it: its home region when the
// scan reads that region and listed it there, otherwise the first scanned
// region that listed it (by ARN, as AWS wants for a shadow trail).
type trailRef struct {
	arn, home, region string
}

func trailRefs(ctx context.Context, env *Env) ([]trailRef, error) {
	rows, err := env.DB.QueryContext(ctx, `SELECT trail_arn, coalesce(home_region, ''), region FROM cloudtrail_trails
		WHERE scan_id = $1 AND account_id = $2 ORDER BY trail_arn, region`, env.ScanID, env.Account)
	if err != nil {
		return nil, fmt.Errorf("read inventory: %w", err)
	}
	defer rows.Close()
	byARN := map[string]*trailRef{}
	var order []string
	for rows.Next() {
		var arn, home, region string
		if err := rows.Scan(&arn, &home, &region); err != nil {
			return nil, err
		}
		r := byARN[arn]
		if r == nil {
			r = &trailRef{arn: arn, home: home, region: region}
			byARN[arn] = r
			order = append(order, arn)
		}
		if region == home {
			r.region = home
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]trailRef, 0, len(order))
	for _, a := range order {
		out = append(out, *byARN[a])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].arn < out[j].arn })
	return out, nil
}

func trailStatus(ctx context.Context, env *Env) error {
	refs, err := trailRefs(ctx, env)
	if err != nil {
		return err
	}
	cctx := env.Context(ctx)
	for _, t := range refs {
		out, err := env.Clients.CloudTrail(t.region).GetTrailStatus(cctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(t.arn)})
		if err != nil {
			env.Gap("cloudtrail:GetTrailStatus", regionOr(t.home, t.region), t.arn, err)
			if err := ctx.Err(); err != nil {
				return err
			}
			continue
		}
		env.Add("cloudtrail_trail_status", t.region, t.arn, boolVal(out.IsLogging), ts(out.LatestDeliveryTime), nullable(str(out.LatestDeliveryError)),
			ts(out.LatestCloudWatchLogsDeliveryTime), nullable(str(out.LatestCloudWatchLogsDeliveryError)), ts(out.StartLoggingTime), ts(out.StopLoggingTime))
	}
	return nil
}

func eventSelectors(ctx context.Context, env *Env) error {
	refs, err := trailRefs(ctx, env)
	if err != nil {
		return err
	}
	cctx := env.Context(ctx)
	for _, t := range refs {
		out, err := env.Clients.CloudTrail(t.region).GetEventSelectors(cctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(t.arn)})
		if err != nil {
			env.Gap("cloudtrail:GetEventSelectors", regionOr(t.home, t.region), t.arn, err)
			if err := ctx.Err(); err != nil {
				return err
			}
			continue
		}
		i := 0
		for _, es := range out.EventSelectors {
			env.Add("cloudtrail_event_selectors", t.region, t.arn, i, "basic", nullable(string(es.ReadWriteType)),
				boolVal(es.IncludeManagementEvents), emptyList(es.ExcludeManagementEventSources))
			i++
		}
		for _, as := range out.AdvancedEventSelectors {
			rw, mgmt, exclude := reduceAdvanced(as)
			env.Add("cloudtrail_event_selectors", t.region, t.arn, i, "advanced", rw, mgmt, emptyList(exclude))
			i++
		}
	}
	return nil
}

// reduceAdvanced reads an advanced event selector as the facts a basic one
// states: whether it logs management events, which of reads and writes, and
// which event sources it leaves out.
func reduceAdvanced(as types.AdvancedEventSelector) (readWrite string, management bool, exclude []string) {
	readWrite = "All"
	for _, f := range as.FieldSelectors {
		switch str(f.Field) {
		case "eventCategory":
			for _, v := range f.Equals {
				management = management || v == "Management"
			}
		case "readOnly":
			if len(f.Equals) == 1 {
				if f.Equals[0] == "true" {
					readWrite = "ReadOnly"
				} else {
					readWrite = "WriteOnly"
				}
			}
		case "eventSource":
			exclude = append(exclude, f.NotEquals...)
		}
	}
	return readWrite, management, exclude
}

func emptyList(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func regionOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
