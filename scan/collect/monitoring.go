package collect

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// The CIS 3.x chain: a trail's CloudWatch Logs log group -> its metric
// filters -> the alarms on their metrics -> the SNS topics the alarms notify
// -> those topics' subscriptions. Each link is read only where the previous
// one points: the trails' log groups, the regions they are in, the topics
// the alarms there name.

func init() {
	register(
		&Collector{
			Name: "logs_metric_filters", Service: "logs", Scope: Global,
			Tables: []string{"logs_metric_filters"},
			Needs:  []string{"cloudtrail_trails"},
			Ops:    []Op{{Name: "logs:DescribeMetricFilters", Kind: PerResource, Per: "trail log group", Assume: 1, AssumeMax: 10}},
			Run:    metricFilters,
		},
		&Collector{
			Name: "cloudwatch_alarms", Service: "cloudwatch", Scope: Global,
			Tables: []string{"cloudwatch_alarms", "cloudwatch_alarm_actions"},
			Needs:  []string{"cloudtrail_trails"},
			Ops:    []Op{{Name: "cloudwatch:DescribeAlarms", Kind: PerResource, Per: "region with a trail log group", Assume: 1, AssumeMax: 10}},
			Run:    alarms,
		},
		&Collector{
			Name: "sns_subscriptions", Service: "sns", Scope: Global,
			Tables: []string{"sns_subscriptions"},
			Needs:  []string{"cloudwatch_alarm_actions"},
			Ops:    []Op{{Name: "sns:ListSubscriptionsByTopic", Kind: PerResource, Per: "alarm topic", Assume: 1, AssumeMax: 20}},
			Run:    subscriptions,
		},
	)
}

type logGroupRef struct{ name, region, account, arn string }

// trailLogGroups are the distinct log groups the account's trails send to.
func trailLogGroups(ctx context.Context, env *Env) ([]logGroupRef, error) {
	rows, err := env.DB.QueryContext(ctx, `SELECT DISTINCT log_group_name, log_group_region, log_group_account FROM cloudtrail_trails
		WHERE scan_id = $1 AND account_id = $2 AND log_group_name IS NOT NULL ORDER BY 2, 1, 3`, env.ScanID, env.Account)
	if err != nil {
		return nil, fmt.Errorf("read inventory: %w", err)
	}
	defer rows.Close()
	var out []logGroupRef
	for rows.Next() {
		var g logGroupRef
		if err := rows.Scan(&g.name, &g.region, &g.account); err != nil {
			return nil, err
		}
		g.arn = "arn:" + env.Partition + ":logs:" + g.region + ":" + g.account + ":log-group:" + g.name
		out = append(out, g)
	}
	return out, rows.Err()
}

// readable reports whether the scan may read a log group, recording why
// not as a gap.
func (g logGroupRef) readable(env *Env, op string) bool {
	switch {
	case g.account != env.Account:
		env.GapReason(op, g.region, g.arn, ClassOutOfScope,
			fmt.Sprintf("%s not called: log group %s belongs to account %s, not %s", op, g.name, g.account, env.Account))
		return false
	case !env.InScope(g.region):
		env.GapReason(op, g.region, g.arn, ClassOutOfScope,
			fmt.Sprintf("%s not called: log group %s is in %s, which this scan does not read (--region)", op, g.name, g.region))
		return false
	}
	return true
}

