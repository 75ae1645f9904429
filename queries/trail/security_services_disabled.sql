-- title: GuardDuty, Security Hub and Config disabled
-- description: Calls that switch off or cut back the services that watch the
--   account. GuardDuty: DeleteDetector, UpdateDetector with enable=false,
--   leaving the administrator account (DisassociateFromMasterAccount,
--   DisassociateFromAdministratorAccount), StopMonitoringMembers,
--   DisassociateMembers, DeleteMembers. Security Hub: DisableSecurityHub,
--   BatchDisableStandards, DisableImportFindingsForProduct, leaving the
--   administrator account. AWS Config: StopConfigurationRecorder,
--   DeleteConfigurationRecorder, DeleteDeliveryChannel. Attackers do this to
--   act unseen; admins rarely have a reason to. Failed attempts are listed
--   too, with their error code.
-- param: since TIMESTAMPTZ -infinity Start of the window (inclusive)
-- param: until TIMESTAMPTZ infinity End of the window (exclusive)
WITH calls AS (
    SELECT *, record->'requestParameters' AS rp
    FROM events
    WHERE event_time >= $since AND event_time < $until
      AND (
          (event_source = 'guardduty.amazonaws.com'
              AND (event_name IN ('DeleteDetector', 'DisassociateFromMasterAccount', 'DisassociateFromAdministratorAccount',
                                  'StopMonitoringMembers', 'DisassociateMembers', 'DeleteMembers')
                   OR (event_name = 'UpdateDetector' AND lower(record->'requestParameters'->>'enable') = 'false')))
          OR (event_source = 'securityhub.amazonaws.com'
              AND event_name IN ('DisableSecurityHub', 'BatchDisableStandards', 'DisableImportFindingsForProduct',
                                 'DisassociateFromMasterAccount', 'DisassociateFromAdministratorAccount'))
          OR (event_source = 'config.amazonaws.com'
              AND event_name IN ('StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel'))
      )
)
SELECT event_time,
       recipient_account_id AS account,
       aws_region AS region,
       replace(event_source, '.amazonaws.com', '') AS service,
       coalesce(principal_arn, user_name, invoked_by, identity_type, '(unknown)') AS principal,
       event_name,
       coalesce(rp->>'detectorId',
                rp->>'configurationRecorderName',
                rp->>'deliveryChannelName',
                rp->>'ProductSubscriptionArn',
                rp->>'productSubscriptionArn',
                nullif(array_to_string(list_sort(list_concat(json_extract_string(rp, '$.StandardsSubscriptionArns[*]'),
                                                          json_extract_string(rp, '$.standardsSubscriptionArns[*]'))), ','), '')) AS resource,
       nullif(array_to_string(list_sort(list_concat(json_extract_string(rp, '$.accountIds[*]'),
                                                 json_extract_string(rp, '$.AccountIds[*]'))), ','), '') AS member_accounts,
       error_code,
       event_id
FROM calls
ORDER BY event_time, event_id
