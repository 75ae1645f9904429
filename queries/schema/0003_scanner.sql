-- The scanner: what each scan planned and found, where it could not read, and
-- the inventory its collectors read from AWS. Every inventory row carries the
-- scan, the account and the region its data lives in ('global' for data that
-- belongs to no region), so scans of many accounts share one set of tables
-- and later commands can diff and join them.

-- Which collector (or 'discovery': identity, roles, regions) made each call.
ALTER TABLE scan_calls ADD COLUMN collector VARCHAR;

-- scan_regions: every region region discovery saw, per account, and whether
-- the scan read it.
CREATE TABLE scan_regions (
    scan_id       VARCHAR NOT NULL,
    account_id    VARCHAR NOT NULL,
    region        VARCHAR NOT NULL,
    status        VARCHAR NOT NULL,         -- scanned | not_enabled | excluded | not_selected
    opt_in_status VARCHAR,                  -- as DescribeRegions says
    reason        VARCHAR
);

-- scan_collections: one row per collector run (per account, and per region
-- for regional collectors; region 'global' otherwise).
CREATE TABLE scan_collections (
    scan_id     VARCHAR NOT NULL,
    account_id  VARCHAR NOT NULL,
    region      VARCHAR NOT NULL,
    collector   VARCHAR NOT NULL,
    status      VARCHAR NOT NULL,           -- ok | gaps
    calls       INTEGER NOT NULL,
    row_count   BIGINT NOT NULL,
    gaps        INTEGER NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    duration_ms DOUBLE
);

-- scan_gaps: reads that failed. The controls reading any of `tables` report
-- not_evaluated where the gap reaches (the resource, or the account and
-- region), with `reason`.
CREATE TABLE scan_gaps (
    scan_id      VARCHAR NOT NULL,
    account_id   VARCHAR NOT NULL,
    region       VARCHAR NOT NULL,
    collector    VARCHAR NOT NULL,
    tables       VARCHAR[] NOT NULL,
    operation    VARCHAR,                   -- catalogue key of the failed call: s3:GetBucketAcl
    resource_arn VARCHAR,                   -- set when only this resource's data is missing
    class        VARCHAR NOT NULL,          -- access_denied | throttled | region_failure | out_of_scope | error
    error_code   VARCHAR,
    reason       VARCHAR NOT NULL
);

-- findings: one row per evaluated resource and control (or manual
-- requirement, control_id '<standard>:<requirement>').
CREATE TABLE findings (
    scan_id       VARCHAR NOT NULL,
    control_id    VARCHAR NOT NULL,
    title         VARCHAR,
    standard_refs VARCHAR[] NOT NULL,       -- '<standard>:<requirement>' the finding counts for
    account_id    VARCHAR NOT NULL,
    region        VARCHAR NOT NULL,
    resource_arn  VARCHAR NOT NULL,
    status        VARCHAR NOT NULL,         -- pass | fail | not_evaluated | manual | exempted
    severity      VARCHAR NOT NULL,
    reason        VARCHAR NOT NULL
);

-- ---------------------------------------------------------------- IAM (global)

-- The credential report, one row per user and one for the root user
-- (user_name '<root_account>'). 'N/A', 'no_information' and 'not_supported'
-- are NULL.
CREATE TABLE iam_credential_report (
    scan_id                     VARCHAR NOT NULL,
    account_id                  VARCHAR NOT NULL,
    region                      VARCHAR NOT NULL,
    user_name                   VARCHAR NOT NULL,
    arn                         VARCHAR NOT NULL,
    is_root                     BOOLEAN NOT NULL,
    user_creation_time          TIMESTAMPTZ,
    password_enabled            BOOLEAN,
    password_last_used          TIMESTAMPTZ,
    password_last_changed       TIMESTAMPTZ,
    password_next_rotation      TIMESTAMPTZ,
    mfa_active                  BOOLEAN,
    access_key_1_active         BOOLEAN,
    access_key_1_last_rotated   TIMESTAMPTZ,
    access_key_1_last_used_date TIMESTAMPTZ,
    access_key_2_active         BOOLEAN,
    access_key_2_last_rotated   TIMESTAMPTZ,
    access_key_2_last_used_date TIMESTAMPTZ,
    report_generated_at         TIMESTAMPTZ
);

