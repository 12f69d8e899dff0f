//! What `analyze` reads that `requests` does not: writes to objects in time order (for
//! write rates and no-op writes), and Events folded by object, reason and message.

use std::collections::HashMap;

use anyhow::Result;
use rusqlite::{params, params_from_iter};

use super::read::{OBJECT_COLUMNS, ObjectRow, object_row};
use super::requests::RequestFilter;
use super::{Store, id_list, sql_literal};
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

/// The Events with one reason and message about one object, their versions folded.
pub struct EventRepeats {
    pub object_id: i64,
    pub reason: Option<String>,
    pub message: Option<String>,
    /// What they counted: for each Event the most it counted (`count`, `series.count`, at
    /// least 1), summed.
    pub repeats: i64,
    pub first_us: i64,
    pub last_us: i64,
}

/// A controller acting on an object again and again: its Events of one reason.
pub struct RepeatedAction {
    pub object_id: i64,
    pub reason: String,
    pub times: i64,
    pub first_us: i64,
    pub last_us: i64,
}

/// Sums over the Event versions in a window, for the checks that look for Events repeated
/// too often: bounds that leave only a few objects to count exactly.
#[derive(Default)]
pub struct EventTallies {
    /// Per object: its versions' counts (`count` or `series.count`, at least 1) summed, a
    /// bound on any group of its Events.
    per_object: HashMap<i64, i64, foldhash::fast::RandomState>,
    /// The objects with a message that counts itself ("(N times)").
    counted_in_message: Vec<i64>,
    /// Per object and reason of a controller's action: counts summed, first and last time.
    per_action: HashMap<(i64, i64), (i64, i64, i64), foldhash::fast::RandomState>,
}

impl EventTallies {
    fn merge(&mut self, other: EventTallies) {
        for (object, total) in other.per_object {
            *self.per_object.entry(object).or_default() += total;
        }
        self.counted_in_message.extend(other.counted_in_message);
        for (key, (sum, first, last)) in other.per_action {
            let bounds = self.per_action.entry(key).or_insert((0, first, last));
            *bounds = (bounds.0 + sum, bounds.1.min(first), bounds.2.max(last));
        }
    }

    /// The objects whose Events may have repeated more than `limit` times with one reason
    /// and message: those whose versions count more than that in all, and those with a
    /// message that counts itself.
    pub fn objects_with_many_events(&self, limit: i64) -> Vec<i64> {
        let mut objects: Vec<i64> =
            self.per_object.iter().filter(|(_, total)| **total > limit).map(|(object, _)| *object).collect();
        objects.extend(&self.counted_in_message);
        objects.sort_unstable();
        objects.dedup();
        objects
    }
}

/// Names as SQL string literals, comma-separated.
fn quoted<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.map(sql_literal).collect::<Vec<_>>().join(", ")
}

/// ` AND o.namespace IN (...)`, or nothing for no namespaces.
fn in_namespaces(namespaces: &[String]) -> String {
    if namespaces.is_empty() {
        String::new()
    } else {
        format!(" AND o.namespace IN ({})", quoted(namespaces.iter().map(String::as_str)))
    }
}

/// The window as bounds for SQL.
fn bounds(window: &Window) -> (i64, i64) {
    (window.since_us.unwrap_or(i64::MIN), window.until_us.unwrap_or(i64::MAX))
}

