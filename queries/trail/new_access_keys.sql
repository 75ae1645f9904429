-- title: New access keys
-- description: IAM CreateAccessKey calls: who created a long-lived access key for
--   which user. A key made for another user, or by a user who rarely does it,
--   is a classic way to keep access after the first foothold is closed; a key
--   for the root user (root_key) should never exist. for_user is the user the
--   request named, else the one in the response, else the caller itself.
--   Failed attempts are listed too, with their error code.
-- param: since TIMESTAMPTZ -infinity Start of the window (inclusive)
-- param: until TIMESTAMPTZ infinity End of the window (exclusive)
SELECT event_time,
       recipient_account_id AS account,
       coalesce(principal_arn, user_name, invoked_by, identity_type, '(unknown)') AS created_by,
       identity_type AS created_by_type,
       coalesce(record->'requestParameters'->>'userName',
                record->'responseElements'->'accessKey'->>'userName',
                CASE WHEN identity_type = 'Root' THEN 'root' ELSE user_name END) AS for_user,
       identity_type = 'Root' AND (record->'requestParameters'->>'userName') IS NULL AS root_key,
       record->'responseElements'->'accessKey'->>'accessKeyId' AS access_key_id,
       source_ip_address,
       user_agent,
       error_code,
       event_id
FROM events
WHERE event_source = 'iam.amazonaws.com'
  AND event_name = 'CreateAccessKey'
  AND event_time >= $since AND event_time < $until
ORDER BY event_time, event_id
