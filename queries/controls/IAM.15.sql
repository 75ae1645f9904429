-- control: IAM.15
-- tables: iam_password_policy
-- semantics: One finding per account: passes when the password policy's minimum length is 14 or
--   more. No password policy fails.
SELECT account_id, 'global' AS region, 'AWS::::Account:' || account_id AS resource_arn,
       CASE WHEN present AND coalesce(minimum_password_length, 0) >= 14 THEN 'pass' ELSE 'fail' END AS status,
       CASE WHEN NOT present THEN 'the account has no password policy'
            ELSE 'the password policy requires at least ' || coalesce(minimum_password_length, 0) || ' characters'
                 || CASE WHEN coalesce(minimum_password_length, 0) >= 14 THEN '' ELSE ' (fewer than 14)' END END AS reason
FROM iam_password_policy
WHERE scan_id = $scan_id
