//! The JSON of every command but `trace` (whose formats are in [`super::export`]): view
//! types built from the query layer's values, never the store's rows, so that one contract
//! holds everywhere (docs/json.md): camelCase keys, times as RFC 3339 strings beside their
//! microseconds, `null` for what the evidence does not say, notes as tagged values.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;

use crate::model::Level;

use crate::ingest::{FileReport, FileStatus, Report as IngestReport};
use crate::model::time::{Window, format_micros};
use crate::query::analyze::{CheckResult, Status};
use crate::query::chain::{Chain, Entry, EntryKind, Note};
use crate::query::conflict::{Group, Loser, Pair, Report as ConflictReport, Write as ConflictWrite};
use crate::query::diff::Change;
use crate::query::requests::Top;
use crate::query::rollout::{Outcome, Rollout};
use crate::store::read::{Activity, ObjectRow, RequestRow};
use crate::store::requests::{RequestKey, RequestLine};
use crate::store::stats::{Count, FileStat, Stats};

/// Writes a value as pretty JSON and a newline.
pub fn write(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// A time as RFC 3339 (UTC, `Z`), or `null` when unknown.
fn time(us: Option<i64>) -> Option<String> {
    us.map(format_micros)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowView {
    since: Option<String>,
    since_us: Option<i64>,
    until: Option<String>,
    until_us: Option<i64>,
}

impl WindowView {
    pub fn new(window: &Window) -> WindowView {
        WindowView {
            since: time(window.since_us),
            since_us: window.since_us,
            until: time(window.until_us),
            until_us: window.until_us,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectView<'a> {
    cluster: &'a str,
    kind: &'a str,
    api_group: &'a str,
    api_version: &'a str,
    resource: &'a str,
    namespace: &'a str,
    name: &'a str,
    uid: Option<&'a str>,
    first_seen: Option<String>,
    first_seen_us: Option<i64>,
    last_seen: Option<String>,
    last_seen_us: Option<i64>,
    created: Option<String>,
    created_us: Option<i64>,
    deleted: Option<String>,
    deleted_us: Option<i64>,
}

impl<'a> ObjectView<'a> {
    pub fn new(o: &'a ObjectRow) -> ObjectView<'a> {
        ObjectView {
            cluster: &o.cluster,
            kind: &o.kind,
            api_group: &o.api_group,
            api_version: &o.api_version,
            resource: &o.resource,
            namespace: &o.namespace,
            name: &o.name,
            uid: o.uid.as_deref(),
            first_seen: time(o.first_seen_us),
            first_seen_us: o.first_seen_us,
            last_seen: time(o.last_seen_us),
            last_seen_us: o.last_seen_us,
            created: time(o.created_us),
            created_us: o.created_us,
            deleted: time(o.deleted_us),
            deleted_us: o.deleted_us,
        }
    }
}

/// `objects -o json`: an object with how much the store holds about it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListedView<'a> {
    #[serde(flatten)]
    object: ObjectView<'a>,
    /// The controller owner, as `Kind/name`.
    controller: Option<&'a str>,
    requests: i64,
    events: i64,
}

impl<'a> ListedView<'a> {
    pub fn new(object: &'a ObjectRow, activity: &'a Activity) -> ListedView<'a> {
        ListedView {
            object: ObjectView::new(object),
            controller: activity.controller.as_deref(),
            requests: activity.requests,
            events: activity.events,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestView<'a> {
    audit_id: &'a str,
    verb: &'a str,
    subresource: Option<&'a str>,
    user: &'a str,
    impersonated_user: Option<&'a str>,
    user_agent: Option<&'a str>,
    source_ip: Option<&'a str>,
    code: Option<i64>,
    reason: Option<&'a str>,
    message: Option<&'a str>,
    received: String,
    received_us: i64,
    completed: String,
    completed_us: i64,
    /// `null` when the log lacks the request's end.
    latency_us: Option<i64>,
    base_resource_version: Option<&'a str>,
    new_resource_version: Option<&'a str>,
    level: &'static str,
    /// Whether ResponseComplete (or Panic) was seen.
    complete: bool,
}

impl<'a> RequestView<'a> {
    pub fn new(r: &'a RequestRow) -> RequestView<'a> {
        RequestView {
            audit_id: &r.audit_id,
            verb: &r.verb,
            subresource: r.subresource.as_deref(),
            user: &r.user,
            impersonated_user: r.impersonated_user.as_deref(),
            user_agent: r.user_agent.as_deref(),
            source_ip: r.source_ip.as_deref(),
            code: r.code,
            reason: r.reason.as_deref(),
            message: r.message.as_deref(),
            received: format_micros(r.received_us),
            received_us: r.received_us,
            completed: format_micros(r.completed_us),
            completed_us: r.completed_us,
            latency_us: r.complete.then_some(r.completed_us - r.received_us),
            base_resource_version: r.base_rv.as_deref(),
            new_resource_version: r.new_rv.as_deref(),
            level: Level::name_of(r.level),
            complete: r.complete,
        }
    }
}

/// A note of the chain as a tagged value: `{"kind": "gap", "from": "12", "to": "14"}`.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum NoteView<'a> {
    Created,
    Deleted,
    Failed {
        reason: &'a str,
    },
    Gap {
        from: &'a str,
        to: &'a str,
    },
    #[serde(rename_all = "camelCase")]
    ChangesUnknown {
        level: &'static str,
    },
    #[serde(rename_all = "camelCase")]
    ComparedWith {
        resource_version: &'a str,
    },
    NoOp,
    FirstSeen,
    DumpOnly,
    #[serde(rename_all = "camelCase")]
    Unreadable {
        resource_version: &'a str,
        reason: &'a str,
    },
}

impl<'a> NoteView<'a> {
    fn new(note: &'a Note) -> NoteView<'a> {
        match note {
            Note::Created => NoteView::Created,
            Note::Deleted => NoteView::Deleted,
            Note::Failed { reason } => NoteView::Failed { reason },
            Note::Gap { from, to } => NoteView::Gap { from, to },
            Note::ChangesUnknown { level } => NoteView::ChangesUnknown { level: Level::name_of(*level) },
            Note::ComparedWith { resource_version } => NoteView::ComparedWith { resource_version },
            Note::NoOp => NoteView::NoOp,
            Note::FirstSeen => NoteView::FirstSeen,
            Note::DumpOnly => NoteView::DumpOnly,
            Note::Unreadable { resource_version, reason } => NoteView::Unreadable { resource_version, reason },
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChangeView<'a> {
    path: &'a str,
    /// `added`, `removed` or `changed`.
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    old: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new: Option<&'a Value>,
    noise: bool,
}

fn changes(changes: &[Change]) -> Vec<ChangeView<'_>> {
    changes
        .iter()
        .map(|c| ChangeView {
            path: &c.path,
            kind: c.kind.name(),
            old: c.old.as_ref(),
            new: c.new.as_ref(),
            noise: c.noise,
        })
        .collect()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EntryView<'a> {
    /// `write`, `failed`, `dump` or `gap`.
    kind: &'static str,
    time: Option<String>,
    time_us: Option<i64>,
    request: Option<RequestView<'a>>,
    component: Option<&'a str>,
    base_resource_version: Option<&'a str>,
    new_resource_version: Option<&'a str>,
    changes: Vec<ChangeView<'a>>,
    notes: Vec<NoteView<'a>>,
    patch: Option<&'a Value>,
    held_us: Option<i64>,
    still_held: bool,
}

fn entry_kind(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Write => "write",
        EntryKind::Failed => "failed",
        EntryKind::Dump => "dump",
        EntryKind::Gap => "gap",
    }
}

impl<'a> EntryView<'a> {
    fn new(e: &'a Entry) -> EntryView<'a> {
        EntryView {
            kind: entry_kind(e.kind),
            time: time(e.time_us),
            time_us: e.time_us,
            request: e.request.as_ref().map(RequestView::new),
            component: e.component.as_deref(),
            base_resource_version: e.base_rv.as_deref(),
            new_resource_version: e.new_rv.as_deref(),
            changes: changes(&e.changes),
            notes: e.notes.iter().map(NoteView::new).collect(),
            patch: e.patch.as_ref(),
            held_us: e.held_us,
            still_held: e.still_held,
        }
    }
}

/// `history -o json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainView<'a> {
    /// `null` when no object matched.
    object: Option<ObjectView<'a>>,
    window: WindowView,
    entries: Vec<EntryView<'a>>,
}

impl<'a> ChainView<'a> {
    pub fn new(chain: &'a Chain) -> ChainView<'a> {
        ChainView {
            object: Some(ObjectView::new(&chain.object)),
            window: WindowView::new(&chain.window),
            entries: chain.entries.iter().map(EntryView::new).collect(),
        }
    }

    /// What `history` prints when no object matched.
    pub fn none(window: &Window) -> ChainView<'static> {
        ChainView { object: None, window: WindowView::new(window), entries: Vec::new() }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WriteView<'a> {
    component: &'a str,
    #[serde(flatten)]
    request: RequestView<'a>,
}

impl<'a> WriteView<'a> {
    fn new(w: &'a ConflictWrite) -> WriteView<'a> {
        WriteView { component: &w.component, request: RequestView::new(&w.request) }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoserView<'a> {
    #[serde(flatten)]
    write: WriteView<'a>,
    /// The same writer's next successful write of the object.
    retry: Option<WriteView<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GroupView<'a> {
    object: ObjectView<'a>,
    /// The resourceVersion the writers raced on (`null` for approximate groups).
    base_resource_version: Option<&'a str>,
    approximate: bool,
    winner: Option<WriteView<'a>>,
    winner_changes: Vec<ChangeView<'a>>,
    losers: Vec<LoserView<'a>>,
}

impl<'a> GroupView<'a> {
    fn new(g: &'a Group) -> GroupView<'a> {
        let loser =
            |l: &'a Loser| LoserView { write: WriteView::new(&l.write), retry: l.retry.as_ref().map(WriteView::new) };
        GroupView {
            object: ObjectView::new(&g.object),
            base_resource_version: g.base_rv.as_deref(),
            approximate: g.approximate,
            winner: g.winner.as_ref().map(WriteView::new),
            winner_changes: changes(&g.winner_changes),
            losers: g.losers.iter().map(loser).collect(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BucketView {
    start: String,
    start_us: i64,
    end: String,
    end_us: i64,
    conflicts: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OtherView<'a> {
    object: ObjectView<'a>,
    #[serde(flatten)]
    write: WriteView<'a>,
}

/// `conflicts -o json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConflictsView<'a> {
    window: WindowView,
    conflicts: usize,
    groups_total: usize,
    groups_without_winner: usize,
    approximate_groups: usize,
    top_objects: &'a [Count],
    top_pairs: &'a [Pair],
    buckets: Vec<BucketView>,
    groups: Vec<GroupView<'a>>,
    other409: Vec<OtherView<'a>>,
}

impl<'a> ConflictsView<'a> {
    pub fn new(r: &'a ConflictReport) -> ConflictsView<'a> {
        ConflictsView {
            window: WindowView::new(&r.window),
            conflicts: r.conflicts,
            groups_total: r.groups_total,
            groups_without_winner: r.groups_without_winner,
            approximate_groups: r.approximate_groups,
            top_objects: &r.top_objects,
            top_pairs: &r.top_pairs,
            buckets: r
                .buckets
                .iter()
                .map(|b| BucketView {
                    start: format_micros(b.start_us),
                    start_us: b.start_us,
                    end: format_micros(b.end_us),
                    end_us: b.end_us,
                    conflicts: b.conflicts,
                })
                .collect(),
            groups: r.groups.iter().map(GroupView::new).collect(),
            other409: r
                .other_409
                .iter()
                .map(|(object, write)| OtherView { object: ObjectView::new(object), write: WriteView::new(write) })
                .collect(),
        }
    }
}

impl Serialize for Count {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde_json::json!({"name": self.name, "count": self.count}).serialize(serializer)
    }
}

impl Serialize for Pair {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde_json::json!({"winner": self.winner, "loser": self.loser, "count": self.count}).serialize(serializer)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FileStatView<'a> {
    path: &'a str,
    size: i64,
    format: Option<&'a str>,
    gzip: bool,
    lines: i64,
    records: i64,
    bad_records: i64,
    truncated: Option<&'a str>,
}

/// `stats -o json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatsView<'a> {
    store: &'a str,
    schema_version: usize,
    first: Option<String>,
    first_us: Option<i64>,
    last: Option<String>,
    last_us: Option<i64>,
    clusters: &'a [String],
    files: Vec<FileStatView<'a>>,
    requests: i64,
    incomplete_requests: i64,
    events: i64,
    objects: i64,
    owner_links: i64,
    object_states: i64,
    conflicts: i64,
    already_exists: i64,
    by_verb: &'a [Count],
    by_resource: &'a [Count],
    by_user: &'a [Count],
    by_code: &'a [Count],
    top_writers: &'a [Count],
    objects_by_kind: &'a [Count],
}

impl<'a> StatsView<'a> {
    pub fn new(s: &'a Stats, store: &'a str) -> StatsView<'a> {
        StatsView {
            store,
            schema_version: s.schema_version,
            first: time(s.first_us),
            first_us: s.first_us,
            last: time(s.last_us),
            last_us: s.last_us,
            clusters: &s.clusters,
            files: s.files.iter().map(file_stat).collect(),
            requests: s.requests,
            incomplete_requests: s.incomplete_requests,
            events: s.events,
            objects: s.objects,
            owner_links: s.owner_links,
            object_states: s.object_states,
            conflicts: s.conflicts,
            already_exists: s.already_exists,
            by_verb: &s.by_verb,
            by_resource: &s.by_resource,
            by_user: &s.by_user,
            by_code: &s.by_code,
            top_writers: &s.top_writers,
            objects_by_kind: &s.objects_by_kind,
        }
    }
}

fn file_stat(f: &FileStat) -> FileStatView<'_> {
    FileStatView {
        path: &f.path,
        size: f.size,
        format: f.format.as_deref(),
        gzip: f.gzip,
        lines: f.lines,
        records: f.records,
        bad_records: f.bad_records,
        truncated: f.truncated.as_deref(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FileReportView<'a> {
    path: &'a str,
    /// `ingested`, `alreadyIngested`, `repeated` (the same bytes as another file of the
    /// run), `skipped` or `unreadable`.
    status: &'static str,
    /// Why a file found in a directory or archive was skipped: `binary`, `not JSON or
    /// YAML`, `not Kubernetes data`.
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<&'static str>,
    format: Option<&'static str>,
    gzip: bool,
    size: u64,
    lines: u64,
    records: u64,
    bad_records: u64,
    error: Option<&'a str>,
}

fn file_report(f: &FileReport) -> FileReportView<'_> {
    FileReportView {
        path: &f.path,
        status: match f.status {
            FileStatus::Ingested => "ingested",
            FileStatus::AlreadyIngested => "alreadyIngested",
            FileStatus::Repeated => "repeated",
            FileStatus::Skipped(_) => "skipped",
            FileStatus::Unreadable => "unreadable",
        },
        skipped: match f.status {
            FileStatus::Skipped(reason) => Some(reason),
            _ => None,
        },
        format: f.format,
        gzip: f.gzip,
        size: f.size,
        lines: f.lines,
        records: f.records,
        bad_records: f.bad_records,
        error: f.error.as_deref(),
    }
}

/// `ingest -o json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngestView<'a> {
    files: Vec<FileReportView<'a>>,
    unreadable_paths: &'a [String],
    /// Indexes an interrupted ingest had left missing, rebuilt before this one.
    repaired_indexes: &'a [String],
    lines: u64,
    bad_records: u64,
    aborted: bool,
    audit_events: u64,
    requests_added: u64,
    stages_merged: u64,
    events: u64,
    events_added: u64,
    objects_dumped: u64,
    object_states_added: u64,
    objects_added: u64,
    owner_links_added: u64,
    duplicates_skipped: u64,
    /// Events about no one object (no kind or name), kept on their namespace.
    events_without_object: u64,
    /// Requests stored apart because another request had their auditID.
    audit_ids_reused: u64,
    input_bytes: u64,
    decoded_bytes: u64,
    elapsed_seconds: f64,
}

impl<'a> IngestView<'a> {
    pub fn new(r: &'a IngestReport) -> IngestView<'a> {
        let w = &r.written;
        IngestView {
            files: r.files.iter().map(file_report).collect(),
            unreadable_paths: &r.unreadable_paths,
            repaired_indexes: &r.repaired_indexes,
            lines: r.lines,
            bad_records: r.bad_records,
            aborted: r.aborted,
            audit_events: w.audit_events,
            requests_added: w.requests_added,
            stages_merged: w.stages_merged,
            events: w.events,
            events_added: w.events_added,
            objects_dumped: w.objects_dumped,
            object_states_added: w.object_states_added,
            objects_added: w.objects_added,
            owner_links_added: w.owner_links_added,
            duplicates_skipped: w.duplicates_skipped,
            events_without_object: w.events_without_object,
            audit_ids_reused: w.audit_ids_reused,
            input_bytes: r.input_bytes,
            decoded_bytes: r.decoded_bytes,
            elapsed_seconds: (r.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
        }
    }
}

/// One line of `requests -o json`: the request, and what it was on.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestLineView<'a> {
    #[serde(flatten)]
    request: RequestView<'a>,
    cluster: &'a str,
    resource: Option<&'a str>,
    namespace: Option<&'a str>,
    name: Option<&'a str>,
    kind: Option<&'a str>,
    uid: Option<&'a str>,
    request_uri: Option<&'a str>,
    user_groups: Vec<&'a str>,
    field_manager: Option<&'a str>,
}

impl<'a> RequestLineView<'a> {
    pub fn new(line: &'a RequestLine) -> RequestLineView<'a> {
        RequestLineView {
            request: RequestView::new(&line.request),
            cluster: &line.cluster,
            resource: line.resource.as_deref(),
            namespace: line.namespace.as_deref(),
            name: line.name.as_deref(),
            kind: line.kind.as_deref().filter(|k| !k.is_empty()),
            uid: line.uid.as_deref(),
            request_uri: line.uri.as_deref(),
            user_groups: line.groups.as_deref().map_or_else(Vec::new, |g| g.split(',').collect()),
            field_manager: line.request.field_manager.as_deref(),
        }
    }
}

/// `requests --top -o json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TopView {
    by: Vec<&'static str>,
    requests: u64,
    keys: u64,
    rows: Vec<TopRowView>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TopRowView {
    key: serde_json::Map<String, serde_json::Value>,
    count: u64,
    failures: u64,
    p50_latency_us: Option<i64>,
    p99_latency_us: Option<i64>,
}

impl TopView {
    pub fn new(top: &Top) -> TopView {
        let by: Vec<&'static str> = top.by.iter().map(|k| key_name(*k)).collect();
        TopView {
            by: by.clone(),
            requests: top.requests,
            keys: top.keys,
            rows: top
                .rows
                .iter()
                .map(|row| TopRowView {
                    key: by
                        .iter()
                        .zip(&row.key)
                        .map(|(k, v)| {
                            // A code is a number, as everywhere else in the contract.
                            let value = match (*k, v) {
                                ("code", Some(code)) => {
                                    code.parse::<i64>().map_or_else(|_| code.clone().into(), Into::into)
                                }
                                _ => v.clone().into(),
                            };
                            ((*k).to_owned(), value)
                        })
                        .collect(),
                    count: row.count,
                    failures: row.failures,
                    p50_latency_us: row.p50_us,
                    p99_latency_us: row.p99_us,
                })
                .collect(),
        }
    }
}

/// A `--by` key as JSON and the text header name it.
pub fn key_name(key: RequestKey) -> &'static str {
    match key {
        RequestKey::User => "user",
        RequestKey::Verb => "verb",
        RequestKey::Resource => "resource",
        RequestKey::Code => "code",
        RequestKey::Namespace => "namespace",
        RequestKey::Agent => "userAgent",
        RequestKey::SourceIp => "sourceIp",
        RequestKey::Object => "object",
        RequestKey::FieldManager => "fieldManager",
        RequestKey::PodSecurity => "podSecurityViolations",
        RequestKey::Scope => "scope",
        RequestKey::Hour => "hour",
    }
}

/// `analyze -o json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisView<'a> {
    window: WindowView,
    status: Status,
    checks: Vec<CheckView<'a>>,
    /// The `rollouts` check's rollouts, with their phases and Pods.
    rollouts: Vec<RolloutView<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RolloutView<'a> {
    workload: ObjectView<'a>,
    revision: usize,
    started: String,
    started_us: i64,
    started_by: &'a str,
    audit_id: &'a str,
    replica_set: Option<&'a str>,
    /// `complete`, `superseded`, `failed`, `stuck` or `unknown`.
    outcome: &'static str,
    reason: Option<String>,
    phases: Vec<PhaseView>,
    startup_p50_us: Option<i64>,
    startup_p90_us: Option<i64>,
    startup_p99_us: Option<i64>,
    pods: Vec<PodStartupView<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhaseView {
    name: &'static str,
    at: Option<String>,
    at_us: Option<i64>,
    /// Since the template changed.
    after_us: Option<i64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PodStartupView<'a> {
    name: &'a str,
    created_us: Option<i64>,
    scheduled_us: Option<i64>,
    pull_started_us: Option<i64>,
    pull_finished_us: Option<i64>,
    running_us: Option<i64>,
    ready_us: Option<i64>,
    /// Creation to running, image pulls left out (the SLO's pod startup latency).
    startup_us: Option<i64>,
}

impl<'a> RolloutView<'a> {
    fn new(rollout: &'a Rollout) -> RolloutView<'a> {
        let (outcome, reason) = match &rollout.outcome {
            Outcome::Complete => ("complete", None),
            Outcome::Superseded => ("superseded", None),
            Outcome::Failed { reason } => ("failed", Some(reason.clone())),
            Outcome::Stuck { not_ready } => ("stuck", Some(format!("{not_ready} new Pods not ready"))),
            Outcome::Unknown { why } => ("unknown", Some((*why).to_owned())),
        };
        RolloutView {
            workload: ObjectView::new(&rollout.workload),
            revision: rollout.revision,
            started: format_micros(rollout.started_us),
            started_us: rollout.started_us,
            started_by: &rollout.started_by,
            audit_id: &rollout.audit_id,
            replica_set: rollout.replica_set.as_deref(),
            outcome,
            reason,
            phases: rollout
                .phases
                .iter()
                .map(|p| PhaseView {
                    name: p.name,
                    at: time(p.at_us),
                    at_us: p.at_us,
                    // Whole-second Event times can read as before the change.
                    after_us: p.at_us.map(|at| (at - rollout.started_us).max(0)),
                })
                .collect(),
            startup_p50_us: rollout.startup_percentile(0.5),
            startup_p90_us: rollout.startup_percentile(0.9),
            startup_p99_us: rollout.startup_percentile(0.99),
            pods: rollout
                .pods
                .iter()
                .map(|p| PodStartupView {
                    name: &p.name,
                    created_us: p.created_us,
                    scheduled_us: p.scheduled_us,
                    pull_started_us: p.pull_started_us,
                    pull_finished_us: p.pull_finished_us,
                    running_us: p.running_us,
                    ready_us: p.ready_us,
                    startup_us: p.startup_us(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckView<'a> {
    name: &'a str,
    status: Status,
    rule: &'a str,
    thresholds: serde_json::Map<String, serde_json::Value>,
    findings: Vec<FindingView<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FindingView<'a> {
    status: Status,
    subject: &'a str,
    detail: &'a str,
    count: u64,
    first: Option<String>,
    first_us: Option<i64>,
    last: Option<String>,
    last_us: Option<i64>,
    audit_id: Option<&'a str>,
    command: &'a str,
    object: Option<&'a str>,
}

impl<'a> AnalysisView<'a> {
    pub fn new(results: &'a [CheckResult], window: &Window) -> AnalysisView<'a> {
        AnalysisView {
            window: WindowView::new(window),
            status: results.iter().map(|r| r.status).max().unwrap_or(Status::Pass),
            rollouts: results
                .iter()
                .flat_map(|r| &r.findings)
                .filter_map(|f| f.rollout.as_deref())
                .map(RolloutView::new)
                .collect(),
            checks: results
                .iter()
                .map(|r| CheckView {
                    name: r.name,
                    status: r.status,
                    rule: r.rule,
                    thresholds: r.thresholds.iter().map(|(n, v)| ((*n).to_owned(), (*v).into())).collect(),
                    findings: r
                        .findings
                        .iter()
                        .map(|f| FindingView {
                            status: f.status,
                            subject: &f.subject,
                            detail: &f.detail,
                            count: f.count,
                            first: time(f.first_us),
                            first_us: f.first_us,
                            last: time(f.last_us),
                            last_us: f.last_us,
                            audit_id: f.example.as_deref(),
                            command: &f.command,
                            object: f.object.as_deref(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
