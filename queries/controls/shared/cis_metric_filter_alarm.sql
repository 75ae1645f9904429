-- The statement every CIS metric-filter control runs (CloudWatch.1-14 and IAM.20, CIS 1.1 and 3.1-3.14),
-- named by `-- body: cis_metric_filter_alarm` in their files, which declare its tables and semantics. $pattern
-- is the requirement's exact filter pattern from the standard.
WITH accounts AS (
    SELECT DISTINCT account_id FROM scan_targets WHERE scan_id = $scan_id
), status AS (
    SELECT account_id, trail_arn, bool_or(is_logging) AS logging
    FROM cloudtrail_trail_status WHERE scan_id = $scan_id GROUP BY ALL
), selectors AS (
    SELECT account_id, trail_arn,
           bool_or(coalesce(include_management_events, false) AND read_write_type = 'All'
                   AND len(coalesce(exclude_management_event_sources, [])) = 0) AS all_management
    FROM cloudtrail_event_selectors WHERE scan_id = $scan_id GROUP BY ALL
), trails AS (
    -- active multi-region trails capturing all management events, with a log group of their own account
    SELECT DISTINCT t.account_id, t.trail_arn, t.name, t.log_group_name, t.log_group_region
    FROM cloudtrail_trails t
    JOIN status s USING (account_id, trail_arn)
    JOIN selectors e USING (account_id, trail_arn)
    WHERE t.scan_id = $scan_id AND coalesce(t.is_multi_region, false) AND s.logging AND e.all_management
      AND t.log_group_name IS NOT NULL AND t.log_group_account = t.account_id
), filters AS (
    SELECT account_id, region, log_group_name, filter_name, metric_name, metric_namespace
    FROM logs_metric_filters WHERE scan_id = $scan_id AND filter_pattern = $pattern
), alarms AS (
    SELECT a.account_id, a.region, a.alarm_name, a.metric_name, a.namespace, coalesce(a.actions_enabled, true) AS enabled
    FROM cloudwatch_alarms a WHERE a.scan_id = $scan_id
), actions AS (
    SELECT account_id, region, alarm_name, action_arn
    FROM cloudwatch_alarm_actions WHERE scan_id = $scan_id AND action_arn LIKE 'arn:%:sns:%'
), subscribers AS (
    SELECT account_id, topic_arn, count(*) FILTER (WHERE NOT pending) AS confirmed
    FROM sns_subscriptions WHERE scan_id = $scan_id GROUP BY ALL
), chains AS (
    SELECT tr.account_id, tr.name AS trail, tr.log_group_name, tr.log_group_region,
           f.filter_name, al.alarm_name, act.action_arn,
           coalesce(sb.confirmed, 0) AS confirmed,
           CASE WHEN f.filter_name IS NULL THEN 1
                WHEN al.alarm_name IS NULL THEN 2
                WHEN act.action_arn IS NULL OR NOT al.enabled THEN 3
                WHEN coalesce(sb.confirmed, 0) = 0 THEN 4
                ELSE 5 END AS stage
    FROM trails tr
    LEFT JOIN filters f ON f.account_id = tr.account_id AND f.region = tr.log_group_region AND f.log_group_name = tr.log_group_name
    LEFT JOIN alarms al ON al.account_id = tr.account_id AND al.region = tr.log_group_region
                       AND al.metric_name = f.metric_name AND al.namespace = f.metric_namespace
    LEFT JOIN actions act ON act.account_id = al.account_id AND act.region = al.region AND act.alarm_name = al.alarm_name
    LEFT JOIN subscribers sb ON sb.account_id = tr.account_id AND sb.topic_arn = act.action_arn
), best AS (
    SELECT * FROM chains
    QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY stage DESC, confirmed DESC, trail, log_group_name,
                                                               filter_name, alarm_name, action_arn) = 1
)
SELECT a.account_id,
       coalesce(b.log_group_region, 'global') AS region,
       CASE WHEN b.account_id IS NULL THEN 'AWS::::Account:' || a.account_id
            ELSE 'arn:' || $partition || ':logs:' || b.log_group_region || ':' || a.account_id || ':log-group:' || b.log_group_name END AS resource_arn,
       CASE WHEN b.stage = 5 THEN 'pass' ELSE 'fail' END AS status,
       CASE b.stage
           WHEN 5 THEN 'trail ' || b.trail || ' -> log group ' || b.log_group_name || ' -> metric filter ' || b.filter_name
                || ' (exact CIS pattern) -> alarm ' || b.alarm_name || ' -> SNS topic ' || regexp_extract(b.action_arn, '[^:]+$')
                || ' with ' || b.confirmed || ' confirmed subscriber(s)'
           WHEN 4 THEN 'alarm ' || b.alarm_name || ' notifies SNS topic ' || regexp_extract(b.action_arn, '[^:]+$') || ', which has no confirmed subscriber'
           WHEN 3 THEN 'alarm ' || b.alarm_name || ' on the metric of filter ' || b.filter_name || ' notifies no SNS topic'
           WHEN 2 THEN 'metric filter ' || b.filter_name || ' on log group ' || b.log_group_name || ' has the exact CIS pattern but no alarm watches its metric'
           WHEN 1 THEN 'trail ' || b.trail || ' sends to log group ' || b.log_group_name || ', which has no metric filter with the exact CIS pattern'
           ELSE 'no logging multi-region trail that records all read and write management events sends to CloudWatch Logs'
       END AS reason
FROM accounts a
LEFT JOIN best b USING (account_id)
