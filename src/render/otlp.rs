//! A trace in OTLP: the official `opentelemetry-proto` messages, built once, then written as
//! OTLP/JSON (`-o otlp`, what a Collector's `otlpjsonfile` receiver reads) or encoded as
//! protobuf for an OTLP/HTTP collector (`--otlp-endpoint`). One resource per kind of span,
//! named as Jaeger's processes are.

use std::io::{self, Write};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status, span, status};
use prost::Message;
use serde_json::{Value, json};

use super::export::{PROCESSES, dated, failure, log_text, semconv};
use crate::trace::{self, TagValue, Trace};

fn attribute(key: &str, value: &TagValue) -> KeyValue {
    let value = match value {
        TagValue::Str(s) => any_value::Value::StringValue(s.clone()),
        TagValue::Int(i) => any_value::Value::IntValue(*i),
        TagValue::Bool(b) => any_value::Value::BoolValue(*b),
    };
    KeyValue { key: key.to_owned(), value: Some(AnyValue { value: Some(value) }), ..Default::default() }
}

/// Our tags under `kelemetry.`, plus the semantic-convention keys that apply.
fn attributes(span: &trace::Span) -> Vec<KeyValue> {
    let mut out: Vec<KeyValue> =
        span.tags.iter().map(|t| attribute(&format!("kelemetry.{}", t.key), &t.value)).collect();
    out.push(attribute("kelemetry.object", &TagValue::Str(span.object.clone())));
    if span.time_unknown {
        out.push(attribute("kelemetry.timeUnknown", &TagValue::Bool(true)));
    }
    out.extend(semconv(span).iter().map(|(key, value)| attribute(key, value)));
    out
}

/// Hex ids as bytes (ours are always hex).
fn id_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2).filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()).collect()
}

fn nanos(us: i64) -> u64 {
    u64::try_from(us).unwrap_or(0).saturating_mul(1000)
}

fn otlp_span(trace: &Trace, s: &trace::Span) -> Span {
    let trace_id = id_bytes(&trace.trace_id);
    Span {
        trace_id: trace_id.clone(),
        span_id: id_bytes(&s.id),
        parent_span_id: s.parent.as_deref().map(id_bytes).unwrap_or_default(),
        name: s.name.clone(),
        kind: span::SpanKind::Internal as i32,
        start_time_unix_nano: nanos(s.start_us),
        end_time_unix_nano: nanos(s.end_us),
        attributes: attributes(s),
        events: s
            .logs
            .iter()
            .map(|l| span::Event {
                time_unix_nano: nanos(l.time_us),
                name: l.event.clone(),
                attributes: vec![attribute("message", &TagValue::Str(log_text(l)))],
                ..Default::default()
            })
            .collect(),
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

/// The trace as the request an OTLP exporter sends.
pub fn request(trace: &Trace) -> io::Result<ExportTraceServiceRequest> {
    dated(trace)?;
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
                    spans: trace.spans.iter().filter(|s| s.kind == *kind).map(|s| otlp_span(trace, s)).collect(),
                    ..Default::default()
                }],
                ..Default::default()
            }
        })
        .collect();
    Ok(ExportTraceServiceRequest { resource_spans })
}

/// The request as protobuf, the body of an OTLP/HTTP `POST /v1/traces`.
pub fn protobuf(trace: &Trace) -> io::Result<Vec<u8>> {
    Ok(request(trace)?.encode_to_vec())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

/// `-o otlp`: the request as OTLP/JSON on one line.
pub fn write_json(out: &mut dyn Write, trace: &Trace) -> io::Result<()> {
    let request = request(trace)?;
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
