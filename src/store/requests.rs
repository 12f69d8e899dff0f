//! The audit trail as `requests` searches it: one query built from the filters, rows handed
//! to a callback as SQLite steps (nothing is collected), and the key columns an aggregate
//! groups by. Text patterns are resolved to string ids first: a request row holds ids, so a
//! filter on users compares integers, through the `requests_user` index.

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Row, params_from_iter};

use super::read::{REQUEST_ROW_WIDTH, RequestRow, request_row, request_select};
use super::{Store, id_list, sql_literal};

/// How many chunks of a listing read on other threads may be in flight or waiting to be
/// shown: enough to keep every core busy, few enough to keep memory small.
const HYDRATION_WINDOW: usize = 8;

/// The page cache of a thread reading a listing's rows: room for the inner pages of the
/// request and object tables (about 1.3 MiB at 10 million requests), not for their leaves.
const HYDRATION_CACHE_KIB: i64 = 8192;

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
    /// Requests on an object itself, not on a subresource, only.
    pub no_subresource: bool,
    /// Requests logged at this level or above only (0 None to 3 RequestResponse).
    pub min_level: Option<i64>,
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
        if self.no_subresource {
            terms.push("r.subresource_id IS NULL".to_owned());
        }
        if let Some(level) = self.min_level {
            terms.push(format!("r.level >= {level}"));
        }
        if let Some(glob) = &self.name_glob {
            terms.push(format!("r.object_id IN (SELECT id FROM objects WHERE name GLOB {})", sql_literal(glob)));
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

    /// The filter as conditions on a request's columns, for folds that apply several
    /// filters in one pass. Name globs and auditIDs are SQL's alone: no fold asks for them.
    pub fn matcher(&self) -> RowMatcher {
        debug_assert!(self.name_glob.is_none() && self.audit_ids.is_empty(), "matched in SQL only");
        let mut conditions = Vec::new();
        let sets = [
            (&self.clusters, Column::Cluster),
            (&self.verbs, Column::Verb),
            (&self.resources, Column::Resource),
            (&self.subresources, Column::Subresource),
            (&self.namespaces, Column::Namespace),
            (&self.groups, Column::Groups),
            (&self.agents, Column::Agent),
            (&self.source_ips, Column::SourceIp),
            (&self.field_managers, Column::FieldManager),
            (&self.reasons, Column::Reason),
            (&self.objects, Column::Object),
        ];
        for (set, column) in sets {
            if let Some(ids) = set {
                conditions.push(Condition::AnyOf(column, ids.clone()));
            }
        }
        if let Some(users) = &self.users {
            conditions.push(if self.impersonated {
                Condition::UserOrImpersonated(users.clone())
            } else {
                Condition::AnyOf(Column::User, users.clone())
            });
        }
        for (ids, column) in
            [(&self.excluded_resources, Column::Resource), (&self.excluded_subresources, Column::Subresource)]
        {
            if !ids.is_empty() {
                conditions.push(Condition::NoneOf(column, ids.clone()));
            }
        }
        if self.since_us.is_some() || self.until_us.is_some() {
            let range = (self.since_us.unwrap_or(i64::MIN), self.until_us.unwrap_or(i64::MAX));
            conditions.push(Condition::InRanges(Column::Received, vec![range]));
        }
        if !self.codes.is_empty() {
            conditions.push(Condition::InRanges(Column::Code, self.codes.clone()));
        }
        if let Some(least) = self.min_latency_us {
            conditions.push(Condition::InRanges(Column::Latency, vec![(least, i64::MAX)]));
        }
        if self.applies {
            conditions.push(Condition::InRanges(Column::Applies, vec![(1, 1)]));
        }
        if self.pod_security {
            conditions.push(Condition::Present(Column::PodSecurity));
        }
        if self.no_subresource {
            conditions.push(Condition::Absent(Column::Subresource));
        }
        if let Some(level) = self.min_level {
            conditions.push(Condition::InRanges(Column::Level, vec![(level, i64::MAX)]));
        }
        RowMatcher { conditions }
    }
}

/// A condition of a [`RowMatcher`], as SQL says it: `x IN (...)` and a range are false for
/// a NULL x; `coalesce(x NOT IN (...), 1)` is true.
#[derive(Debug, Clone)]
enum Condition {
    AnyOf(Column, Vec<i64>),
    UserOrImpersonated(Vec<i64>),
    NoneOf(Column, Vec<i64>),
    /// Within any of these inclusive ranges.
    InRanges(Column, Vec<(i64, i64)>),
    Present(Column),
    Absent(Column),
}

