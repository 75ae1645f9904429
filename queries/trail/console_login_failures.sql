-- title: Failed console sign-ins
-- description: Failed AWS Management Console sign-ins (ConsoleLogin with
--   responseElements.ConsoleLogin = Failure or an errorMessage such as "Failed
--   authentication"), grouped by account, user and source IP. Many failures
--   from one address are password guessing; a later successful sign-in by the
--   same user (succeeded_after) means the guess may have worked. CloudTrail
--   writes HIDDEN_DUE_TO_SECURITY_REASONS as the user name when the name typed
--   does not exist.
-- param: since TIMESTAMPTZ -infinity Start of the window (inclusive)
-- param: until TIMESTAMPTZ infinity End of the window (exclusive)
-- param: min_failures INTEGER 1 List a user and address only with at least this many failures
WITH logins AS (
    SELECT event_id, event_time, recipient_account_id, identity_type, source_ip_address, error_message,
           coalesce(user_name, principal_arn, principal_id, identity_type, '(unknown)') AS user_key,
           (record->'responseElements'->>'ConsoleLogin') = 'Failure'
               OR error_message IS NOT NULL OR error_code IS NOT NULL AS failed
    FROM events
    WHERE event_source = 'signin.amazonaws.com'
      AND event_name = 'ConsoleLogin'
      AND event_time >= $since AND event_time < $until
),
failures AS (
    SELECT recipient_account_id AS account,
           user_key AS "user",
           any_value(identity_type ORDER BY event_time, event_id) AS identity_type,
           source_ip_address,
           count(*) AS failures,
           min(event_time) AS first_failure,
           max(event_time) AS last_failure,
           string_agg(DISTINCT error_message, '; ' ORDER BY error_message) AS error_messages
    FROM logins
    WHERE failed
    GROUP BY recipient_account_id, user_key, source_ip_address
    HAVING count(*) >= $min_failures
)
SELECT f.account, f."user", f.identity_type, f.source_ip_address, f.failures, f.first_failure, f.last_failure,
       f.error_messages,
       EXISTS (SELECT 1 FROM logins s
               WHERE NOT s.failed AND s.recipient_account_id IS NOT DISTINCT FROM f.account
                 AND s.user_key = f."user" AND s.event_time > f.first_failure) AS succeeded_after
FROM failures f
ORDER BY f.failures DESC, f.account, f."user", f.source_ip_address
