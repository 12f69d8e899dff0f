//! Object-as-span traces: one span per Kubernetes object, its owned objects below it, and
//! what happened to each (apiserver requests, Events) as child spans or logs.
//!
//! [`build`] reads the store into one [`ObjectNode`] per object of the ownership tree;
//! [`arrange`] shapes those into the spans an [`Arrangement`] shows; renderers take the
//! resulting [`Trace`] and never touch SQL.

pub mod arrange;
pub mod build;
pub mod windows;
pub mod words;

use serde::Serialize;

use crate::model::time::Window;
use crate::query::graph::Scope;
use crate::query::tracks::Track;

pub use build::{Filters, Only, build};

/// How the spans of a trace are arranged: Kelemetry's display "pipelines", `--pipeline` on
/// the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Arrangement {
    /// Object spans nested by ownership; requests and Events as child spans of their object.
    Tree,
    /// Every request and Event under the root span in time order, labelled with its object.
    Timeline,
    /// Requests and Events as timestamped logs on their object's span; spans shrink to activity.
    Tracing,
    /// Under each object one span per source (audit, events); audit split per component.
    Grouping,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpanKind {
    /// A Kubernetes object, over its life or its activity.
    Object,
    /// One apiserver request from the audit log.
    Audit,
    /// One occurrence of a Kubernetes Event.
    Event,
    /// A pseudo span grouping entries (the `grouping` pipeline).
    Group,
}

/// What a span's status says: failures and Warning Events stand out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Ok,
    /// A failed request (non-2xx, or never completed).
    Error,
    /// A Warning Event.
    Warning,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum TagValue {
    Str(String),
    Int(i64),
    Bool(bool),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tag {
    pub key: &'static str,
    pub value: TagValue,
}

/// What a log is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    /// The fields a write changed, one `path: old -> new` a line.
    Diff,
    /// The object as a create made it or a delete left it.
    Snapshot,
    /// Why a request failed.
    Error,
    /// `no-op`, `bound to node N`, or what is unknown and why.
    Note,
    /// An Event's message.
    Message,
    /// resourceVersions written by requests the logs lack.
    Gap,
    /// A state only a dump showed.
    Dump,
    /// A whole request or Event folded into a span (`tracing`, `grouping`).
    Entry,
}

impl LogKind {
    /// Logs whose lines speak for themselves, shown without a heading.
    pub fn is_plain(self) -> bool {
        matches!(self, LogKind::Diff | LogKind::Message | LogKind::Error | LogKind::Note)
    }

    pub fn name(self) -> &'static str {
        match self {
            LogKind::Diff => "diff",
            LogKind::Snapshot => "snapshot",
            LogKind::Error => "error",
            LogKind::Note => "note",
            LogKind::Message => "message",
            LogKind::Gap => "gap",
            LogKind::Dump => "dump",
            LogKind::Entry => "entry",
        }
    }
}

/// A timestamped annotation on a span: a diff, an error, a note, or (in `tracing`) a whole
/// request or Event folded into its object's span.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Log {
    pub time_us: i64,
    pub kind: LogKind,
    /// The kind's name, or for a folded entry the span's name (in `timeline` prefixed with
    /// the object of a moved log).
    pub event: String,
    /// Its text, one line each (a diff has one line per changed path).
    pub lines: Vec<String>,
    pub status: Status,
}

impl Log {
    pub fn new(kind: LogKind, time_us: i64, lines: Vec<String>, status: Status) -> Log {
        Log { time_us, kind, event: kind.name().to_owned(), lines, status }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Span {
    /// 16 hex digits, stable across runs for the same data.
    pub id: String,
    pub parent: Option<String>,
    pub kind: SpanKind,
    pub name: String,
    pub start_us: i64,
    pub end_us: i64,
    /// Nothing in the evidence dates this object: `start_us`/`end_us` only place it (at the
    /// start of the trace) and are never shown as its time.
    pub time_unknown: bool,
    pub status: Status,
    /// The object the span is about, kubectl style (`pod/web-5d9c7b8f4-x2kqz`).
    pub object: String,
    /// The span of the object the user asked for.
    pub focus: bool,
    /// Spans of the trace this one is linked to without being their child: an object's
    /// owners named by ownerReferences without `controller: true`.
    pub links: Vec<String>,
    pub tags: Vec<Tag>,
    pub logs: Vec<Log>,
    /// Object spans: the states the object went through (phase, conditions, deletion).
    pub tracks: Vec<Track>,
}

impl Span {
    pub fn tag(&self, key: &str) -> Option<&TagValue> {
        self.tags.iter().find(|t| t.key == key).map(|t| &t.value)
    }
}

/// What a trace covers, for headers and the JSON envelope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub objects: usize,
    pub requests: usize,
    pub events: usize,
    /// Requests left out as noise (reads, leader election); `--all` shows them.
    pub hidden_noise: usize,
    /// Requests and Events outside `--since/--until` or removed by `--exclude-user`/`--only`.
    pub filtered: usize,
}

/// A trace ready to render: spans parents first, siblings in time order.
#[derive(Debug, Clone)]
pub struct Trace {
    /// 32 hex digits derived from the root object.
    pub trace_id: String,
    pub arrangement: Arrangement,
    pub scope: Scope,
    pub window: Window,
    pub counts: Counts,
    pub spans: Vec<Span>,
}

impl Trace {
    /// The trace of nothing: what `-o json` prints when no object matched.
    pub fn empty(arrangement: Arrangement, scope: Scope, window: Window) -> Trace {
        Trace { trace_id: String::new(), arrangement, scope, window, counts: Counts::default(), spans: Vec::new() }
    }

    /// Whether anything happened in the window: a request, an Event, or a state a dump or a
    /// gap in the resourceVersion chain shows. A trace of bare object spans shows nothing.
    pub fn shows_anything(&self) -> bool {
        self.counts.requests + self.counts.events > 0 || self.spans.iter().any(|s| !s.logs.is_empty())
    }

    /// When the first span of known time starts; `None` when nothing dates the trace.
    pub fn start_us(&self) -> Option<i64> {
        self.spans.iter().filter(|s| !s.time_unknown).map(|s| s.start_us).min()
    }

    pub fn end_us(&self) -> Option<i64> {
        self.spans.iter().filter(|s| !s.time_unknown).map(|s| s.end_us).max()
    }
}

/// One object of the ownership tree with what happened to it, before a pipeline arranges it.
#[derive(Debug, Clone)]
pub struct ObjectNode {
    pub span: Span,
    /// Requests and Events, as spans in time order (no parent yet).
    pub entries: Vec<Span>,
    pub children: Vec<ObjectNode>,
}

/// A stable span id: the first 16 hex digits of a hash of what the span stands for.
pub fn span_id(key: &str) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(key.as_bytes()).max(1))
}
