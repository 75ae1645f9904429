-- control: CloudTrail.6
-- tables: cloudtrail_trails, s3_buckets, s3_bucket_acl_grants, s3_bucket_policy_statements, s3_bucket_public_access_block, s3_account_public_access_block
-- semantics: One finding per trail bucket, in the bucket's region: fails when the bucket is
--   publicly accessible: its ACL grants to AllUsers or AuthenticatedUsers (unless Block Public
--   Access ignores public ACLs at bucket or account level) or its policy allows Principal "*"
--   without a condition (unless Block Public Access restricts public buckets). A bucket the
--   scanner cannot read (another account's) is not evaluated.
WITH buckets AS (
    SELECT b.account_id, b.region, b.bucket, b.bucket_arn,
           (SELECT string_agg(DISTINCT t.name, ', ' ORDER BY t.name) FROM cloudtrail_trails t
             WHERE t.scan_id = $scan_id AND t.account_id = b.account_id AND t.s3_bucket = b.bucket) AS trails
    FROM s3_buckets b WHERE b.scan_id = $scan_id
), acl AS (
    SELECT account_id, bucket,
           string_agg(DISTINCT permission || ' to ' || regexp_extract(grantee_uri, '[^/]+$'), ', ') AS public_grants
    FROM s3_bucket_acl_grants
    WHERE scan_id = $scan_id AND grantee_uri IN ('http://acs.amazonaws.com/groups/global/AllUsers',
                                                 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers')
    GROUP BY ALL
), pol AS (
    SELECT account_id, bucket,
           string_agg(DISTINCT coalesce(sid, '#' || statement_index::VARCHAR), ', ') AS public_statements
    FROM s3_bucket_policy_statements
    WHERE scan_id = $scan_id AND effect = 'Allow' AND list_contains(principals, '*') AND NOT has_condition
    GROUP BY ALL
), eff AS (
    SELECT b.*, acl.public_grants, pol.public_statements,
           coalesce(bp.ignore_public_acls, false) OR coalesce(ap.ignore_public_acls, false) AS ignore_acls,
           coalesce(bp.restrict_public_buckets, false) OR coalesce(ap.restrict_public_buckets, false) AS restrict_policy
    FROM buckets b
    LEFT JOIN acl USING (account_id, bucket)
    LEFT JOIN pol USING (account_id, bucket)
    LEFT JOIN s3_bucket_public_access_block bp ON bp.scan_id = $scan_id AND bp.account_id = b.account_id AND bp.bucket = b.bucket
    LEFT JOIN s3_account_public_access_block ap ON ap.scan_id = $scan_id AND ap.account_id = b.account_id
), judged AS (
    SELECT *,
           public_grants IS NOT NULL AND NOT ignore_acls AS acl_public,
           public_statements IS NOT NULL AND NOT restrict_policy AS policy_public
    FROM eff
)
SELECT account_id, region, bucket_arn AS resource_arn,
       CASE WHEN acl_public OR policy_public THEN 'fail' ELSE 'pass' END AS status,
       'bucket ' || bucket || ' of trail ' || coalesce(trails, '?') || ': ' || CASE
           WHEN acl_public OR policy_public THEN concat_ws(', ',
               CASE WHEN acl_public THEN 'ACL grants ' || public_grants END,
               CASE WHEN policy_public THEN 'bucket policy allows Principal * without a condition (' || public_statements || ')' END)
               || ', and Block Public Access does not stop it'
           WHEN public_grants IS NOT NULL OR public_statements IS NOT NULL
               THEN 'public grants or statements exist but Block Public Access neutralises them'
           ELSE 'neither the ACL nor the bucket policy grants access to everyone' END AS reason
FROM judged
