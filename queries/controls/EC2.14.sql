-- control: EC2.14
-- tables: ec2_security_groups, ec2_security_group_rules
-- semantics: One finding per security group: fails when an inbound rule from 0.0.0.0/0 or ::/0
--   covers port 3389 (RDP): protocol tcp with a port range including 3389, or protocol -1 (all
--   traffic).
WITH open AS (
    SELECT account_id, region, group_id,
           string_agg(DISTINCT CASE WHEN protocol = '-1' THEN 'all traffic' ELSE protocol || ' ' || from_port || '-' || to_port END
                      || ' from ' || source, ', ') AS rules
    FROM ec2_security_group_rules
    WHERE scan_id = $scan_id AND direction = 'ingress'
      AND ((source_type = 'cidr_ipv4' AND source = '0.0.0.0/0') OR (source_type = 'cidr_ipv6' AND source = '::/0'))
      AND (protocol = '-1' OR (protocol IN ('tcp', '6') AND from_port <= 3389 AND to_port >= 3389))
    GROUP BY ALL
)
SELECT g.account_id, g.region,
       'arn:' || $partition || ':ec2:' || g.region || ':' || g.account_id || ':security-group/' || g.group_id AS resource_arn,
       CASE WHEN o.rules IS NULL THEN 'pass' ELSE 'fail' END AS status,
       'security group ' || g.group_id || coalesce(' (' || g.group_name || ')', '') || CASE
           WHEN o.rules IS NULL THEN ' does not open port 3389 to the world'
           ELSE ' opens port 3389 (RDP) to the world: ' || o.rules END AS reason
FROM ec2_security_groups g
LEFT JOIN open o USING (account_id, region, group_id)
WHERE g.scan_id = $scan_id
