//! Read queries, and the one post-load fix-up that needs a whole view of the data.

use std::collections::BTreeMap;

use anyhow::Result;
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::model::component::component_name;

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

/// Requests logged at Metadata level name their object but not its uid, and some Events
/// have no involvedObject.uid: those land on an object known by name only. When the same
/// name also has objects known by uid, each record moves to the incarnation that existed
/// at its time (a deleted and recreated name is a new object), and the name-only object
/// goes away.
pub fn resolve_unnamed_objects(conn: &Connection) -> Result<()> {
    let mut twins: BTreeMap<i64, Vec<(i64, Option<i64>)>> = BTreeMap::new();
    {
        let mut stmt = conn.prepare(NAMESAKES)?;
        let rows =
            stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, Option<i64>>(2)?)))?;
        for row in rows {
            let (unnamed, object, start) = row?;
            twins.entry(unnamed).or_default().push((object, start));
        }
    }
    if twins.is_empty() {
        return Ok(());
    }
    let tx = conn.unchecked_transaction()?;
    for (unnamed, incarnations) in twins {
        for (i, (object, start)) in incarnations.iter().enumerate() {
            let lower = if i == 0 { i64::MIN } else { start.unwrap_or(i64::MIN) };
            let upper = incarnations.get(i + 1).and_then(|next| next.1).unwrap_or(i64::MAX);
            tx.execute(
                "UPDATE requests SET object_id = ?1 WHERE object_id = ?2 AND received_us >= ?3 AND received_us < ?4",
                params![object, unnamed, lower, upper],
            )?;
            tx.execute(
                "UPDATE event_versions SET object_id = ?1 WHERE object_id = ?2 AND time_us >= ?3 AND time_us < ?4",
                params![object, unnamed, lower, upper],
            )?;
        }
        let first = incarnations[0].0;
        for sql in [
            "UPDATE OR IGNORE object_states SET object_id = ?1 WHERE object_id = ?2",
            "UPDATE OR IGNORE owner_refs SET object_id = ?1 WHERE object_id = ?2",
            "UPDATE OR IGNORE owner_refs SET owner_id = ?1 WHERE owner_id = ?2",
        ] {
            tx.execute(sql, params![first, unnamed])?;
        }
        for sql in [
            "DELETE FROM object_states WHERE object_id = ?1",
            "DELETE FROM owner_refs WHERE object_id = ?1 OR owner_id = ?1",
            "DELETE FROM objects WHERE id = ?1",
        ] {
            tx.execute(sql, [unnamed])?;
        }
        for (object, _) in &incarnations {
            tx.execute(
                "UPDATE objects SET
                    first_seen_us = (SELECT min(t) FROM (
                        SELECT first_seen_us AS t FROM objects WHERE id = ?1
                        UNION ALL SELECT min(received_us) FROM requests WHERE object_id = ?1
                        UNION ALL SELECT min(time_us) FROM event_versions WHERE object_id = ?1)),
                    last_seen_us = (SELECT max(t) FROM (
                        SELECT last_seen_us AS t FROM objects WHERE id = ?1
                        UNION ALL SELECT max(completed_us) FROM requests WHERE object_id = ?1
                        UNION ALL SELECT max(time_us) FROM event_versions WHERE object_id = ?1))
                 WHERE id = ?1",
                [object],
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// A name and how often it occurs.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Count {
    pub name: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileStat {
    pub path: String,
    pub size: i64,
    pub format: Option<String>,
    pub gzip: bool,
    pub lines: i64,
    pub records: i64,
    pub bad_records: i64,
    pub truncated: Option<String>,
}

/// What the store holds.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub schema_version: usize,
    pub first_us: Option<i64>,
    pub last_us: Option<i64>,
    pub clusters: Vec<String>,
    pub files: Vec<FileStat>,
    pub requests: i64,
    pub incomplete_requests: i64,
    pub events: i64,
    pub objects: i64,
    pub owner_links: i64,
    pub object_states: i64,
    pub conflicts: i64,
    pub already_exists: i64,
    pub by_verb: Vec<Count>,
    pub by_resource: Vec<Count>,
    pub by_user: Vec<Count>,
    pub by_code: Vec<Count>,
    pub top_writers: Vec<Count>,
    pub objects_by_kind: Vec<Count>,
}

fn counts(conn: &Connection, sql: &str) -> Result<Vec<Count>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt
        .query_map([], |r| Ok(Count { name: r.get::<_, Option<String>>(0)?.unwrap_or_default(), count: r.get(1)? }))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn scalar(conn: &Connection, sql: &str) -> Result<i64> {
    Ok(conn.query_row(sql, [], |r| r.get::<_, Option<i64>>(0))?.unwrap_or(0))
}

/// How many of the most frequent names each breakdown lists.
const TOP: usize = 10;

pub fn stats(conn: &Connection) -> Result<Stats> {
    let span = |sql: &str| -> Result<Option<i64>> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    let first_us = [span("SELECT min(received_us) FROM requests")?, span("SELECT min(time_us) FROM event_versions")?]
        .into_iter()
        .flatten()
        .min();
    let last_us = [span("SELECT max(completed_us) FROM requests")?, span("SELECT max(time_us) FROM event_versions")?]
        .into_iter()
        .flatten()
        .max();
    let clusters = {
        let mut stmt = conn.prepare("SELECT name FROM clusters ORDER BY name")?;
        stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?
    };
    let files = {
        let mut stmt = conn.prepare(
            "SELECT path, size, format, gzip, lines, records, bad_records, truncated FROM files ORDER BY id",
        )?;
        stmt.query_map([], |r| {
            Ok(FileStat {
                path: r.get(0)?,
                size: r.get(1)?,
                format: r.get(2)?,
                gzip: r.get(3)?,
                lines: r.get(4)?,
                records: r.get(5)?,
                bad_records: r.get(6)?,
                truncated: r.get(7)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?
    };
    let by_named = |column: &str, limit: usize| {
        counts(
            conn,
            &format!(
                "SELECT s.value, c.n FROM (SELECT {column} AS id, count(*) AS n FROM requests GROUP BY {column}) c
                 LEFT JOIN strings s ON s.id = c.id ORDER BY c.n DESC, s.value LIMIT {limit}"
            ),
        )
    };
    let mut writers: BTreeMap<String, i64> = BTreeMap::new();
    {
        let mut stmt = conn.prepare(
            "SELECT u.value, a.value, c.n FROM (
                SELECT user_id, agent_id, count(*) AS n FROM requests
                WHERE verb_id IN (SELECT id FROM strings WHERE value IN ('create', 'update', 'patch', 'delete', 'deletecollection'))
                GROUP BY user_id, agent_id) c
             LEFT JOIN strings u ON u.id = c.user_id LEFT JOIN strings a ON a.id = c.agent_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, i64>(2)?))
        })?;
        for row in rows {
            let (user, agent, n) = row?;
            *writers.entry(component_name(user.as_deref().unwrap_or(""), agent.as_deref())).or_default() += n;
        }
    }
    let mut top_writers: Vec<Count> = writers.into_iter().map(|(name, count)| Count { name, count }).collect();
    top_writers.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    top_writers.truncate(TOP);
    let reason_count = |reason: &str| {
        conn.query_row(
            "SELECT count(*) FROM requests WHERE code = 409 AND reason_id = (SELECT id FROM strings WHERE value = ?1)",
            [reason],
            |r| r.get::<_, i64>(0),
        )
    };
    Ok(Stats {
        schema_version: super::migrate::schema_version(),
        first_us,
        last_us,
        clusters,
        files,
        requests: scalar(conn, "SELECT count(*) FROM requests")?,
        incomplete_requests: scalar(conn, "SELECT count(*) FROM requests WHERE stages & 12 = 0")?,
        events: scalar(conn, "SELECT count(*) FROM event_versions")?,
        objects: scalar(conn, "SELECT count(*) FROM objects")?,
        owner_links: scalar(conn, "SELECT count(*) FROM owner_refs")?,
        object_states: scalar(conn, "SELECT count(*) FROM object_states")?,
        conflicts: reason_count("Conflict")?,
        already_exists: reason_count("AlreadyExists")?,
        by_verb: by_named("verb_id", usize::MAX >> 1)?,
        by_resource: by_named("resource_id", TOP)?,
        by_user: by_named("user_id", TOP)?,
        by_code: counts(
            conn,
            "SELECT coalesce(CAST(code AS TEXT), 'none'), count(*) FROM requests GROUP BY code ORDER BY count(*) DESC, code",
        )?,
        top_writers,
        objects_by_kind: counts(
            conn,
            "SELECT CASE WHEN kind = '' THEN resource ELSE kind END, count(*) FROM objects GROUP BY 1 ORDER BY 2 DESC, 1",
        )?,
    })
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
