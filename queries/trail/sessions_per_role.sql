-- title: Sessions per role
-- description: For each IAM role, the assumed-role sessions that used it: how
--   many sessions (distinct temporary access keys: each AssumeRole mints a new
--   one), how many distinct session names and source IPs, how many calls, and
--   when first and last seen. A role suddenly used from many addresses or under
--   unfamiliar session names is worth a look; so is a scanner role with more
--   sessions than its schedule explains. sessions is 0 when CloudTrail gave
--   the calls no access key (a federated user's console sign-in).
--   sample_session_names shows the first five names in sort order.
-- param: since TIMESTAMPTZ -infinity Start of the window (inclusive)
-- param: until TIMESTAMPTZ infinity End of the window (exclusive)
SELECT coalesce(session_issuer_arn, session_issuer_name, '(unknown)') AS role,
       any_value(account_id ORDER BY event_time, event_id) AS role_account,
       count(DISTINCT access_key_id) AS sessions,
       count(DISTINCT session_name) AS session_names,
       count(DISTINCT source_ip_address) AS source_ips,
       count(DISTINCT recipient_account_id) AS accounts,
       count(*) AS events,
       count(*) FILTER (WHERE error_code IS NOT NULL) AS errors,
       min(event_time) AS first_seen,
       max(event_time) AS last_seen,
       array_to_string(list_slice(list_sort(list_distinct(list(session_name))), 1, 5), ', ') AS sample_session_names
FROM events
WHERE identity_type = 'AssumedRole'
  AND event_time >= $since AND event_time < $until
GROUP BY coalesce(session_issuer_arn, session_issuer_name, '(unknown)')
ORDER BY sessions DESC, events DESC, role
