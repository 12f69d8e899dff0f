//! `requests`: the filters as a person writes them (globs, code classes, kubectl's resource
//! words, CIDR ranges), resolved against the store; and the top-N aggregate with its
//! latency percentiles.

use std::collections::HashMap;
use std::net::IpAddr;

use anyhow::Result;

use crate::model::audit_id::audit_id_key;
use crate::model::kinds;
use crate::model::time::{Window, format_short};
use crate::store::Store;
use crate::store::requests::{Column, Columns, HOUR_US, RequestFilter, RequestKey, RowMatcher, TextMatch};

/// The filters as given. Empty lists filter nothing.
#[derive(Debug, Default, Clone)]
pub struct Filters {
    pub window: Window,
    pub cluster: Option<String>,
    pub verbs: Vec<String>,
    /// `deployments`, `deployments.apps`, `deploy`, `*.apps`; `-leases` excludes.
    pub resources: Vec<String>,
    /// `status`; `-log` excludes.
    pub subresources: Vec<String>,
    pub namespaces: Vec<String>,
    /// A glob on the object's name.
    pub name: Option<String>,
    /// Substrings, or globs when they hold `*`, `?` or `[`; the impersonated user counts.
    pub users: Vec<String>,
    /// Exact group names or globs: a request matches when one of its user's groups does.
    pub groups: Vec<String>,
    /// Substrings or globs.
    pub agents: Vec<String>,
    /// Addresses, globs, or CIDR ranges (`10.0.0.0/8`).
    pub source_ips: Vec<String>,
    /// Exact names or globs.
    pub field_managers: Vec<String>,
    /// Status reasons, exact or globs (`Conflict`, `AlreadyExists`).
    pub reasons: Vec<String>,
    pub codes: Vec<(i64, i64)>,
    pub failed: bool,
    pub slow_us: Option<i64>,
    pub audit_ids: Vec<String>,
    /// Requests on these objects only (an object argument, `--uid`).
    pub objects: Option<Vec<i64>>,
    pub applies: bool,
    pub pod_security: bool,
    /// Requests on an object itself, not on a subresource, only.
    pub no_subresource: bool,
    /// Requests logged at this level or above only (3: RequestResponse, with both bodies).
    pub min_level: Option<i64>,
}

fn is_glob(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

/// Codes a failed request has: any 4xx or 5xx.
const FAILED: (i64, i64) = (400, 599);

/// Parses `--code`: codes, classes and ranges, comma-separated (`409`, `4xx`, `500-504`).
pub fn parse_codes(text: &str) -> Result<Vec<(i64, i64)>, String> {
    let code = |t: &str| -> Result<i64, String> {
        match t.trim().parse::<i64>() {
            Ok(c) if (100..=599).contains(&c) => Ok(c),
            _ => Err(format!("{t:?} is not an HTTP status code (100-599)")),
        }
    };
    let mut ranges = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let range = if let Some(class) = part.strip_suffix("xx").or_else(|| part.strip_suffix("XX")) {
            match class.parse::<i64>() {
                Ok(c @ 1..=5) => (c * 100, c * 100 + 99),
                _ => return Err(format!("{part:?} is not a status class (1xx to 5xx)")),
            }
        } else if let Some((low, high)) = part.split_once('-') {
            let (low, high) = (code(low)?, code(high)?);
            if low > high {
                return Err(format!("{part:?} is an empty range"));
            }
            (low, high)
        } else {
            let c = code(part)?;
            (c, c)
        };
        ranges.push(range);
    }
    if ranges.is_empty() {
        return Err("give codes, classes or ranges: 409, 4xx, 500-504".to_owned());
    }
    Ok(ranges)
}

/// A CIDR range (`10.0.0.0/8`, `fd00::/8`).
struct Cidr {
    network: IpAddr,
    bits: u32,
}

impl Cidr {
    fn parse(text: &str) -> Option<Cidr> {
        let (address, bits) = text.split_once('/')?;
        let network: IpAddr = address.parse().ok()?;
        let bits: u32 = bits.parse().ok()?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        (bits <= max).then_some(Cidr { network, bits })
    }

