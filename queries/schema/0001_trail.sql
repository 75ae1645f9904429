-- CloudTrail storage: the events themselves, the manifest of files they came
-- from, inputs that could not be ingested, and CloudTrail-Digest files.

-- files: one row per input file (or zip member) footprint has decided about.
-- A file is identified by its content hash: the same bytes under another name
-- are the same file.
CREATE TABLE files (
    file_id          BIGINT PRIMARY KEY,
    path             VARCHAR NOT NULL,      -- absolute path; zip members as archive.zip!member
    sha256           VARCHAR NOT NULL,      -- of the file's bytes as stored (compressed if gzipped)
    size_bytes       BIGINT NOT NULL,
    format           VARCHAR,               -- records | jsonl | lookup-events | digest
    status           VARCHAR NOT NULL,      -- ingested | quarantined | digest
    records          BIGINT NOT NULL,       -- CloudTrail records the file holds
    new_events       BIGINT NOT NULL,       -- records stored for the first time
    duplicate_events BIGINT NOT NULL,       -- records already stored from another file (or twice in this one)
    first_event_time TIMESTAMPTZ,
    last_event_time  TIMESTAMPTZ,
    reason           VARCHAR,               -- why it was quarantined
    ingested_at      TIMESTAMPTZ NOT NULL
);

-- events: one row per unique CloudTrail eventID. `record` is the complete
-- original record as compact JSON; every other column is derived from it.
-- No index enforces uniqueness (an index over millions of IDs would hold the
-- whole key set in memory): the loader anti-joins each batch instead.
CREATE TABLE events (
    event_id             VARCHAR NOT NULL,
    event_time           TIMESTAMPTZ,
    event_version        VARCHAR,
    event_source         VARCHAR,
    event_name           VARCHAR,
    aws_region           VARCHAR,
    recipient_account_id VARCHAR,
    identity_type        VARCHAR,
    principal_id         VARCHAR,
    principal_arn        VARCHAR,
    account_id           VARCHAR,           -- userIdentity.accountId: the caller's account
    user_name            VARCHAR,
    session_issuer_type  VARCHAR,
    session_issuer_arn   VARCHAR,
    session_issuer_name  VARCHAR,
    session_name         VARCHAR,
    source_identity      VARCHAR,
    mfa_authenticated    BOOLEAN,
    access_key_id        VARCHAR,
    invoked_by           VARCHAR,
    user_agent           VARCHAR,
    source_ip_address    VARCHAR,
    request_id           VARCHAR,
    shared_event_id      VARCHAR,
    vpc_endpoint_id      VARCHAR,
    error_code           VARCHAR,
    error_message        VARCHAR,
    read_only            BOOLEAN,
    event_type           VARCHAR,
    event_category       VARCHAR,
    management_event     BOOLEAN,
    size_bytes           INTEGER NOT NULL,  -- bytes of the record's compact JSON
    file_id              BIGINT NOT NULL,   -- the file that first delivered the event
    record               JSON NOT NULL USING COMPRESSION zstd
);

-- quarantine: inputs that could not be ingested and still need attention.
-- A later successful ingest of the same path clears its rows; the files table
-- keeps the history.
CREATE TABLE quarantine (
    path           VARCHAR NOT NULL,
    sha256         VARCHAR,
    size_bytes     BIGINT,
    record_index   BIGINT,                  -- 0-based record that broke the file, when one did
    reason         VARCHAR NOT NULL,
    quarantined_at TIMESTAMPTZ NOT NULL
);

-- digests: CloudTrail-Digest files (hourly integrity digests). They list the
-- log files delivered in their window, which tells "no calls" from "no logs".
CREATE TABLE digests (
    file_id              BIGINT NOT NULL,
    account_id           VARCHAR,
    region               VARCHAR,
    digest_start_time    TIMESTAMPTZ,
    digest_end_time      TIMESTAMPTZ,
    oldest_event_time    TIMESTAMPTZ,
    newest_event_time    TIMESTAMPTZ,
    s3_bucket            VARCHAR,
    s3_object            VARCHAR,
    previous_s3_object   VARCHAR,
    log_file_count       INTEGER NOT NULL
);

CREATE TABLE digest_log_files (
    file_id           BIGINT NOT NULL,      -- the digest that lists it
    s3_bucket         VARCHAR,
    s3_object         VARCHAR,
    hash_value        VARCHAR,
    hash_algorithm    VARCHAR,
    oldest_event_time TIMESTAMPTZ,
    newest_event_time TIMESTAMPTZ
);
