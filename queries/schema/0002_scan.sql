-- Scans and their call manifests. The scanner writes them; `verify scan`
-- matches a manifest against the CloudTrail the scan caused. Findings and
-- inventory tables arrive with the scanner.

CREATE TABLE scans (
    scan_id      VARCHAR PRIMARY KEY,
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    status       VARCHAR NOT NULL,          -- running | complete | failed | interrupted
    session_name VARCHAR NOT NULL,          -- the fixed role-session name every call ran under
    user_agent   VARCHAR,                   -- footprint/<version> ...
    version      VARCHAR,                   -- footprint version
    standards    VARCHAR[],
    controls     VARCHAR[],                 -- explicit --control selection, if any
    accounts     VARCHAR[],
    regions      VARCHAR[]
);

-- scan_targets: the role assumed in each account.
CREATE TABLE scan_targets (
    scan_id       VARCHAR NOT NULL,
    account_id    VARCHAR NOT NULL,
    role_arn      VARCHAR,
    access_key_id VARCHAR                   -- of the temporary credentials: CloudTrail's userIdentity.accessKeyId
);

-- scan_calls: one row per logical AWS call. Each attempt (a retry after a
-- throttle is another request, and another CloudTrail event) is listed in
-- attempt_request_ids in order; request_id is the last attempt's.
CREATE TABLE scan_calls (
    scan_id             VARCHAR NOT NULL,
    seq                 BIGINT NOT NULL,    -- call order within the scan
    account_id          VARCHAR,            -- the account the call ran in
    region              VARCHAR,            -- the region the call was signed for
    service             VARCHAR NOT NULL,   -- IAM action prefix: iam, ec2, s3 ...
    operation           VARCHAR NOT NULL,   -- API operation: ListUsers
    event_source        VARCHAR,            -- how CloudTrail records it: iam.amazonaws.com
    event_name          VARCHAR,
    started_at          TIMESTAMPTZ NOT NULL,
    duration_ms         DOUBLE,
    request_id          VARCHAR,
    attempt_request_ids VARCHAR[],
    http_status         INTEGER,
    attempts            INTEGER NOT NULL,
    throttled           BOOLEAN NOT NULL,   -- at least one attempt was throttled
    error_code          VARCHAR             -- final error, if the call failed
);
