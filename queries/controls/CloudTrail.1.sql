-- control: CloudTrail.1
-- tables: scan_regions, cloudtrail_trails, cloudtrail_trail_status, cloudtrail_event_selectors
-- gaps: account
-- semantics: One finding per account and scanned region. Passes when a multi-region trail seen
--   there is logging and has an event selector with read and write management events and no
--   excluded event sources (Security Hub CloudTrail.1). A trail homed anywhere counts: AWS lists
--   a multi-region trail in every region it records.
WITH status AS (
    SELECT account_id, trail_arn, bool_or(is_logging) AS logging
    FROM cloudtrail_trail_status WHERE scan_id = $scan_id GROUP BY ALL
), selectors AS (
    SELECT account_id, trail_arn,
           bool_or(coalesce(include_management_events, false) AND read_write_type = 'All'
                   AND len(coalesce(exclude_management_event_sources, [])) = 0) AS all_management,
           string_agg(DISTINCT CASE
               WHEN NOT coalesce(include_management_events, false) THEN 'no management events'
               WHEN read_write_type <> 'All' THEN read_write_type || ' management events'
               WHEN len(coalesce(exclude_management_event_sources, [])) > 0
                   THEN 'excludes ' || array_to_string(exclude_management_event_sources, ', ') END, '; ') AS why
    FROM cloudtrail_event_selectors WHERE scan_id = $scan_id GROUP BY ALL
), seen AS (
    SELECT t.account_id, t.region, t.name, t.trail_arn,
           coalesce(t.is_multi_region, false) AS multi,
           coalesce(s.logging, false) AS logging,
           coalesce(e.all_management, false) AS all_management,
           e.why
    FROM cloudtrail_trails t
    LEFT JOIN status s USING (account_id, trail_arn)
    LEFT JOIN selectors e USING (account_id, trail_arn)
    WHERE t.scan_id = $scan_id
), verdicts AS (
    SELECT account_id, region,
           min(name) FILTER (WHERE multi AND logging AND all_management) AS good,
           string_agg(name || ': ' || CASE
               WHEN NOT multi THEN 'single-region'
               WHEN NOT logging THEN 'not logging'
               ELSE coalesce(why, 'no management events') END, '; ' ORDER BY name)
               FILTER (WHERE NOT (multi AND logging AND all_management)) AS bad
    FROM seen GROUP BY ALL
)
SELECT r.account_id, r.region, 'AWS::::Account:' || r.account_id AS resource_arn,
       CASE WHEN v.good IS NOT NULL THEN 'pass' ELSE 'fail' END AS status,
       CASE
           WHEN v.good IS NOT NULL THEN 'multi-region trail ' || v.good || ' is logging all read and write management events'
           WHEN v.bad IS NULL THEN 'no CloudTrail trail records this region'
           ELSE 'no logging multi-region trail records all read and write management events (' || v.bad || ')'
       END AS reason
FROM scan_regions r
LEFT JOIN verdicts v USING (account_id, region)
WHERE r.scan_id = $scan_id AND r.status = 'scanned'
