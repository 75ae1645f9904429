-- control: KMS.4
-- tables: kms_keys, kms_key_metadata, kms_key_rotation
-- semantics: One finding per enabled, symmetric, customer managed KMS key: passes when automatic
--   key rotation is enabled. AWS managed keys, disabled keys and asymmetric keys are not
--   evaluated.
SELECT m.account_id, m.region, coalesce(m.key_arn, k.key_arn, m.key_id) AS resource_arn,
       CASE WHEN r.key_id IS NULL THEN 'not_evaluated' WHEN r.rotation_enabled THEN 'pass' ELSE 'fail' END AS status,
       'customer managed key ' || m.key_id || coalesce(' (' || nullif(m.description, '') || ')', '') || CASE
           WHEN r.rotation_enabled THEN ' rotates automatically'
           WHEN r.key_id IS NULL THEN ': rotation status unknown'
           ELSE ' does not rotate automatically' END AS reason
FROM kms_key_metadata m
JOIN kms_keys k ON k.scan_id = $scan_id AND k.account_id = m.account_id AND k.region = m.region AND k.key_id = m.key_id
LEFT JOIN kms_key_rotation r ON r.scan_id = $scan_id AND r.account_id = m.account_id AND r.region = m.region AND r.key_id = m.key_id
WHERE m.scan_id = $scan_id AND m.key_manager = 'CUSTOMER' AND m.key_state = 'Enabled' AND m.key_spec = 'SYMMETRIC_DEFAULT'