-- The account password policy; present = false when the account has none.
CREATE TABLE iam_password_policy (
    scan_id                        VARCHAR NOT NULL,
    account_id                     VARCHAR NOT NULL,
    region                         VARCHAR NOT NULL,
    present                        BOOLEAN NOT NULL,
    minimum_password_length        INTEGER,
    require_symbols                BOOLEAN,
    require_numbers                BOOLEAN,
    require_uppercase_characters   BOOLEAN,
    require_lowercase_characters   BOOLEAN,
    allow_users_to_change_password BOOLEAN,
    expire_passwords               BOOLEAN,
    max_password_age               INTEGER,
    password_reuse_prevention      INTEGER,
    hard_expiry                    BOOLEAN
);

-- GetAccountSummary's SummaryMap, one row per key.
CREATE TABLE iam_account_summary (
    scan_id    VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    region     VARCHAR NOT NULL,
    key        VARCHAR NOT NULL,
    value      BIGINT
);

CREATE TABLE iam_virtual_mfa_devices (
    scan_id       VARCHAR NOT NULL,
    account_id    VARCHAR NOT NULL,
    region        VARCHAR NOT NULL,
    serial_number VARCHAR NOT NULL,
    user_arn      VARCHAR,
    enable_date   TIMESTAMPTZ
);

CREATE TABLE iam_users (
    scan_id            VARCHAR NOT NULL,
    account_id         VARCHAR NOT NULL,
    region             VARCHAR NOT NULL,
    user_name          VARCHAR NOT NULL,
    user_id            VARCHAR,
    arn                VARCHAR NOT NULL,
    path               VARCHAR,
    create_date        TIMESTAMPTZ,
    password_last_used TIMESTAMPTZ
);

CREATE TABLE iam_user_attached_policies (
    scan_id     VARCHAR NOT NULL,
    account_id  VARCHAR NOT NULL,
    region      VARCHAR NOT NULL,
    user_name   VARCHAR NOT NULL,
    user_arn    VARCHAR NOT NULL,
    policy_arn  VARCHAR NOT NULL,
    policy_name VARCHAR
);

CREATE TABLE iam_user_inline_policies (
    scan_id     VARCHAR NOT NULL,
    account_id  VARCHAR NOT NULL,
    region      VARCHAR NOT NULL,
    user_name   VARCHAR NOT NULL,
    user_arn    VARCHAR NOT NULL,
    policy_name VARCHAR NOT NULL
);

-- Customer managed policies (ListPolicies Scope=Local).
CREATE TABLE iam_policies (
    scan_id            VARCHAR NOT NULL,
    account_id         VARCHAR NOT NULL,
    region             VARCHAR NOT NULL,
    policy_name        VARCHAR NOT NULL,
    policy_id          VARCHAR,
    arn                VARCHAR NOT NULL,
    path               VARCHAR,
    default_version_id VARCHAR,
    attachment_count   INTEGER,
    create_date        TIMESTAMPTZ,
    update_date        TIMESTAMPTZ
);

-- The default version of each customer managed policy, one row per
-- statement. A single string becomes a one-element list.
CREATE TABLE iam_policy_statements (
    scan_id         VARCHAR NOT NULL,
    account_id      VARCHAR NOT NULL,
    region          VARCHAR NOT NULL,
    policy_arn      VARCHAR NOT NULL,
    version_id      VARCHAR,
    statement_index INTEGER NOT NULL,
    sid             VARCHAR,
    effect          VARCHAR,
    actions         VARCHAR[],
    not_actions     VARCHAR[],
    resources       VARCHAR[],
    not_resources   VARCHAR[],
    has_condition   BOOLEAN NOT NULL,
    condition       JSON
);

