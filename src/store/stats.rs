//! What the store holds, counted: `kelemetry-cli stats`.

use std::collections::BTreeMap;

use anyhow::Result;
use rusqlite::Connection;

use super::Store;
use crate::model::component::component_name;

/// A name and how often it occurs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    pub name: String,
    pub count: i64,
}

#[derive(Debug, Clone)]
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
#[derive(Debug, Clone)]
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

impl Store {
    pub fn stats(&self) -> Result<Stats> {
        let (first_us, last_us) = self.time_span()?;
        let by_named = |column: &str, limit: usize| {
            counts(
                &self.conn,
                &format!(
                    "SELECT s.value, c.n FROM (SELECT {column} AS id, count(*) AS n FROM requests GROUP BY {column}) c
                     LEFT JOIN strings s ON s.id = c.id ORDER BY c.n DESC, s.value LIMIT {limit}"
                ),
            )
        };
        let reason_count = |reason: &str| {
            self.conn.query_row(
                "SELECT count(*) FROM requests WHERE code = 409 AND reason_id = (SELECT id FROM strings WHERE value = ?1)",
                [reason],
                |r| r.get::<_, i64>(0),
            )
        };
        Ok(Stats {
            schema_version: super::migrate::schema_version(),
            first_us,
            last_us,
            clusters: self.cluster_names()?,
            files: self.file_stats()?,
            requests: scalar(&self.conn, "SELECT count(*) FROM requests")?,
            incomplete_requests: scalar(&self.conn, "SELECT count(*) FROM requests WHERE stages & 12 = 0")?,
            events: scalar(&self.conn, "SELECT count(*) FROM event_versions")?,
            objects: scalar(&self.conn, "SELECT count(*) FROM objects")?,
            owner_links: scalar(&self.conn, "SELECT count(*) FROM owner_refs")?,
            object_states: scalar(&self.conn, "SELECT count(*) FROM object_states")?,
            conflicts: reason_count("Conflict")?,
            already_exists: reason_count("AlreadyExists")?,
            by_verb: by_named("verb_id", usize::MAX >> 1)?,
            by_resource: by_named("resource_id", TOP)?,
            by_user: by_named("user_id", TOP)?,
            by_code: counts(
                &self.conn,
                "SELECT coalesce(CAST(code AS TEXT), 'none'), count(*) FROM requests GROUP BY code ORDER BY count(*) DESC, code",
            )?,
            top_writers: self.top_writers()?,
            objects_by_kind: counts(
                &self.conn,
                "SELECT CASE WHEN kind = '' THEN resource ELSE kind END, count(*) FROM objects GROUP BY 1 ORDER BY 2 DESC, 1",
            )?,
        })
    }

    /// The first and last time any request or Event shows.
    pub fn time_span(&self) -> Result<(Option<i64>, Option<i64>)> {
        let at = |sql: &str| -> Result<Option<i64>> { Ok(self.conn.query_row(sql, [], |r| r.get(0))?) };
        let first = [at("SELECT min(received_us) FROM requests")?, at("SELECT min(time_us) FROM event_versions")?];
        let last = [at("SELECT max(completed_us) FROM requests")?, at("SELECT max(time_us) FROM event_versions")?];
        Ok((first.into_iter().flatten().min(), last.into_iter().flatten().max()))
    }

    fn cluster_names(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT name FROM clusters ORDER BY name")?;
        Ok(stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?)
    }

    fn file_stats(&self) -> Result<Vec<FileStat>> {
        let mut stmt = self.conn.prepare(
            "SELECT path, size, format, gzip, lines, records, bad_records, truncated FROM files ORDER BY path, id",
        )?;
        let rows = stmt.query_map([], |r| {
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
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Writes by component, as operators name them (a user and agent make one component).
    fn top_writers(&self) -> Result<Vec<Count>> {
        let mut writers: BTreeMap<String, i64> = BTreeMap::new();
        let mut stmt = self.conn.prepare(
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
        let mut top: Vec<Count> = writers.into_iter().map(|(name, count)| Count { name, count }).collect();
        top.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        top.truncate(TOP);
        Ok(top)
    }
}