    fn contains(&self, text: &str) -> bool {
        let Ok(address) = text.parse::<IpAddr>() else { return false };
        let mask = |width: u32| if self.bits == 0 { 0 } else { u128::MAX << (width - self.bits) };
        match (self.network, address) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = mask(32) as u32;
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = mask(128);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// Checks `--ip` values: an address, a glob, or a CIDR range.
pub fn parse_source_ip(text: &str) -> Result<String, String> {
    if text.contains('/') && Cidr::parse(text).is_none() {
        return Err(format!("{text:?} is not a CIDR range (10.0.0.0/8, fd00::/8)"));
    }
    Ok(text.to_owned())
}

/// A wildcard match (`*` any run, `?` one character), for matches made outside SQL.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// The string ids any of `patterns` matches, `None` for no patterns.
fn ids_of(store: &Store, patterns: &[String], each: impl Fn(&str) -> Vec<TextMatch>) -> Result<Option<Vec<i64>>> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut ids = Vec::new();
    for pattern in patterns {
        for text in each(pattern) {
            ids.extend(store.string_ids(&text)?);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(Some(ids))
}

fn exact(pattern: &str) -> Vec<TextMatch> {
    vec![if is_glob(pattern) { TextMatch::Glob(pattern.to_owned()) } else { TextMatch::Exact(pattern.to_owned()) }]
}

fn part(pattern: &str) -> Vec<TextMatch> {
    vec![if is_glob(pattern) { TextMatch::Glob(pattern.to_owned()) } else { TextMatch::Substring(pattern.to_owned()) }]
}

/// The stored resource strings (`pods`, `deployments.apps`) a word may mean.
fn resource(word: &str) -> Vec<TextMatch> {
    if is_glob(word) {
        return vec![TextMatch::Glob(word.to_owned())];
    }
    let mut texts = vec![TextMatch::Exact(word.to_owned()), TextMatch::Glob(format!("{word}.*"))];
    if let Some(builtin) = kinds::lookup(word) {
        let stored = match builtin.group {
            "" => builtin.resource.to_owned(),
            group => format!("{}.{group}", builtin.resource),
        };
        texts.push(TextMatch::Exact(stored));
    }
    texts
}

/// The filters against the store: patterns become the ids of the strings they match.
pub fn resolve(store: &Store, filters: &Filters) -> Result<RequestFilter> {
    // A leading `-` excludes.
    let split = |values: &[String]| -> (Vec<String>, Vec<String>) {
        let (excluded, included): (Vec<String>, Vec<String>) = values.iter().cloned().partition(|r| r.starts_with('-'));
        (excluded.iter().map(|r| r[1..].to_owned()).collect(), included)
    };
    let (excluded, included) = split(&filters.resources);
    let (excluded_subresources, subresources) = split(&filters.subresources);
    let mut codes = filters.codes.clone();
    if filters.failed {
        codes = if codes.is_empty() {
            vec![FAILED]
        } else {
            codes.iter().map(|&(low, high)| (low.max(FAILED.0), high.min(FAILED.1))).filter(|(l, h)| l <= h).collect()
        };
        if codes.is_empty() {
            // --failed with only success codes: nothing can match.
            codes.push((1, 0));
        }
    }
    let groups = if filters.groups.is_empty() {
        None
    } else {
        let patterns = &filters.groups;
        Some(store.string_ids_where(&|joined| {
            joined.split(',').any(|group| patterns.iter().any(|pattern| wildcard(pattern, group)))
        })?)
    };
    let source_ips = if filters.source_ips.iter().any(|ip| ip.contains('/')) {
        let ranges: Vec<Cidr> = filters.source_ips.iter().filter_map(|ip| Cidr::parse(ip)).collect();
        let patterns = &filters.source_ips;
        Some(store.string_ids_where(&|ip| {
            ranges.iter().any(|r| r.contains(ip)) || patterns.iter().any(|pattern| wildcard(pattern, ip))
        })?)
    } else {
        ids_of(store, &filters.source_ips, exact)?
    };
    let users = ids_of(store, &filters.users, part)?;
    let impersonated = match &users {
        Some(users) => store.impersonates_any(users)?,
        None => false,
    };
    Ok(RequestFilter {
        since_us: filters.window.since_us,
        until_us: filters.window.until_us,
        clusters: filters.cluster.as_deref().map(|c| store.cluster_ids(c)).transpose()?,
        verbs: ids_of(store, &filters.verbs, exact)?,
        resources: ids_of(store, &included, resource)?,
        excluded_resources: ids_of(store, &excluded, resource)?.unwrap_or_default(),
        subresources: ids_of(store, &subresources, exact)?,
        excluded_subresources: ids_of(store, &excluded_subresources, exact)?.unwrap_or_default(),
        namespaces: ids_of(store, &filters.namespaces, exact)?,
        users,
        impersonated,
        groups,
        agents: ids_of(store, &filters.agents, part)?,
        source_ips,
        field_managers: ids_of(store, &filters.field_managers, exact)?,
        reasons: ids_of(store, &filters.reasons, exact)?,
        objects: filters.objects.clone(),
        name_glob: filters.name.clone(),
        codes,
        min_latency_us: filters.slow_us,
        audit_ids: filters.audit_ids.iter().map(|id| audit_id_key(id)).collect(),
        applies: filters.applies,
        pod_security: filters.pod_security,
        no_subresource: filters.no_subresource,
        min_level: filters.min_level,
    })
}

/// One key's requests in a top-N table.
#[derive(Debug, Clone, PartialEq)]
pub struct TopRow {
    /// One value per `--by`, in their order; `None` where the requests have none.
    pub key: Vec<Option<String>>,
    pub count: u64,
    /// Requests answered with a 4xx or 5xx.
    pub failures: u64,
    /// Nearest-rank percentiles of the latencies known (`None` when none is).
    pub p50_us: Option<i64>,
    pub p99_us: Option<i64>,
    /// How many took longer than each of [`LATENCY_BUCKETS_S`].
    pub slower_than: [u64; LATENCY_BUCKETS_S.len()],
}

/// The latency buckets apiserver dashboards draw, in seconds.
pub const LATENCY_BUCKETS_S: [u32; 7] = [1, 2, 5, 10, 20, 30, 45];

/// The busiest keys, most requests first (ties by key).
#[derive(Debug, Clone, PartialEq)]
pub struct Top {
    pub by: Vec<RequestKey>,
    pub rows: Vec<TopRow>,
    /// Requests matched, and how many distinct keys they have.
    pub requests: u64,
    pub keys: u64,
}

#[derive(Default, Clone)]
struct Tally {
    count: u64,
    failures: u64,
    /// Latencies in µs, capped at u32 (71 minutes): 4 bytes a request.
    latencies: Vec<u32>,
}

/// The nearest-rank percentile of the values, which it reorders (a selection, not a sort:
/// millions of latencies a key).
fn percentile(values: &mut [u32], p: f64) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let rank = ((p * values.len() as f64).ceil() as usize).clamp(1, values.len());
    let (_, nth, _) = values.select_nth_unstable(rank - 1);
    Some(i64::from(*nth))
}

/// Requests counted by key, with their failures and latencies: what `--top` and the checks
/// that count per user or per object gather.
#[derive(Clone)]
pub struct KeyCounts {
    by: Vec<RequestKey>,
    tallies: HashMap<Vec<Option<i64>>, Tally, foldhash::fast::RandomState>,
    /// The key of the request at hand (kept: no allocation a request).
    key: Vec<Option<i64>>,
    /// Whether latencies are kept, for percentiles (4 bytes a request).
    latencies: bool,
}

impl KeyCounts {
    /// Counts with latency percentiles.
    pub fn new(by: &[RequestKey]) -> KeyCounts {
        KeyCounts { by: by.to_vec(), tallies: HashMap::default(), key: Vec::new(), latencies: true }
    }

    /// Counts only (the percentiles come out `None`).
    pub fn counting(by: &[RequestKey]) -> KeyCounts {
        KeyCounts { latencies: false, ..KeyCounts::new(by) }
    }

    fn columns(&self) -> Vec<Column> {
        let mut columns = vec![Column::Code];
        if self.latencies {
            columns.push(Column::Latency);
        }
        columns.extend(self.by.iter().flat_map(|k| k.columns()));
        columns
    }

    fn add(&mut self, row: &Columns) {
        self.key.clear();
        for key in &self.by {
            key.push_values(row, &mut self.key);
        }
        let tally = match self.tallies.get_mut(&self.key) {
            Some(tally) => tally,
            None => self.tallies.entry(self.key.clone()).or_default(),
        };
        tally.count += 1;
        if row.get(Column::Code).is_some_and(|c| c >= FAILED.0) {
            tally.failures += 1;
        }
        if let Some(latency) = row.get(Column::Latency).filter(|_| self.latencies) {
            tally.latencies.push(u32::try_from(latency.max(0)).unwrap_or(u32::MAX));
        }
    }

    fn merge(&mut self, other: KeyCounts) {
        for (key, tally) in other.tallies {
            let merged = self.tallies.entry(key).or_default();
            merged.count += tally.count;
            merged.failures += tally.failures;
            merged.latencies.extend(tally.latencies);
        }
    }

    /// Each key's values (as [`RequestKey::push_values`] gives them) and requests.
    pub fn counts(&self) -> impl Iterator<Item = (&[Option<i64>], u64)> {
        self.tallies.iter().map(|(key, tally)| (key.as_slice(), tally.count))
    }

    /// The `n` busiest keys, keeping only those with at least `least` requests (their names
    /// are looked up: a check wants the few over its threshold, not every key).
    pub fn top(self, store: &Store, n: usize, least: u64) -> Result<Top> {
        let by = self.by;
        let requests = self.tallies.values().map(|t| t.count).sum();
        let keys = self.tallies.len() as u64;
        let mut ranked: Vec<(Vec<Option<i64>>, Tally)> = self.tallies.into_iter().collect();
        ranked.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(&b.0)));
        ranked.truncate(n);
        ranked.retain(|(_, tally)| tally.count >= least);
        let names = KeyNames::load(store, &by, ranked.iter().map(|(key, _)| key.as_slice()))?;
        let rows = ranked
            .into_iter()
            .map(|(key, mut tally)| TopRow {
                key: names.of(&key),
                count: tally.count,
                failures: tally.failures,
                slower_than: LATENCY_BUCKETS_S
                    .map(|s| tally.latencies.iter().filter(|&&latency| latency > s * 1_000_000).count() as u64),
                p50_us: percentile(&mut tally.latencies, 0.5),
                p99_us: percentile(&mut tally.latencies, 0.99),
            })
            .collect();
        // Ties are ordered by the names people read (a missing value last), not by ids.
        let mut top = Top { by, rows, requests, keys };
        let readable = |row: &TopRow| row.key.iter().map(|k| (k.is_none(), k.clone())).collect::<Vec<_>>();
        top.rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| readable(a).cmp(&readable(b))));
        Ok(top)
    }
}

