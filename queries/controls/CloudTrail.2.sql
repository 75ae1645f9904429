-- control: CloudTrail.2
-- tables: cloudtrail_trails
-- semantics: One finding per trail homed in a scanned region, there: passes when the trail encrypts its log
--   files with a KMS key (SSE-KMS), fails when they are only SSE-S3 encrypted.
WITH trails AS (
    SELECT * FROM cloudtrail_trails WHERE scan_id = $scan_id AND region = home_region
)
SELECT account_id, home_region AS region, trail_arn AS resource_arn,
       CASE WHEN kms_key_id IS NOT NULL THEN 'pass' ELSE 'fail' END AS status,
       CASE WHEN kms_key_id IS NOT NULL THEN 'trail ' || name || ' encrypts log files with KMS key ' || kms_key_id
            ELSE 'trail ' || name || ' has no KMS key: log files are only SSE-S3 encrypted' END AS reason
FROM trails
