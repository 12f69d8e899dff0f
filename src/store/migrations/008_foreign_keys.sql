-- Declared foreign keys, so that SQL tools (datasette, DBeaver, sqlitebrowser) show what an
-- id points to and offer the join. SQLite can only add them by rebuilding the table. They
-- are declarations for tools: ingest runs with `foreign_keys=OFF`, as it always has.
--
-- The views over these tables name them as before; with the legacy rename, SQLite leaves
-- their text alone, and it reads the new table under the old name.
PRAGMA legacy_alter_table = ON;

CREATE TABLE requests_with_keys (
    id              INTEGER PRIMARY KEY,
    audit_id        BLOB NOT NULL,
    cluster_id      INTEGER NOT NULL REFERENCES clusters(id),
    stages          INTEGER NOT NULL,
    level           INTEGER NOT NULL,
    verb_id         INTEGER NOT NULL REFERENCES strings(id),
    resource_id     INTEGER REFERENCES strings(id),
    subresource_id  INTEGER REFERENCES strings(id),
    namespace_id    INTEGER REFERENCES strings(id),
    object_id       INTEGER REFERENCES objects(id),
    uri_id          INTEGER REFERENCES strings(id),
    user_id         INTEGER REFERENCES strings(id),
    impersonated_id INTEGER REFERENCES strings(id),
    agent_id        INTEGER REFERENCES strings(id),
    source_ip_id    INTEGER REFERENCES strings(id),
    code            INTEGER,
    reason_id       INTEGER REFERENCES strings(id),
    message         TEXT,
    received_us     INTEGER NOT NULL,
    completed_us    INTEGER NOT NULL,
    base_rv         TEXT,
    new_rv          TEXT,
    body_block      INTEGER REFERENCES state_blocks(id),
    body_offset     INTEGER,
    body_len        INTEGER
);
INSERT INTO requests_with_keys SELECT * FROM requests ORDER BY id;
DROP TABLE requests;
ALTER TABLE requests_with_keys RENAME TO requests;
-- Bulk loads keep auditIDs unique in the table itself (a possible repeat waits in
-- pending_requests), so the unique index builds even on a store whose load was cut short.
CREATE UNIQUE INDEX requests_audit_id ON requests (audit_id, cluster_id);
CREATE INDEX requests_object ON requests (object_id, received_us) WHERE object_id IS NOT NULL;
CREATE INDEX requests_time ON requests (received_us);
CREATE INDEX requests_conflicts ON requests (received_us) WHERE code = 409;

CREATE TABLE event_versions_with_keys (
    id                      INTEGER PRIMARY KEY,
    cluster_id              INTEGER NOT NULL REFERENCES clusters(id),
    api_id                  INTEGER NOT NULL REFERENCES strings(id),
    event_key               TEXT NOT NULL,
    version_key             TEXT NOT NULL,
    keyed_by                INTEGER NOT NULL,
    name                    TEXT NOT NULL,
    namespace_id            INTEGER NOT NULL REFERENCES strings(id),
    object_id               INTEGER NOT NULL REFERENCES objects(id),
    field_path              TEXT,
    reason_id               INTEGER REFERENCES strings(id),
    type_id                 INTEGER REFERENCES strings(id),
    message                 TEXT,
    action_id               INTEGER REFERENCES strings(id),
    source_component_id     INTEGER REFERENCES strings(id),
    source_host_id          INTEGER REFERENCES strings(id),
    reporting_component_id  INTEGER REFERENCES strings(id),
    reporting_instance_id   INTEGER REFERENCES strings(id),
    count                   INTEGER,
    series_count            INTEGER,
    first_us                INTEGER,
    last_us                 INTEGER,
    event_time_us           INTEGER,
    series_last_us          INTEGER,
    time_us                 INTEGER NOT NULL
);
INSERT INTO event_versions_with_keys SELECT * FROM event_versions ORDER BY id;
DROP TABLE event_versions;
ALTER TABLE event_versions_with_keys RENAME TO event_versions;
CREATE UNIQUE INDEX events_version ON event_versions (cluster_id, event_key, version_key);
CREATE INDEX events_object ON event_versions (object_id, time_us);
CREATE INDEX events_time ON event_versions (time_us);

CREATE TABLE object_states_with_keys (
    object_id         INTEGER NOT NULL REFERENCES objects(id),
    resource_version  TEXT NOT NULL,
    observed_us       INTEGER,
    source            INTEGER NOT NULL,
    block_id          INTEGER NOT NULL REFERENCES state_blocks(id),
    block_offset      INTEGER NOT NULL,
    body_len          INTEGER NOT NULL,
    PRIMARY KEY (object_id, resource_version)
) WITHOUT ROWID;
INSERT INTO object_states_with_keys SELECT * FROM object_states;
DROP TABLE object_states;
ALTER TABLE object_states_with_keys RENAME TO object_states;

PRAGMA legacy_alter_table = OFF;
