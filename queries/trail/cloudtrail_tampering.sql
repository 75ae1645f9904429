-- title: CloudTrail tampering
-- description: Calls that stop, delete or narrow CloudTrail logging: StopLogging,
--   DeleteTrail, UpdateTrail, PutEventSelectors, PutInsightSelectors, and for
--   CloudTrail Lake StopEventDataStoreIngestion and DeleteEventDataStore. An
--   attacker blinds the defenders this way before doing anything loud. detail
--   shows what PutEventSelectors and PutInsightSelectors set (a selector with
--   includeManagementEvents=false or readWriteType=ReadOnly drops the writes an
--   investigation needs) and which settings UpdateTrail changed. Failed
--   attempts are listed too, with their error code.
-- param: since TIMESTAMPTZ -infinity Start of the window (inclusive)
-- param: until TIMESTAMPTZ infinity End of the window (exclusive)
WITH calls AS (
    SELECT *, record->'requestParameters' AS rp
    FROM events
    WHERE event_source = 'cloudtrail.amazonaws.com'
      AND event_name IN ('StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors',
                         'StopEventDataStoreIngestion', 'DeleteEventDataStore')
      AND event_time >= $since AND event_time < $until
)
SELECT event_time,
       recipient_account_id AS account,
       aws_region AS region,
       coalesce(principal_arn, user_name, invoked_by, identity_type, '(unknown)') AS principal,
       event_name,
       coalesce(rp->>'name', rp->>'trailName', rp->>'eventDataStore') AS trail,
       CASE
           WHEN event_name = 'PutEventSelectors' AND json_type(rp, '$.eventSelectors') = 'ARRAY' THEN
               array_to_string(list_transform(json_extract(rp, '$.eventSelectors[*]'),
                   lambda s: 'readWriteType=' || coalesce(s->>'readWriteType', 'All')
                             || ' includeManagementEvents=' || coalesce(s->>'includeManagementEvents', 'true')), '; ')
           WHEN event_name = 'PutEventSelectors' AND json_type(rp, '$.advancedEventSelectors') = 'ARRAY' THEN
               'advancedEventSelectors: ' || json_array_length(rp, '$.advancedEventSelectors')
           WHEN event_name = 'PutInsightSelectors' THEN
               'insightTypes=' || coalesce(array_to_string(list_sort(json_extract_string(rp, '$.insightSelectors[*].insightType')), ','), '')
           WHEN event_name = 'UpdateTrail' THEN
               array_to_string(list_transform(list_sort(list_filter(json_keys(rp), lambda k: k <> 'name')),
                   lambda k: k || '=' || coalesce(rp->>k, 'null')), ' ')
       END AS detail,
       source_ip_address,
       error_code,
       event_id
FROM calls
ORDER BY event_time, event_id
