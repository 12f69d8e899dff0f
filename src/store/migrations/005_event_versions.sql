-- Event versions keep the words they repeat (API, namespace, reason, type, action, sources)
-- as string ids, and their uid and resourceVersion once, as their keys. The `events` view
-- shows them as the `events` table did, so queries and recipes read on unchanged.

CREATE TABLE event_versions (
    id                      INTEGER PRIMARY KEY,
    cluster_id              INTEGER NOT NULL,
    api_id                  INTEGER NOT NULL, -- strings: v1 or events.k8s.io/v1
    event_key               TEXT NOT NULL,    -- metadata.uid, or namespace/name
    version_key             TEXT NOT NULL,    -- metadata.resourceVersion, or count@time
    keyed_by                INTEGER NOT NULL, -- bits: 1 event_key is the uid, 2 version_key is the resourceVersion
    name                    TEXT NOT NULL,
    namespace_id            INTEGER NOT NULL, -- strings, as are the other *_id columns but object_id
    object_id               INTEGER NOT NULL,
    field_path              TEXT,
    reason_id               INTEGER,
    type_id                 INTEGER,
    message                 TEXT,
    action_id               INTEGER,
    source_component_id     INTEGER,
    source_host_id          INTEGER,
    reporting_component_id  INTEGER,
    reporting_instance_id   INTEGER,
    count                   INTEGER,
    series_count            INTEGER,
    first_us                INTEGER,
    last_us                 INTEGER,
    event_time_us           INTEGER,
    series_last_us          INTEGER,
    time_us                 INTEGER NOT NULL
);

-- A bulk load's Event versions that may be stored already, until the unique index is back.
CREATE TABLE pending_event_versions (
    id                      INTEGER PRIMARY KEY,
    cluster_id              INTEGER NOT NULL,
    api_id                  INTEGER NOT NULL,
    event_key               TEXT NOT NULL,
    version_key             TEXT NOT NULL,
    keyed_by                INTEGER NOT NULL,
    name                    TEXT NOT NULL,
    namespace_id            INTEGER NOT NULL,
    object_id               INTEGER NOT NULL,
    field_path              TEXT,
    reason_id               INTEGER,
    type_id                 INTEGER,
    message                 TEXT,
    action_id               INTEGER,
    source_component_id     INTEGER,
    source_host_id          INTEGER,
    reporting_component_id  INTEGER,
    reporting_instance_id   INTEGER,
    count                   INTEGER,
    series_count            INTEGER,
    first_us                INTEGER,
    last_us                 INTEGER,
    event_time_us           INTEGER,
    series_last_us          INTEGER,
    time_us                 INTEGER NOT NULL
);

-- The rows of both old tables, converted.
CREATE TEMP VIEW old_event_rows AS
    SELECT 0 AS pending, * FROM events UNION ALL SELECT 1 AS pending, * FROM pending_events;

-- NULLs are skipped: the column is NOT NULL.
INSERT OR IGNORE INTO strings (value)
    SELECT api FROM old_event_rows UNION SELECT namespace FROM old_event_rows
    UNION SELECT reason FROM old_event_rows UNION SELECT type FROM old_event_rows
    UNION SELECT action FROM old_event_rows UNION SELECT source_component FROM old_event_rows
    UNION SELECT source_host FROM old_event_rows UNION SELECT reporting_component FROM old_event_rows
    UNION SELECT reporting_instance FROM old_event_rows;

CREATE TEMP VIEW converted_event_rows AS
    SELECT e.pending, e.id, e.cluster_id, (SELECT id FROM strings WHERE value = e.api) AS api_id, e.event_key,
           e.version_key, (e.uid IS NOT NULL) | ((e.resource_version IS NOT NULL) << 1) AS keyed_by, e.name,
           (SELECT id FROM strings WHERE value = e.namespace) AS namespace_id, e.object_id, e.field_path,
           (SELECT id FROM strings WHERE value = e.reason) AS reason_id,
           (SELECT id FROM strings WHERE value = e.type) AS type_id, e.message,
           (SELECT id FROM strings WHERE value = e.action) AS action_id,
           (SELECT id FROM strings WHERE value = e.source_component) AS source_component_id,
           (SELECT id FROM strings WHERE value = e.source_host) AS source_host_id,
           (SELECT id FROM strings WHERE value = e.reporting_component) AS reporting_component_id,
           (SELECT id FROM strings WHERE value = e.reporting_instance) AS reporting_instance_id,
           e.count, e.series_count, e.first_us, e.last_us, e.event_time_us, e.series_last_us, e.time_us
    FROM old_event_rows e;

INSERT INTO event_versions
    SELECT id, cluster_id, api_id, event_key, version_key, keyed_by, name, namespace_id, object_id, field_path,
           reason_id, type_id, message, action_id, source_component_id, source_host_id, reporting_component_id,
           reporting_instance_id, count, series_count, first_us, last_us, event_time_us, series_last_us, time_us
    FROM converted_event_rows WHERE pending = 0 ORDER BY id;
INSERT INTO pending_event_versions
    SELECT id, cluster_id, api_id, event_key, version_key, keyed_by, name, namespace_id, object_id, field_path,
           reason_id, type_id, message, action_id, source_component_id, source_host_id, reporting_component_id,
           reporting_instance_id, count, series_count, first_us, last_us, event_time_us, series_last_us, time_us
    FROM converted_event_rows WHERE pending = 1 ORDER BY id;

DROP VIEW converted_event_rows;
DROP VIEW old_event_rows;
DROP TABLE events;
DROP TABLE pending_events;

-- A bulk load stores each Event version once, so this cannot fail even midway through one.
CREATE UNIQUE INDEX events_version ON event_versions (cluster_id, event_key, version_key);
CREATE INDEX events_object ON event_versions (object_id, time_us);
CREATE INDEX events_time ON event_versions (time_us);

CREATE VIEW events AS
SELECT e.id, e.cluster_id, api.value AS api, e.event_key, e.version_key,
       CASE WHEN e.keyed_by & 1 THEN e.event_key END AS uid, e.name, namespace.value AS namespace,
       CASE WHEN e.keyed_by & 2 THEN e.version_key END AS resource_version, e.object_id, e.field_path,
       reason.value AS reason, kind.value AS type, e.message, action.value AS action,
       source_component.value AS source_component, source_host.value AS source_host,
       reporting_component.value AS reporting_component, reporting_instance.value AS reporting_instance,
       e.count, e.series_count, e.first_us, e.last_us, e.event_time_us, e.series_last_us, e.time_us
FROM event_versions e
LEFT JOIN strings api ON api.id = e.api_id
LEFT JOIN strings namespace ON namespace.id = e.namespace_id
LEFT JOIN strings reason ON reason.id = e.reason_id
LEFT JOIN strings kind ON kind.id = e.type_id
LEFT JOIN strings action ON action.id = e.action_id
LEFT JOIN strings source_component ON source_component.id = e.source_component_id
LEFT JOIN strings source_host ON source_host.id = e.source_host_id
LEFT JOIN strings reporting_component ON reporting_component.id = e.reporting_component_id
LEFT JOIN strings reporting_instance ON reporting_instance.id = e.reporting_instance_id;
