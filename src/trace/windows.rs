//! A whole-life trace cut into successive time windows, each a trace of its own: for
//! backends that cap a trace's size (Tempo: 5 MB), where one object's life of requests and
//! Events would be refused whole.

use std::collections::{HashMap, HashSet};

use super::{Span, SpanKind, Trace};

/// The part of `trace` from `from_us` to `to_us` (inclusive): the requests and Events that
/// start in it, the object and group spans that overlap it (cut to it, with their logs and
/// states in it), and the ancestors of all of those, so that the window is one tree. Its
/// trace id derives from the whole trace's and the window's start.
pub fn window(trace: &Trace, from_us: i64, to_us: i64) -> Trace {
    let by_id: HashMap<&str, &Span> = trace.spans.iter().map(|s| (s.id.as_str(), s)).collect();
    let meets = |s: &Span| match s.kind {
        SpanKind::Audit | SpanKind::Event => (from_us..=to_us).contains(&s.start_us),
        SpanKind::Object | SpanKind::Group => s.start_us <= to_us && s.end_us >= from_us,
    };
    let mut kept: HashSet<&str> = HashSet::new();
    for span in trace.spans.iter().filter(|s| meets(s)) {
        // The span and its ancestors.
        let mut at = Some(span);
        while let Some(s) = at {
            if !kept.insert(s.id.as_str()) {
                break;
            }
            at = s.parent.as_deref().and_then(|p| by_id.get(p).copied());
        }
    }
    let spans = trace
        .spans
        .iter()
        .filter(|s| kept.contains(s.id.as_str()))
        .map(|s| cut(s, from_us, to_us, matches!(s.kind, SpanKind::Object | SpanKind::Group) && meets(s)))
        .collect();
    let key = format!("{}/{from_us}", trace.trace_id);
    Trace { trace_id: format!("{:032x}", xxhash_rust::xxh3::xxh3_128(key.as_bytes()).max(1)), spans, ..trace.clone() }
}

/// How many requests and Events a trace holds.
pub fn entries(trace: &Trace) -> usize {
    trace.spans.iter().filter(|s| matches!(s.kind, SpanKind::Audit | SpanKind::Event)).count()
}

/// An object or group span cut to the window (when it overlaps it), with the logs and state
/// segments that fall in it; requests and Events as they are.
fn cut(span: &Span, from: i64, to: i64, overlaps: bool) -> Span {
    let mut span = span.clone();
    if !overlaps {
        return span;
    }
    span.start_us = span.start_us.max(from);
    span.end_us = span.end_us.min(to);
    span.logs.retain(|l| (from..=to).contains(&l.time_us));
    for track in &mut span.tracks {
        track.segments.retain(|s| s.start_us <= to && s.end_us >= from);
        for segment in &mut track.segments {
            segment.start_us = segment.start_us.max(from);
            segment.end_us = segment.end_us.min(to);
        }
    }
    span.tracks.retain(|t| !t.segments.is_empty());
    span
}
