//! The audit trail as `requests` searches it: one query built from the filters, rows handed
//! to a callback as SQLite steps (nothing is collected), and the key columns an aggregate
//! groups by. Text patterns are resolved to string ids first: a request row holds ids, so a
//! filter on users compares integers, through the `requests_user` index.

use std::collections::HashMap;

use anyhow::Result;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Row, params_from_iter};

use super::read::{REQUEST_ROW_WIDTH, RequestRow, request_row, request_select};
use super::{Store, id_list};

/// How a filter's text matches a stored string.
#[derive(Debug, Clone)]
pub enum TextMatch {
    Exact(String),
    /// SQLite's GLOB: `*`, `?`, `[...]`, case-sensitive.
    Glob(String),
    Substring(String),
}

/// Which requests, every condition resolved to what the rows hold. `None` sets match
/// anything; an empty set matches nothing.
#[derive(Debug, Default, Clone)]
pub struct RequestFilter {
    pub since_us: Option<i64>,
    pub until_us: Option<i64>,
    pub clusters: Option<Vec<i64>>,
    pub verbs: Option<Vec<i64>>,
    pub resources: Option<Vec<i64>>,
    pub excluded_resources: Vec<i64>,
    pub subresources: Option<Vec<i64>>,
    pub excluded_subresources: Vec<i64>,
    pub namespaces: Option<Vec<i64>>,
    /// Matched against the user, and the impersonated user when `impersonated` says that
    /// some request impersonates one of them (else the term would cost the index its order).
    pub users: Option<Vec<i64>>,
    pub impersonated: bool,
    pub groups: Option<Vec<i64>>,
    pub agents: Option<Vec<i64>>,
    pub source_ips: Option<Vec<i64>>,
    pub field_managers: Option<Vec<i64>>,
    /// The status reasons (`Conflict`, `AlreadyExists`, `Invalid`).
    pub reasons: Option<Vec<i64>>,
    pub objects: Option<Vec<i64>>,
    /// A GLOB on the object's name.
    pub name_glob: Option<String>,
    /// Inclusive ranges of HTTP codes, any of which matches (empty: any code).
    pub codes: Vec<(i64, i64)>,
    /// Requests that completed at least this long after they were received.
    pub min_latency_us: Option<i64>,
    /// Stored auditID keys (a reused ID's other requests match too).
    pub audit_ids: Vec<Vec<u8>>,
    /// Server-side applies only.
    pub applies: bool,
    /// Requests PodSecurity admission flagged in audit or warn mode only.
    pub pod_security: bool,
}

