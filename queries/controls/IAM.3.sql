-- control: IAM.3
-- tables: iam_credential_report
-- semantics: One finding per IAM user (credential report): fails when an active access key was
--   created (last rotated) more than 90 days before the scan.
WITH keys AS (
    SELECT account_id, arn, user_name,
           CASE WHEN access_key_1_active AND access_key_1_last_rotated < $now - INTERVAL 90 DAYS
                THEN 'active access key 1 is ' || date_diff('day', access_key_1_last_rotated, $now) || ' days old' END AS k1,
           CASE WHEN access_key_2_active AND access_key_2_last_rotated < $now - INTERVAL 90 DAYS
                THEN 'active access key 2 is ' || date_diff('day', access_key_2_last_rotated, $now) || ' days old' END AS k2
    FROM iam_credential_report WHERE scan_id = $scan_id AND NOT is_root
)
SELECT account_id, 'global' AS region, arn AS resource_arn,
       CASE WHEN k1 IS NULL AND k2 IS NULL THEN 'pass' ELSE 'fail' END AS status,
       'user ' || user_name || CASE WHEN k1 IS NULL AND k2 IS NULL THEN ' has no active access key older than 90 days'
                                    ELSE ': ' || concat_ws(', ', k1, k2) END AS reason
FROM keys
