-- control: IAM.6
-- tables: iam_account_summary, iam_virtual_mfa_devices
-- semantics: One finding per account: passes when the root user has MFA (AccountMFAEnabled) and
--   it is not a virtual device (no virtual MFA device ...:mfa/root-account-mfa-device assigned to
--   the root user).
WITH mfa AS (
    SELECT account_id, max(value) FILTER (WHERE key = 'AccountMFAEnabled') AS enabled
    FROM iam_account_summary WHERE scan_id = $scan_id GROUP BY ALL
), virtual AS (
    SELECT account_id, min(serial_number) AS serial
    FROM iam_virtual_mfa_devices
    WHERE scan_id = $scan_id AND (serial_number LIKE '%:mfa/root-account-mfa-device' OR user_arn LIKE '%:root')
    GROUP BY ALL
)
SELECT m.account_id, 'global' AS region, 'AWS::::Account:' || m.account_id AS resource_arn,
       CASE WHEN coalesce(m.enabled, 0) = 1 AND v.serial IS NULL THEN 'pass' ELSE 'fail' END AS status,
       CASE WHEN coalesce(m.enabled, 0) <> 1 THEN 'the root user has no MFA'
            WHEN v.serial IS NOT NULL THEN 'the root user''s MFA is a virtual device (' || v.serial || '), not hardware'
            ELSE 'the root user has a hardware MFA device' END AS reason
FROM mfa m
LEFT JOIN virtual v USING (account_id)
