-- control: IAM.16
-- tables: iam_password_policy
-- semantics: One finding per account: passes when the password policy prevents reuse of the last
--   24 or more passwords. No password policy fails.
SELECT account_id, 'global' AS region, 'AWS::::Account:' || account_id AS resource_arn,
       CASE WHEN present AND coalesce(password_reuse_prevention, 0) >= 24 THEN 'pass' ELSE 'fail' END AS status,
       CASE WHEN NOT present THEN 'the account has no password policy'
            WHEN password_reuse_prevention IS NULL THEN 'the password policy does not prevent password reuse'
            ELSE 'the password policy prevents reuse of the last ' || password_reuse_prevention || ' passwords'
                 || CASE WHEN password_reuse_prevention >= 24 THEN '' ELSE ' (fewer than 24)' END END AS reason
FROM iam_password_policy
WHERE scan_id = $scan_id
