-- control: EC2.2
-- tables: ec2_security_groups, ec2_security_group_rules
-- semantics: One finding per VPC default security group (group name "default"): passes when it
--   has no inbound and no outbound rules.
WITH counts AS (
    SELECT account_id, region, group_id,
           count(DISTINCT permission_index) FILTER (WHERE direction = 'ingress') AS inbound,
           count(DISTINCT permission_index) FILTER (WHERE direction = 'egress') AS outbound
    FROM ec2_security_group_rules WHERE scan_id = $scan_id GROUP BY ALL
)
SELECT g.account_id, g.region,
       'arn:' || $partition || ':ec2:' || g.region || ':' || g.account_id || ':security-group/' || g.group_id AS resource_arn,
       CASE WHEN coalesce(c.inbound, 0) + coalesce(c.outbound, 0) = 0 THEN 'pass' ELSE 'fail' END AS status,
       'default security group ' || g.group_id || coalesce(' of ' || g.vpc_id, '') || CASE
           WHEN coalesce(c.inbound, 0) + coalesce(c.outbound, 0) = 0 THEN ' has no inbound or outbound rules'
           ELSE ' allows traffic: ' || coalesce(c.inbound, 0) || ' inbound and ' || coalesce(c.outbound, 0) || ' outbound rule(s)' END AS reason
FROM ec2_security_groups g
LEFT JOIN counts c USING (account_id, region, group_id)
WHERE g.scan_id = $scan_id AND g.group_name = 'default'
