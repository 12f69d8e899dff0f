-- kelemetry-cli's tables in a ClickHouse deployment, for weeks of audit logs from many
-- clusters. The queries in this folder run on these tables unchanged.
--
-- requests keeps each audit event whole (rawJson, compressed) and derives every column
-- from it (MATERIALIZED), so raw audit logs load as they are, without kelemetry-cli:
--   INSERT INTO requests (cluster, rawJson) SELECT 'prod', line FROM file('audit.log', LineAsString);
--   INSERT INTO requests (cluster, rawJson) SELECT 'prod', line FROM s3('https://bucket.s3.amazonaws.com/audit/*.log.gz', 'LineAsString');
-- and kelemetry-cli's exports load by their rawJson (the INSERTs at the end; replace EXPORT
-- with the export's directory, or use s3() on its copy in object storage).
--
-- An auditID logged at several stages is one row: ReplacingMergeTree keeps the latest stage
-- (query with FINAL, or after OPTIMIZE, to see only that one). Daily partitions; rows in
-- hour buckets; projections serve the two common questions, by object and by user.

CREATE TABLE IF NOT EXISTS requests
(
    cluster LowCardinality(String),
    rawJson String CODEC(ZSTD(3)),
    auditId String MATERIALIZED JSONExtractString(rawJson, 'auditID'),
    stage LowCardinality(String) MATERIALIZED JSONExtractString(rawJson, 'stage'),
    stageRank UInt8 MATERIALIZED multiIf(stage IN ('ResponseComplete', 'Panic'), 3, stage = 'ResponseStarted', 2, 1),
    level LowCardinality(String) MATERIALIZED JSONExtractString(rawJson, 'level'),
    requestReceived DateTime64(6, 'UTC') MATERIALIZED parseDateTime64BestEffort(JSONExtractString(rawJson, 'requestReceivedTimestamp'), 6, 'UTC'),
    stageTimestamp Nullable(DateTime64(6, 'UTC')) MATERIALIZED
        if(stageRank = 3, parseDateTime64BestEffortOrNull(JSONExtractString(rawJson, 'stageTimestamp'), 6, 'UTC'), NULL),
    latencyUs Nullable(Int64) MATERIALIZED dateDiff('microsecond', requestReceived, stageTimestamp),
    user Nullable(String) MATERIALIZED nullIf(JSONExtractString(rawJson, 'user', 'username'), ''),
    userUid Nullable(String) MATERIALIZED nullIf(JSONExtractString(rawJson, 'user', 'uid'), ''),
    groups Array(String) MATERIALIZED JSONExtract(rawJson, 'user', 'groups', 'Array(String)'),
    impersonatedUser Nullable(String) MATERIALIZED nullIf(JSONExtractString(rawJson, 'impersonatedUser', 'username'), ''),
    userAgent Nullable(String) MATERIALIZED nullIf(JSONExtractString(rawJson, 'userAgent'), ''),
    sourceIp Nullable(String) MATERIALIZED nullIf(JSONExtractString(rawJson, 'sourceIPs', 1), ''),
    verb LowCardinality(String) MATERIALIZED JSONExtractString(rawJson, 'verb'),
    apiGroup Nullable(String) MATERIALIZED nullIf(JSONExtractString(rawJson, 'objectRef', 'apiGroup'), ''),
    apiVersion Nullable(String) MATERIALIZED nullIf(JSONExtractString(rawJson, 'objectRef', 'apiVersion'), ''),
    resource Nullable(String) MATERIALIZED nullIf(JSONExtractString(rawJson, 'objectRef', 'resource'), ''),
    subresource Nullable(String) MATERIALIZED nullIf(JSONExtractString(rawJson, 'objectRef', 'subresource'), ''),
    namespace Nullable(String) MATERIALIZED nullIf(JSONExtractString(rawJson, 'objectRef', 'namespace'), ''),
    name Nullable(String) MATERIALIZED nullIf(JSONExtractString(rawJson, 'objectRef', 'name'), ''),
    objectUid Nullable(String) MATERIALIZED nullIf(JSONExtractString(rawJson, 'objectRef', 'uid'), ''),
    requestUri Nullable(String) MATERIALIZED nullIf(JSONExtractString(rawJson, 'requestURI'), ''),
    code Nullable(Int64) MATERIALIZED if(JSONHas(rawJson, 'responseStatus', 'code'), JSONExtractInt(rawJson, 'responseStatus', 'code'), NULL),
    reason Nullable(String) MATERIALIZED nullIf(JSONExtractString(rawJson, 'responseStatus', 'reason'), ''),
    message Nullable(String) MATERIALIZED nullIf(JSONExtractString(rawJson, 'responseStatus', 'message'), ''),
    -- The resourceVersion a write was based on: the body's, else objectRef's.
    baseRv Nullable(String) MATERIALIZED coalesce(nullIf(JSONExtractString(rawJson, 'requestObject', 'metadata', 'resourceVersion'), ''),
                                                  nullIf(JSONExtractString(rawJson, 'objectRef', 'resourceVersion'), '')),
    newRv Nullable(String) MATERIALIZED nullIf(JSONExtractString(rawJson, 'responseObject', 'metadata', 'resourceVersion'), ''),
    fieldManager Nullable(String) MATERIALIZED nullIf(extractURLParameter(assumeNotNull(requestUri), 'fieldManager'), ''),
    annotations Map(String, String) MATERIALIZED JSONExtract(rawJson, 'annotations', 'Map(String, String)'),
    PROJECTION by_object (SELECT * ORDER BY resource, namespace, name, requestReceived),
    PROJECTION by_user (SELECT * ORDER BY user, requestReceived)
)
ENGINE = ReplacingMergeTree(stageRank)
PARTITION BY toDate(requestReceived)
ORDER BY (cluster, toStartOfHour(requestReceived), auditId)
SETTINGS deduplicate_merge_projection_mode = 'rebuild';

