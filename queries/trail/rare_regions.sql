-- title: Activity in rarely used regions
-- description: For each account (recipientAccountId), the regions that carry less
--   than max_share of the account's events in the window. Attackers launch
--   miners and stage resources in regions nobody looks at, and a region an
--   account almost never uses stands out against its usual ones. Accounts with
--   fewer than min_account_events events are skipped: with a handful of events
--   every region looks rare. Global services (IAM, STS, CloudFront) record in
--   us-east-1, so that region is seldom rare.
-- param: since TIMESTAMPTZ -infinity Start of the window (inclusive)
-- param: until TIMESTAMPTZ infinity End of the window (exclusive)
-- param: max_share DOUBLE 0.01 A region is rare below this share of its account's events (0.01 = 1%)
-- param: min_account_events BIGINT 100 Skip accounts with fewer events than this in the window
WITH windowed AS (
    SELECT * FROM events
    WHERE event_time >= $since AND event_time < $until
),
per_region AS (
    SELECT recipient_account_id AS account,
           aws_region AS region,
           count(*) AS events,
           count(DISTINCT coalesce(session_issuer_arn, principal_arn, invoked_by, user_name, identity_type, '(unknown)')) AS principals,
           count(DISTINCT event_source || ':' || event_name) AS operations,
           min(event_time) AS first_seen,
           max(event_time) AS last_seen
    FROM windowed
    GROUP BY recipient_account_id, aws_region
),
per_account AS (
    SELECT account, sum(events)::BIGINT AS account_events, count(*) AS regions
    FROM per_region
    GROUP BY account
)
SELECT r.account, r.region, r.events, a.account_events, r.events / a.account_events AS share, a.regions AS account_regions,
       r.principals, r.operations, r.first_seen, r.last_seen
FROM per_region r
JOIN per_account a ON a.account IS NOT DISTINCT FROM r.account
WHERE a.account_events >= $min_account_events
  AND r.events / a.account_events < $max_share
ORDER BY r.account, share, r.region
