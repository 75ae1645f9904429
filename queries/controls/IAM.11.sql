-- control: IAM.11
-- tables: iam_password_policy
-- semantics: One finding per account: passes when the account password policy requires at least one uppercase letter. No
--   password policy fails.
SELECT account_id, 'global' AS region, 'AWS::::Account:' || account_id AS resource_arn,
       CASE WHEN present AND coalesce(require_uppercase_characters, false) THEN 'pass' ELSE 'fail' END AS status,
       CASE WHEN NOT present THEN 'the account has no password policy'
            WHEN coalesce(require_uppercase_characters, false) THEN 'the password policy requires at least one uppercase letter'
            ELSE 'the password policy does not require an uppercase letter' END AS reason
FROM iam_password_policy
WHERE scan_id = $scan_id