/// A [`RequestFilter`] matched in memory against the columns of a request, as its SQL
/// would match the row: only the conditions it has, the columns they read.
#[derive(Debug, Clone)]
pub struct RowMatcher {
    conditions: Vec<Condition>,
}

impl RowMatcher {
    pub fn matches(&self, row: &Columns) -> bool {
        self.conditions.iter().all(|condition| match condition {
            Condition::AnyOf(column, ids) => row.get(*column).is_some_and(|id| ids.contains(&id)),
            Condition::UserOrImpersonated(ids) => {
                [Column::User, Column::Impersonated].iter().any(|c| row.get(*c).is_some_and(|id| ids.contains(&id)))
            }
            Condition::NoneOf(column, ids) => row.get(*column).is_none_or(|id| !ids.contains(&id)),
            Condition::InRanges(column, ranges) => {
                row.get(*column).is_some_and(|v| ranges.iter().any(|(low, high)| (*low..=*high).contains(&v)))
            }
            Condition::Present(column) => row.get(*column).is_some(),
            Condition::Absent(column) => row.get(*column).is_none(),
        })
    }

    /// The columns [`RowMatcher::matches`] reads.
    pub fn columns(&self) -> Vec<Column> {
        self.conditions
            .iter()
            .flat_map(|condition| match condition {
                Condition::AnyOf(column, _)
                | Condition::NoneOf(column, _)
                | Condition::InRanges(column, _)
                | Condition::Present(column)
                | Condition::Absent(column) => vec![*column],
                Condition::UserOrImpersonated(_) => vec![Column::User, Column::Impersonated],
            })
            .collect()
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

/// A column of the requests table as a fold reads it: an integer (an id, a time, a code)
/// or NULL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Id,
    Received,
    /// From received to the stage that ended it; NULL when the log lacks the request's end.
    Latency,
    Code,
    Cluster,
    User,
    Impersonated,
    Verb,
    Resource,
    Subresource,
    Namespace,
    Object,
    Uri,
    Groups,
    Agent,
    SourceIp,
    FieldManager,
    Reason,
    Level,
    Applies,
    PodSecurity,
}

impl Column {
    const COUNT: usize = Column::PodSecurity as usize + 1;

    fn sql(self) -> &'static str {
        match self {
            Column::Id => "r.id",
            Column::Received => "r.received_us",
            // Stages 4 (ResponseComplete) or 8 (Panic): the request's end is known.
            Column::Latency => "CASE WHEN r.stages & 12 != 0 THEN r.completed_us - r.received_us END",
            Column::Code => "r.code",
            Column::Cluster => "r.cluster_id",
            Column::User => "r.user_id",
            Column::Impersonated => "r.impersonated_id",
            Column::Verb => "r.verb_id",
            Column::Resource => "r.resource_id",
            Column::Subresource => "r.subresource_id",
            Column::Namespace => "r.namespace_id",
            Column::Object => "r.object_id",
            Column::Uri => "r.uri_id",
            Column::Groups => "r.groups_id",
            Column::Agent => "r.agent_id",
            Column::SourceIp => "r.source_ip_id",
            Column::FieldManager => "r.field_manager_id",
            Column::Reason => "r.reason_id",
            Column::Level => "r.level",
            Column::Applies => "r.server_side_apply",
            Column::PodSecurity => "r.pod_security_id",
        }
    }
}

/// One request's columns as a fold reads them (those it did not ask for are `None`).
#[derive(Debug, Default, Clone)]
pub struct Columns([Option<i64>; Column::COUNT]);

impl Columns {
    pub fn get(&self, column: Column) -> Option<i64> {
        self.0[column as usize]
    }

    #[cfg(test)]
    pub fn with(mut self, column: Column, value: i64) -> Columns {
        self.0[column as usize] = Some(value);
        self
    }
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
    /// The clock hour (UTC) the request was received in.
    Hour,
}

