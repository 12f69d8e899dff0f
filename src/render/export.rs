//! A trace as JSON: kelemetry-cli's own schema (`-o json`, documented in docs/trace-json.md)
//! and Jaeger UI's trace file (`-o jaeger`); what Jaeger and OTLP ([`super::otlp`]) share:
//! services, failures, semantic conventions.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::model::time::format_micros;
use crate::query::graph::Scope;
use crate::query::tracks::{Track, TrackName};
use crate::trace::{Arrangement, Counts, Log, LogKind, Span, SpanKind, Status, TagValue, Trace};

/// Jaeger and OTLP need a time for every span: a trace nothing dates cannot be exported.
pub(super) fn dated(trace: &Trace) -> io::Result<()> {
    match trace.start_us() {
        Some(_) => Ok(()),
        None => Err(io::Error::other(
            "no record dates any object of this trace: Jaeger and OTLP need times (-o json shows it)",
        )),
    }
}

/// A span's tags as a JSON object.
pub(super) fn tags_json(span: &Span) -> Map<String, Value> {
    span.tags.iter().map(|t| (t.key.to_owned(), tag_json(&t.value))).collect()
}

fn tag_json(value: &TagValue) -> Value {
    match value {
        TagValue::Str(s) => Value::String(s.clone()),
        TagValue::Int(i) => json!(i),
        TagValue::Bool(b) => json!(b),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonTrace<'a> {
    /// `null` for a trace of nothing.
    trace_id: Option<&'a str>,
    pipeline: Arrangement,
    scope: Scope,
    since: Option<String>,
    until: Option<String>,
    start: Option<String>,
    end: Option<String>,
    counts: Counts,
    spans: Vec<JsonSpan<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonSpan<'a> {
    id: &'a str,
    parent: Option<&'a str>,
    kind: SpanKind,
    name: &'a str,
    object: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    focus: bool,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    links: &'a [String],
    status: Status,
    /// `null` (all four) when nothing dates the object.
    start: Option<String>,
    end: Option<String>,
    start_us: Option<i64>,
    duration_us: Option<i64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    time_unknown: bool,
    tags: Map<String, Value>,
    logs: Vec<JsonLog<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tracks: Vec<JsonTrack<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonTrack<'a> {
    name: TrackName,
    segments: Vec<JsonSegment<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonSegment<'a> {
    start: String,
    end: String,
    start_us: i64,
    duration_us: i64,
    value: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

fn json_track(track: &Track) -> JsonTrack<'_> {
    JsonTrack {
        name: track.name,
        segments: track
            .segments
            .iter()
            .map(|s| JsonSegment {
                start: format_micros(s.start_us),
                end: format_micros(s.end_us),
                start_us: s.start_us,
                duration_us: s.end_us - s.start_us,
                value: &s.value,
                reason: s.reason.as_deref(),
            })
            .collect(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonLog<'a> {
    /// `null` on a span nothing dates.
    time: Option<String>,
    time_us: Option<i64>,
    kind: LogKind,
    event: &'a str,
    lines: &'a [String],
    status: Status,
}

/// `-o json`: the whole trace, pretty, for `jq`.
pub fn write_json(out: &mut dyn Write, trace: &Trace) -> io::Result<()> {
    super::json::write(out, &document(trace))
}

/// The trace as the JSON document of docs/trace-json.md.
pub(super) fn document(trace: &Trace) -> impl Serialize + '_ {
    let spans = trace
        .spans
        .iter()
        .map(|s| JsonSpan {
            id: &s.id,
            parent: s.parent.as_deref(),
            kind: s.kind,
            name: &s.name,
            object: &s.object,
            focus: s.focus,
            links: &s.links,
            status: s.status,
            start: (!s.time_unknown).then(|| format_micros(s.start_us)),
            end: (!s.time_unknown).then(|| format_micros(s.end_us)),
            start_us: (!s.time_unknown).then_some(s.start_us),
            duration_us: (!s.time_unknown).then_some(s.end_us - s.start_us),
            time_unknown: s.time_unknown,
            tags: tags_json(s),
            logs: s
                .logs
                .iter()
                .map(|l| JsonLog {
                    time: (!s.time_unknown).then(|| format_micros(l.time_us)),
                    time_us: (!s.time_unknown).then_some(l.time_us),
                    kind: l.kind,
                    event: &l.event,
                    lines: &l.lines,
                    status: l.status,
                })
                .collect(),
            tracks: s.tracks.iter().map(json_track).collect(),
        })
        .collect();
    JsonTrace {
        trace_id: Some(trace.trace_id.as_str()).filter(|id| !id.is_empty()),
        pipeline: trace.arrangement,
        scope: trace.scope,
        since: trace.window.since_us.map(format_micros),
        until: trace.window.until_us.map(format_micros),
        start: trace.start_us().map(format_micros),
        end: trace.end_us().map(format_micros),
        counts: trace.counts,
        spans,
    }
}

/// Jaeger's process per kind of span: the UI colours and filters by service name.
pub(super) const PROCESSES: [(SpanKind, &str, &str); 4] = [
    (SpanKind::Object, "p1", "object"),
    (SpanKind::Audit, "p2", "audit"),
    (SpanKind::Event, "p3", "event"),
    (SpanKind::Group, "p4", "group"),
];

fn jaeger_tag(key: &str, value: &TagValue) -> Value {
    let kind = match value {
        TagValue::Str(_) => "string",
        TagValue::Int(_) => "int64",
        TagValue::Bool(_) => "bool",
    };
    json!({"key": key, "type": kind, "value": tag_json(value)})
}

pub(super) fn log_text(log: &Log) -> String {
    log.lines.join("\n")
}

/// Why a span failed, if it did: its own failure, or that of a request folded into it as a
/// log (the `tracing` arrangement): a failed write is an error in every arrangement.
pub(super) fn failure(span: &Span) -> Option<String> {
    if span.status == Status::Error {
        return Some(match span.tag("responseReason") {
            Some(TagValue::Str(reason)) => reason.clone(),
            _ => String::new(),
        });
    }
    span.logs.iter().find(|l| l.status == Status::Error).map(|l| format!("{}: {}", l.event, log_text(l)))
}

/// `-o jaeger`: the file Jaeger UI opens through "JSON File" (its query API's trace format).
pub fn write_jaeger(out: &mut dyn Write, trace: &Trace) -> io::Result<()> {
    dated(trace)?;
    let spans: Vec<Value> = trace
        .spans
        .iter()
        .map(|s| {
            let mut tags: Vec<Value> = s.tags.iter().map(|t| jaeger_tag(t.key, &t.value)).collect();
            tags.push(jaeger_tag("object", &TagValue::Str(s.object.clone())));
            if s.time_unknown {
                tags.push(jaeger_tag("timeUnknown", &TagValue::Bool(true)));
            }
            if failure(s).is_some() && s.tag("error").is_none() {
                tags.push(jaeger_tag("error", &TagValue::Bool(true)));
            }
            tags.extend(semconv(s).iter().map(|(key, value)| jaeger_tag(key, value)));
            let references: Vec<Value> = s
                .parent
                .iter()
                .map(|p| json!({"refType": "CHILD_OF", "traceID": trace.trace_id, "spanID": p}))
                // The root keeps no reference at all: that is how Jaeger finds it.
                .chain(
                    s.links
                        .iter()
                        .filter(|_| s.parent.is_some())
                        .map(|l| json!({"refType": "FOLLOWS_FROM", "traceID": trace.trace_id, "spanID": l})),
                )
                .collect();
            let logs: Vec<Value> = s
                .logs
                .iter()
                .map(|l| {
                    json!({"timestamp": l.time_us, "fields": [
                        {"key": "event", "type": "string", "value": l.event},
                        {"key": "message", "type": "string", "value": log_text(l)},
                    ]})
                })
                .collect();
            let process = PROCESSES.iter().find(|p| p.0 == s.kind).map_or("p1", |p| p.1);
            json!({
                "traceID": trace.trace_id,
                "spanID": s.id,
                "flags": 1,
                "operationName": s.name,
                "references": references,
                "startTime": s.start_us,
                // Instant spans stay clickable with one microsecond.
                "duration": (s.end_us - s.start_us).max(1),
                "tags": tags,
                "logs": logs,
                "processID": process,
                "warnings": null,
            })
        })
        .collect();
    let processes: Map<String, Value> =
        PROCESSES.iter().map(|(_, id, name)| ((*id).to_owned(), json!({"serviceName": name, "tags": []}))).collect();
    let document = json!({
        "data": [{"traceID": trace.trace_id, "spans": spans, "processes": processes, "warnings": null}],
        "total": 0, "limit": 0, "offset": 0, "errors": null,
    });
    serde_json::to_writer(&mut *out, &document)?;
    writeln!(out)
}

/// Kinds with OpenTelemetry semantic-convention keys (`k8s.pod.name`, `k8s.pod.uid`, ...).
const SEMCONV_KINDS: &[&str] =
    &["pod", "deployment", "replicaset", "statefulset", "daemonset", "job", "cronjob", "namespace", "node"];

/// OpenTelemetry's semantic-convention attributes for what a span says: `k8s.*` for objects
/// (`k8s.pod.name`, `k8s.namespace.name`, ...), `http.*`, `user_agent.original`,
/// `client.address` and `enduser.id` for apiserver requests.
pub(super) fn semconv(span: &Span) -> Vec<(String, TagValue)> {
    let text = |key: &str| match span.tag(key) {
        Some(TagValue::Str(s)) => Some(TagValue::Str(s.clone())),
        _ => None,
    };
    let mut out = Vec::new();
    match span.kind {
        SpanKind::Object => {
            for (key, tag) in
                [("k8s.cluster.name", "cluster"), ("k8s.namespace.name", "namespace"), ("k8s.node.name", "node")]
            {
                out.extend(text(tag).map(|v| (key.to_owned(), v)));
            }
            let kind = match span.tag("kind") {
                Some(TagValue::Str(k)) => k.to_ascii_lowercase(),
                _ => String::new(),
            };
            if SEMCONV_KINDS.contains(&kind.as_str()) {
                for suffix in ["name", "uid"] {
                    out.extend(text(suffix).map(|v| (format!("k8s.{kind}.{suffix}"), v)));
                }
            }
        }
        SpanKind::Audit => {
            let method = match span.tag("verb") {
                Some(TagValue::Str(verb)) => http_method(verb),
                _ => None,
            };
            out.extend(method.map(|m| ("http.request.method".to_owned(), TagValue::Str(m.to_owned()))));
            out.extend(span.tag("responseCode").cloned().map(|c| ("http.response.status_code".to_owned(), c)));
            out.extend(text("userAgent").map(|v| ("user_agent.original".to_owned(), v)));
            out.extend(text("sourceIP").map(|v| ("client.address".to_owned(), v)));
            out.extend(text("username").map(|v| ("enduser.id".to_owned(), v)));
        }
        SpanKind::Event | SpanKind::Group => {}
    }
    out
}

/// The HTTP method a Kubernetes verb is sent with.
fn http_method(verb: &str) -> Option<&'static str> {
    Some(match verb {
        "get" | "list" | "watch" => "GET",
        "create" => "POST",
        "update" => "PUT",
        "patch" | "apply" => "PATCH",
        "delete" | "deletecollection" => "DELETE",
        _ => return None,
    })
}
