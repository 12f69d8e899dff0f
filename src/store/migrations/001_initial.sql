-- kelemetry-cli store, schema version 1. See docs/schema.md.

CREATE TABLE clusters (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE
);

-- Interned strings (verbs, users, user agents, IPs, resources, namespaces, reasons):
-- a request row holds small integers instead of repeating them.
CREATE TABLE strings (
    id    INTEGER PRIMARY KEY,
    value TEXT NOT NULL UNIQUE
);

CREATE TABLE files (
    id           INTEGER PRIMARY KEY,
    path         TEXT NOT NULL,
    fingerprint  BLOB NOT NULL UNIQUE,   -- xxh3-128 of the bytes as stored
    size         INTEGER NOT NULL,
    format       TEXT,
    gzip         INTEGER NOT NULL,
    lines        INTEGER NOT NULL,
    records      INTEGER NOT NULL,
    bad_records  INTEGER NOT NULL,
    truncated    TEXT,
    ingested_us  INTEGER NOT NULL
);

-- Kind <-> resource pairs learned from the data (CRDs); built-ins live in the binary.
CREATE TABLE api_resources (
    api_group  TEXT NOT NULL,
    resource   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    PRIMARY KEY (api_group, resource)
) WITHOUT ROWID;

-- One row per object: by uid when known, otherwise by name (uid NULL).
CREATE TABLE objects (
    id             INTEGER PRIMARY KEY,
    cluster_id     INTEGER NOT NULL REFERENCES clusters(id),
    uid            TEXT,
    api_group      TEXT NOT NULL,
    api_version    TEXT NOT NULL DEFAULT '',
    resource       TEXT NOT NULL,
    kind           TEXT NOT NULL DEFAULT '',
    namespace      TEXT NOT NULL DEFAULT '',
    name           TEXT NOT NULL,
    first_seen_us  INTEGER,
    last_seen_us   INTEGER,
    created_us     INTEGER,
    deleted_us     INTEGER
);
CREATE UNIQUE INDEX objects_uid ON objects (cluster_id, uid) WHERE uid IS NOT NULL;
CREATE UNIQUE INDEX objects_unnamed ON objects (cluster_id, api_group, resource, namespace, name) WHERE uid IS NULL;
CREATE INDEX objects_name ON objects (name, namespace);

CREATE TABLE owner_refs (
    object_id   INTEGER NOT NULL REFERENCES objects(id),
    owner_id    INTEGER NOT NULL REFERENCES objects(id),
    controller  INTEGER NOT NULL,
    PRIMARY KEY (object_id, owner_id)
) WITHOUT ROWID;
CREATE INDEX owner_refs_owner ON owner_refs (owner_id);

-- One row per auditID: the stages of a request merged.
CREATE TABLE requests (
    id              INTEGER PRIMARY KEY,
    audit_id        BLOB NOT NULL,       -- 16 bytes for a UUID, else the text
    cluster_id      INTEGER NOT NULL,
    stages          INTEGER NOT NULL,    -- bits: 1 RequestReceived, 2 ResponseStarted, 4 ResponseComplete, 8 Panic
    level           INTEGER NOT NULL,    -- 0 None, 1 Metadata, 2 Request, 3 RequestResponse
    verb_id         INTEGER NOT NULL,    -- strings
    resource_id     INTEGER,             -- strings: "resource" or "resource.group"
    subresource_id  INTEGER,             -- strings
    namespace_id    INTEGER,             -- strings
    object_id       INTEGER,             -- objects, for requests on one named object
    uri_id          INTEGER,             -- strings: requestURI, for requests without an object
    user_id         INTEGER,
    impersonated_id INTEGER,
    agent_id        INTEGER,
    source_ip_id    INTEGER,
    code            INTEGER,
    reason_id       INTEGER,
    message         TEXT,                -- failures only
    received_us     INTEGER NOT NULL,
    completed_us    INTEGER NOT NULL,
    base_rv         TEXT,
    new_rv          TEXT,
    body_block      INTEGER,             -- a patch document or binding, in state_blocks
    body_offset     INTEGER,
    body_len        INTEGER
);
CREATE UNIQUE INDEX requests_audit_id ON requests (audit_id, cluster_id);

CREATE TABLE events (
    id                  INTEGER PRIMARY KEY,
    cluster_id          INTEGER NOT NULL,
    api                 TEXT NOT NULL,    -- v1 or events.k8s.io/v1
    event_key           TEXT NOT NULL,    -- metadata.uid, or namespace/name
    version_key         TEXT NOT NULL,    -- metadata.resourceVersion, or count@time
    uid                 TEXT,
    name                TEXT NOT NULL,
    namespace           TEXT NOT NULL,
    resource_version    TEXT,
    object_id           INTEGER NOT NULL,
    field_path          TEXT,
    reason              TEXT,
    type                TEXT,
    message             TEXT,
    action              TEXT,
    source_component    TEXT,
    source_host         TEXT,
    reporting_component TEXT,
    reporting_instance  TEXT,
    count               INTEGER,
    series_count        INTEGER,
    first_us            INTEGER,
    last_us             INTEGER,
    event_time_us       INTEGER,
    series_last_us      INTEGER,
    time_us             INTEGER NOT NULL
);
CREATE UNIQUE INDEX events_version ON events (cluster_id, event_key, version_key);

-- Object bodies, packed many to a zlib block.
CREATE TABLE state_blocks (
    id    INTEGER PRIMARY KEY,
    data  BLOB NOT NULL
);

-- The object after each write we saw, and as each dump showed it.
CREATE TABLE object_states (
    object_id         INTEGER NOT NULL,
    resource_version  TEXT NOT NULL,
    observed_us       INTEGER,          -- write completion, or the dump's own time
    source            INTEGER NOT NULL, -- 0 audit response, 1 dump
    block_id          INTEGER NOT NULL,
    block_offset      INTEGER NOT NULL,
    body_len          INTEGER NOT NULL,
    PRIMARY KEY (object_id, resource_version)
) WITHOUT ROWID;
