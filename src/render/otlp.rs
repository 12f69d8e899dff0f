//! A trace in OTLP: the official `opentelemetry-proto` messages, built once, then written as
//! OTLP/JSON (`-o otlp`, what a Collector's `otlpjsonfile` receiver reads) or encoded as
//! protobuf for an OTLP/HTTP collector (`--otlp-endpoint`). One resource per kind of span,
//! named as Jaeger's processes are.
//!
//! Within [`Limits`] (Tempo's by default): an attribute longer than the cap is cut, a log
//! longer than it (a snapshot, a long diff) becomes several span events, and a trace whose
//! protobuf would exceed the cap goes as several traces of successive time windows.

use std::io::{self, Write};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status, span, status};
use prost::Message;
use serde_json::{Value, json};

use super::export::{PROCESSES, dated, failure, log_text, semconv};
use crate::trace::{self, TagValue, Trace};

/// What a tracing backend accepts.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The protobuf size of one trace.
    pub trace_bytes: usize,
    /// The length of one attribute value.
    pub attribute_bytes: usize,
}

impl Default for Limits {
    /// Tempo's defaults: `max_bytes_per_trace` 5 MB, `max_attribute_bytes` 2,048.
    fn default() -> Limits {
        Limits { trace_bytes: 5_000_000, attribute_bytes: 2048 }
    }
}

/// `text` cut to at most `max` bytes at a character boundary, marked when cut.
fn capped(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let marker = format!("… ({} bytes)", text.len());
    let mut end = max.saturating_sub(marker.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{marker}", &text[..end])
}

/// `text` in pieces of at most `max` bytes: at line ends where it can, else at characters.
fn pieces(text: &str, max: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while rest.len() > max {
        let mut end = max;
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        if let Some(newline) = rest[..end].rfind('\n').filter(|&n| n > 0) {
            end = newline + 1;
        }
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out.push(rest);
    out
}

fn attribute(key: &str, value: &TagValue) -> KeyValue {
    let value = match value {
        TagValue::Str(s) => any_value::Value::StringValue(s.clone()),
        TagValue::Int(i) => any_value::Value::IntValue(*i),
        TagValue::Bool(b) => any_value::Value::BoolValue(*b),
    };
    KeyValue { key: key.to_owned(), value: Some(AnyValue { value: Some(value) }), ..Default::default() }
}

/// Our tags under `kelemetry.`, plus the semantic-convention keys that apply; long values cut.
fn attributes(span: &trace::Span, limits: &Limits) -> Vec<KeyValue> {
    let cap = |value: &TagValue| match value {
        TagValue::Str(s) => TagValue::Str(capped(s, limits.attribute_bytes)),
        other => other.clone(),
    };
    let mut out: Vec<KeyValue> =
        span.tags.iter().map(|t| attribute(&format!("kelemetry.{}", t.key), &cap(&t.value))).collect();
    out.push(attribute("kelemetry.object", &TagValue::Str(span.object.clone())));
    if span.time_unknown {
        out.push(attribute("kelemetry.timeUnknown", &TagValue::Bool(true)));
    }
    out.extend(semconv(span).iter().map(|(key, value)| attribute(key, &cap(value))));
    out
}

/// Hex ids as bytes (ours are always hex).
fn id_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2).filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()).collect()
}

fn nanos(us: i64) -> u64 {
    u64::try_from(us).unwrap_or(0).saturating_mul(1000)
}

/// A log as span events: one, or one per piece of at most the attribute cap.
fn events(log: &trace::Log, limits: &Limits) -> Vec<span::Event> {
    let text = log_text(log);
    let parts = pieces(&text, limits.attribute_bytes);
    let count = parts.len();
    parts
        .into_iter()
        .enumerate()
        .map(|(i, part)| span::Event {
            time_unix_nano: nanos(log.time_us),
            name: if count == 1 { log.event.clone() } else { format!("{} ({}/{count})", log.event, i + 1) },
            attributes: vec![attribute("message", &TagValue::Str(part.to_owned()))],
            ..Default::default()
        })
        .collect()
}

fn otlp_span(trace: &Trace, s: &trace::Span, limits: &Limits) -> Span {
    let trace_id = id_bytes(&trace.trace_id);
    Span {
        trace_id: trace_id.clone(),
        span_id: id_bytes(&s.id),
        parent_span_id: s.parent.as_deref().map(id_bytes).unwrap_or_default(),
        name: s.name.clone(),
        kind: span::SpanKind::Internal as i32,
        start_time_unix_nano: nanos(s.start_us),
        end_time_unix_nano: nanos(s.end_us),
        attributes: attributes(s, limits),
        events: s.logs.iter().flat_map(|l| events(l, limits)).collect(),
        links: s
            .links
            .iter()
            .map(|l| span::Link { trace_id: trace_id.clone(), span_id: id_bytes(l), ..Default::default() })
            .collect(),
        // ERROR with why; unset otherwise (OK is for an explicit success).
        status: Some(match failure(s) {
            Some(message) => Status { code: status::StatusCode::Error as i32, message },
            None => Status::default(),
        }),
        ..Default::default()
    }
}