impl RequestKey {
    /// The columns the key is made from.
    pub fn columns(self) -> &'static [Column] {
        match self {
            RequestKey::User => &[Column::User],
            RequestKey::Verb => &[Column::Verb],
            RequestKey::Resource => &[Column::Resource],
            RequestKey::Code => &[Column::Code],
            RequestKey::Namespace => &[Column::Namespace],
            RequestKey::Agent => &[Column::Agent],
            RequestKey::SourceIp => &[Column::SourceIp],
            RequestKey::Object => &[Column::Object, Column::Resource, Column::Namespace, Column::Uri],
            RequestKey::FieldManager => &[Column::FieldManager],
            RequestKey::PodSecurity => &[Column::PodSecurity],
            RequestKey::Scope => &[Column::Namespace],
            RequestKey::Hour => &[Column::Received],
        }
    }

    /// How many values the key pushes in [`RequestKey::push_values`].
    pub fn width(self) -> usize {
        match self {
            RequestKey::Object => 4,
            _ => 1,
        }
    }

    /// Appends the key's values for a request: string ids; for `Object` the object id, then
    /// (on no object) the collection's resource and namespace, or (on no resource) the URI;
    /// for `Scope` 1 (a namespace) or 0; for `Hour` hours since the epoch.
    pub fn push_values(self, row: &Columns, values: &mut Vec<Option<i64>>) {
        match self {
            RequestKey::Object => {
                let object = row.get(Column::Object);
                let collection = object.is_none();
                let resource = row.get(Column::Resource).filter(|_| collection);
                let namespace = row.get(Column::Namespace).filter(|_| collection);
                let uri = row.get(Column::Uri).filter(|_| collection && resource.is_none());
                values.extend([object, resource, namespace, uri]);
            }
            RequestKey::Scope => values.push(Some(i64::from(row.get(Column::Namespace).is_some()))),
            RequestKey::Hour => values.push(row.get(Column::Received).map(|us| us.div_euclid(HOUR_US))),
            key => values.push(row.get(key.columns()[0])),
        }
    }
}