-- Who a policy is attached to (ListEntitiesForPolicy), for the AWS managed
-- policies controls ask about (AWSSupportAccess).
CREATE TABLE iam_policy_entities (
    scan_id     VARCHAR NOT NULL,
    account_id  VARCHAR NOT NULL,
    region      VARCHAR NOT NULL,
    policy_arn  VARCHAR NOT NULL,
    entity_type VARCHAR NOT NULL,           -- user | group | role
    entity_name VARCHAR NOT NULL,
    entity_id   VARCHAR
);

-- ---------------------------------------------------------------- CloudTrail

-- Trails as DescribeTrails lists them in each scanned region (region = where
-- listed): multi-region trails appear in every region, homed in one.
CREATE TABLE cloudtrail_trails (
    scan_id                       VARCHAR NOT NULL,
    account_id                    VARCHAR NOT NULL,
    region                        VARCHAR NOT NULL,
    trail_arn                     VARCHAR NOT NULL,
    name                          VARCHAR NOT NULL,
    home_region                   VARCHAR,
    is_multi_region               BOOLEAN,
    is_organization_trail         BOOLEAN,
    include_global_service_events BOOLEAN,
    s3_bucket                     VARCHAR,
    s3_key_prefix                 VARCHAR,
    sns_topic_arn                 VARCHAR,
    log_file_validation           BOOLEAN,
    kms_key_id                    VARCHAR,
    cloudwatch_logs_log_group_arn VARCHAR,
    cloudwatch_logs_role_arn      VARCHAR,
    log_group_name                VARCHAR,  -- from the log group ARN
    log_group_region              VARCHAR,
    log_group_account             VARCHAR,
    has_custom_event_selectors    BOOLEAN
);

-- GetTrailStatus, once per trail (region = where asked).
CREATE TABLE cloudtrail_trail_status (
    scan_id                              VARCHAR NOT NULL,
    account_id                           VARCHAR NOT NULL,
    region                               VARCHAR NOT NULL,
    trail_arn                            VARCHAR NOT NULL,
    is_logging                           BOOLEAN,
    latest_delivery_time                 TIMESTAMPTZ,
    latest_delivery_error                VARCHAR,
    latest_cloudwatch_logs_delivery_time TIMESTAMPTZ,
    latest_cloudwatch_logs_delivery_error VARCHAR,
    start_logging_time                   TIMESTAMPTZ,
    stop_logging_time                    TIMESTAMPTZ
);

-- GetEventSelectors, once per trail: basic selectors as they are; advanced
-- selectors reduced to the same management-event facts.
CREATE TABLE cloudtrail_event_selectors (
    scan_id                          VARCHAR NOT NULL,
    account_id                       VARCHAR NOT NULL,
    region                           VARCHAR NOT NULL,
    trail_arn                        VARCHAR NOT NULL,
    selector_index                   INTEGER NOT NULL,
    kind                             VARCHAR NOT NULL, -- basic | advanced
    read_write_type                  VARCHAR,          -- All | ReadOnly | WriteOnly
    include_management_events        BOOLEAN,
    exclude_management_event_sources VARCHAR[]
);

-- ---------------------------------------------------------------- S3 (trail buckets)