/// One matching request as [`KeyRows`] gives it back.
pub struct KeyRow<'a> {
    /// Its row id (ingest order: what [`Store::request_line`] fetches again).
    pub id: i64,
    pub received_us: i64,
    /// The values of the keys, as [`RequestKey::push_values`] gives them.
    pub key: &'a [Option<i64>],
}

/// The matching requests themselves, as ids: for the few (failures, deletions) an asker
/// needs in time order. Flat: a day can hold a million deletions.
#[derive(Clone)]
pub struct KeyRows {
    by: Vec<RequestKey>,
    /// (received, row id) a request, in the order read.
    at: Vec<(i64, i64)>,
    /// The key values of each, `width` a request.
    keys: Vec<Option<i64>>,
    width: usize,
}

impl KeyRows {
    pub fn new(by: &[RequestKey]) -> KeyRows {
        KeyRows { by: by.to_vec(), at: Vec::new(), keys: Vec::new(), width: by.iter().map(|k| k.width()).sum() }
    }

    fn columns(&self) -> Vec<Column> {
        let mut columns = vec![Column::Id, Column::Received];
        columns.extend(self.by.iter().flat_map(|k| k.columns()));
        columns
    }

    fn add(&mut self, row: &Columns) {
        for by in &self.by {
            by.push_values(row, &mut self.keys);
        }
        self.at.push((row.get(Column::Received).unwrap_or_default(), row.get(Column::Id).unwrap_or_default()));
    }

