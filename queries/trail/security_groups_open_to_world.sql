-- title: Security groups opened to the world
-- description: Inbound security group rules that admit 0.0.0.0/0 or ::/0, one
--   row per rule, with group, protocol, ports and CIDR. An instance behind such
--   a rule is reachable from the whole internet; SSH, RDP and database ports
--   opened this way are how exposed hosts get found within minutes. Reads
--   AuthorizeSecurityGroupIngress requests (ipPermissions.items[].ipRanges and
--   ipv6Ranges, and the older flat cidrIp form) and ModifySecurityGroupRules
--   requests (CidrIpv4/CidrIpv6). A modified rule's direction is taken from the
--   response that created it (securityGroupRuleSet.isEgress) when the trail
--   holds it; known egress rules are left out, unknown ones are shown with
--   direction "unknown". protocol "all" is ipProtocol -1. Failed attempts are
--   listed too, with their error code.
-- param: since TIMESTAMPTZ -infinity Start of the window (inclusive)
-- param: until TIMESTAMPTZ infinity End of the window (exclusive)
WITH calls AS (
    SELECT *, record->'requestParameters' AS rp
    FROM events
    WHERE event_source = 'ec2.amazonaws.com'
      AND event_name IN ('AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules')
      AND event_time >= $since AND event_time < $until
),
permissions AS (
    SELECT event_id, unnest(json_extract(rp, '$.ipPermissions.items[*]')) AS perm
    FROM calls
    WHERE event_name = 'AuthorizeSecurityGroupIngress'
),
authorized AS (
    SELECT event_id, 'ingress' AS direction, perm->>'ipProtocol' AS protocol,
           TRY_CAST(perm->>'fromPort' AS INTEGER) AS from_port, TRY_CAST(perm->>'toPort' AS INTEGER) AS to_port,
           unnest(list_concat(json_extract_string(perm, '$.ipRanges.items[*].cidrIp'),
                              json_extract_string(perm, '$.ipv6Ranges.items[*].cidrIpv6'))) AS cidr
    FROM permissions
    UNION ALL
    SELECT event_id, 'ingress', rp->>'ipProtocol', TRY_CAST(rp->>'fromPort' AS INTEGER), TRY_CAST(rp->>'toPort' AS INTEGER),
           rp->>'cidrIp'
    FROM calls
    WHERE event_name = 'AuthorizeSecurityGroupIngress' AND (rp->>'cidrIp') IS NOT NULL
),
modified_rules AS (
    SELECT event_id,
           unnest(CASE json_type(rp, '$.ModifySecurityGroupRulesRequest.SecurityGroupRule')
                      WHEN 'ARRAY' THEN json_extract(rp, '$.ModifySecurityGroupRulesRequest.SecurityGroupRule[*]')
                      WHEN 'OBJECT' THEN [json_extract(rp, '$.ModifySecurityGroupRulesRequest.SecurityGroupRule')]
                  END) AS rule
    FROM calls
    WHERE event_name = 'ModifySecurityGroupRules'
),
known_rules AS (
    SELECT r->>'securityGroupRuleId' AS rule_id, bool_or(lower(r->>'isEgress') = 'true') AS is_egress
    FROM (SELECT unnest(json_extract(record, '$.responseElements.securityGroupRuleSet.items[*]')) AS r
          FROM events
          WHERE event_source = 'ec2.amazonaws.com'
            AND event_name IN ('AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress'))
    GROUP BY ALL
),
modified AS (
    SELECT m.event_id,
           CASE k.is_egress WHEN true THEN 'egress' WHEN false THEN 'ingress' ELSE 'unknown' END AS direction,
           m.rule->'SecurityGroupRule'->>'IpProtocol' AS protocol,
           TRY_CAST(m.rule->'SecurityGroupRule'->>'FromPort' AS INTEGER) AS from_port,
           TRY_CAST(m.rule->'SecurityGroupRule'->>'ToPort' AS INTEGER) AS to_port,
           unnest([m.rule->'SecurityGroupRule'->>'CidrIpv4', m.rule->'SecurityGroupRule'->>'CidrIpv6']) AS cidr
    FROM modified_rules m
    LEFT JOIN known_rules k ON k.rule_id = (m.rule->>'SecurityGroupRuleId')
),
rules AS (
    SELECT * FROM authorized
    UNION ALL
    SELECT * FROM modified WHERE direction <> 'egress'
)
SELECT c.event_time,
       c.recipient_account_id AS account,
       c.aws_region AS region,
       coalesce(c.principal_arn, c.user_name, c.invoked_by, c.identity_type, '(unknown)') AS principal,
       c.event_name,
       coalesce(c.rp->>'groupId', c.rp->>'groupName', c.rp->'ModifySecurityGroupRulesRequest'->>'GroupId') AS group_id,
       r.direction,
       CASE r.protocol WHEN '-1' THEN 'all' ELSE r.protocol END AS protocol,
       r.from_port,
       r.to_port,
       r.cidr,
       c.error_code,
       c.event_id
FROM rules r
JOIN calls c USING (event_id)
WHERE r.cidr IN ('0.0.0.0/0', '::/0')
ORDER BY c.event_time, c.event_id, r.cidr, protocol, r.from_port, r.to_port
