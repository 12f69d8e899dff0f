//! Bulk loads: a load much bigger than the store writes without the query indexes, and
//! into empty tables without their unique index either, then builds them once at the end
//! (several times faster than keeping them up to date row by row; see docs/schema.md).
//! Rows that may repeat one already stored wait in `pending_*` tables until the unique
//! indexes are back.

use anyhow::Result;
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use super::writer::rows::{
    ANOTHER_REQUEST, INSERT_REQUEST, MERGE_REQUEST, REQUEST_COLUMNS, event_row, request_row, reused_key,
};
use super::{QUERY_INDEXES, Store};

/// The unique indexes that keep one row per request and one per version of an Event, by
/// name. A bulk load into an empty table drops its index and [`Store::finish_bulk_load`]
/// builds it again.
const REQUESTS_AUDIT_ID_INDEX: (&str, &str) =
    ("requests_audit_id", "CREATE UNIQUE INDEX IF NOT EXISTS requests_audit_id ON requests (audit_id, cluster_id)");
const EVENTS_VERSION_INDEX: (&str, &str) = (
    "events_version",
    "CREATE UNIQUE INDEX IF NOT EXISTS events_version ON event_versions (cluster_id, event_key, version_key)",
);

/// Query indexes a load keeps up to date: partial ones over few rows (impersonations,
/// conflicts), which cost a load next to nothing row by row, where building them again
/// costs a scan of the whole table each.
pub(super) const KEPT_DURING_LOADS: [&str; 2] = ["requests_impersonated", "requests_conflicts"];

/// How a load much bigger than the store writes: without the query indexes, and into empty
/// tables without their unique index either (see docs/schema.md).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BulkLoad {
    /// No requests are stored yet: append them without `requests_audit_id`.
    pub requests: bool,
    /// No Events are stored yet: append them without `events_version`.
    pub events: bool,
    /// About how many requests and Events the load holds, to size its filter.
    pub expected_keys: u64,
}

impl Store {
    /// Drops the indexes a load would otherwise keep up to date row by row: the query
    /// indexes (but [`KEPT_DURING_LOADS`]), and the unique ones `bulk` goes without.
    /// [`Store::finish_bulk_load`] builds them again.
    pub fn start_bulk_load(&self, bulk: &BulkLoad) -> Result<()> {
        let unique =
            [bulk.requests.then_some(REQUESTS_AUDIT_ID_INDEX.0), bulk.events.then_some(EVENTS_VERSION_INDEX.0)];
        let query = QUERY_INDEXES.iter().map(|(name, _)| *name).filter(|name| !KEPT_DURING_LOADS.contains(name));
        for name in query.chain(unique.into_iter().flatten()) {
            self.conn.execute_batch(&format!("DROP INDEX IF EXISTS {name}"))?;
        }
        Ok(())
    }

    /// Builds the indexes a bulk load dropped and writes its pending requests and Events.
    /// Also finishes a bulk load that was interrupted.
    pub fn finish_bulk_load(&self) -> Result<Drained> {
        // The load stored each auditID and Event version at most once: these cannot fail.
        self.build_indexes([REQUESTS_AUDIT_ID_INDEX.1, EVENTS_VERSION_INDEX.1])?;
        let drained = drain_pending(&self.conn)?;
        self.ensure_query_indexes()?;
        Ok(drained)
    }

    /// Whether a bulk load was interrupted before [`Store::finish_bulk_load`].
    pub(super) fn bulk_load_unfinished(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN (?1, ?2)) < 2
                 OR EXISTS (SELECT 1 FROM pending_requests)
                 OR EXISTS (SELECT 1 FROM pending_event_versions)",
            [REQUESTS_AUDIT_ID_INDEX.0, EVENTS_VERSION_INDEX.0],
            |r| r.get(0),
        )?)
    }
}

/// What draining the pending rows of a bulk load did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Drained {
    pub added: u64,
    pub merged: u64,
    pub events_added: u64,
    pub duplicates: u64,
    /// Requests stored apart because another request had their auditID.
    pub reused: u64,
}

/// Ends a bulk load once the unique indexes on auditIDs and Event versions are back: writes
/// the pending requests and Events the way a row-by-row load would have.
fn drain_pending(conn: &Connection) -> Result<Drained> {
    let tx = conn.unchecked_transaction()?;
    let mut drained = Drained::default();
    {
        let mut pending =
            tx.prepare(concat!("SELECT ", request_row!(columns), " FROM pending_requests ORDER BY id"))?;
        let mut insert = tx.prepare(INSERT_REQUEST)?;
        let mut merge = tx.prepare(MERGE_REQUEST)?;
        let mut another = tx.prepare(ANOTHER_REQUEST)?;
        let mut rows = pending.query([])?;
        while let Some(row) = rows.next()? {
            let mut values: Vec<Value> = (0..REQUEST_COLUMNS).map(|i| row.get(i)).collect::<Result<_, _>>()?;
            if insert.execute(params_from_iter(&values))? == 1 {
                drained.added += 1;
            } else if merge.execute(params_from_iter(&values))? == 1 {
                drained.merged += 1;
            } else if another.query_row(params_from_iter([0, 1, 4, 10].map(|i| &values[i])), |r| r.get(0))? {
                let (Value::Blob(key), Value::Integer(received_us)) = (&values[0], &values[17]) else {
                    anyhow::bail!("a pending request without its auditID or time");
                };
                values[0] = Value::Blob(reused_key(key, *received_us));
                if insert.execute(params_from_iter(&values))? == 1 {
                    drained.added += 1;
                    drained.reused += 1;
                } else if merge.execute(params_from_iter(&values))? == 1 {
                    drained.merged += 1;
                } else {
                    drained.duplicates += 1;
                }
            } else {
                drained.duplicates += 1;
            }
        }
    }
    let pending_events: i64 = tx.query_row("SELECT count(*) FROM pending_event_versions", [], |r| r.get(0))?;
    let events_added = tx.execute(
        concat!(
            "INSERT OR IGNORE INTO event_versions (",
            event_row!(columns),
            ") SELECT ",
            event_row!(columns),
            " FROM pending_event_versions ORDER BY id"
        ),
        [],
    )? as u64;
    drained.events_added = events_added;
    drained.duplicates += pending_events as u64 - events_added;
    tx.execute_batch("DELETE FROM pending_requests; DELETE FROM pending_event_versions")?;
    tx.commit()?;
    Ok(drained)
}
