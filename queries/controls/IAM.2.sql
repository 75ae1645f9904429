-- control: IAM.2
-- tables: iam_users, iam_user_attached_policies, iam_user_inline_policies
-- semantics: One finding per IAM user: fails when a managed policy is attached to the user or
--   the user has an inline policy (permissions belong on groups and roles).
WITH attached AS (
    SELECT account_id, user_arn, count(*) AS n, string_agg(coalesce(policy_name, policy_arn), ', ' ORDER BY policy_arn) AS names
    FROM iam_user_attached_policies WHERE scan_id = $scan_id GROUP BY ALL
), inline AS (
    SELECT account_id, user_arn, count(*) AS n, string_agg(policy_name, ', ' ORDER BY policy_name) AS names
    FROM iam_user_inline_policies WHERE scan_id = $scan_id GROUP BY ALL
)
SELECT u.account_id, 'global' AS region, u.arn AS resource_arn,
       CASE WHEN coalesce(a.n, 0) + coalesce(i.n, 0) = 0 THEN 'pass' ELSE 'fail' END AS status,
       'user ' || u.user_name || CASE
           WHEN coalesce(a.n, 0) + coalesce(i.n, 0) = 0 THEN ' has no policies of its own'
           ELSE ' has ' || concat_ws(' and ',
               CASE WHEN a.n > 0 THEN a.n || ' attached policy(ies) (' || a.names || ')' END,
               CASE WHEN i.n > 0 THEN i.n || ' inline policy(ies) (' || i.names || ')' END) END AS reason
FROM iam_users u
LEFT JOIN attached a ON a.account_id = u.account_id AND a.user_arn = u.arn
LEFT JOIN inline i ON i.account_id = u.account_id AND i.user_arn = u.arn
WHERE u.scan_id = $scan_id
