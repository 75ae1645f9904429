-- control: IAM.8
-- tables: iam_credential_report
-- semantics: One finding per IAM user (credential report): fails when an enabled credential (the
--   console password, an active access key) has not been used in the 90 days before the scan, or,
--   never used, was set more than 90 days before it.
WITH creds AS (
    SELECT account_id, arn, user_name,
           CASE WHEN password_enabled AND password_last_used IS NOT NULL AND password_last_used < $now - INTERVAL 90 DAYS
                    THEN 'password last used ' || date_diff('day', password_last_used, $now) || ' days ago'
                WHEN password_enabled AND password_last_used IS NULL
                     AND coalesce(password_last_changed, user_creation_time) < $now - INTERVAL 90 DAYS
                    THEN 'password never used, set ' || date_diff('day', coalesce(password_last_changed, user_creation_time), $now) || ' days ago'
           END AS pw,
           CASE WHEN access_key_1_active AND access_key_1_last_used_date IS NOT NULL AND access_key_1_last_used_date < $now - INTERVAL 90 DAYS
                    THEN 'access key 1 last used ' || date_diff('day', access_key_1_last_used_date, $now) || ' days ago'
                WHEN access_key_1_active AND access_key_1_last_used_date IS NULL AND access_key_1_last_rotated < $now - INTERVAL 90 DAYS
                    THEN 'access key 1 never used, created ' || date_diff('day', access_key_1_last_rotated, $now) || ' days ago'
           END AS k1,
           CASE WHEN access_key_2_active AND access_key_2_last_used_date IS NOT NULL AND access_key_2_last_used_date < $now - INTERVAL 90 DAYS
                    THEN 'access key 2 last used ' || date_diff('day', access_key_2_last_used_date, $now) || ' days ago'
                WHEN access_key_2_active AND access_key_2_last_used_date IS NULL AND access_key_2_last_rotated < $now - INTERVAL 90 DAYS
                    THEN 'access key 2 never used, created ' || date_diff('day', access_key_2_last_rotated, $now) || ' days ago'
           END AS k2
    FROM iam_credential_report WHERE scan_id = $scan_id AND NOT is_root
)
SELECT account_id, 'global' AS region, arn AS resource_arn,
       CASE WHEN pw IS NULL AND k1 IS NULL AND k2 IS NULL THEN 'pass' ELSE 'fail' END AS status,
       'user ' || user_name || CASE WHEN pw IS NULL AND k1 IS NULL AND k2 IS NULL THEN ': every enabled credential was used in the last 90 days'
                                    ELSE ': ' || concat_ws(', ', pw, k1, k2) END AS reason
FROM creds
