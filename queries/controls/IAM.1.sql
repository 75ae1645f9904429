-- control: IAM.1
-- tables: iam_policies, iam_policy_statements
-- semantics: One finding per customer managed policy, on its default version: fails when a
--   statement allows Action "*" (or "*:*") on Resource "*".
WITH admin AS (
    SELECT account_id, policy_arn, string_agg(coalesce(sid, '#' || statement_index::VARCHAR), ', ' ORDER BY statement_index) AS statements
    FROM iam_policy_statements
    WHERE scan_id = $scan_id AND effect = 'Allow'
      AND (list_contains(actions, '*') OR list_contains(actions, '*:*')) AND list_contains(resources, '*')
    GROUP BY ALL
)
SELECT p.account_id, 'global' AS region, p.arn AS resource_arn,
       CASE WHEN a.statements IS NULL THEN 'pass' ELSE 'fail' END AS status,
       'policy ' || p.policy_name || coalesce(' (' || p.default_version_id || ')', '') || CASE
           WHEN a.statements IS NULL THEN ' does not allow Action "*" on Resource "*"'
           ELSE ' allows full administrative privileges, Action "*" on Resource "*" (statement ' || a.statements || ')' END AS reason
FROM iam_policies p
LEFT JOIN admin a ON a.account_id = p.account_id AND a.policy_arn = p.arn
WHERE p.scan_id = $scan_id
