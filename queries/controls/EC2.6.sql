-- control: EC2.6
-- tables: ec2_vpcs, ec2_flow_logs
-- semantics: One finding per VPC: passes when at least one active flow log (any traffic type,
--   any destination) captures the VPC.
WITH logs AS (
    SELECT account_id, region, resource_id, string_agg(flow_log_id || ' (' || coalesce(traffic_type, '?') || ')', ', ' ORDER BY flow_log_id) AS ids
    FROM ec2_flow_logs
    WHERE scan_id = $scan_id AND coalesce(flow_log_status, 'ACTIVE') = 'ACTIVE'
    GROUP BY ALL
)
SELECT v.account_id, v.region,
       'arn:' || $partition || ':ec2:' || v.region || ':' || v.account_id || ':vpc/' || v.vpc_id AS resource_arn,
       CASE WHEN l.ids IS NULL THEN 'fail' ELSE 'pass' END AS status,
       'VPC ' || v.vpc_id || CASE WHEN l.ids IS NULL THEN ' has no active flow log' ELSE ' is captured by flow log ' || l.ids END AS reason
FROM ec2_vpcs v
LEFT JOIN logs l ON l.account_id = v.account_id AND l.region = v.region AND l.resource_id = v.vpc_id
WHERE v.scan_id = $scan_id