func metricFilters(ctx context.Context, env *Env) error {
	groups, err := trailLogGroups(ctx, env)
	if err != nil {
		return err
	}
	cctx := env.Context(ctx)
	for _, g := range groups {
		if !g.readable(env, "logs:DescribeMetricFilters") {
			continue
		}
		p := cloudwatchlogs.NewDescribeMetricFiltersPaginator(env.Clients.Logs(g.region),
			&cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(g.name)})
		var rows [][]any
		failed := false
		for p.HasMorePages() {
			out, err := p.NextPage(cctx)
			if err != nil {
				if !NotFound(err) { // no such log group: no filters
					env.Gap("logs:DescribeMetricFilters", g.region, g.arn, err)
				}
				failed = true
				break
			}
			for _, f := range out.MetricFilters {
				if len(f.MetricTransformations) == 0 {
					rows = append(rows, []any{g.name, str(f.FilterName), nullable(str(f.FilterPattern)), nil, nil, nil})
				}
				for _, mt := range f.MetricTransformations {
					rows = append(rows, []any{g.name, str(f.FilterName), nullable(str(f.FilterPattern)), nullable(str(mt.MetricName)),
						nullable(str(mt.MetricNamespace)), nullable(str(mt.MetricValue))})
				}
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !failed {
			for _, r := range rows {
				env.Add("logs_metric_filters", g.region, r...)
			}
		}
	}
	return nil
}

func alarms(ctx context.Context, env *Env) error {
	groups, err := trailLogGroups(ctx, env)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	cctx := env.Context(ctx)
	for _, g := range groups {
		if seen[g.region] || g.account != env.Account || !env.InScope(g.region) {
			// the metric filter collector records why such a group is not read
			continue
		}
		seen[g.region] = true
		p := cloudwatch.NewDescribeAlarmsPaginator(env.Clients.CloudWatch(g.region), &cloudwatch.DescribeAlarmsInput{})
		var alarmRows, actionRows [][]any
		failed := false
		for p.HasMorePages() {
			out, err := p.NextPage(cctx)
			if err != nil {
				env.Gap("cloudwatch:DescribeAlarms", g.region, "", err)
				failed = true
				break
			}
			for _, a := range out.MetricAlarms {
				alarmRows = append(alarmRows, []any{str(a.AlarmName), nullable(str(a.AlarmArn)), nullable(str(a.MetricName)),
					nullable(str(a.Namespace)), boolVal(a.ActionsEnabled), nullable(string(a.StateValue))})
				for _, act := range a.AlarmActions {
					actionRows = append(actionRows, []any{str(a.AlarmName), act})
				}
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !failed {
			for _, r := range alarmRows {
				env.Add("cloudwatch_alarms", g.region, r...)
			}
			for _, r := range actionRows {
				env.Add("cloudwatch_alarm_actions", g.region, r...)
			}
		}
	}
	return nil
}

// parseTopicARN splits arn:<partition>:sns:<region>:<account>:<name>.
func parseTopicARN(arn string) (region, account string, ok bool) {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sns" {
		return "", "", false
	}
	return parts[3], parts[4], true
}

func subscriptions(ctx context.Context, env *Env) error {
	rows, err := env.DB.QueryContext(ctx, `SELECT DISTINCT action_arn FROM cloudwatch_alarm_actions
		WHERE scan_id = $1 AND account_id = $2 ORDER BY 1`, env.ScanID, env.Account)
	if err != nil {
		return fmt.Errorf("read inventory: %w", err)
	}
	var topics []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			rows.Close()
			return err
		}
		topics = append(topics, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	cctx := env.Context(ctx)
	for _, topic := range topics {
		region, account, ok := parseTopicARN(topic)
		if !ok {
			continue // an Auto Scaling, EC2 or Systems Manager action: no subscribers to read
		}
		if !env.InScope(region) {
			env.GapReason("sns:ListSubscriptionsByTopic", region, topic, ClassOutOfScope,
				fmt.Sprintf("sns:ListSubscriptionsByTopic not called: topic %s is in %s, which this scan does not read (--region)", topic, region))
			continue
		}
		_ = account // a topic in another account is read if its policy lets the scanner; AccessDenied becomes a gap
		p := sns.NewListSubscriptionsByTopicPaginator(env.Clients.SNS(region), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
		var subRows [][]any
		failed := false
		for p.HasMorePages() {
			out, err := p.NextPage(cctx)
			if err != nil {
				if !NotFound(err) { // a topic that does not exist has no subscribers
					env.Gap("sns:ListSubscriptionsByTopic", region, topic, err)
				}
				failed = true
				break
			}
			for _, s := range out.Subscriptions {
				arn := str(s.SubscriptionArn)
				subRows = append(subRows, []any{topic, nullable(arn), nullable(str(s.Protocol)), nullable(str(s.Endpoint)),
					arn == "PendingConfirmation" || arn == "Deleted"})
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !failed {
			for _, r := range subRows {
				env.Add("sns_subscriptions", region, r...)
			}
		}
	}
	return nil
}
