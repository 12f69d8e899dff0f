//! `trace -o perfetto`: Chrome's trace-event JSON, for ui.perfetto.dev and chrome://tracing.
//!
//! Each object is a thread (named `deployment/web`, in tree order) with its life as one
//! slice; each of its state tracks a thread below it (`pod/web-… phase`) with one slice per
//! segment; requests and Events instants on the object's thread (requests overlap each
//! other, and the format wants slices on one thread to nest). Times are microseconds, as the
//! format counts them.

use std::io::{self, Write};

use serde_json::{Map, Value, json};

use super::export::{dated, tags_json};
use crate::trace::{Span, SpanKind, Status, Trace};

/// `trace` must be built in the `tree` arrangement: entries are spans under their object.
pub fn write(out: &mut dyn Write, trace: &Trace) -> io::Result<()> {
    dated(trace)?;
    let mut events =
        vec![json!({"ph": "M", "pid": 1, "name": "process_name", "args": {"name": "kelemetry-cli trace"}})];
    let mut threads: Vec<(&str, u64)> = Vec::new();
    let mut next_thread = 1u64;
    for span in trace.spans.iter().filter(|s| s.kind == SpanKind::Object) {
        let tid = next_thread;
        next_thread += 1;
        threads.push((&span.id, tid));
        thread(&mut events, tid, &span.object);
        events.push(json!({
            "ph": "X", "pid": 1, "tid": tid, "cat": "object", "name": span.object,
            "ts": span.start_us, "dur": span.end_us - span.start_us, "args": args(span),
        }));
        for track in &span.tracks {
            let tid = next_thread;
            next_thread += 1;
            thread(&mut events, tid, &format!("{} {}", span.object, track.name.name()));
            for segment in &track.segments {
                let name = match &segment.reason {
                    Some(reason) => format!("{} ({reason})", segment.value),
                    None => segment.value.clone(),
                };
                events.push(json!({
                    "ph": "X", "pid": 1, "tid": tid, "cat": "state", "name": name,
                    "ts": segment.start_us, "dur": segment.end_us - segment.start_us,
                }));
            }
        }
    }
    for span in trace.spans.iter().filter(|s| matches!(s.kind, SpanKind::Audit | SpanKind::Event)) {
        let tid = span.parent.as_deref().and_then(|p| threads.iter().find(|(id, _)| *id == p)).map_or(1, |t| t.1);
        let mut args = args(span);
        if span.kind == SpanKind::Audit {
            args.insert("latencyUs".to_owned(), json!(span.end_us - span.start_us));
        }
        let mut event = json!({
            "ph": "i", "s": "t", "pid": 1, "tid": tid, "name": span.name, "ts": span.start_us,
            "cat": if span.kind == SpanKind::Audit { "audit" } else { "event" }, "args": args,
        });
        if span.status != Status::Ok {
            // chrome://tracing's reserved colours; Perfetto colours by name.
            event["cname"] = json!(if span.status == Status::Error { "terrible" } else { "bad" });
        }
        events.push(event);
    }
    super::json::write(out, &json!({"traceEvents": events, "displayTimeUnit": "ms"}))
}

fn thread(events: &mut Vec<Value>, tid: u64, name: &str) {
    events.push(json!({"ph": "M", "pid": 1, "tid": tid, "name": "thread_name", "args": {"name": name}}));
    events.push(json!({"ph": "M", "pid": 1, "tid": tid, "name": "thread_sort_index", "args": {"sort_index": tid}}));
}

/// A span's tags, and its logs as `kind: lines` (a diff one line per changed field).
fn args(span: &Span) -> Map<String, Value> {
    let mut args = tags_json(span);
    for log in &span.logs {
        args.insert(log.event.clone(), json!(log.lines.join("\n")));
    }
    args
}
