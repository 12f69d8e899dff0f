//! Ordered migrations, tracked in `PRAGMA user_version`.

use anyhow::{Result, bail};
use rusqlite::Connection;

use super::QUERY_INDEXES;

/// Migration N (1-based) brings the schema from version N-1 to N. Append only.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_initial.sql"),
    include_str!("migrations/002_objects_by_kind.sql"),
    include_str!("migrations/003_pending_requests.sql"),
    include_str!("migrations/004_pending_events.sql"),
    include_str!("migrations/005_event_versions.sql"),
    include_str!("migrations/006_uid_aliases.sql"),
    include_str!("migrations/007_request_log.sql"),
    include_str!("migrations/008_foreign_keys.sql"),
    include_str!("migrations/009_groups_field_managers.sql"),
    include_str!("migrations/010_applies_pod_security.sql"),
];

/// The schema version of a store (0: a new, empty database).
pub fn version(conn: &Connection) -> Result<usize> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    Ok(usize::try_from(version).unwrap_or(0))
}

fn refuse_newer(version: usize) -> Result<()> {
    if version > MIGRATIONS.len() {
        bail!(
            "the store has schema version {version}, newer than this kelemetry-cli knows ({}); upgrade kelemetry-cli",
            MIGRATIONS.len()
        );
    }
    Ok(())
}

/// Whether a query can read a store of this version as it is, without migrating it.
pub fn check_readable(version: usize) -> Result<()> {
    refuse_newer(version)?;
    match version {
        0 => bail!("it holds no kelemetry-cli data (ingest some files first: kelemetry-cli ingest FILE...)"),
        v if v < MIGRATIONS.len() => bail!(
            "it has schema version {v}, older than this kelemetry-cli reads ({}): run `kelemetry-cli ingest` on it (with any file, even one already ingested) to upgrade it",
            MIGRATIONS.len()
        ),
        _ => Ok(()),
    }
}