-- Buckets the controls ask about (the trails' buckets), with their region.
CREATE TABLE s3_buckets (
    scan_id    VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    region     VARCHAR NOT NULL,            -- the bucket's region
    bucket     VARCHAR NOT NULL,
    bucket_arn VARCHAR NOT NULL
);

CREATE TABLE s3_bucket_acl_grants (
    scan_id      VARCHAR NOT NULL,
    account_id   VARCHAR NOT NULL,
    region       VARCHAR NOT NULL,
    bucket       VARCHAR NOT NULL,
    grantee_type VARCHAR,                   -- CanonicalUser | Group | AmazonCustomerByEmail
    grantee_uri  VARCHAR,                   -- http://acs.amazonaws.com/groups/global/AllUsers ...
    grantee_id   VARCHAR,
    permission   VARCHAR
);

CREATE TABLE s3_bucket_policies (
    scan_id    VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    region     VARCHAR NOT NULL,
    bucket     VARCHAR NOT NULL,
    present    BOOLEAN NOT NULL,
    policy     JSON
);

-- The bucket policy, one row per statement. principals are 'AWS:<arn>',
-- 'Service:<name>', 'Federated:<name>', 'CanonicalUser:<id>' or '*'.
CREATE TABLE s3_bucket_policy_statements (
    scan_id         VARCHAR NOT NULL,
    account_id      VARCHAR NOT NULL,
    region          VARCHAR NOT NULL,
    bucket          VARCHAR NOT NULL,
    statement_index INTEGER NOT NULL,
    sid             VARCHAR,
    effect          VARCHAR,
    principals      VARCHAR[],
    not_principals  VARCHAR[],
    actions         VARCHAR[],
    not_actions     VARCHAR[],
    resources       VARCHAR[],
    has_condition   BOOLEAN NOT NULL,
    condition       JSON
);

CREATE TABLE s3_bucket_logging (
    scan_id       VARCHAR NOT NULL,
    account_id    VARCHAR NOT NULL,
    region        VARCHAR NOT NULL,
    bucket        VARCHAR NOT NULL,
    enabled       BOOLEAN NOT NULL,
    target_bucket VARCHAR,
    target_prefix VARCHAR
);

CREATE TABLE s3_bucket_public_access_block (
    scan_id                 VARCHAR NOT NULL,
    account_id              VARCHAR NOT NULL,
    region                  VARCHAR NOT NULL,
    bucket                  VARCHAR NOT NULL,
    present                 BOOLEAN NOT NULL,
    block_public_acls       BOOLEAN,
    ignore_public_acls      BOOLEAN,
    block_public_policy     BOOLEAN,
    restrict_public_buckets BOOLEAN
);

CREATE TABLE s3_account_public_access_block (
    scan_id                 VARCHAR NOT NULL,
    account_id              VARCHAR NOT NULL,
    region                  VARCHAR NOT NULL,
    present                 BOOLEAN NOT NULL,
    block_public_acls       BOOLEAN,
    ignore_public_acls      BOOLEAN,
    block_public_policy     BOOLEAN,
    restrict_public_buckets BOOLEAN
);

-- ---------------------------------------------------------------- CloudWatch, Logs, SNS

-- Metric filters of the trails' log groups.
CREATE TABLE logs_metric_filters (
    scan_id          VARCHAR NOT NULL,
    account_id       VARCHAR NOT NULL,
    region           VARCHAR NOT NULL,
    log_group_name   VARCHAR NOT NULL,
    filter_name      VARCHAR NOT NULL,
    filter_pattern   VARCHAR,
    metric_name      VARCHAR,
    metric_namespace VARCHAR,
    metric_value     VARCHAR
);

-- Metric alarms in the regions of the trails' log groups.
CREATE TABLE cloudwatch_alarms (
    scan_id         VARCHAR NOT NULL,
    account_id      VARCHAR NOT NULL,
    region          VARCHAR NOT NULL,
    alarm_name      VARCHAR NOT NULL,
    alarm_arn       VARCHAR,
    metric_name     VARCHAR,
    namespace       VARCHAR,
    actions_enabled BOOLEAN,
    state_value     VARCHAR
);

CREATE TABLE cloudwatch_alarm_actions (
    scan_id    VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    region     VARCHAR NOT NULL,
    alarm_name VARCHAR NOT NULL,
    action_arn VARCHAR NOT NULL
);

-- Subscriptions of the SNS topics the alarms notify.
CREATE TABLE sns_subscriptions (
    scan_id          VARCHAR NOT NULL,
    account_id       VARCHAR NOT NULL,
    region           VARCHAR NOT NULL,
    topic_arn        VARCHAR NOT NULL,
    subscription_arn VARCHAR,
    protocol         VARCHAR,
    endpoint         VARCHAR,
    pending          BOOLEAN NOT NULL       -- PendingConfirmation
);

-- ---------------------------------------------------------------- AWS Config

CREATE TABLE config_recorders (
    scan_id                       VARCHAR NOT NULL,
    account_id                    VARCHAR NOT NULL,
    region                        VARCHAR NOT NULL,
    name                          VARCHAR NOT NULL,
    role_arn                      VARCHAR,
    all_supported                 BOOLEAN,
    include_global_resource_types BOOLEAN,
    resource_types                VARCHAR[]
);

CREATE TABLE config_recorder_status (
    scan_id         VARCHAR NOT NULL,
    account_id      VARCHAR NOT NULL,
    region          VARCHAR NOT NULL,
    name            VARCHAR NOT NULL,
    recording       BOOLEAN,
    last_status     VARCHAR,
    last_start_time TIMESTAMPTZ,
    last_stop_time  TIMESTAMPTZ
);

-- ---------------------------------------------------------------- EC2

CREATE TABLE ec2_vpcs (
    scan_id    VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    region     VARCHAR NOT NULL,
    vpc_id     VARCHAR NOT NULL,
    cidr_block VARCHAR,
    is_default BOOLEAN,
    state      VARCHAR,
    owner_id   VARCHAR
);

CREATE TABLE ec2_flow_logs (
    scan_id              VARCHAR NOT NULL,
    account_id           VARCHAR NOT NULL,
    region               VARCHAR NOT NULL,
    flow_log_id          VARCHAR NOT NULL,
    resource_id          VARCHAR,
    traffic_type         VARCHAR,
    log_destination_type VARCHAR,
    log_destination      VARCHAR,
    log_group_name       VARCHAR,
    flow_log_status      VARCHAR,
    deliver_logs_status  VARCHAR
);

CREATE TABLE ec2_security_groups (
    scan_id     VARCHAR NOT NULL,
    account_id  VARCHAR NOT NULL,
    region      VARCHAR NOT NULL,
    group_id    VARCHAR NOT NULL,
    group_name  VARCHAR,
    vpc_id      VARCHAR,
    description VARCHAR,
    owner_id    VARCHAR
);

-- Security group rules, one row per (permission, source): protocol '-1' is
-- every protocol and port; ports are NULL when the permission has none.
CREATE TABLE ec2_security_group_rules (
    scan_id          VARCHAR NOT NULL,
    account_id       VARCHAR NOT NULL,
    region           VARCHAR NOT NULL,
    group_id         VARCHAR NOT NULL,
    direction        VARCHAR NOT NULL,      -- ingress | egress
    permission_index INTEGER NOT NULL,
    protocol         VARCHAR,
    from_port        INTEGER,
    to_port          INTEGER,
    source_type      VARCHAR NOT NULL,      -- cidr_ipv4 | cidr_ipv6 | prefix_list | security_group | none
    source           VARCHAR,
    description      VARCHAR
);

-- ---------------------------------------------------------------- KMS

CREATE TABLE kms_keys (
    scan_id    VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    region     VARCHAR NOT NULL,
    key_id     VARCHAR NOT NULL,
    key_arn    VARCHAR
);

CREATE TABLE kms_key_metadata (
    scan_id       VARCHAR NOT NULL,
    account_id    VARCHAR NOT NULL,
    region        VARCHAR NOT NULL,
    key_id        VARCHAR NOT NULL,
    key_arn       VARCHAR,
    key_manager   VARCHAR,                  -- AWS | CUSTOMER
    key_state     VARCHAR,
    key_spec      VARCHAR,
    key_usage     VARCHAR,
    origin        VARCHAR,
    enabled       BOOLEAN,
    multi_region  BOOLEAN,
    creation_date TIMESTAMPTZ,
    description   VARCHAR
);

-- Rotation status, read for the keys rotation can apply to: customer
-- managed, enabled, symmetric.
CREATE TABLE kms_key_rotation (
    scan_id          VARCHAR NOT NULL,
    account_id       VARCHAR NOT NULL,
    region           VARCHAR NOT NULL,
    key_id           VARCHAR NOT NULL,
    key_arn          VARCHAR,
    rotation_enabled BOOLEAN
);
