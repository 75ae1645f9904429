-- control: CloudTrail.5
-- tables: cloudtrail_trails, cloudtrail_trail_status
-- semantics: One finding per trail homed in a scanned region, there: passes when the trail sends to a
--   CloudWatch Logs log group, is logging, and delivered there within the 24 hours before the
--   scan (CIS 2.4's audit: LatestCloudWatchLogsDeliveryTime).
WITH trails AS (
    SELECT * FROM cloudtrail_trails WHERE scan_id = $scan_id AND region = home_region
), status AS (
    SELECT account_id, trail_arn, bool_or(is_logging) AS logging, max(latest_cloudwatch_logs_delivery_time) AS delivered
    FROM cloudtrail_trail_status WHERE scan_id = $scan_id GROUP BY ALL
)
SELECT t.account_id, t.home_region AS region, t.trail_arn AS resource_arn,
       CASE WHEN t.cloudwatch_logs_log_group_arn IS NOT NULL AND coalesce(s.logging, false)
                 AND s.delivered >= $now - INTERVAL 24 HOURS THEN 'pass' ELSE 'fail' END AS status,
       CASE
           WHEN t.cloudwatch_logs_log_group_arn IS NULL THEN 'trail ' || t.name || ' is not integrated with CloudWatch Logs'
           WHEN NOT coalesce(s.logging, false) THEN 'trail ' || t.name || ' sends to log group ' || t.log_group_name || ' but is not logging'
           WHEN s.delivered IS NULL THEN 'trail ' || t.name || ' has never delivered to log group ' || t.log_group_name
           WHEN s.delivered < $now - INTERVAL 24 HOURS THEN 'trail ' || t.name || ' last delivered to log group ' || t.log_group_name
               || ' at ' || strftime(s.delivered, '%Y-%m-%dT%H:%M:%SZ') || ', more than 24 hours before the scan'
           ELSE 'trail ' || t.name || ' delivers to CloudWatch Logs log group ' || t.log_group_name
       END AS reason
FROM trails t
LEFT JOIN status s USING (account_id, trail_arn)
