-- control: Config.1
-- tables: scan_regions, config_recorders, config_recorder_status
-- semantics: One finding per account and scanned region: passes when a configuration recorder
--   there is recording and records all supported resource types.
WITH recorders AS (
    SELECT r.account_id, r.region, r.name, coalesce(r.all_supported, false) AS all_supported,
           coalesce(s.recording, false) AS recording, r.resource_types
    FROM config_recorders r
    LEFT JOIN config_recorder_status s ON s.scan_id = $scan_id AND s.account_id = r.account_id AND s.region = r.region AND s.name = r.name
    WHERE r.scan_id = $scan_id
), best AS (
    SELECT * FROM recorders
    QUALIFY row_number() OVER (PARTITION BY account_id, region ORDER BY (recording AND all_supported) DESC, recording DESC, name) = 1
)
SELECT g.account_id, g.region, 'AWS::::Account:' || g.account_id AS resource_arn,
       CASE WHEN b.recording AND b.all_supported THEN 'pass' ELSE 'fail' END AS status,
       CASE
           WHEN b.name IS NULL THEN 'no AWS Config configuration recorder in this region'
           WHEN NOT b.recording THEN 'configuration recorder ' || b.name || ' is not recording'
           WHEN NOT b.all_supported THEN 'configuration recorder ' || b.name || ' records only '
               || coalesce(nullif(array_to_string(b.resource_types, ', '), ''), 'some resource types') || ', not all supported resources'
           ELSE 'configuration recorder ' || b.name || ' is recording all supported resources'
       END AS reason
FROM scan_regions g
LEFT JOIN best b USING (account_id, region)
WHERE g.scan_id = $scan_id AND g.status = 'scanned'
