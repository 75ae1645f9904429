-- control: CloudTrail.7
-- tables: cloudtrail_trails, s3_buckets, s3_bucket_logging
-- semantics: One finding per trail bucket, in the bucket's region: passes when S3 server access
--   logging is enabled on the bucket.
SELECT b.account_id, b.region, b.bucket_arn AS resource_arn,
       CASE WHEN coalesce(l.enabled, false) THEN 'pass' ELSE 'fail' END AS status,
       'bucket ' || b.bucket || ' of trail ' || coalesce((SELECT string_agg(DISTINCT t.name, ', ' ORDER BY t.name) FROM cloudtrail_trails t
             WHERE t.scan_id = $scan_id AND t.account_id = b.account_id AND t.s3_bucket = b.bucket), '?') || CASE
           WHEN coalesce(l.enabled, false) THEN ': server access logs go to ' || l.target_bucket || coalesce('/' || l.target_prefix, '')
           ELSE ': server access logging is off' END AS reason
FROM s3_buckets b
LEFT JOIN s3_bucket_logging l ON l.scan_id = $scan_id AND l.account_id = b.account_id AND l.bucket = b.bucket
WHERE b.scan_id = $scan_id