impl RequestFilter {
    /// The `WHERE` clause and its parameters. Ids are integers from the store and go into
    /// the SQL as they are; text goes in as parameters.
    pub(super) fn sql(&self) -> (String, Vec<Value>) {
        let mut terms: Vec<String> = Vec::new();
        let mut params: Vec<Value> = Vec::new();
        let mut any_of = |column: &str, ids: &Option<Vec<i64>>| {
            if let Some(ids) = ids {
                terms.push(format!("{column} IN ({})", id_list(ids)));
            }
        };
        any_of("r.cluster_id", &self.clusters);
        any_of("r.verb_id", &self.verbs);
        any_of("r.resource_id", &self.resources);
        any_of("r.subresource_id", &self.subresources);
        any_of("r.namespace_id", &self.namespaces);
        any_of("r.groups_id", &self.groups);
        any_of("r.agent_id", &self.agents);
        any_of("r.source_ip_id", &self.source_ips);
        any_of("r.field_manager_id", &self.field_managers);
        any_of("r.reason_id", &self.reasons);
        any_of("r.object_id", &self.objects);
        if let Some(users) = &self.users {
            let users = id_list(users);
            // A user's 409s are found faster through the index of all 409s (a few) than
            // through the user's requests (maybe millions): `+` keeps SQLite off the latter.
            let column = if self.codes == [(409, 409)] { "+r.user_id" } else { "r.user_id" };
            terms.push(if self.impersonated {
                // Two IN terms SQLite answers with two indexes (user, impersonated user).
                format!("(r.user_id IN ({users}) OR r.impersonated_id IN ({users}))")
            } else {
                format!("{column} IN ({users})")
            });
        }
        if !self.excluded_resources.is_empty() {
            terms.push(format!("coalesce(r.resource_id NOT IN ({}), 1)", id_list(&self.excluded_resources)));
        }
        if !self.excluded_subresources.is_empty() {
            terms.push(format!("coalesce(r.subresource_id NOT IN ({}), 1)", id_list(&self.excluded_subresources)));
        }
        if let Some(since) = self.since_us {
            terms.push(format!("r.received_us >= {since}"));
        }
        if let Some(until) = self.until_us {
            terms.push(format!("r.received_us <= {until}"));
        }
        if !self.codes.is_empty() {
            // `code = 409` (not BETWEEN 409 AND 409): the 409s have an index of their own.
            let ranges: Vec<String> =
                self.codes
                    .iter()
                    .map(|(low, high)| {
                        if low == high { format!("r.code = {low}") } else { format!("r.code BETWEEN {low} AND {high}") }
                    })
                    .collect();
            terms.push(format!("({})", ranges.join(" OR ")));
        }
        if let Some(latency) = self.min_latency_us {
            terms.push(format!("(r.stages & 12 != 0 AND r.completed_us - r.received_us >= {latency})"));
        }
        if self.applies {
            terms.push("r.server_side_apply = 1".to_owned());
        }
        if self.pod_security {
            terms.push("r.pod_security_id IS NOT NULL".to_owned());
        }
        if let Some(glob) = &self.name_glob {
            params.push(Value::Text(glob.clone()));
            terms.push(format!("r.object_id IN (SELECT id FROM objects WHERE name GLOB ?{})", params.len()));
        }
        if !self.audit_ids.is_empty() {
            let mut keys = Vec::new();
            for key in &self.audit_ids {
                // A reused ID's key is the ID, 0xFF, then 8 bytes of time: a range after it.
                let mut reused_from = key.clone();
                reused_from.push(crate::model::audit_id::REUSED);
                let mut reused_to = reused_from.clone();
                reused_to.extend_from_slice(&[0xFF; 9]);
                params.extend([Value::Blob(key.clone()), Value::Blob(reused_from), Value::Blob(reused_to)]);
                let n = params.len();
                keys.push(format!("r.audit_id = ?{} OR r.audit_id BETWEEN ?{} AND ?{}", n - 2, n - 1, n));
            }
            terms.push(format!("({})", keys.join(" OR ")));
        }
        let clause = if terms.is_empty() { String::new() } else { format!("WHERE {}", terms.join(" AND ")) };
        (clause, params)
    }

    /// Whether an index finds the rows (a user's, an object's, an auditID's, the 409s): then
    /// one query through it beats scanning the table in parts.
    fn is_indexed(&self) -> bool {
        self.users.is_some() || self.objects.is_some() || !self.audit_ids.is_empty() || self.codes == [(409, 409)]
    }

    /// Whether only failures (codes of 400 and over, not the indexed 409s) are asked for,
    /// and nothing an index finds.
    fn is_rare_failure(&self) -> bool {
        !self.codes.is_empty() && self.codes.iter().all(|(low, _)| *low >= 400) && !self.is_indexed()
    }

    /// Whether a set is empty, so that no row can match: no need to ask SQLite.
    fn matches_nothing(&self) -> bool {
        [
            &self.clusters,
            &self.verbs,
            &self.resources,
            &self.subresources,
            &self.namespaces,
            &self.users,
            &self.groups,
            &self.agents,
            &self.source_ips,
            &self.field_managers,
            &self.reasons,
            &self.objects,
        ]
        .iter()
        .any(|set| set.as_ref().is_some_and(Vec::is_empty))
    }
}

/// A request with what a listing shows besides [`RequestRow`].
#[derive(Debug, Clone)]
pub struct RequestLine {
    pub request: RequestRow,
    pub cluster: String,
    /// `resource` or `resource.group`.
    pub resource: Option<String>,
    pub namespace: Option<String>,
    /// The object's, for requests on one object.
    pub name: Option<String>,
    pub kind: Option<String>,
    pub uid: Option<String>,
    /// For requests on no single object (list, watch, non-resource URLs).
    pub uri: Option<String>,
    /// `user.groups`, comma-separated.
    pub groups: Option<String>,
}

pub(super) const LINE_COLUMNS: &str = "c.name, res.value, ns.value, o.name, o.kind, o.uid, uri.value, g.value";

pub(super) const LINE_JOINS: &str = "
JOIN clusters c ON c.id = r.cluster_id
LEFT JOIN objects o ON o.id = r.object_id
LEFT JOIN strings res ON res.id = r.resource_id
LEFT JOIN strings ns ON ns.id = r.namespace_id
LEFT JOIN strings uri ON uri.id = r.uri_id
LEFT JOIN strings g ON g.id = r.groups_id";

