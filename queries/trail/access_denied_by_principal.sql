-- title: Access denied by principal
-- description: Calls refused for lack of permission (error codes AccessDenied,
--   AccessDeniedException, UnauthorizedOperation, Client.UnauthorizedOperation),
--   counted per account and principal, with the five operations denied most.
--   A burst of denials is what stolen credentials look like while an attacker
--   maps what they can do; a steady trickle usually is a misconfigured tool.
--   Assumed-role sessions are grouped by their role, as in top_callers.
-- param: since TIMESTAMPTZ -infinity Start of the window (inclusive)
-- param: until TIMESTAMPTZ infinity End of the window (exclusive)
-- param: min_errors INTEGER 1 List a principal only with at least this many denied calls
WITH denied AS (
    SELECT recipient_account_id AS account,
           coalesce(session_issuer_arn, principal_arn, invoked_by, user_name, identity_type, '(unknown)') AS principal,
           identity_type, event_time, event_id, source_ip_address,
           replace(event_source, '.amazonaws.com', '') || ':' || event_name AS operation
    FROM events
    WHERE error_code IN ('AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'Client.UnauthorizedOperation')
      AND event_time >= $since AND event_time < $until
),
per_operation AS (
    SELECT account, principal, operation, count(*) AS n,
           row_number() OVER (PARTITION BY account, principal ORDER BY count(*) DESC, operation) AS rank
    FROM denied
    GROUP BY account, principal, operation
),
top AS (
    SELECT account, principal,
           string_agg(operation || ' (' || n || ')', ', ' ORDER BY n DESC, operation) AS top_operations
    FROM per_operation
    WHERE rank <= 5
    GROUP BY account, principal
)
SELECT d.account,
       d.principal,
       any_value(d.identity_type ORDER BY d.event_time, d.event_id) AS identity_type,
       count(*) AS denied,
       count(DISTINCT d.operation) AS operations,
       any_value(t.top_operations) AS top_operations,
       count(DISTINCT d.source_ip_address) AS source_ips,
       min(d.event_time) AS first_seen,
       max(d.event_time) AS last_seen
FROM denied d
JOIN top t ON t.account IS NOT DISTINCT FROM d.account AND t.principal = d.principal
GROUP BY d.account, d.principal
HAVING count(*) >= $min_errors
ORDER BY denied DESC, d.account, d.principal