pub const HOUR_US: i64 = 3_600_000_000;

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
        let ids = format!("SELECT r.id FROM requests r {clause} ORDER BY {order} {limit}");
        if self.readers() > 1 && self.answers_from_an_index(&ids, &params)? {
            return self.each_request_hydrated(&ids, params, order, visit);
        }
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

    /// Whether SQLite finds the rows `sql` selects in an index alone, without reading them.
    fn answers_from_an_index(&self, sql: &str, params: &[Value]) -> Result<bool> {
        let mut stmt = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let mut rows = stmt.query(params_from_iter(params))?;
        let mut covered = false;
        while let Some(row) = rows.next()? {
            let step: String = row.get(3)?;
            if step.contains(" r ") {
                covered = step.contains("USING COVERING INDEX");
                if !covered {
                    break;
                }
            }
        }
        Ok(covered)
    }

    /// The listing of [`Store::each_request`] when an index gives the matching row ids in
    /// order: this connection reads the ids, and one thread per core reads the rows of each
    /// chunk of them. Matching rows lie scattered over the table, a page read for each, so
    /// reading them is most of the work and what spreads over the cores. Chunks come back
    /// in order, at most [`HYDRATION_WINDOW`] of them held at once.
    fn each_request_hydrated(
        &self,
        ids: &str,
        params: Vec<Value>,
        order: &str,
        visit: &mut dyn FnMut(RequestLine) -> Result<bool>,
    ) -> Result<u64> {
        let rows_sql = format!(
            "{} {LINE_JOINS} WHERE r.id IN (SELECT value FROM json_each(?1)) ORDER BY {order}",
            request_select(LINE_COLUMNS)
        );
        let location = &self.location;
        std::thread::scope(|scope| {
            // Made in here, so that a return drops them before the scope waits for the threads.
            let (jobs, job_queue) = crossbeam_channel::bounded::<(usize, Vec<i64>)>(HYDRATION_WINDOW);
            let (done, finished) = crossbeam_channel::bounded::<(usize, Result<Vec<RequestLine>>)>(HYDRATION_WINDOW);
            for _ in 0..self.readers() {
                let (job_queue, done, rows_sql) = (job_queue.clone(), done.clone(), &rows_sql);
                scope.spawn(move || {
                    let read = |store: &Store, ids: &[i64]| -> Result<Vec<RequestLine>> {
                        let mut stmt = store.conn.prepare_cached(rows_sql)?;
                        let list = format!("[{}]", id_list(ids));
                        Ok(stmt.query_map([list], request_line)?.collect::<rusqlite::Result<_>>()?)
                    };
                    // Rows lie each on a page of its own: caching those pages would keep nothing
                    // worth having, and filling the usual cache costs fresh memory for each.
                    let store = Store::open_for_read(location).and_then(|store| {
                        store.limit_cache(HYDRATION_CACHE_KIB)?;
                        Ok(store)
                    });
                    for (chunk, ids) in job_queue {
                        let lines = store.as_ref().map_err(|e| anyhow::anyhow!("{e:#}")).and_then(|s| read(s, &ids));
                        if done.send((chunk, lines)).is_err() {
                            return;
                        }
                    }
                });
            }
            drop((job_queue, done));
            let mut ready: BTreeMap<usize, Vec<RequestLine>> = Default::default();
            let (mut sent, mut shown, mut seen) = (0, 0, 0u64);
            // Hands out the chunks that are next in order; false once `visit` has had enough.
            let mut show =
                |ready: &mut BTreeMap<usize, Vec<RequestLine>>, shown: &mut usize, seen: &mut u64| -> Result<bool> {
                    while let Some(lines) = ready.remove(shown) {
                        *shown += 1;
                        for line in lines {
                            *seen += 1;
                            if !visit(line)? {
                                return Ok(false);
                            }
                        }
                    }
                    Ok(true)
                };
            // Takes in the chunks that are back, after waiting for one if `wait`.
            let take_in = |ready: &mut BTreeMap<usize, Vec<RequestLine>>, wait: bool| -> Result<()> {
                if wait {
                    let (chunk, lines) =
                        finished.recv().map_err(|_| anyhow::anyhow!("the threads reading requests stopped"))?;
                    ready.insert(chunk, lines?);
                }
                while let Ok((chunk, lines)) = finished.try_recv() {
                    ready.insert(chunk, lines?);
                }
                Ok(())
            };
            let mut stmt = self.conn.prepare(ids)?;
            let mut rows = stmt.query(params_from_iter(params))?;
            let mut chunk = Vec::new();
            let mut more = true;
            while more {
                match rows.next()? {
                    Some(row) => chunk.push(row.get::<_, i64>(0)?),
                    None => more = false,
                }
                // The first chunks are small, so the first rows show at once.
                let size = if sent < 2 { 64 } else { 512 };
                if chunk.len() < size && (more || chunk.is_empty()) {
                    continue;
                }
                jobs.send((sent, std::mem::take(&mut chunk)))?;
                sent += 1;
                loop {
                    take_in(&mut ready, sent - shown >= HYDRATION_WINDOW)?;
                    if !show(&mut ready, &mut shown, &mut seen)? {
                        return Ok(seen);
                    }
                    if sent - shown < HYDRATION_WINDOW {
                        break;
                    }
                }
            }
            drop(jobs);
            while shown < sent {
                take_in(&mut ready, true)?;
                if !show(&mut ready, &mut shown, &mut seen)? {
                    break;
                }
            }
            Ok(seen)
        })
    }

    /// One request as a listing shows it, by its row id.
    pub fn request_line(&self, id: i64) -> Result<Option<RequestLine>> {
        let sql = format!("{} {LINE_JOINS} WHERE r.id = ?1", request_select(LINE_COLUMNS));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        Ok(stmt.query_row([id], request_line).optional()?)
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

    /// Folds each matching request's `columns` into accumulators, in no order: the table is
    /// split by row id among the cores, each part read on a connection of its own (a full
    /// scan is CPU-bound in SQLite). One accumulator a part. Each column read costs a full
    /// scan some: ask for those the fold needs.
    pub fn fold_requests<A: Send>(
        &self,
        filter: &RequestFilter,
        columns: &[Column],
        init: impl Fn() -> A + Sync,
        fold: impl Fn(&mut A, &Columns) + Sync,
    ) -> Result<Vec<A>> {
        if filter.matches_nothing() {
            return Ok(Vec::new());
        }
        // One range is no range: the query goes through the index.
        let parts = self.id_ranges("requests", if filter.is_indexed() { 1 } else { self.readers() })?;
        let mut columns = columns.to_vec();
        columns.sort_by_key(|c| *c as usize);
        columns.dedup();
        self.share_out(parts.len(), |store, part| {
            let (low, high) = parts[part];
            let mut acc = init();
            store.requests_in(filter, &columns, (low, high), &mut |row| fold(&mut acc, row))?;
            Ok(acc)
        })
    }

    /// The requests with ids in `low..=high` for [`Store::fold_requests`].
    fn requests_in(
        &self,
        filter: &RequestFilter,
        columns: &[Column],
        (low, high): (i64, i64),
        visit: &mut dyn FnMut(&Columns),
    ) -> Result<()> {
        let (clause, params) = filter.sql();
        let range = format!("r.id BETWEEN {low} AND {high}");
        let clause = match (clause.is_empty(), filter.is_indexed()) {
            (_, true) => clause,
            (true, false) => format!("WHERE {range}"),
            (false, false) => format!("{clause} AND {range}"),
        };
        let select: Vec<&str> = columns.iter().map(|c| c.sql()).collect();
        let select = if select.is_empty() { "NULL".to_owned() } else { select.join(", ") };
        let mut stmt = self.conn.prepare(&format!("SELECT {select} FROM requests r {clause}"))?;
        let mut rows = stmt.query(params_from_iter(params))?;
        let mut values = Columns::default();
        while let Some(row) = rows.next()? {
            // Integers or NULL, read without conversions: this loop runs once a request.
            for (i, column) in columns.iter().enumerate() {
                values.0[*column as usize] = row.get_ref(i)?.as_i64_or_null()?;
            }
            visit(&values);
        }
        Ok(())
    }
}
