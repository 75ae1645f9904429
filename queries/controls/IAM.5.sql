-- control: IAM.5
-- tables: iam_credential_report
-- semantics: One finding per IAM user with a console password: passes when the user has an MFA
--   device.
SELECT account_id, 'global' AS region, arn AS resource_arn,
       CASE WHEN coalesce(mfa_active, false) THEN 'pass' ELSE 'fail' END AS status,
       'user ' || user_name || CASE WHEN coalesce(mfa_active, false) THEN ' has a console password and MFA'
                                    ELSE ' has a console password and no MFA device' END AS reason
FROM iam_credential_report
WHERE scan_id = $scan_id AND NOT is_root AND password_enabled
