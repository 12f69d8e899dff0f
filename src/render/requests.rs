//! `requests` for a person: a table streamed as the rows come, and the top-N table.

use std::io::{self, Write};

use super::json::key_name;
use super::table::{self, Fit, Stream, View};
use super::{Terminal, duration_us};
use crate::query::requests::Top;
use crate::store::requests::RequestLine;

/// A latency as [`duration_us`] writes durations; `unknown` without the request's end.
pub fn latency(us: Option<i64>) -> String {
    us.map_or_else(|| "unknown".to_owned(), duration_us)
}

const HEADERS: [&str; 15] = [
    "time",
    "latency",
    "user",
    "verb",
    "resource",
    "object",
    "code",
    "reason",
    "user agent",
    "source ip",
    "audit id",
    "base rv",
    "new rv",
    "field manager",
    "groups",
];

/// What the user filtered on, which the table keeps when it has to drop columns.
#[derive(Debug, Clone, Copy, Default)]
pub struct Emphasis {
    /// `--slow`: the latency.
    pub latency: bool,
    /// `--failed`, `--code`: the reason.
    pub reason: bool,
}

/// The listing as a streamed table: the first rows fix the columns. A narrow terminal drops
/// the reason, the resource, then the latency, unless the filters make one of them the point.
pub fn table(terminal: &Terminal, view: View, emphasis: Emphasis) -> Stream {
    let mut t = table::new(terminal, &HEADERS)
        .fit(1, if emphasis.latency { Fit::Keep } else { Fit::Optional(3) })
        .fit(2, Fit::Shorten)
        .fit(4, Fit::Optional(2))
        .fit(5, Fit::Shorten)
        .fit(7, if emphasis.reason { Fit::Optional(4) } else { Fit::Optional(1) })
        .view(view);
    for column in 8..HEADERS.len() {
        t = t.fit(column, Fit::Wide);
    }
    table::align_right(&mut t, &[1, 6]);
    t.stream()
}

/// A request as a row of [`table`].
pub fn row(line: &RequestLine, terminal: &Terminal) -> Vec<String> {
    let r = &line.request;
    let user = match &r.impersonated_user {
        Some(as_user) => format!("{} as {as_user}", r.user),
        None => r.user.clone(),
    };
    let resource = match (&line.resource, &r.subresource) {
        (Some(resource), Some(sub)) => format!("{resource}/{sub}"),
        (Some(resource), None) => resource.clone(),
        (None, _) => String::new(),
    };
    let namespace = line.namespace.as_deref().unwrap_or_default();
    let object = match (&line.name, &line.uri) {
        (Some(name), _) if namespace.is_empty() => name.clone(),
        (Some(name), _) => format!("{namespace}/{name}"),
        // A collection (list, watch) or a URL without a resource.
        (None, _) if line.resource.is_some() && !namespace.is_empty() => format!("{namespace}/*"),
        (None, _) if line.resource.is_some() => "*".to_owned(),
        (None, Some(uri)) => uri.split('?').next().unwrap_or_default().to_owned(),
        (None, None) => String::new(),
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        terminal.zone.millis(r.received_us),
        latency(r.complete.then_some(r.completed_us - r.received_us)),
        user,
        r.verb.clone(),
        resource,
        object,
        r.code.map_or_else(|| "unknown".to_owned(), |c| c.to_string()),
        opt(&r.reason),
        opt(&r.user_agent),
        opt(&r.source_ip),
        r.audit_id.clone(),
        opt(&r.base_rv),
        opt(&r.new_rv),
        opt(&line.request.field_manager),
        opt(&line.groups),
    ]
}

/// The top-N table: the keys, then count, failures and latency percentiles.
pub fn write_top(out: &mut dyn Write, top: &Top, terminal: &Terminal, view: View) -> io::Result<()> {
    let mut headers: Vec<&str> = top.by.iter().map(|k| header(key_name(*k))).collect();
    let keys = headers.len();
    headers.extend(["requests", "failed", "p50", "p99"]);
    let mut t = table::new(terminal, &headers).view(view);
    for column in 0..keys {
        t = t.fit(column, Fit::Shorten);
    }
    for row in &top.rows {
        let mut cells: Vec<String> = row.key.iter().map(|k| k.clone().unwrap_or_else(|| "none".to_owned())).collect();
        cells.extend([row.count.to_string(), row.failures.to_string(), latency(row.p50_us), latency(row.p99_us)]);
        t.add_row(cells);
    }
    table::align_right(&mut t, &(keys..keys + 4).collect::<Vec<_>>());
    writeln!(out, "{t}")?;
    let shown = top.rows.len() as u64;
    if shown < top.keys {
        writeln!(out, "({} requests; {} of {} keys shown)", top.requests, shown, top.keys)?;
    }
    Ok(())
}

/// A JSON key as a table header: `userAgent` → `user agent`.
fn header(key: &'static str) -> &'static str {
    match key {
        "userAgent" => "user agent",
        "sourceIp" => "source ip",
        "fieldManager" => "field manager",
        other => other,
    }
}