    fn merge(&mut self, other: KeyRows) {
        self.at.extend(other.at);
        self.keys.extend(other.keys);
    }

    /// The rows in time order (then ingest order).
    pub fn in_time_order(&self) -> impl Iterator<Item = KeyRow<'_>> {
        let mut order: Vec<usize> = (0..self.at.len()).collect();
        order.sort_unstable_by_key(|i| self.at[*i]);
        order.into_iter().map(|i| KeyRow {
            id: self.at[i].1,
            received_us: self.at[i].0,
            key: &self.keys[i * self.width..(i + 1) * self.width],
        })
    }
}

/// Requests on objects counted per object and user: compact (a whole store has millions
/// of pairs), for the checks of writers.
#[derive(Clone, Default)]
pub struct ObjectUserCounts {
    pub counts: HashMap<(i64, Option<i64>), u64, foldhash::fast::RandomState>,
}

impl ObjectUserCounts {
    fn add(&mut self, row: &Columns) {
        if let Some(object) = row.get(Column::Object) {
            *self.counts.entry((object, row.get(Column::User))).or_default() += 1;
        }
    }

    fn merge(&mut self, other: ObjectUserCounts) {
        for (pair, n) in other.counts {
            *self.counts.entry(pair).or_default() += n;
        }
    }
}

