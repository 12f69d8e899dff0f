//! What `analyze` reads that `requests` does not: every successful write in time order (for
//! write rates and no-op writes), and Events folded by object, reason and message.

use anyhow::Result;
use rusqlite::params;

use super::Store;
use crate::model::audit_id::audit_id_text;
use crate::model::time::Window;

/// A successful write to one object, as a write-rate check needs it.
pub struct WriteRow {
    pub object_id: i64,
    pub user_id: Option<i64>,
    pub received_us: i64,
    /// The resourceVersion the write was based on, and the one it produced (both only with
    /// request and response bodies).
    pub base_rv: Option<String>,
    pub new_rv: Option<String>,
    pub audit_id: String,
}

/// One Event (by uid or namespace/name) about an object, its versions folded.
pub struct EventRepeats {
    pub object_id: i64,
    pub reason: Option<String>,
    pub message: Option<String>,
    /// The most the Event counted (`count`, `series.count`), at least 1.
    pub repeats: i64,
    pub first_us: i64,
    pub last_us: i64,
}

impl Store {
    /// Every successful update or patch of one object (its subresources too), in time order.
    pub fn each_write(&self, window: &Window, visit: &mut dyn FnMut(WriteRow)) -> Result<()> {
        let mut stmt = self.conn.prepare(
            "SELECT r.object_id, r.user_id, r.received_us, r.base_rv, r.new_rv, r.audit_id
             FROM requests r JOIN strings v ON v.id = r.verb_id
             WHERE r.received_us BETWEEN ?1 AND ?2 AND r.object_id IS NOT NULL
               AND r.code BETWEEN 200 AND 299 AND v.value IN ('update', 'patch')
             ORDER BY r.received_us, r.id",
        )?;
        let mut rows = stmt.query(params![window.since_us.unwrap_or(i64::MIN), window.until_us.unwrap_or(i64::MAX)])?;
        while let Some(row) = rows.next()? {
            let key: Vec<u8> = row.get(5)?;
            visit(WriteRow {
                object_id: row.get(0)?,
                user_id: row.get(1)?,
                received_us: row.get(2)?,
                base_rv: row.get(3)?,
                new_rv: row.get(4)?,
                audit_id: audit_id_text(&key),
            });
        }
        Ok(())
    }

    /// Each Event in the window with the most it counted: Events repeat by bumping `count`
    /// (or `series.count`), and each bump is a version in the store.
    pub fn event_repeats(&self, window: &Window) -> Result<Vec<EventRepeats>> {
        let mut stmt = self.conn.prepare(
            "SELECT object_id, reason, message, max(max(coalesce(count, 1), coalesce(series_count, 1))),
                    min(coalesce(first_us, time_us)), max(time_us)
             FROM events WHERE time_us BETWEEN ?1 AND ?2
             GROUP BY cluster_id, event_key, object_id, reason, message",
        )?;
        let rows =
            stmt.query_map(params![window.since_us.unwrap_or(i64::MIN), window.until_us.unwrap_or(i64::MAX)], |r| {
                Ok(EventRepeats {
                    object_id: r.get(0)?,
                    reason: r.get(1)?,
                    message: r.get(2)?,
                    repeats: r.get(3)?,
                    first_us: r.get(4)?,
                    last_us: r.get(5)?,
                })
            })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
