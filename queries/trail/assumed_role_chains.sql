-- title: Assumed-role chains
-- description: Every AssumeRole, AssumeRoleWithSAML and AssumeRoleWithWebIdentity
--   that minted credentials: who assumed which role under which session name,
--   and what the minted access key then did. Its calls are the events whose
--   userIdentity.accessKeyId is the minted key
--   (responseElements.credentials.accessKeyId); the row counts them, their
--   errors and operations, and gives the first and last call. When the caller
--   was itself an assumed-role session whose AssumeRole is in the trail, the
--   chain is followed back to where it began: chain reads origin -> role ->
--   role, and depth counts the hops before this one. Role chaining hides who
--   is really acting; this undoes it. A cross-account AssumeRole that both
--   accounts' trails recorded is listed once, from the role's account, and a
--   call delivered to two accounts (one sharedEventID) counts once. The window
--   selects the AssumeRole events; each key's calls are counted wherever they
--   fall.
-- param: since TIMESTAMPTZ -infinity Start of the window (inclusive)
-- param: until TIMESTAMPTZ infinity End of the window (exclusive)
WITH RECURSIVE mints AS (
    SELECT event_id, event_time, recipient_account_id, event_name, identity_type,
           coalesce(principal_arn, user_name, invoked_by, identity_type, '(unknown)') AS caller,
           access_key_id AS caller_key,
           record->'requestParameters'->>'roleArn' AS role_arn,
           record->'requestParameters'->>'roleSessionName' AS session_name,
           record->'responseElements'->'credentials'->>'accessKeyId' AS minted_key
    FROM events
    WHERE event_source = 'sts.amazonaws.com'
      AND event_name IN ('AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity')
      AND (record->'responseElements'->'credentials'->>'accessKeyId') IS NOT NULL
    -- A cross-account AssumeRole is delivered to both accounts under two
    -- eventIDs (sharing a sharedEventID): keep the role account's copy.
    QUALIFY row_number() OVER (
        PARTITION BY minted_key
        ORDER BY recipient_account_id IS NOT DISTINCT FROM regexp_extract(role_arn, '^arn:[^:]+:iam::([0-9]+):', 1) DESC, event_id
    ) = 1
),
-- Walk from each mint up through the mints that produced its caller's key.
walk AS (
    SELECT event_id AS start_id, caller_key, caller,
           regexp_extract(role_arn, '[^:]+$') AS path, 0 AS depth
    FROM mints
    UNION ALL
    SELECT w.start_id, p.caller_key, p.caller,
           regexp_extract(p.role_arn, '[^:]+$') || ' -> ' || w.path, w.depth + 1
    FROM walk w
    JOIN mints p ON p.minted_key = w.caller_key
    WHERE w.depth < 10
),
chains AS (
    SELECT start_id, arg_max(caller || ' -> ' || path, depth) AS chain, max(depth) AS depth
    FROM walk
    GROUP BY start_id
),
usage AS (
    SELECT e.access_key_id,
           count(DISTINCT coalesce(e.shared_event_id, e.event_id)) AS calls,
           count(DISTINCT coalesce(e.shared_event_id, e.event_id)) FILTER (WHERE e.error_code IS NOT NULL) AS errors,
           count(DISTINCT e.event_source || ':' || e.event_name) AS operations,
           min(e.event_time) AS first_call,
           max(e.event_time) AS last_call
    FROM events e
    WHERE e.access_key_id IN (SELECT minted_key FROM mints)
    GROUP BY e.access_key_id
)
SELECT m.event_time AS assumed_at,
       m.recipient_account_id AS account,
       m.caller AS assumed_by,
       m.identity_type AS assumed_by_type,
       m.event_name AS via,
       m.role_arn,
       m.session_name,
       m.minted_key AS access_key_id,
       coalesce(u.calls, 0) AS calls,
       coalesce(u.errors, 0) AS errors,
       coalesce(u.operations, 0) AS operations,
       u.first_call,
       u.last_call,
       c.depth,
       c.chain,
       m.event_id
FROM mints m
JOIN chains c ON c.start_id = m.event_id
LEFT JOIN usage u ON u.access_key_id = m.minted_key
WHERE m.event_time >= $since AND m.event_time < $until
ORDER BY m.event_time, m.event_id