/// What one asker gathers in a pass over the requests.
#[derive(Clone)]
pub enum Gather {
    Counts(KeyCounts),
    Rows(KeyRows),
    ObjectUsers(ObjectUserCounts),
}

impl Gather {
    fn columns(&self) -> Vec<Column> {
        match self {
            Gather::Counts(counts) => counts.columns(),
            Gather::Rows(rows) => rows.columns(),
            Gather::ObjectUsers(_) => vec![Column::Object, Column::User],
        }
    }

    fn add(&mut self, row: &Columns) {
        match self {
            Gather::Counts(counts) => counts.add(row),
            Gather::Rows(rows) => rows.add(row),
            Gather::ObjectUsers(pairs) => pairs.add(row),
        }
    }

    fn merge(&mut self, other: Gather) {
        match (self, other) {
            (Gather::Counts(counts), Gather::Counts(more)) => counts.merge(more),
            (Gather::Rows(rows), Gather::Rows(more)) => rows.merge(more),
            (Gather::ObjectUsers(pairs), Gather::ObjectUsers(more)) => pairs.merge(more),
            _ => unreachable!("parts gather alike"),
        }
    }

    pub fn into_counts(self) -> KeyCounts {
        match self {
            Gather::Counts(counts) => counts,
            Gather::Rows(KeyRows { by, .. }) => KeyCounts::new(&by),
            Gather::ObjectUsers(_) => KeyCounts::new(&[RequestKey::Object, RequestKey::User]),
        }
    }

    pub fn into_rows(self) -> KeyRows {
        match self {
            Gather::Rows(rows) => rows,
            _ => KeyRows::new(&[]),
        }
    }

    pub fn into_object_users(self) -> ObjectUserCounts {
        match self {
            Gather::ObjectUsers(pairs) => pairs,
            _ => ObjectUserCounts::default(),
        }
    }
}

/// One asker of [`gather`]: the requests it wants (of those the pass reads; `None`: all)
/// and what it gathers of them.
pub struct Ask {
    pub matching: Option<RowMatcher>,
    pub gather: Gather,
}

/// Gathers for several askers in one pass over the requests `scan` selects, each asker's
/// filter matched in memory: one scan of the table instead of one an asker. Returns what
/// each gathered, in order.
pub fn gather(store: &Store, scan: &RequestFilter, asks: Vec<Ask>) -> Result<Vec<Gather>> {
    let mut columns: Vec<Column> = Vec::new();
    for ask in &asks {
        columns.extend(ask.matching.iter().flat_map(RowMatcher::columns));
        columns.extend(ask.gather.columns());
    }
    let parts = store.fold_requests(
        scan,
        &columns,
        || asks.iter().map(|ask| ask.gather.clone()).collect::<Vec<_>>(),
        |gathered, row| {
            for (ask, gather) in asks.iter().zip(gathered.iter_mut()) {
                if ask.matching.as_ref().is_none_or(|m| m.matches(row)) {
                    gather.add(row);
                }
            }
        },
    )?;
    let mut parts = parts.into_iter();
    let mut merged: Vec<Gather> = parts.next().unwrap_or_else(|| asks.into_iter().map(|ask| ask.gather).collect());
    for part in parts {
        for (all, gathered) in merged.iter_mut().zip(part) {
            all.merge(gathered);
        }
    }
    Ok(merged)
}

/// Counts the matching requests by the `by` keys and keeps the `n` busiest.
pub fn top(store: &Store, filter: &RequestFilter, by: &[RequestKey], n: usize) -> Result<Top> {
    top_at_least(store, filter, by, n, 0)
}