pub(super) fn request_line(row: &Row) -> rusqlite::Result<RequestLine> {
    let at = |i: usize| REQUEST_ROW_WIDTH + i;
    Ok(RequestLine {
        request: request_row(row)?,
        cluster: row.get(at(0))?,
        resource: row.get(at(1))?,
        namespace: row.get(at(2))?,
        name: row.get(at(3))?,
        kind: row.get(at(4))?,
        uid: row.get(at(5))?,
        uri: row.get(at(6))?,
        groups: row.get(at(7))?,
    })
}

/// The order of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestOrder {
    Oldest,
    Newest,
}

/// What an aggregate groups requests by (`requests --by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum RequestKey {
    User,
    Verb,
    Resource,
    Code,
    Namespace,
    Agent,
    #[value(name = "ip")]
    SourceIp,
    /// The object; for requests on none, the collection (resource and namespace) or the URI.
    Object,
    FieldManager,
    /// What PodSecurity admission said a request let through would violate.
    PodSecurity,
    /// `namespace` for a request in one namespace, `cluster` for one across them or on a
    /// cluster-scoped resource (the API call latency SLO tells the lists apart so).
    Scope,
}

impl RequestKey {
    /// The columns that make the key: string ids (object ids for `Object`'s first).
    fn columns(self) -> &'static [&'static str] {
        match self {
            RequestKey::User => &["r.user_id"],
            RequestKey::Verb => &["r.verb_id"],
            RequestKey::Resource => &["r.resource_id"],
            RequestKey::Code => &["r.code"],
            RequestKey::Namespace => &["r.namespace_id"],
            RequestKey::Agent => &["r.agent_id"],
            RequestKey::SourceIp => &["r.source_ip_id"],
            RequestKey::Object => &[
                "r.object_id",
                "CASE WHEN r.object_id IS NULL THEN r.resource_id END",
                "CASE WHEN r.object_id IS NULL THEN r.namespace_id END",
                "CASE WHEN r.object_id IS NULL AND r.resource_id IS NULL THEN r.uri_id END",
            ],
            RequestKey::FieldManager => &["r.field_manager_id"],
            RequestKey::PodSecurity => &["r.pod_security_id"],
            RequestKey::Scope => &["r.namespace_id IS NOT NULL"],
        }
    }

    /// How many values of a key row [`RequestKey::columns`] gives.
    pub fn width(self) -> usize {
        self.columns().len()
    }
}

/// A request's row id (ingest order, what [`Store::request_line`] fetches again) and time.
#[derive(Debug, Clone, Copy)]
pub struct RowAt {
    pub id: i64,
    pub received_us: i64,
}

/// One request as an aggregate sees it.
pub struct KeyedRequest<'a> {
    /// Where and when, for a fold that asked for them.
    pub at: Option<RowAt>,
    /// The values of the keys' columns, in their order.
    pub key: &'a [Option<i64>],
    /// `None` when the log lacks the request's end.
    pub latency_us: Option<i64>,
    pub code: Option<i64>,
}

