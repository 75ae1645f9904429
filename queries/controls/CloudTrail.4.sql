-- control: CloudTrail.4
-- tables: cloudtrail_trails
-- semantics: One finding per trail homed in a scanned region, there: passes when log file validation (digest
--   files) is enabled.
WITH trails AS (
    SELECT * FROM cloudtrail_trails WHERE scan_id = $scan_id AND region = home_region
)
SELECT account_id, home_region AS region, trail_arn AS resource_arn,
       CASE WHEN coalesce(log_file_validation, false) THEN 'pass' ELSE 'fail' END AS status,
       'trail ' || name || CASE WHEN coalesce(log_file_validation, false) THEN ' validates its log files (digest files on)'
                                ELSE ' does not validate its log files (log file validation off)' END AS reason
FROM trails
