//! Read queries for objects, their requests and states, and 409s. Rows come back as plain
//! structs; what they mean (chains, diffs, conflict groups) is worked out above the store.

use std::collections::HashMap;

use anyhow::{Context as _, Result};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::Store;
use crate::model::EventDetails;
use crate::model::audit_id::audit_id_text;
use crate::model::block::inflate_block;
use crate::model::time::Window;

/// An object as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRow {
    pub id: i64,
    pub cluster: String,
    pub kind: String,
    pub api_group: String,
    pub api_version: String,
    pub resource: String,
    pub namespace: String,
    pub name: String,
    pub uid: Option<String>,
    pub first_seen_us: Option<i64>,
    pub last_seen_us: Option<i64>,
    pub created_us: Option<i64>,
    pub deleted_us: Option<i64>,
}

impl ObjectRow {
    /// `deployments.apps shop/web`, the way kubectl names things.
    pub fn display(&self) -> String {
        let resource = if self.api_group.is_empty() {
            self.resource.clone()
        } else {
            format!("{}.{}", self.resource, self.api_group)
        };
        if self.namespace.is_empty() {
            format!("{resource} {}", self.name)
        } else {
            format!("{resource} {}/{}", self.namespace, self.name)
        }
    }
}

pub(super) const OBJECT_COLUMNS: &str =
    "o.id, c.name, o.kind, o.api_group, o.api_version, o.resource, o.namespace, o.name, o.uid,
    o.first_seen_us, o.last_seen_us, o.created_us, o.deleted_us";

pub(super) fn object_row(row: &Row) -> rusqlite::Result<ObjectRow> {
    object_row_at(row, 0)
}

/// An object from its columns starting at `at`, as [`OBJECT_COLUMNS`] lists them.
pub(super) fn object_row_at(row: &Row, at: usize) -> rusqlite::Result<ObjectRow> {
    Ok(ObjectRow {
        id: row.get(at)?,
        cluster: row.get(at + 1)?,
        kind: row.get(at + 2)?,
        api_group: row.get(at + 3)?,
        api_version: row.get(at + 4)?,
        resource: row.get(at + 5)?,
        namespace: row.get(at + 6)?,
        name: row.get(at + 7)?,
        uid: row.get(at + 8)?,
        first_seen_us: row.get(at + 9)?,
        last_seen_us: row.get(at + 10)?,
        created_us: row.get(at + 11)?,
        deleted_us: row.get(at + 12)?,
    })
}

/// What SQL narrows objects by; kinds that are not built in are matched by the caller.
#[derive(Debug, Default, Clone, Copy)]
pub struct ObjectQuery<'a> {
    pub name: Option<&'a str>,
    /// A kubectl-style glob (`web-*`).
    pub name_glob: Option<&'a str>,
    /// Names starting with this: a range of the name index, where a glob may not use it.
    pub name_prefix: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub cluster: Option<&'a str>,
    pub uid: Option<&'a str>,
    /// Any of these plural resources (none: any resource).
    pub resources: &'a [String],
    pub group: Option<&'a str>,
}

