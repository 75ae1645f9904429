-- control: IAM.9
-- tables: iam_account_summary
-- semantics: One finding per account: passes when the root user has an MFA device
--   (GetAccountSummary AccountMFAEnabled = 1), virtual or hardware.
SELECT account_id, 'global' AS region, 'AWS::::Account:' || account_id AS resource_arn,
       CASE WHEN coalesce(max(value) FILTER (WHERE key = 'AccountMFAEnabled'), 0) = 1 THEN 'pass' ELSE 'fail' END AS status,
       CASE WHEN coalesce(max(value) FILTER (WHERE key = 'AccountMFAEnabled'), 0) = 1 THEN 'the root user has MFA enabled'
            ELSE 'the root user has no MFA' END AS reason
FROM iam_account_summary
WHERE scan_id = $scan_id
GROUP BY account_id