impl Store {
    /// The ids of the strings that match: exact matches through the unique index, patterns
    /// by a scan of the strings (short: each distinct text once).
    pub fn string_ids(&self, text: &TextMatch) -> Result<Vec<i64>> {
        let (sql, value) = match text {
            TextMatch::Exact(value) => ("SELECT id FROM strings WHERE value = ?1", value),
            TextMatch::Glob(glob) => ("SELECT id FROM strings WHERE value GLOB ?1", glob),
            TextMatch::Substring(part) => ("SELECT id FROM strings WHERE instr(value, ?1) > 0", part),
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        let ids = stmt.query_map([value], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// The ids of the strings `keep` accepts, for matches SQL cannot say (CIDR ranges, one
    /// group of a comma-separated list).
    pub fn string_ids_where(&self, keep: &dyn Fn(&str) -> bool) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare("SELECT id, value FROM strings")?;
        let mut rows = stmt.query([])?;
        let mut ids = Vec::new();
        while let Some(row) = rows.next()? {
            if keep(row.get_ref(1)?.as_str()?) {
                ids.push(row.get(0)?);
            }
        }
        Ok(ids)
    }

    /// The text of each string id.
    pub fn string_values(&self, ids: impl IntoIterator<Item = i64>) -> Result<HashMap<i64, String>> {
        let mut stmt = self.conn.prepare_cached("SELECT value FROM strings WHERE id = ?1")?;
        let mut values = HashMap::new();
        for id in ids {
            if let std::collections::hash_map::Entry::Vacant(slot) = values.entry(id) {
                slot.insert(stmt.query_row([id], |r| r.get(0))?);
            }
        }
        Ok(values)
    }

    /// Whether any request impersonates one of these users (through the small partial index).
    pub fn impersonates_any(&self, users: &[i64]) -> Result<bool> {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM requests WHERE impersonated_id IN ({}))", id_list(users));
        Ok(self.conn.query_row(&sql, [], |r| r.get(0))?)
    }

    /// The ids of the clusters with this name.
    pub fn cluster_ids(&self, name: &str) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached("SELECT id FROM clusters WHERE name = ?1")?;
        let ids = stmt.query_map([name], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// Each matching request in `order`, up to `limit`, handed to `visit` as SQLite finds
    /// it; `visit` returns false to stop. Returns how many it saw.
    pub fn each_request(
        &self,
        filter: &RequestFilter,
        order: RequestOrder,
        limit: Option<u64>,
        visit: &mut dyn FnMut(RequestLine) -> Result<bool>,
    ) -> Result<u64> {
        if filter.matches_nothing() {
            return Ok(0);
        }
        let (clause, params) = filter.sql();
        let order = match order {
            RequestOrder::Oldest => "r.received_us, r.id",
            RequestOrder::Newest => "r.received_us DESC, r.id DESC",
        };
        let limit = limit.map_or(String::new(), |n| format!("LIMIT {n}"));
        let mut select = request_select(LINE_COLUMNS);
        if filter.is_rare_failure() {
            // In time order through the time index, SQLite would visit every row to find
            // the few failures; a scan in table order and a sort of the few is faster.
            select = select.replacen("FROM requests r", "FROM requests r NOT INDEXED", 1);
        }
        let sql = format!("{select} {LINE_JOINS} {clause} ORDER BY {order} {limit}");
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(params))?;
        let mut seen = 0;
        while let Some(row) = rows.next()? {
            seen += 1;
            if !visit(request_line(row)?)? {
                break;
            }
        }
        Ok(seen)
    }

    /// One request as a listing shows it, by its row id.
    pub fn request_line(&self, id: i64) -> Result<Option<RequestLine>> {
        let sql = format!("{} {LINE_JOINS} WHERE r.id = ?1", request_select(LINE_COLUMNS));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        Ok(stmt.query_row([id], request_line).optional()?)
    }

    /// The matching requests' users, times and auditIDs, by user then time: what a rate per
    /// user needs, without the joins of a listing.
    pub fn each_user_time(&self, filter: &RequestFilter, visit: &mut dyn FnMut(i64, i64, &[u8])) -> Result<()> {
        if filter.matches_nothing() {
            return Ok(());
        }
        let (clause, params) = filter.sql();
        let indexing = if filter.is_indexed() { "" } else { "NOT INDEXED" };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT coalesce(r.user_id, 0), r.received_us, r.audit_id FROM requests r {indexing} {clause}
             ORDER BY 1, 2, r.id"
        ))?;
        let mut rows = stmt.query(params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            let key = row.get_ref(2)?.as_blob()?;
            visit(row.get(0)?, row.get(1)?, key);
        }
        Ok(())
    }

    /// Per user, the clock hour with the most matching requests, when that is more than
    /// `more_than`: (user, hour since the epoch, requests, the first's auditID). One pass.
    pub fn busiest_hours(&self, filter: &RequestFilter, more_than: u64) -> Result<Vec<(String, i64, u64, String)>> {
        if filter.matches_nothing() {
            return Ok(Vec::new());
        }
        let (clause, params) = filter.sql();
        let sql = format!(
            "SELECT u.value, hours.hour, hours.n, r.audit_id FROM (
                 SELECT r.user_id, r.received_us / 3600000000 AS hour, count(*) AS n, min(r.id) AS first
                 FROM requests r {clause} GROUP BY 1, 2 HAVING count(*) > {more_than}) hours
             JOIN requests r ON r.id = hours.first LEFT JOIN strings u ON u.id = hours.user_id
             ORDER BY hours.n DESC, hours.hour"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(params))?;
        let mut busiest: Vec<(String, i64, u64, String)> = Vec::new();
        while let Some(row) = rows.next()? {
            let user: String = row.get::<_, Option<String>>(0)?.unwrap_or_default();
            if busiest.iter().any(|(u, ..)| *u == user) {
                continue;
            }
            let key: Vec<u8> = row.get(3)?;
            busiest.push((
                user,
                row.get(1)?,
                row.get::<_, i64>(2)? as u64,
                crate::model::audit_id::audit_id_text(&key),
            ));
        }
        Ok(busiest)
    }

    /// How many requests match.
    pub fn count_requests(&self, filter: &RequestFilter) -> Result<u64> {
        if filter.matches_nothing() {
            return Ok(0);
        }
        let (clause, params) = filter.sql();
        let sql = format!("SELECT count(*) FROM requests r {clause}");
        let count: i64 = self.conn.query_row(&sql, params_from_iter(params), |r| r.get(0))?;
        Ok(count as u64)
    }

    /// Folds each matching request's key columns, latency and code (and with `timed`, its
    /// [`RowAt`]: two more columns cost a full scan a fifth more) into accumulators, in no
    /// order: the table is split by row id among the cores, each part read on a connection
    /// of its own (a full scan is CPU-bound in SQLite). One accumulator a part.
    pub fn fold_keyed_requests<A: Send>(
        &self,
        filter: &RequestFilter,
        keys: &[RequestKey],
        timed: bool,
        init: impl Fn() -> A + Sync,
        fold: impl Fn(&mut A, KeyedRequest) + Sync,
    ) -> Result<Vec<A>> {
        if filter.matches_nothing() {
            return Ok(Vec::new());
        }
        let (first, last): (Option<i64>, Option<i64>) = self.conn.query_row(
            // Apart, each is one step down the table's B-tree; together they scan it.
            "SELECT (SELECT min(id) FROM requests), (SELECT max(id) FROM requests)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let (Some(first), Some(last)) = (first, last) else { return Ok(Vec::new()) };
        // One range is no range: the query goes through the index.
        let parts = if filter.is_indexed() { 1 } else { self.readers() as i64 };
        let span = (last - first) / parts + 1;
        self.share_out(parts as usize, |store, part| {
            let (low, high) = (first + part as i64 * span, first + (part as i64 + 1) * span - 1);
            let mut acc = init();
            store.keyed_requests_in(filter, keys, timed, (low, high), &mut |keyed| fold(&mut acc, keyed))?;
            Ok(acc)
        })
    }

    /// The requests with ids in `low..=high` for [`Store::fold_keyed_requests`].
    fn keyed_requests_in(
        &self,
        filter: &RequestFilter,
        keys: &[RequestKey],
        timed: bool,
        (low, high): (i64, i64),
        visit: &mut dyn FnMut(KeyedRequest),
    ) -> Result<()> {
        let (clause, params) = filter.sql();
        let range = format!("r.id BETWEEN {low} AND {high}");
        let clause = match (clause.is_empty(), filter.is_indexed()) {
            (_, true) => clause,
            (true, false) => format!("WHERE {range}"),
            (false, false) => format!("{clause} AND {range}"),
        };
        let mut columns = vec!["r.stages", "r.completed_us - r.received_us", "r.code"];
        if timed {
            columns.extend(["r.id", "r.received_us"]);
        }
        let first_key = columns.len();
        columns.extend(keys.iter().flat_map(|k| k.columns().iter().copied()));
        let sql = format!("SELECT {} FROM requests r {clause}", columns.join(", "));
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(params))?;
        let mut key = vec![None; columns.len() - first_key];
        // Integers or NULL, read without conversions: this loop runs once a request.
        let int = |row: &Row, i: usize| -> rusqlite::Result<Option<i64>> {
            row.get_ref(i)?.as_i64_or_null().map_err(Into::into)
        };
        while let Some(row) = rows.next()? {
            for (i, value) in key.iter_mut().enumerate() {
                *value = int(row, first_key + i)?;
            }
            // Stages 4 (ResponseComplete) or 8 (Panic): the request's end is known.
            let complete = int(row, 0)?.unwrap_or(0) & 12 != 0;
            let latency_us = if complete { int(row, 1)? } else { None };
            let at = if timed { Some(RowAt { id: row.get(3)?, received_us: row.get(4)? }) } else { None };
            visit(KeyedRequest { at, key: &key, latency_us, code: int(row, 2)? });
        }
        Ok(())
    }
}
