//! The one post-load fix-up that needs a whole view of the data: records known only by
//! name move to the incarnation of that name that existed at their time.

use std::collections::BTreeMap;

use anyhow::Result;
use rusqlite::params;

use super::Store;

/// Each name-only object with the objects of the same name known by uid, and when each
/// began. This runs after every ingest, so it must cost what the name-only objects cost, not
/// what the store holds: CROSS JOIN keeps them outside, and the unary `+` leaves
/// `objects_name` the only index to find their namesakes by (left to itself, SQLite walked
/// every object with a uid).
const NAMESAKES: &str = "
    SELECT n.id, o.id, coalesce(o.created_us, o.first_seen_us) AS start
    FROM objects n CROSS JOIN objects o
      ON +o.cluster_id = n.cluster_id AND +o.api_group = n.api_group AND +o.resource = n.resource
     AND o.namespace = n.namespace AND o.name = n.name AND o.uid IS NOT NULL
    WHERE n.uid IS NULL
    ORDER BY n.id, start";

/// Widens an incarnation's first and last seen times to those of the records it gains (its
/// own are in them already): read before they move, from the few records that move. (Read
/// after, from all its records, it cost 30 ms for each busy object, such as a Lease.)
const SEEN_BY_MOVED_RECORDS: &str = "
    UPDATE objects SET
        first_seen_us = min(coalesce(first_seen_us, moved.first), coalesce(moved.first, first_seen_us)),
        last_seen_us = max(coalesce(last_seen_us, moved.last), coalesce(moved.last, last_seen_us))
    FROM (SELECT min(first) AS first, max(last) AS last FROM (
            SELECT min(received_us) AS first, max(completed_us) AS last FROM requests
            WHERE object_id = ?2 AND received_us >= ?3 AND received_us < ?4
            UNION ALL
            SELECT min(time_us), max(time_us) FROM event_versions
            WHERE object_id = ?2 AND time_us >= ?3 AND time_us < ?4)) AS moved
    WHERE id = ?1";

impl Store {
    /// Requests logged at Metadata level name their object but not its uid, and some Events
    /// have no involvedObject.uid: those land on an object known by name only. When the same
    /// name also has objects known by uid, each record moves to the incarnation that existed
    /// at its time (a deleted and recreated name is a new object), and the name-only object
    /// goes away.
    /// Returns how many name-only objects went away.
    pub fn resolve_unnamed_objects(&self) -> Result<u64> {
        let mut twins: BTreeMap<i64, Vec<(i64, Option<i64>)>> = BTreeMap::new();
        {
            let mut stmt = self.conn.prepare(NAMESAKES)?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, Option<i64>>(2)?)))?;
            for row in rows {
                let (unnamed, object, start) = row?;
                twins.entry(unnamed).or_default().push((object, start));
            }
        }
        if twins.is_empty() {
            return Ok(0);
        }
        let tx = self.conn.unchecked_transaction()?;
        for (unnamed, incarnations) in &twins {
            for (i, (object, start)) in incarnations.iter().enumerate() {
                let lower = if i == 0 { i64::MIN } else { start.unwrap_or(i64::MIN) };
                let upper = incarnations.get(i + 1).and_then(|next| next.1).unwrap_or(i64::MAX);
                let moved = params![object, unnamed, lower, upper];
                tx.prepare_cached(SEEN_BY_MOVED_RECORDS)?.execute(moved)?;
                tx.prepare_cached(
                    "UPDATE requests SET object_id = ?1 \
                     WHERE object_id = ?2 AND received_us >= ?3 AND received_us < ?4",
                )?
                .execute(moved)?;
                tx.prepare_cached(
                    "UPDATE event_versions SET object_id = ?1 WHERE object_id = ?2 AND time_us >= ?3 AND time_us < ?4",
                )?
                .execute(moved)?;
            }
            absorb(&tx, *unnamed, incarnations[0].0)?;
        }
        let removed = twins.len() as u64;
        tx.commit()?;
        Ok(removed)
    }
}

/// Gives `object`'s states and ownership links to `into` (those `into` has already stay
/// its own), and deletes `object`. Its requests and Events are the caller's to move first.
fn absorb(tx: &rusqlite::Transaction, object: i64, into: i64) -> Result<()> {
    for sql in [
        "UPDATE OR IGNORE object_states SET object_id = ?1 WHERE object_id = ?2",
        "UPDATE OR IGNORE owner_refs SET object_id = ?1 WHERE object_id = ?2",
        "UPDATE OR IGNORE owner_refs SET owner_id = ?1 WHERE owner_id = ?2",
    ] {
        tx.execute(sql, params![into, object])?;
    }
    for sql in [
        "DELETE FROM object_states WHERE object_id = ?1",
        "DELETE FROM owner_refs WHERE object_id = ?1 OR owner_id = ?1",
        "DELETE FROM objects WHERE id = ?1",
    ] {
        tx.execute(sql, [object])?;
    }
    Ok(())
}

/// Objects known by an alias (a static Pod by its config hash, from kubelet's Events) are the
/// object the alias belongs to: their records move to it, and they go away.
const ALIASED: &str = "
    SELECT o.id, a.object_id FROM uid_aliases a
    JOIN objects o ON o.cluster_id = a.cluster_id AND o.uid = a.alias
    WHERE o.id != a.object_id";

impl Store {
    /// Returns how many alias objects went away.
    pub fn resolve_aliases(&self) -> Result<u64> {
        let pairs: Vec<(i64, i64)> = {
            let mut stmt = self.conn.prepare(ALIASED)?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?
        };
        if pairs.is_empty() {
            return Ok(0);
        }
        let tx = self.conn.unchecked_transaction()?;
        for &(alias, object) in &pairs {
            for sql in [
                "UPDATE requests SET object_id = ?1 WHERE object_id = ?2",
                "UPDATE event_versions SET object_id = ?1 WHERE object_id = ?2",
                "UPDATE objects SET
                    first_seen_us = min(coalesce(first_seen_us, (SELECT first_seen_us FROM objects WHERE id = ?2)),
                                        coalesce((SELECT first_seen_us FROM objects WHERE id = ?2), first_seen_us)),
                    last_seen_us = max(coalesce(last_seen_us, (SELECT last_seen_us FROM objects WHERE id = ?2)),
                                       coalesce((SELECT last_seen_us FROM objects WHERE id = ?2), last_seen_us))
                 WHERE id = ?1",
            ] {
                tx.execute(sql, params![object, alias])?;
            }
            absorb(&tx, alias, object)?;
        }
        tx.commit()?;
        Ok(pairs.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{Location, Store};

    #[test]
    fn namesakes_are_found_from_the_name_only_objects() {
        let store = Store::open_for_write(&Location::Memory).unwrap();
        let mut stmt = store.conn.prepare(&format!("EXPLAIN QUERY PLAN {}", super::NAMESAKES)).unwrap();
        let plan: Vec<String> = stmt.query_map([], |r| r.get(3)).unwrap().collect::<Result<_, _>>().unwrap();
        assert!(plan[0].starts_with("SCAN n"), "{plan:?}");
        assert!(plan[1].starts_with("SEARCH o USING INDEX objects_name"), "{plan:?}");
    }
}
