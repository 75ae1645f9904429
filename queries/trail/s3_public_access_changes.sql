-- title: S3 bucket policy, ACL and public access block changes
-- description: Changes to who may reach S3 data: bucket policies (PutBucketPolicy,
--   DeleteBucketPolicy), bucket ACLs (PutBucketAcl), bucket public access
--   blocks (PutBucketPublicAccessBlock, DeleteBucketPublicAccessBlock) and the
--   account-wide block (recorded as PutAccountPublicAccessBlock and
--   DeleteAccountPublicAccessBlock, the s3control PutPublicAccessBlock and
--   DeletePublicAccessBlock APIs). Public buckets remain a leading cause of data
--   leaks. grants_public is true when a policy statement allows Principal "*"
--   (conditions are not evaluated) or an ACL grants the AllUsers or
--   AuthenticatedUsers group, by grant or by canned ACL. other_accounts lists
--   the accounts other than the bucket owner's that a policy lets in, the
--   way a bucket is backdoored to an attacker's account. blocks_off lists the
--   public access block settings a change leaves off ("all" when the block is
--   deleted). Failed attempts are listed too, with their error code.
-- param: since TIMESTAMPTZ -infinity Start of the window (inclusive)
-- param: until TIMESTAMPTZ infinity End of the window (exclusive)
WITH calls AS (
    SELECT *, record->'requestParameters' AS rp,
           CASE json_type(record, '$.requestParameters.bucketPolicy.Statement')
               WHEN 'ARRAY' THEN json_extract(record, '$.requestParameters.bucketPolicy.Statement[*]')
               WHEN 'OBJECT' THEN [json_extract(record, '$.requestParameters.bucketPolicy.Statement')]
           END AS statements,
           coalesce(json_extract(record, '$.requestParameters.PublicAccessBlockConfiguration'),
                    json_extract(record, '$.requestParameters.publicAccessBlockConfiguration')) AS block
    FROM events
    WHERE event_source IN ('s3.amazonaws.com', 's3-control.amazonaws.com')
      AND event_name IN ('PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl',
                         'PutBucketPublicAccessBlock', 'DeleteBucketPublicAccessBlock',
                         'PutAccountPublicAccessBlock', 'DeleteAccountPublicAccessBlock',
                         'PutPublicAccessBlock', 'DeletePublicAccessBlock')
      AND event_time >= $since AND event_time < $until
)
SELECT event_time,
       recipient_account_id AS account,
       aws_region AS region,
       coalesce(principal_arn, user_name, invoked_by, identity_type, '(unknown)') AS principal,
       event_name,
       rp->>'bucketName' AS bucket,
       coalesce(json_extract_string(rp, '$."x-amz-acl"[0]'), rp->>'x-amz-acl') AS canned_acl,
       CASE
           WHEN event_name = 'PutBucketPolicy' THEN
               coalesce(list_bool_or(list_transform(statements, lambda s:
                   (s->>'Effect') = 'Allow'
                   AND ((s->>'Principal') = '*'
                        OR (s->'Principal'->>'AWS') = '*'
                        OR list_contains(json_extract_string(s, '$.Principal.AWS[*]'), '*')))), false)
           WHEN event_name = 'PutBucketAcl' THEN
               coalesce(json_extract_string(rp, '$."x-amz-acl"[0]'), rp->>'x-amz-acl', '')
                   IN ('public-read', 'public-read-write', 'authenticated-read')
               OR contains(CAST(rp AS VARCHAR), 'acs.amazonaws.com/groups/global/AllUsers')
               OR contains(CAST(rp AS VARCHAR), 'acs.amazonaws.com/groups/global/AuthenticatedUsers')
       END AS grants_public,
       CASE WHEN event_name = 'PutBucketPolicy' THEN
           nullif(array_to_string(list_sort(list_distinct(list_filter(
               list_transform(
                   flatten(list_transform(list_filter(statements, lambda s: (s->>'Effect') = 'Allow'), lambda s:
                       CASE json_type(s, '$.Principal.AWS')
                           WHEN 'ARRAY' THEN json_extract_string(s, '$.Principal.AWS[*]')
                           WHEN 'VARCHAR' THEN [s->'Principal'->>'AWS']
                           ELSE []
                       END)),
                   lambda p: coalesce(nullif(regexp_extract(p, '^arn:aws[a-z-]*:iam::([0-9]{12}):', 1), ''),
                                      regexp_extract(p, '^([0-9]{12})$', 1))),
               lambda a: a <> '' AND a IS DISTINCT FROM recipient_account_id))), ','), '')
       END AS other_accounts,
       CASE
           WHEN event_name LIKE 'Delete%PublicAccessBlock' THEN 'all'
           WHEN event_name LIKE 'Put%PublicAccessBlock' THEN
               array_to_string(list_filter(['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'],
                   lambda k: coalesce(lower(block->>k), 'false') <> 'true'), ',')
       END AS blocks_off,
       error_code,
       event_id
FROM calls
ORDER BY event_time, event_id
