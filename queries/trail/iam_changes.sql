-- title: IAM changes
-- description: Calls that change IAM users, access keys, policies, roles, groups,
--   instance profiles, login profiles (console passwords) and MFA devices:
--   Create*, Delete*, Attach*, Detach*, Put*, Update*, Add*, Remove*, Upload*,
--   Enable*, Deactivate*, Resync*, Change*, Set*. Persistence and privilege
--   escalation in AWS almost always pass through one of these. Failed attempts
--   are listed too, with their error code: a refused AttachUserPolicy is as
--   telling as one that worked. target is the user, role, group, instance
--   profile or MFA device acted on (empty when callers act on themselves).
-- param: since TIMESTAMPTZ -infinity Start of the window (inclusive)
-- param: until TIMESTAMPTZ infinity End of the window (exclusive)
WITH changes AS (
    SELECT *, record->'requestParameters' AS rp
    FROM events
    WHERE event_source = 'iam.amazonaws.com'
      AND regexp_matches(event_name, '^(Create|Delete|Attach|Detach|Put|Update|Add|Remove|Upload|Enable|Deactivate|Resync|Change|Set)[A-Z]')
      AND event_time >= $since AND event_time < $until
)
SELECT event_time,
       recipient_account_id AS account,
       coalesce(principal_arn, user_name, invoked_by, identity_type, '(unknown)') AS principal,
       identity_type,
       event_name,
       coalesce('user/' || (rp->>'userName'),
                'role/' || (rp->>'roleName'),
                'group/' || (rp->>'groupName'),
                'instance-profile/' || (rp->>'instanceProfileName'),
                'mfa/' || (rp->>'virtualMFADeviceName')) AS target,
       coalesce(rp->>'policyArn', rp->>'policyName') AS policy,
       coalesce(rp->>'accessKeyId', record->'responseElements'->'accessKey'->>'accessKeyId') AS access_key_id,
       source_ip_address,
       error_code,
       event_id
FROM changes
ORDER BY event_time, event_id
