-- title: KMS keys disabled or scheduled for deletion
-- description: KMS DisableKey and ScheduleKeyDeletion calls. Once a key is
--   deleted, everything encrypted under it is lost for good; disabling a key
--   makes that data unreadable at once. Both are ransomware and sabotage moves.
--   pending_window_days is the waiting period requested (7 to 30 days; NULL
--   when the record does not say, which means AWS's default of 30): the time
--   left to run CancelKeyDeletion. Failed attempts are listed too, with their
--   error code.
-- param: since TIMESTAMPTZ -infinity Start of the window (inclusive)
-- param: until TIMESTAMPTZ infinity End of the window (exclusive)
SELECT event_time,
       recipient_account_id AS account,
       aws_region AS region,
       coalesce(principal_arn, user_name, invoked_by, identity_type, '(unknown)') AS principal,
       event_name,
       coalesce(json_extract_string(record, '$.resources[0].ARN'),
                record->'responseElements'->>'keyId',
                record->'requestParameters'->>'keyId') AS key,
       TRY_CAST(coalesce(record->'requestParameters'->>'pendingWindowInDays',
                         record->'responseElements'->>'pendingWindowInDays') AS INTEGER) AS pending_window_days,
       record->'responseElements'->>'deletionDate' AS deletion_date,
       error_code,
       event_id
FROM events
WHERE event_source = 'kms.amazonaws.com'
  AND event_name IN ('DisableKey', 'ScheduleKeyDeletion')
  AND event_time >= $since AND event_time < $until
ORDER BY event_time, event_id
