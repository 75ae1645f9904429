-- control: IAM.17
-- tables: iam_password_policy
-- semantics: One finding per account: passes when passwords expire within 90 days or less. No
--   password policy, or passwords that never expire, fail.
SELECT account_id, 'global' AS region, 'AWS::::Account:' || account_id AS resource_arn,
       CASE WHEN present AND coalesce(max_password_age, 0) BETWEEN 1 AND 90 THEN 'pass' ELSE 'fail' END AS status,
       CASE WHEN NOT present THEN 'the account has no password policy'
            WHEN coalesce(max_password_age, 0) = 0 THEN 'passwords never expire'
            ELSE 'passwords expire after ' || max_password_age || ' days'
                 || CASE WHEN max_password_age <= 90 THEN '' ELSE ' (more than 90)' END END AS reason
FROM iam_password_policy
WHERE scan_id = $scan_id