/// [`top`], keeping only keys with at least `least` requests.
pub fn top_at_least(store: &Store, filter: &RequestFilter, by: &[RequestKey], n: usize, least: u64) -> Result<Top> {
    let ask = Ask { matching: None, gather: Gather::Counts(KeyCounts::new(by)) };
    let counts = gather(store, filter, vec![ask])?.pop().map_or_else(|| KeyCounts::new(by), Gather::into_counts);
    counts.top(store, n, least)
}

/// The names behind a key's ids.
struct KeyNames {
    by: Vec<RequestKey>,
    strings: HashMap<i64, String>,
    objects: HashMap<i64, String>,
}

impl KeyNames {
    fn load<'k>(store: &Store, by: &[RequestKey], keys: impl Iterator<Item = &'k [Option<i64>]>) -> Result<KeyNames> {
        let mut string_ids = Vec::new();
        let mut object_ids = Vec::new();
        for key in keys {
            let mut at = 0;
            for k in by {
                let values = &key[at..at + k.width()];
                match k {
                    RequestKey::Code | RequestKey::Scope | RequestKey::Hour => {}
                    RequestKey::Object => {
                        object_ids.extend(values[0]);
                        string_ids.extend(values[1..].iter().flatten());
                    }
                    _ => string_ids.extend(values[0]),
                }
                at += k.width();
            }
        }
        let mut objects = HashMap::new();
        for id in object_ids {
            if let Some(object) = store.object_by_id(id)? {
                objects.insert(id, object.display());
            }
        }
        Ok(KeyNames { by: by.to_vec(), strings: store.string_values(string_ids)?, objects })
    }

    fn of(&self, key: &[Option<i64>]) -> Vec<Option<String>> {
        let text = |id: Option<i64>| id.and_then(|id| self.strings.get(&id).cloned());
        let mut at = 0;
        let mut names = Vec::new();
        for k in &self.by {
            let values = &key[at..at + k.width()];
            at += k.width();
            names.push(match k {
                RequestKey::Code => values[0].map(|c| c.to_string()),
                RequestKey::Scope => {
                    values[0].map(|namespaced| if namespaced == 1 { "namespace" } else { "cluster" }.to_owned())
                }
                RequestKey::Hour => values[0].map(|hour| format_short(hour * HOUR_US)),
                RequestKey::Object => match (values[0], text(values[1]), text(values[2]), text(values[3])) {
                    (Some(object), ..) => self.objects.get(&object).cloned(),
                    (None, Some(resource), Some(namespace), _) if !namespace.is_empty() => {
                        Some(format!("{resource} in {namespace}"))
                    }
                    (None, Some(resource), _, _) => Some(format!("{resource} (all namespaces)")),
                    (None, None, _, uri) => uri,
                },
                _ => text(values[0]),
            });
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_codes_classes_and_ranges() {
        assert_eq!(parse_codes("409"), Ok(vec![(409, 409)]));
        assert_eq!(parse_codes("4xx,500-504"), Ok(vec![(400, 499), (500, 504)]));
        assert!(parse_codes("6xx").unwrap_err().contains("status class"));
        assert!(parse_codes("504-500").unwrap_err().contains("empty range"));
        assert!(parse_codes("abc").unwrap_err().contains("not an HTTP status code"));
        assert!(parse_codes(",").is_err());
    }

    #[test]
    fn cidr_ranges_and_wildcards_match_as_people_expect() {
        let net = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(net.contains("10.1.255.3") && !net.contains("10.2.0.1") && !net.contains("fd00::1"));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains("192.168.1.1"));
        assert!(Cidr::parse("fd00::/8").unwrap().contains("fd12::1"));
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert!(parse_source_ip("10.0.0.0/x").is_err());
        assert!(wildcard("system:serviceaccounts:*", "system:serviceaccounts:kube-system"));
        assert!(wildcard("a?c", "abc") && !wildcard("a?c", "abbc") && wildcard("*", ""));
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut values: Vec<u32> = (1..=100).rev().collect();
        assert_eq!(percentile(&mut values, 0.5), Some(50));
        assert_eq!(percentile(&mut values, 0.99), Some(99));
        assert_eq!(percentile(&mut [7], 0.99), Some(7));
        assert_eq!(percentile(&mut [], 0.5), None);
    }
}
