-- title: Top callers
-- description: The principals that made the most calls, with how many failed,
--   how many operations they used and when they were first and last seen.
--   Assumed-role sessions are grouped by role; the session count shows how
--   many sessions the role had. Callers CloudTrail names without an ARN (web
--   identity users, some sign-in events) are shown by user name.
-- param: since TIMESTAMPTZ -infinity Start of the window (inclusive)
-- param: until TIMESTAMPTZ infinity End of the window (exclusive)
-- param: limit INTEGER 20 How many principals to list
SELECT coalesce(session_issuer_arn, principal_arn, invoked_by, user_name, identity_type, '(unknown)') AS principal,
       min(identity_type) AS identity_type,
       count(*) AS events,
       count(*) FILTER (WHERE error_code IS NOT NULL) AS errors,
       count(DISTINCT event_source || ':' || event_name) AS operations,
       count(DISTINCT session_name) AS sessions,
       min(event_time) AS first_seen,
       max(event_time) AS last_seen
FROM events
WHERE event_time >= $since AND event_time < $until
GROUP BY coalesce(session_issuer_arn, principal_arn, invoked_by, user_name, identity_type, '(unknown)')
ORDER BY events DESC, principal
LIMIT $limit