impl Store {
    /// The objects of these resources (in API group `group`) alive in the window, the most
    /// recently seen first, at most `limit`; and how many there are in all.
    pub fn recent_objects(
        &self,
        window: &Window,
        group: &str,
        resources: &[&str],
        namespaces: &[String],
        limit: usize,
    ) -> Result<(Vec<ObjectRow>, u64)> {
        let (since, until) = bounds(window);
        let filter = format!(
            "o.resource IN ({}) AND o.api_group = ?1
             AND coalesce(o.last_seen_us, o.created_us, 0) >= ?2 AND coalesce(o.created_us, o.first_seen_us, 0) <= ?3{}",
            quoted(resources.iter().copied()),
            in_namespaces(namespaces)
        );
        // These resources can be a third of all objects (ReplicaSets): the index by resource
        // would fetch each from wherever it lies, a scan reads the table in order. The index
        // pays when namespaces narrow it.
        let indexing = if namespaces.is_empty() { "NOT INDEXED" } else { "" };
        let total: i64 = self.conn.query_row(
            &format!("SELECT count(*) FROM objects o {indexing} WHERE {filter}"),
            params![group, since, until],
            |r| r.get(0),
        )?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {OBJECT_COLUMNS} FROM objects o {indexing} JOIN clusters c ON c.id = o.cluster_id WHERE {filter}
             ORDER BY coalesce(o.last_seen_us, o.created_us) DESC, o.id LIMIT ?4"
        ))?;
        let rows = stmt.query_map(params![group, since, until, limit as i64], object_row)?;
        Ok((rows.collect::<Result<_, _>>()?, total as u64))
    }

    /// What the Event checks read from every Event version in the window, in one pass over
    /// the table in order, split by row id among the cores (a scan is CPU-bound in SQLite).
    pub fn event_tallies(&self, window: &Window) -> Result<EventTallies> {
        let (since, until) = bounds(window);
        let names = |value: &str| -> Result<Vec<i64>> {
            let mut stmt = self.conn.prepare_cached("SELECT id FROM strings WHERE value = ?1")?;
            let rows = stmt.query_map([value], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let (warnings, kubelet) = (names("Warning")?, names("kubelet")?);
        let parts = self.id_ranges("event_versions", self.readers())?;
        let tallies = self.share_out(parts.len(), |store, part| {
            let (low, high) = parts[part];
            let mut stmt = store.conn.prepare(
                "SELECT object_id, reason_id, count, series_count, time_us, type_id,
                        coalesce(reporting_component_id, source_component_id), message
                 FROM event_versions NOT INDEXED WHERE id BETWEEN ?1 AND ?2 AND time_us BETWEEN ?3 AND ?4",
            )?;
            let mut rows = stmt.query(params![low, high, since, until])?;
            let mut tallies = EventTallies::default();
            while let Some(row) = rows.next()? {
                let (object, reason): (i64, Option<i64>) = (row.get(0)?, row.get(1)?);
                let (count, series_count, time): (Option<i64>, Option<i64>, i64) =
                    (row.get(2)?, row.get(3)?, row.get(4)?);
                let (kind, component): (Option<i64>, Option<i64>) = (row.get(5)?, row.get(6)?);
                *tallies.per_object.entry(object).or_default() += count.unwrap_or(1).max(series_count.unwrap_or(1));
                // Read in place: SQLite's LIKE '% times)' tries the pattern at every offset.
                if row.get_ref(7)?.as_bytes_or_null()?.is_some_and(|m| m.ends_with(b" times)")) {
                    tallies.counted_in_message.push(object);
                }
                // A controller's action: a Normal Event, not kubelet's (nor of no component,
                // which the exact count takes for kubelet's).
                let normal = kind.is_none_or(|kind| !warnings.contains(&kind));
                let by_controller = component.map_or(kubelet.is_empty(), |c| !kubelet.contains(&c));
                if let (Some(reason), true, true) = (reason, normal, by_controller) {
                    let times = count.or(series_count).unwrap_or(1).max(1);
                    let bounds = tallies.per_action.entry((object, reason)).or_insert((0, time, time));
                    *bounds = (bounds.0 + times, bounds.1.min(time), bounds.2.max(time));
                }
            }
            Ok(tallies)
        })?;
        let mut tallies = tallies.into_iter();
        let mut all = tallies.next().unwrap_or_default();
        for part in tallies {
            all.merge(part);
        }
        Ok(all)
    }

    /// Controllers' Events about one object with one reason (Normal, not kubelet's) that
    /// counted `least` times or more over `span_us` or longer in the window: each Event
    /// counts the most it counted. The tallies bound each (object, reason) by the sum of its
    /// versions' counts; the few over the bounds are then counted exactly through the object
    /// index.
    pub fn repeated_actions(
        &self,
        window: &Window,
        tallies: &EventTallies,
        least: i64,
        span_us: i64,
    ) -> Result<Vec<RepeatedAction>> {
        let (since, until) = bounds(window);
        let mut candidates: Vec<i64> = tallies
            .per_action
            .iter()
            .filter(|(_, (sum, first, last))| *sum >= least && last - first >= span_us)
            .map(|((object, _), _)| *object)
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut found = Vec::new();
        for chunk in candidates.chunks(500) {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT object_id, reason, sum(times), min(first_us), max(last_us) FROM (
                     SELECT e.object_id, reason.value AS reason, max(coalesce(e.count, e.series_count, 1)) AS times,
                            min(e.time_us) AS first_us, max(e.time_us) AS last_us
                     FROM event_versions e
                     JOIN strings reason ON reason.id = e.reason_id
                     LEFT JOIN strings kind ON kind.id = e.type_id
                     LEFT JOIN strings source ON source.id = coalesce(e.reporting_component_id, e.source_component_id)
                     WHERE e.object_id IN ({}) AND e.time_us BETWEEN ?1 AND ?2
                       AND coalesce(kind.value, 'Normal') != 'Warning' AND coalesce(source.value, 'kubelet') != 'kubelet'
                     GROUP BY e.object_id, e.reason_id, e.cluster_id, e.event_key)
                 GROUP BY object_id, reason HAVING sum(times) >= ?3 AND max(last_us) - min(first_us) >= ?4",
                id_list(chunk)
            ))?;
            let rows = stmt.query_map(params![since, until, least, span_us], |r| {
                Ok(RepeatedAction {
                    object_id: r.get(0)?,
                    reason: r.get(1)?,
                    times: r.get(2)?,
                    first_us: r.get(3)?,
                    last_us: r.get(4)?,
                })
            })?;
            for row in rows {
                found.push(row?);
            }
        }
        Ok(found)
    }

    /// How many successful writes to an object's status subresource fell in `[from, to]`.
    pub fn status_writes(&self, object: i64, from_us: i64, to_us: i64) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM requests r WHERE r.object_id = ?1 AND r.received_us BETWEEN ?2 AND ?3
               AND r.code BETWEEN 200 AND 299 AND r.subresource_id IN (SELECT id FROM strings WHERE value = 'status')",
            )?
            .query_row(params![object, from_us, to_us], |r| r.get(0))?)
    }

    /// Whether the log holds any request on the object.
    pub fn has_requests(&self, object: i64) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM requests WHERE object_id = ?1)")?
            .query_row([object], |r| r.get(0))?)
    }

    /// The objects a state showed with a deletionTimestamp in the window, those seen
    /// longest after it first, at most `limit`; and how many there are in all.
    pub fn objects_marked_for_deletion(
        &self,
        window: &Window,
        namespaces: &[String],
        limit: usize,
    ) -> Result<(Vec<ObjectRow>, u64)> {
        let (since, until) = bounds(window);
        let filter = format!("o.deleted_us BETWEEN ?1 AND ?2{}", in_namespaces(namespaces));
        let total: i64 = self.conn.query_row(
            &format!("SELECT count(*) FROM objects o WHERE {filter}"),
            params![since, until],
            |r| r.get(0),
        )?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {OBJECT_COLUMNS} FROM objects o JOIN clusters c ON c.id = o.cluster_id WHERE {filter}
             ORDER BY coalesce(o.last_seen_us, o.deleted_us) - o.deleted_us DESC, o.deleted_us DESC, o.id LIMIT ?3"
        ))?;
        let rows = stmt.query_map(params![since, until, limit as i64], object_row)?;
        Ok((rows.collect::<Result<_, _>>()?, total as u64))
    }

    /// The requests on these objects that `filter` matches, by object then in time order,
    /// as write checks read them.
    pub fn writes_of(&self, filter: &RequestFilter, objects: &[i64], visit: &mut dyn FnMut(WriteRow)) -> Result<()> {
        for chunk in objects.chunks(500) {
            let (clause, params) = RequestFilter { objects: Some(chunk.to_vec()), ..filter.clone() }.sql();
            let sql = format!(
                "SELECT r.object_id, r.user_id, r.received_us, r.base_rv, r.new_rv, r.audit_id FROM requests r
                 {clause} ORDER BY r.object_id, r.received_us, r.id"
            );
            let mut stmt = self.conn.prepare(&sql)?;
            let mut rows = stmt.query(params_from_iter(params))?;
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
        }
        Ok(())
    }

    /// The Events about these objects folded by object, reason and message: each Event (by
    /// uid or namespace/name) counts the most it counted. Groups come in order, one at a time.
    pub fn each_event_group(
        &self,
        window: &Window,
        objects: &[i64],
        visit: &mut dyn FnMut(EventRepeats),
    ) -> Result<()> {
        let (since, until) = bounds(window);
        for chunk in objects.chunks(500) {
            let ids = id_list(chunk);
            self.event_groups_of(&ids, since, until, visit)?;
        }
        Ok(())
    }

    fn event_groups_of(&self, ids: &str, since: i64, until: i64, visit: &mut dyn FnMut(EventRepeats)) -> Result<()> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT e.object_id, reason.value, e.message, max(max(coalesce(e.count, 1), coalesce(e.series_count, 1))),
                    min(coalesce(e.first_us, e.time_us)), max(e.time_us)
             FROM event_versions e LEFT JOIN strings reason ON reason.id = e.reason_id
             WHERE e.object_id IN ({ids}) AND e.time_us BETWEEN ?1 AND ?2
             GROUP BY e.object_id, e.reason_id, e.message, e.cluster_id, e.event_key"
        ))?;
        let mut rows = stmt.query(params![since, until])?;
        let mut group: Option<EventRepeats> = None;
        while let Some(row) = rows.next()? {
            let next = EventRepeats {
                object_id: row.get(0)?,
                reason: row.get(1)?,
                message: row.get(2)?,
                repeats: row.get(3)?,
                first_us: row.get(4)?,
                last_us: row.get(5)?,
            };
            match &mut group {
                Some(folded)
                    if (folded.object_id, &folded.reason, &folded.message)
                        == (next.object_id, &next.reason, &next.message) =>
                {
                    folded.repeats += next.repeats;
                    folded.first_us = folded.first_us.min(next.first_us);
                    folded.last_us = folded.last_us.max(next.last_us);
                }
                _ => {
                    if let Some(done) = group.replace(next) {
                        visit(done);
                    }
                }
            }
        }
        if let Some(done) = group {
            visit(done);
        }
        Ok(())
    }
}
