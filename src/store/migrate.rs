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
];

pub fn migrate(conn: &Connection) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let version = usize::try_from(version).unwrap_or(0);
    if version > MIGRATIONS.len() {
        bail!(
            "the store has schema version {version}, newer than this kelemetry-cli knows ({}); upgrade kelemetry-cli",
            MIGRATIONS.len()
        );
    }
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
    fn newer_stores_are_refused() {
        let conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        let error = migrate(&conn).unwrap_err().to_string();
        assert!(error.contains("schema version 99, newer than this kelemetry-cli knows"), "{error}");
    }
}