impl Store {
    /// Objects, newest activity first. Only the conditions given reach the SQL, so that
    /// SQLite can use the index that fits them.
    pub fn objects(&self, query: &ObjectQuery) -> Result<Vec<ObjectRow>> {
        // Every name with the prefix sorts below the prefix followed by the highest code point.
        let prefix_end = query.name_prefix.map(|p| format!("{p}\u{10FFFF}"));
        let given: Vec<(&str, &str)> = [
            ("o.name =", query.name),
            ("o.name >=", query.name_prefix),
            ("o.name <", prefix_end.as_deref()),
            ("o.namespace =", query.namespace),
            ("c.name =", query.cluster),
            ("o.uid =", query.uid),
            ("o.api_group =", query.group),
        ]
        .into_iter()
        .filter_map(|(sql, value)| value.map(|v| (sql, v)))
        .collect();
        let mut conditions: Vec<String> =
            given.iter().enumerate().map(|(i, (sql, _))| format!("{sql} ?{}", i + 1)).collect();
        let mut values: Vec<&str> = given.iter().map(|(_, value)| *value).collect();
        if let Some(glob) = query.name_glob {
            conditions.push(format!("o.name GLOB {}", super::sql_literal(glob)));
        }
        if !query.resources.is_empty() {
            let first = values.len() + 1;
            let placeholders: Vec<String> = (first..first + query.resources.len()).map(|i| format!("?{i}")).collect();
            // A name narrows far more than a kind: `+` keeps SQLite from choosing the kind index
            // over the name index when both apply.
            let column = if query.name.is_some() || query.name_prefix.is_some() { "+o.resource" } else { "o.resource" };
            conditions.push(format!("{column} IN ({})", placeholders.join(", ")));
            values.extend(query.resources.iter().map(String::as_str));
        }
        let filter = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
        let sql = format!(
            "SELECT {OBJECT_COLUMNS} FROM objects o JOIN clusters c ON c.id = o.cluster_id {filter}
         ORDER BY coalesce(o.last_seen_us, o.created_us, 0) DESC, o.id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(values), object_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Store {
    pub fn object_by_id(&self, id: i64) -> Result<Option<ObjectRow>> {
        let sql =
            format!("SELECT {OBJECT_COLUMNS} FROM objects o JOIN clusters c ON c.id = o.cluster_id WHERE o.id = ?1");
        Ok(self.conn.prepare_cached(&sql)?.query_row([id], object_row).optional()?)
    }
}

impl Store {
    /// Plural resources the data showed for a kind (CRDs: learned from audit requests).
    pub fn learned_resources(&self, kind: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT resource FROM api_resources WHERE lower(kind) = lower(?1)")?;
        let rows = stmt.query_map([kind], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Store {
    /// Every object name of the store, for "did you mean" suggestions.
    /// Each kind the store holds objects of, with its plural resource and group.
    pub fn object_kinds(&self) -> Result<Vec<(String, String, String)>> {
        let mut stmt = self.conn.prepare("SELECT DISTINCT kind, resource, api_group FROM objects")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The names of objects whose kind, resource and group pass `kind`.
    pub fn object_names_of(&self, kind: &dyn Fn(&str, &str, &str) -> bool) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT DISTINCT kind, resource, api_group, name FROM objects")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get(3)?))
        })?;
        let mut names = Vec::new();
        for row in rows {
            let (k, resource, group, name) = row?;
            if kind(&k, &resource, &group) {
                names.push(name);
            }
        }
        Ok(names)
    }

    /// Every namespace objects are in, sorted.
    pub fn namespaces(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT DISTINCT namespace FROM objects ORDER BY namespace")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn object_names(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT DISTINCT name FROM objects")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// How much the store holds about one object.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    pub requests: i64,
    pub events: i64,
    /// The controller owner, as `Kind/name`.
    pub controller: Option<String>,
}

impl Store {
    pub fn activity(&self, object: i64) -> Result<Activity> {
        let requests =
            self.conn.query_row("SELECT count(*) FROM requests WHERE object_id = ?1", [object], |r| r.get(0))?;
        let events =
            self.conn.query_row("SELECT count(*) FROM event_versions WHERE object_id = ?1", [object], |r| r.get(0))?;
        let controller = self
            .conn
            .query_row(
                "SELECT CASE WHEN o.kind = '' THEN o.resource ELSE o.kind END || '/' || o.name
             FROM owner_refs r JOIN objects o ON o.id = r.owner_id WHERE r.object_id = ?1 AND r.controller >= 1",
                [object],
                |r| r.get(0),
            )
            .optional()?;
        Ok(Activity { requests, events, controller })
    }
}

/// Where a body sits in `state_blocks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLocation {
    pub block: i64,
    pub offset: i64,
    pub len: i64,
}

/// One request, with its strings resolved.
#[derive(Debug, Clone)]
pub struct RequestRow {
    pub id: i64,
    pub object_id: Option<i64>,
    pub audit_id: String,
    pub verb: String,
    pub subresource: Option<String>,
    pub user: String,
    pub impersonated_user: Option<String>,
    pub user_agent: Option<String>,
    pub source_ip: Option<String>,
    pub code: Option<i64>,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub received_us: i64,
    pub completed_us: i64,
    pub base_rv: Option<String>,
    pub new_rv: Option<String>,
    /// 1 Metadata, 2 Request, 3 RequestResponse.
    pub level: i64,
    /// Whether ResponseComplete (or Panic) was seen.
    pub complete: bool,
    pub body: Option<BodyLocation>,
    /// The `fieldManager` the request named.
    pub field_manager: Option<String>,
}

impl RequestRow {
    pub fn succeeded(&self) -> bool {
        self.code.is_some_and(|c| (200..300).contains(&c))
    }

    /// Why a request failed, as the apiserver said: `Conflict: Operation cannot be ...`.
    pub fn failure(&self) -> String {
        let reason = self.reason.clone().or(self.code.map(|c| c.to_string()));
        match (reason, &self.message) {
            (Some(reason), Some(message)) => format!("{reason}: {message}"),
            (Some(reason), None) => reason,
            (None, _) => "no response recorded".to_owned(),
        }
    }

    pub fn is_write(&self) -> bool {
        crate::model::is_write_verb(&self.verb)
    }

    pub fn is_conflict(&self) -> bool {
        self.code == Some(409) && self.reason.as_deref() == Some("Conflict")
    }
}

/// The columns [`request_row`] reads, in its order.
const REQUEST_COLUMNS: &str =
    "r.object_id, r.id, r.audit_id, v.value, sr.value, u.value, iu.value, a.value, ip.value, r.code,
       rs.value, r.message, r.received_us, r.completed_us, r.base_rv, r.new_rv, r.level, r.stages, r.body_block,
       r.body_offset, r.body_len, fm.value";

/// How many columns [`request_row`] reads: columns after them are the caller's.
pub(super) const REQUEST_ROW_WIDTH: usize = 22;

/// `SELECT` of a request's columns, then `extra` ones, from `requests r` and its strings.
pub(super) fn request_select(extra: &str) -> String {
    let extra = if extra.is_empty() { String::new() } else { format!(", {extra}") };
    format!(
        "SELECT {REQUEST_COLUMNS}{extra}
FROM requests r
JOIN strings v ON v.id = r.verb_id
LEFT JOIN strings sr ON sr.id = r.subresource_id
LEFT JOIN strings u ON u.id = r.user_id
LEFT JOIN strings iu ON iu.id = r.impersonated_id
LEFT JOIN strings a ON a.id = r.agent_id
LEFT JOIN strings ip ON ip.id = r.source_ip_id
LEFT JOIN strings rs ON rs.id = r.reason_id
LEFT JOIN strings fm ON fm.id = r.field_manager_id"
    )
}

pub(super) fn request_row(row: &Row) -> rusqlite::Result<RequestRow> {
    let key: Vec<u8> = row.get(2)?;
    let block: Option<i64> = row.get(18)?;
    Ok(RequestRow {
        object_id: row.get(0)?,
        id: row.get(1)?,
        audit_id: audit_id_text(&key),
        verb: row.get(3)?,
        subresource: row.get(4)?,
        user: row.get::<_, Option<String>>(5)?.unwrap_or_default(),
        impersonated_user: row.get(6)?,
        user_agent: row.get(7)?,
        source_ip: row.get(8)?,
        code: row.get(9)?,
        reason: row.get(10)?,
        message: row.get(11)?,
        received_us: row.get(12)?,
        completed_us: row.get(13)?,
        base_rv: row.get(14)?,
        new_rv: row.get(15)?,
        level: row.get(16)?,
        complete: row.get::<_, i64>(17)? & 12 != 0,
        body: match block {
            Some(block) => Some(BodyLocation { block, offset: row.get(19)?, len: row.get(20)? }),
            None => None,
        },
        field_manager: row.get(21)?,
    })
}

/// Rows about each of `objects`, by object, in the order `sql` gives (`sql` selects the
/// object id first and has `{ids}` where the list of ids goes). One query per 500 objects
/// rather than one per object: traces read hundreds. The ids go in as one JSON array, so
/// that the SQL is the same for any number of them and is prepared once a connection
/// (analyze asks about a few objects thousands of times).
fn by_object<T>(
    conn: &Connection,
    objects: &[i64],
    sql: &str,
    row: impl Fn(&Row) -> rusqlite::Result<T>,
) -> Result<HashMap<i64, Vec<T>>> {
    let mut grouped: HashMap<i64, Vec<T>> = HashMap::new();
    let mut stmt = conn.prepare_cached(&sql.replace("{ids}", "SELECT value FROM json_each(?1)"))?;
    for chunk in objects.chunks(500) {
        let mut rows = stmt.query([format!("[{}]", super::id_list(chunk))])?;
        while let Some(r) = rows.next()? {
            grouped.entry(r.get(0)?).or_default().push(row(r)?);
        }
    }
    Ok(grouped)
}

impl Store {
    /// The requests about each object, oldest first.
    pub fn requests_of(&self, objects: &[i64]) -> Result<HashMap<i64, Vec<RequestRow>>> {
        let sql =
            format!("{} WHERE r.object_id IN ({{ids}}) ORDER BY r.object_id, r.received_us, r.id", request_select(""));
        by_object(&self.conn, objects, &sql, request_row)
    }
}

impl Store {
    /// The requests about one object, oldest first.
    pub fn object_requests(&self, object: i64) -> Result<Vec<RequestRow>> {
        Ok(self.requests_of(&[object])?.remove(&object).unwrap_or_default())
    }
}

impl Store {
    /// The successful writes of every object that had a 409 in the window, by object, oldest
    /// first: where the winners and retries of those 409s are. One query, not one per 409.
    pub fn writes_of_conflicted_objects(&self, window: &Window) -> Result<HashMap<i64, Vec<RequestRow>>> {
        let sql = format!(
            "{}
         WHERE r.object_id IN (SELECT DISTINCT object_id FROM requests
                               WHERE code = 409 AND received_us BETWEEN ?1 AND ?2 AND object_id IS NOT NULL)
           AND r.code BETWEEN 200 AND 299
           AND v.value IN ('create', 'update', 'patch', 'delete', 'deletecollection')
         ORDER BY r.object_id, r.received_us, r.id",
            request_select("")
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(
            params![window.since_us.unwrap_or(i64::MIN), window.until_us.unwrap_or(i64::MAX)],
            request_row,
        )?;
        let mut writes: HashMap<i64, Vec<RequestRow>> = HashMap::new();
        for row in rows {
            let row = row?;
            writes.entry(row.object_id.unwrap_or_default()).or_default().push(row);
        }
        Ok(writes)
    }
}

impl Store {
    /// Every 409 in a window, oldest first.
    pub fn conflict_requests(&self, window: &Window) -> Result<Vec<RequestRow>> {
        let sql = format!(
            "{} WHERE r.code = 409 AND r.received_us >= ?1 AND r.received_us <= ?2 ORDER BY r.received_us, r.id",
            request_select("")
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(
            params![window.since_us.unwrap_or(i64::MIN), window.until_us.unwrap_or(i64::MAX)],
            request_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// One stored state of an object.
#[derive(Debug, Clone)]
pub struct StateRow {
    pub resource_version: String,
    pub observed_us: Option<i64>,
    /// From a dump rather than an audit response.
    pub from_dump: bool,
    pub body: BodyLocation,
}

impl Store {
    /// The stored states of each object.
    pub fn states_of(&self, objects: &[i64]) -> Result<HashMap<i64, Vec<StateRow>>> {
        let sql = "SELECT object_id, resource_version, observed_us, source, block_id, block_offset, body_len
               FROM object_states WHERE object_id IN ({ids})";
        by_object(&self.conn, objects, sql, |r| {
            Ok(StateRow {
                resource_version: r.get(1)?,
                observed_us: r.get(2)?,
                from_dump: r.get::<_, i64>(3)? == 1,
                body: BodyLocation { block: r.get(4)?, offset: r.get(5)?, len: r.get(6)? },
            })
        })
    }
}

impl Store {
    pub fn object_states(&self, object: i64) -> Result<Vec<StateRow>> {
        Ok(self.states_of(&[object])?.remove(&object).unwrap_or_default())
    }
}

/// Reads bodies, inflating each block once.
pub struct Bodies<'c> {
    store: &'c Store,
    /// Inflated blocks, with when each was last used.
    blocks: HashMap<i64, (Vec<u8>, u64)>,
    /// How many blocks are kept; the least recently used goes first.
    capacity: usize,
    uses: u64,
}

impl<'c> Bodies<'c> {
    /// Keeps every block read: for a question about a few objects.
    pub fn new(store: &'c Store) -> Bodies<'c> {
        Bodies::bounded(store, usize::MAX)
    }

    /// Keeps at most `capacity` blocks (each some 100 kB inflated): for a pass over a whole store.
    pub fn bounded(store: &'c Store, capacity: usize) -> Bodies<'c> {
        Bodies { store, blocks: HashMap::new(), capacity: capacity.max(1), uses: 0 }
    }

    /// A body as JSON, or why it cannot be read back (too deeply nested for the parser, say):
    /// one odd body costs the question about it, not every question about its tree. A block
    /// that cannot be read at all is the store's failure, and an error.
    pub fn json(&mut self, at: BodyLocation) -> Result<Result<serde_json::Value, String>> {
        Ok(serde_json::from_slice(self.raw(at)?).map_err(|e| e.to_string()))
    }

    /// A body as stored: compact JSON (what `json` parses).
    pub fn raw(&mut self, at: BodyLocation) -> Result<&[u8]> {
        self.uses += 1;
        if let Some(cached) = self.blocks.get_mut(&at.block) {
            cached.1 = self.uses;
        } else {
            let data: Vec<u8> = self
                .store
                .conn
                .prepare_cached("SELECT data FROM state_blocks WHERE id = ?1")?
                .query_row([at.block], |r| r.get(0))?;
            if self.blocks.len() >= self.capacity
                && let Some(oldest) = self.blocks.iter().min_by_key(|(_, (_, used))| *used).map(|(id, _)| *id)
            {
                self.blocks.remove(&oldest);
            }
            self.blocks.insert(at.block, (inflate_block(&data).context("a corrupt body block")?, self.uses));
        }
        let block = &self.blocks[&at.block].0;
        block.get(at.offset as usize..(at.offset + at.len) as usize).context("a body outside its block")
    }
}

impl Store {
    /// The time of the newest record: the end that durations in `--since` count back from.
    pub fn newest_us(&self) -> Result<Option<i64>> {
        let requests: Option<i64> = self.conn.query_row("SELECT max(received_us) FROM requests", [], |r| r.get(0))?;
        let events: Option<i64> = self.conn.query_row("SELECT max(time_us) FROM event_versions", [], |r| r.get(0))?;
        Ok(requests.max(events))
    }
}

/// One `ownerReferences` entry between two objects of the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnerLink {
    pub object_id: i64,
    pub owner_id: i64,
    /// `controller: true`, or a parent link: the owner is the object's parent.
    pub controller: bool,
    /// The parent a Kelemetry `parent-link` annotation names (stored as `controller` 2).
    pub parent_link: bool,
}

fn owner_link(row: &Row) -> rusqlite::Result<OwnerLink> {
    let kind = row.get::<_, i64>(2)?;
    Ok(OwnerLink { object_id: row.get(0)?, owner_id: row.get(1)?, controller: kind >= 1, parent_link: kind == 2 })
}

impl Store {
    /// The owners an object's ownerReferences name, the controller first.
    pub fn owners_of(&self, object: i64) -> Result<Vec<OwnerLink>> {
        owner_links(&self.conn, "WHERE object_id = ?1 ORDER BY controller DESC, owner_id", object)
    }
}

impl Store {
    /// The ownerReferences without `controller: true` of each object: links, not parents.
    pub fn other_owners_of(&self, objects: &[i64]) -> Result<HashMap<i64, Vec<OwnerLink>>> {
        let sql = "SELECT object_id, owner_id, controller FROM owner_refs WHERE object_id IN ({ids}) AND controller = 0
               ORDER BY object_id, owner_id";
        by_object(&self.conn, objects, sql, owner_link)
    }
}

impl Store {
    /// The objects whose ownerReferences name this one.
    pub fn owned_by(&self, owner: i64) -> Result<Vec<OwnerLink>> {
        owner_links(&self.conn, "WHERE owner_id = ?1 ORDER BY object_id", owner)
    }
}

/// The ownerReferences that `filter` (a WHERE clause on `?1`, and an ORDER BY) selects.
fn owner_links(conn: &Connection, filter: &str, id: i64) -> Result<Vec<OwnerLink>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT object_id, owner_id, controller FROM owner_refs {filter}"))?;
    let rows = stmt.query_map([id], owner_link)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Store {
    /// Whether any body of the object is stored: if so, its ownerReferences are known (maybe none).
    pub fn has_body(&self, object: i64) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM object_states WHERE object_id = ?1)")?
            .query_row([object], |r| r.get(0))?)
    }
}

/// An Event version from `id, api, uid, ... time_us` in columns 1 to 22 (0 is the caller's).
pub(super) fn event_row(r: &Row) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        id: r.get(1)?,
        api: r.get(2)?,
        details: EventDetails {
            uid: r.get(3)?,
            name: r.get(4)?,
            namespace: r.get(5)?,
            resource_version: r.get(6)?,
            field_path: r.get(7)?,
            reason: r.get(8)?,
            event_type: r.get(9)?,
            message: r.get(10)?,
            action: r.get(11)?,
            source_component: r.get(12)?,
            source_host: r.get(13)?,
            reporting_component: r.get(14)?,
            reporting_instance: r.get(15)?,
            count: r.get(16)?,
            series_count: r.get(17)?,
            first_us: r.get(18)?,
            last_us: r.get(19)?,
            event_time_us: r.get(20)?,
            series_last_us: r.get(21)?,
        },
        time_us: r.get(22)?,
    })
}

/// One version of a Kubernetes Event (each count bump is its own row).
#[derive(Debug, Clone)]
pub struct EventRow {
    pub id: i64,
    pub api: String,
    pub details: EventDetails,
    /// The Event's time after the fallbacks (see docs/schema.md).
    pub time_us: i64,
}

impl Store {
    /// The Events about each object, oldest first.
    pub fn events_of(&self, objects: &[i64]) -> Result<HashMap<i64, Vec<EventRow>>> {
        let sql =
            "SELECT object_id, id, api, uid, name, namespace, resource_version, field_path, reason, type, message,
                      action, source_component, source_host, reporting_component, reporting_instance, count,
                      series_count, first_us, last_us, event_time_us, series_last_us, time_us
               FROM events WHERE object_id IN ({ids}) ORDER BY object_id, time_us, id";
        by_object(&self.conn, objects, sql, event_row)
    }
}
