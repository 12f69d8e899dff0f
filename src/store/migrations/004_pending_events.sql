-- Bulk loads into a store without Events append them without the unique index on Event
-- versions; an Event version that may have been stored already waits here until the index
-- is built, then is stored unless it is there. Empty outside a bulk load.
CREATE TABLE pending_events (
    id                  INTEGER PRIMARY KEY,
    cluster_id          INTEGER NOT NULL,
    api                 TEXT NOT NULL,
    event_key           TEXT NOT NULL,
    version_key         TEXT NOT NULL,
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
