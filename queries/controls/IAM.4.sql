-- control: IAM.4
-- tables: iam_credential_report
-- semantics: One finding per account: fails when the root user has an access key, active or
--   not (the credential report's root row lists a key rotation date).
SELECT account_id, 'global' AS region, 'AWS::::Account:' || account_id AS resource_arn,
       CASE WHEN access_key_1_last_rotated IS NULL AND access_key_2_last_rotated IS NULL
                 AND NOT coalesce(access_key_1_active, false) AND NOT coalesce(access_key_2_active, false) THEN 'pass' ELSE 'fail' END AS status,
       CASE WHEN coalesce(access_key_1_active, false) OR coalesce(access_key_2_active, false) THEN 'the root user has an active access key'
            WHEN access_key_1_last_rotated IS NOT NULL OR access_key_2_last_rotated IS NOT NULL THEN 'the root user has an access key (inactive)'
            ELSE 'the root user has no access key' END AS reason
FROM iam_credential_report
WHERE scan_id = $scan_id AND is_root