pub fn migrate(conn: &Connection) -> Result<()> {
    let version = version(conn)?;
    refuse_newer(version)?;
    // Rebuilding a table drops the old one, which enforced keys would refuse; SQLite reads
    // this setting outside transactions only.
    let enforced: bool = conn.pragma_query_value(None, "foreign_keys", |row| row.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let migrated = run_from(conn, version);
    conn.pragma_update(None, "foreign_keys", enforced)?;
    migrated
}

fn run_from(conn: &Connection, version: usize) -> Result<()> {
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        if index + 1 == MIGRATIONS.len() && version == 0 {
            // A new store: the query indexes live in code, where bulk loads drop and rebuild them.
            for (_, index_sql) in QUERY_INDEXES {
                tx.execute_batch(index_sql)?;
            }
        }
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

pub fn schema_version() -> usize {
    MIGRATIONS.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap()
    }

    #[test]
    fn old_stores_migrate_forward() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        migrate(&conn).unwrap();
        assert_eq!(version(&conn), MIGRATIONS.len() as i64);
        let indexed: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master WHERE name IN ('objects_kind', 'objects_by_uid')", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(indexed, 2);
        migrate(&conn).unwrap();
        assert_eq!(version(&conn), MIGRATIONS.len() as i64, "migrating twice changes nothing");
    }

    #[test]
    fn events_read_the_same_after_their_words_are_interned() {
        let conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..4] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 4).unwrap();
        let columns = "cluster_id, api, event_key, version_key, uid, name, namespace, resource_version, object_id,
                       field_path, reason, type, message, action, source_component, source_host, reporting_component,
                       reporting_instance, count, series_count, first_us, last_us, event_time_us, series_last_us, time_us";
        // With a uid and a resourceVersion; with a uid only, an empty reason and no sources;
        // with a resourceVersion only.
        let rows = [
            "1, 'v1', 'u1', '7', 'u1', 'web.1', 'shop', '7', 3, 'spec.containers{web}', 'BackOff', 'Warning',
             'Back-off', NULL, 'kubelet', 'node-1', NULL, NULL, 4, NULL, 10, 20, NULL, NULL, 20",
            "1, 'events.k8s.io/v1', 'u2', '1@30', 'u2', 'web.2', 'shop', NULL, 3, NULL, '', NULL,
             NULL, 'Binding', NULL, NULL, 'default-scheduler', 'sched-0', NULL, 2, NULL, NULL, 30, 31, 30",
            "1, 'v1', 'shop/web.3', '9', NULL, 'web.3', 'shop', '9', 3, NULL, 'Pulled', 'Normal',
             NULL, NULL, 'kubelet', 'node-1', NULL, NULL, 1, NULL, 40, 40, NULL, NULL, 40",
        ];
        for row in rows {
            conn.execute(&format!("INSERT INTO events ({columns}) VALUES ({row})"), []).unwrap();
        }
        conn.execute(&format!("INSERT INTO pending_events ({columns}) VALUES ({})", rows[0]), []).unwrap();
        let read = |conn: &Connection| -> Vec<Vec<String>> {
            let mut stmt = conn.prepare(&format!("SELECT id, {columns} FROM events ORDER BY id")).unwrap();
            let n = stmt.column_count();
            stmt.query_map([], |r| {
                (0..n).map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}"))).collect()
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
        };
        let before = read(&conn);
        migrate(&conn).unwrap();
        assert_eq!(read(&conn), before);
        let pending: i64 = conn.query_row("SELECT count(*) FROM pending_event_versions", [], |r| r.get(0)).unwrap();
        assert_eq!(pending, 1);
        let words: i64 = conn.query_row("SELECT count(*) FROM strings", [], |r| r.get(0)).unwrap();
        assert_eq!(words, 13, "each word once, the empty reason too");
    }

    #[test]
    fn declaring_foreign_keys_keeps_rows_indexes_and_views() {
        let conn = Connection::open_in_memory().unwrap();
        for sql in MIGRATIONS[..7].iter().chain(QUERY_INDEXES.iter().map(|(_, sql)| sql)) {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 7).unwrap();
        conn.execute_batch(
            "INSERT INTO clusters VALUES (1, 'c');
             INSERT INTO strings VALUES (1, 'get'), (2, 'alice'), (3, 'v1'), (4, 'shop');
             INSERT INTO objects (id, cluster_id, uid, api_group, resource, kind, namespace, name)
                 VALUES (5, 1, 'u', '', 'pods', 'Pod', 'shop', 'web');
             INSERT INTO state_blocks VALUES (6, x'00');
             INSERT INTO requests (id, audit_id, cluster_id, stages, level, verb_id, object_id, user_id, code,
                                   received_us, completed_us)
                 VALUES (9, x'0123456789abcdef0123456789abcdef', 1, 5, 1, 1, 5, 2, 200, 1000000, 1250000);
             INSERT INTO event_versions (id, cluster_id, api_id, event_key, version_key, keyed_by, name,
                                         namespace_id, object_id, time_us)
                 VALUES (3, 1, 3, 'e', '7', 3, 'web.1', 4, 5, 1000000);
             INSERT INTO object_states VALUES (5, '7', 1000000, 0, 6, 0, 1);",
        )
        .unwrap();
        let read = |conn: &Connection| -> Vec<String> {
            [
                "SELECT id, time, audit_id, user, verb, name, latency_ms FROM request_log",
                "SELECT id, api, uid, namespace, resource_version FROM events",
                "SELECT object_id, resource_version, block_id FROM object_states",
            ]
            .iter()
            .map(|sql| {
                let mut stmt = conn.prepare(sql).unwrap();
                let n = stmt.column_count();
                let rows = stmt
                    .query_map([], |r| {
                        (0..n)
                            .map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}")))
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .unwrap()
                    .collect::<Result<Vec<_>, _>>()
                    .unwrap();
                format!("{rows:?}")
            })
            .collect()
        };
        let before = read(&conn);
        let indexes = |conn: &Connection| -> i64 {
            conn.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL", [], |r| {
                r.get(0)
            })
            .unwrap()
        };
        let indexes_before = indexes(&conn);
        migrate(&conn).unwrap();
        assert_eq!(read(&conn), before);
        assert_eq!(indexes(&conn), indexes_before, "every index is back");
        let keys: i64 =
            conn.query_row("SELECT count(*) FROM pragma_foreign_key_list('requests')", [], |r| r.get(0)).unwrap();
        assert_eq!(keys, 16);
        let broken: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
        assert_eq!(broken, 0);
    }

    #[test]
    fn newer_stores_are_refused() {
        let conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        let error = migrate(&conn).unwrap_err().to_string();
        assert!(error.contains("schema version 99, newer than this kelemetry-cli knows"), "{error}");
    }
}
