-- title: Root user activity
-- description: Every call made with an account's root user credentials. AWS
--   recommends locking root away; any use deserves an explanation.
-- param: since TIMESTAMPTZ -infinity Start of the window (inclusive)
-- param: until TIMESTAMPTZ infinity End of the window (exclusive)
SELECT event_time, recipient_account_id AS account, aws_region AS region, event_source, event_name,
       source_ip_address, user_agent, error_code, event_id
FROM events
WHERE identity_type = 'Root'
  AND event_time >= $since AND event_time < $until
ORDER BY event_time, event_id
