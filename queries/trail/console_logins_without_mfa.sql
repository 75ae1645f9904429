-- title: Console sign-ins without MFA
-- description: Successful AWS Management Console sign-ins (signin.amazonaws.com
--   ConsoleLogin) where CloudTrail recorded MFAUsed = No. A password alone
--   opened the console: the account or user has no MFA device, or it was not
--   asked for. Federated and assumed-role sign-ins are left out by default,
--   because their MFA happens at the identity provider and CloudTrail always
--   records No for them; set include_federated=true to list them too.
-- param: since TIMESTAMPTZ -infinity Start of the window (inclusive)
-- param: until TIMESTAMPTZ infinity End of the window (exclusive)
-- param: include_federated BOOLEAN false Also list federated and assumed-role sign-ins
SELECT event_time,
       recipient_account_id AS account,
       aws_region AS region,
       identity_type,
       coalesce(principal_arn, user_name, principal_id) AS principal,
       user_name,
       source_ip_address,
       user_agent,
       record->'additionalEventData'->>'LoginTo' AS login_to,
       event_id
FROM events
WHERE event_source = 'signin.amazonaws.com'
  AND event_name = 'ConsoleLogin'
  AND (record->'responseElements'->>'ConsoleLogin') = 'Success'
  AND (record->'additionalEventData'->>'MFAUsed') = 'No'
  AND ($include_federated OR coalesce(identity_type, '') IN ('Root', 'IAMUser'))
  AND event_time >= $since AND event_time < $until
ORDER BY event_time, event_id
