-- control: IAM.18
-- tables: scan_targets, iam_policy_entities
-- semantics: One finding per account: passes when the AWS managed policy AWSSupportAccess is
--   attached to at least one user, group or role (a role to manage incidents with AWS Support).
WITH support AS (
    SELECT account_id, string_agg(entity_type || ' ' || entity_name, ', ' ORDER BY entity_type, entity_name) AS entities
    FROM iam_policy_entities
    WHERE scan_id = $scan_id AND policy_arn LIKE 'arn:%:iam::aws:policy/AWSSupportAccess'
    GROUP BY ALL
)
SELECT t.account_id, 'global' AS region, 'AWS::::Account:' || t.account_id AS resource_arn,
       CASE WHEN s.entities IS NULL THEN 'fail' ELSE 'pass' END AS status,
       CASE WHEN s.entities IS NULL THEN 'AWSSupportAccess is attached to no user, group or role'
            ELSE 'AWSSupportAccess is attached to ' || s.entities END AS reason
FROM (SELECT DISTINCT account_id FROM scan_targets WHERE scan_id = $scan_id) t
LEFT JOIN support s USING (account_id)