/// The trace as the requests an OTLP exporter sends: one, or, when the whole would exceed
/// `limits.trace_bytes`, one per time window (each a trace of its own), a window halved
/// while it is too big and still holds more than one request or Event in more than an
/// instant. Windows with no request or Event are left out; objects show in the windows
/// they overlap.
pub fn requests(trace: &Trace, limits: &Limits) -> io::Result<Vec<ExportTraceServiceRequest>> {
    dated(trace)?;
    let whole = request(trace, limits);
    if whole.encoded_len() <= limits.trace_bytes {
        return Ok(vec![whole]);
    }
    let (Some(start), Some(end)) = (trace.start_us(), trace.end_us()) else { return Ok(vec![whole]) };
    let mut out = Vec::new();
    fit(trace, start, end, limits, &mut out);
    Ok(out)
}

fn fit(trace: &Trace, from_us: i64, to_us: i64, limits: &Limits, out: &mut Vec<ExportTraceServiceRequest>) {
    let window = trace::windows::window(trace, from_us, to_us);
    let entries = trace::windows::entries(&window);
    if entries == 0 {
        return;
    }
    let request = request(&window, limits);
    if request.encoded_len() <= limits.trace_bytes || entries == 1 || to_us - from_us < 2 {
        out.push(request);
        return;
    }
    let middle = from_us + (to_us - from_us) / 2;
    fit(trace, from_us, middle, limits, out);
    fit(trace, middle + 1, to_us, limits, out);
}

/// One trace as the request an OTLP exporter sends.
fn request(trace: &Trace, limits: &Limits) -> ExportTraceServiceRequest {
    let cluster = trace.spans.first().and_then(|s| s.tag("cluster")).cloned();
    let resource_spans = PROCESSES
        .iter()
        .filter(|(kind, _, _)| trace.spans.iter().any(|s| s.kind == *kind))
        .map(|(kind, _, service)| {
            let mut resource = vec![attribute("service.name", &TagValue::Str((*service).to_owned()))];
            resource.extend(cluster.as_ref().map(|c| attribute("k8s.cluster.name", c)));
            ResourceSpans {
                resource: Some(Resource { attributes: resource, ..Default::default() }),
                scope_spans: vec![ScopeSpans {
                    scope: Some(InstrumentationScope {
                        name: "kelemetry-cli".to_owned(),
                        version: env!("CARGO_PKG_VERSION").to_owned(),
                        ..Default::default()
                    }),
                    spans: trace
                        .spans
                        .iter()
                        .filter(|s| s.kind == *kind)
                        .map(|s| otlp_span(trace, s, limits))
                        .collect(),
                    ..Default::default()
                }],
                ..Default::default()
            }
        })
        .collect();
    ExportTraceServiceRequest { resource_spans }
}

fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    crate::model::push_hex(&mut text, bytes);
    text
}

fn value_json(value: &Option<AnyValue>) -> Value {
    match value.as_ref().and_then(|v| v.value.as_ref()) {
        Some(any_value::Value::StringValue(s)) => json!({"stringValue": s}),
        Some(any_value::Value::IntValue(i)) => json!({"intValue": i.to_string()}),
        Some(any_value::Value::BoolValue(b)) => json!({"boolValue": b}),
        _ => json!({}),
    }
}

fn attributes_json(attributes: &[KeyValue]) -> Vec<Value> {
    attributes.iter().map(|a| json!({"key": a.key, "value": value_json(&a.value)})).collect()
}

/// One span in OTLP/JSON: ids in hex, 64-bit integers as strings, camelCase keys.
fn span_json(s: &Span) -> Value {
    let status = s.status.clone().unwrap_or_default();
    let status = if status.message.is_empty() {
        json!({"code": status.code})
    } else {
        json!({"code": status.code, "message": status.message})
    };
    json!({
        "traceId": hex(&s.trace_id),
        "spanId": hex(&s.span_id),
        "parentSpanId": hex(&s.parent_span_id),
        "name": s.name,
        "kind": s.kind,
        "startTimeUnixNano": s.start_time_unix_nano.to_string(),
        "endTimeUnixNano": s.end_time_unix_nano.to_string(),
        "attributes": attributes_json(&s.attributes),
        "events": s.events.iter().map(|e| json!({
            "timeUnixNano": e.time_unix_nano.to_string(), "name": e.name, "attributes": attributes_json(&e.attributes),
        })).collect::<Vec<_>>(),
        "links": s.links.iter().map(|l| json!({"traceId": hex(&l.trace_id), "spanId": hex(&l.span_id)})).collect::<Vec<_>>(),
        "status": status,
    })
}

/// `-o otlp`: each request as OTLP/JSON on a line of its own (what `otlpjsonfile` reads).
pub fn write_json(out: &mut dyn Write, requests: &[ExportTraceServiceRequest]) -> io::Result<()> {
    for request in requests {
        write_request_json(out, request)?;
    }
    Ok(())
}

fn write_request_json(out: &mut dyn Write, request: &ExportTraceServiceRequest) -> io::Result<()> {
    let resource_spans: Vec<Value> = request
        .resource_spans
        .iter()
        .map(|r| {
            let resource = r.resource.as_ref().map(|r| attributes_json(&r.attributes)).unwrap_or_default();
            let scope_spans: Vec<Value> = r
                .scope_spans
                .iter()
                .map(|s| {
                    let scope = s.scope.clone().unwrap_or_default();
                    json!({
                        "scope": {"name": scope.name, "version": scope.version},
                        "spans": s.spans.iter().map(span_json).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({"resource": {"attributes": resource}, "scopeSpans": scope_spans})
        })
        .collect();
    serde_json::to_writer(&mut *out, &json!({"resourceSpans": resource_spans}))?;
    writeln!(out)
}