CREATE TABLE IF NOT EXISTS events
(
    time DateTime64(6, 'UTC'),
    api LowCardinality(String),
    uid Nullable(String),
    name String,
    namespace String,
    resourceVersion Nullable(String),
    objectApiGroup LowCardinality(String),
    objectResource LowCardinality(String),
    objectKind LowCardinality(String),
    objectNamespace String,
    objectName String,
    objectUid Nullable(String),
    fieldPath Nullable(String),
    reason Nullable(String),
    type Nullable(String),
    message Nullable(String),
    action Nullable(String),
    sourceComponent Nullable(String),
    sourceHost Nullable(String),
    reportingComponent Nullable(String),
    reportingInstance Nullable(String),
    count Nullable(Int64),
    seriesCount Nullable(Int64),
    firstTimestamp Nullable(DateTime64(6, 'UTC')),
    lastTimestamp Nullable(DateTime64(6, 'UTC')),
    eventTime Nullable(DateTime64(6, 'UTC')),
    seriesLastObserved Nullable(DateTime64(6, 'UTC')),
    rawJson String CODEC(ZSTD(3)),
    -- Last, as the Hive partition columns come after a file's own.
    cluster LowCardinality(String)
)
ENGINE = ReplacingMergeTree
PARTITION BY toDate(time)
ORDER BY (cluster, objectNamespace, objectName, time, name, ifNull(resourceVersion, ''));

CREATE TABLE IF NOT EXISTS objects
(
    uid Nullable(String),
    apiGroup LowCardinality(String),
    apiVersion LowCardinality(String),
    resource LowCardinality(String),
    kind LowCardinality(String),
    namespace String,
    name String,
    firstSeen Nullable(DateTime64(6, 'UTC')),
    lastSeen Nullable(DateTime64(6, 'UTC')),
    created Nullable(DateTime64(6, 'UTC')),
    deleted Nullable(DateTime64(6, 'UTC')),
    -- Last, as the Hive partition columns come after a file's own.
    cluster LowCardinality(String)
)
ENGINE = ReplacingMergeTree
ORDER BY (cluster, resource, namespace, name, ifNull(uid, ''));

CREATE TABLE IF NOT EXISTS states
(
    objectUid Nullable(String),
    apiGroup LowCardinality(String),
    resource LowCardinality(String),
    kind LowCardinality(String),
    namespace String,
    name String,
    resourceVersion String,
    observed Nullable(DateTime64(6, 'UTC')),
    source LowCardinality(String),
    body Nullable(String) CODEC(ZSTD(3)),
    -- Last, as the Hive partition columns come after a file's own.
    cluster LowCardinality(String)
)
ENGINE = ReplacingMergeTree
ORDER BY (cluster, resource, namespace, name, ifNull(objectUid, ''), resourceVersion);

CREATE TABLE IF NOT EXISTS owners
(
    objectUid Nullable(String),
    objectResource LowCardinality(String),
    objectNamespace String,
    objectName String,
    ownerUid Nullable(String),
    ownerResource LowCardinality(String),
    ownerKind LowCardinality(String),
    ownerName String,
    controller Bool,
    parentLink Bool,
    -- Last, as the Hive partition columns come after a file's own.
    cluster LowCardinality(String)
)
ENGINE = ReplacingMergeTree
ORDER BY (cluster, objectNamespace, objectName, ifNull(objectUid, ''), ifNull(ownerUid, ''));

-- Loading a kelemetry-cli export (a directory here; s3('https://…/requests/*/*/*/*.parquet') alike).
INSERT INTO requests (cluster, rawJson)
    SELECT cluster, rawJson FROM file('EXPORT/requests/*/*/*/*.parquet', Parquet) SETTINGS use_hive_partitioning = 1;
INSERT INTO events SELECT * EXCEPT (date, hour) FROM file('EXPORT/events/*/*/*/*.parquet', Parquet) SETTINGS use_hive_partitioning = 1;
INSERT INTO objects SELECT * FROM file('EXPORT/objects/*/*.parquet', Parquet) SETTINGS use_hive_partitioning = 1;
INSERT INTO states SELECT * FROM file('EXPORT/states/*/*.parquet', Parquet) SETTINGS use_hive_partitioning = 1;
INSERT INTO owners SELECT * FROM file('EXPORT/owners/*/*.parquet', Parquet) SETTINGS use_hive_partitioning = 1;
