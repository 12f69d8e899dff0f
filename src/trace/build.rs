//! From the store to object nodes: the ownership tree around the requested object, each
//! object with its requests (field diffs from the resourceVersion chain) and Events.

use std::collections::HashMap;

use anyhow::Result;
use serde::Serialize;

use super::{
    Arrangement, Counts, Log, LogKind, ObjectNode, Span, SpanKind, Status, Tag, TagValue, Trace, arrange, span_id,
    words,
};
use crate::model::component::component_name;
use crate::model::http::status_text;
use crate::model::time::Window;
use crate::model::time::format_micros;
use crate::query::chain::{self, Entry, EntryKind, Note};
use crate::query::graph::{self, Link, Ownership, Scope};
use crate::query::tracks;
use crate::store::Store;
use crate::store::read::{Bodies, EventRow, ObjectRow, RequestRow, StateRow};

/// `--only`: one kind of entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Only {
    /// Successful and failed writes (create, update, patch, delete).
    Writes,
    /// Kubernetes Events.
    Events,
}

/// What a trace leaves out.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub window: Window,
    /// Requests of users or components containing any of these.
    pub exclude_users: Vec<String>,
    pub only: Option<Only>,
    /// Keep what is hidden as noise by default: reads, leader election, leases.
    pub all: bool,
}

/// Builds the trace of `focus` and its relatives.
pub fn build(
    store: &Store,
    focus: ObjectRow,
    scope: Scope,
    depth: Option<usize>,
    arrangement: Arrangement,
    filters: &Filters,
) -> Result<Trace> {
    let ownership = graph::load(store, focus, scope, depth)?;
    let ids: Vec<i64> = ownership.objects.keys().copied().collect();
    let mut builder = Builder {
        filters,
        ownership: &ownership,
        newest_us: store.newest_us()?,
        bodies: Bodies::new(store),
        requests: store.requests_of(&ids)?,
        states: store.states_of(&ids)?,
        events: store.events_of(&ids)?,
        counts: Counts::default(),
    };
    let (mut root, _) = builder.node(ownership.root)?;
    if let Some(extent) = known_extent(&root) {
        place_undated(&mut root, extent.0);
    }
    let root_key = object_key(&ownership.objects[&ownership.root]);
    builder.counts.objects = count_objects(&root);
    let mut spans = arrange::arrange(arrangement, root);
    // Links point only at spans the trace holds (an owner outside the scope is a tag only).
    let ids: std::collections::HashSet<String> = spans.iter().map(|s| s.id.clone()).collect();
    for span in &mut spans {
        span.links.retain(|link| ids.contains(link));
    }
    Ok(Trace {
        trace_id: format!("{:032x}", xxhash_rust::xxh3::xxh3_128(root_key.as_bytes()).max(1)),
        arrangement,
        scope,
        window: filters.window,
        counts: builder.counts,
        spans,
    })
}

/// The earliest start and latest end of the spans whose time is known.
fn known_extent(node: &ObjectNode) -> Option<(i64, i64)> {
    let own = (!node.span.time_unknown).then_some((node.span.start_us, node.span.end_us));
    node.children.iter().filter_map(known_extent).chain(own).reduce(widen)
}

/// Spans nothing dates sit at the start of the trace, marked, rather than at the epoch.
fn place_undated(node: &mut ObjectNode, start_us: i64) {
    if node.span.time_unknown {
        node.span.start_us = start_us;
        node.span.end_us = start_us;
        for log in node.span.logs.iter_mut().filter(|l| l.time_us == UNDATED) {
            log.time_us = start_us;
        }
    }
    for child in &mut node.children {
        place_undated(child, start_us);
    }
}

fn widen(a: (i64, i64), b: (i64, i64)) -> (i64, i64) {
    (a.0.min(b.0), a.1.max(b.1))
}

fn count_objects(node: &ObjectNode) -> usize {
    1 + node.children.iter().map(count_objects).sum::<usize>()
}

fn object_key(object: &ObjectRow) -> String {
    format!("object/{}/{}", object.cluster, object.uid.clone().unwrap_or_else(|| object.display()))
}

/// `deployment/web`, `pod/web-5d9c7b8f4-x2kqz`: how kubectl names an object in one namespace.
fn short_name(object: &ObjectRow) -> String {
    let kind = if object.kind.is_empty() { object.resource.clone() } else { object.kind.to_ascii_lowercase() };
    format!("{kind}/{}", object.name)
}

struct Builder<'a> {
    filters: &'a Filters,
    ownership: &'a Ownership,
    newest_us: Option<i64>,
    bodies: Bodies<'a>,
    /// What the store holds about every object of the tree, read up front.
    requests: HashMap<i64, Vec<RequestRow>>,
    states: HashMap<i64, Vec<StateRow>>,
    events: HashMap<i64, Vec<EventRow>>,
    counts: Counts,
}

/// The time of a log nothing dates, until its object's span says where to show it.
const UNDATED: i64 = i64::MIN;

fn tag(key: &'static str, value: impl Into<String>) -> Tag {
    Tag { key, value: TagValue::Str(value.into()) }
}

fn int_tag(key: &'static str, value: i64) -> Tag {
    Tag { key, value: TagValue::Int(value) }
}

fn time_tag(key: &'static str, us: Option<i64>) -> Option<Tag> {
    us.map(|us| tag(key, format_micros(us)))
}

fn is_noise(request: &RequestRow) -> bool {
    !request.is_write() || request.user_agent.as_deref().is_some_and(|a| a.contains("leader-election"))
}

impl Builder<'_> {
    /// The node of one object and, recursively, of what it owns, and whether the object's
    /// life meets the window. Owned objects outside it, with nothing kept below, are left out.
    fn node(&mut self, id: i64) -> Result<(ObjectNode, bool)> {
        let object = self.ownership.objects[&id].clone();
        let mut children = Vec::new();
        for child in self.ownership.children(id) {
            let (node, in_window) = self.node(child)?;
            if in_window || !node.children.is_empty() {
                children.push(node);
            }
        }
        let label = short_name(&object);
        // Tags first: the node of a Pod comes from the requests the entries below consume.
        let tags = self.object_tags(&object)?;
        let transitions = tracks::transitions(
            &object,
            self.requests.get(&id).map_or(&[][..], Vec::as_slice),
            self.states.get(&id).map_or(&[][..], Vec::as_slice),
            &mut self.bodies,
        )?;
        let mut logs = Vec::new();
        let mut entries = self.audit_spans(&object, &label, &mut logs)?;
        if self.filters.only != Some(Only::Writes) {
            for event in self.events.get(&id).map_or(&[][..], Vec::as_slice) {
                if self.filters.window.contains(event.time_us) {
                    entries.push(event_span(event, &label));
                    self.counts.events += 1;
                } else {
                    self.counts.filtered += 1;
                }
            }
        }
        // Stable: same-time entries keep the store's order (requests, then Events as ingested).
        entries.sort_by_key(|e| e.start_us);
        // An object's span covers its life and what happened to it; one known only from an
        // ownerReference, by what it owns; one nothing dates is marked as such.
        let life = [object.created_us.or(object.first_seen_us), object.deleted_us.or(object.last_seen_us)];
        let own = entries.iter().map(|e| (e.start_us, e.end_us)).chain(life.into_iter().flatten().map(|t| (t, t)));
        let extent = own.reduce(widen).or_else(|| {
            children.iter().filter(|c| !c.span.time_unknown).map(|c| (c.span.start_us, c.span.end_us)).reduce(widen)
        });
        let window = self.filters.window;
        let (start, end) = extent.unwrap_or_default();
        let (start, end) =
            (window.since_us.map_or(start, |s| start.max(s)), window.until_us.map_or(end, |u| end.min(u)));
        if extent.is_some() {
            for log in logs.iter_mut().filter(|l| l.time_us == UNDATED) {
                // A dump state nothing dates: shown at the end of what is known of the object.
                log.time_us = end;
            }
        }
        let span = Span {
            id: span_id(&object_key(&object)),
            parent: None,
            kind: SpanKind::Object,
            name: format!("{} {}", object.resource, namespaced(&object.namespace, &object.name)),
            start_us: start,
            end_us: end.max(start),
            time_unknown: extent.is_none(),
            status: Status::Ok,
            object: label,
            focus: id == self.ownership.focus,
            links: self
                .ownership
                .other_owners
                .get(&id)
                .map_or_else(Vec::new, |owners| owners.iter().map(|owner| span_id(&object_key(owner))).collect()),
            tags,
            logs,
            tracks: if extent.is_some() { tracks::segments(&transitions, start, end.max(start)) } else { Vec::new() },
        };
        let in_window = extent.is_none() || end >= start;
        Ok((ObjectNode { span, entries, children }, in_window))
    }

    fn object_tags(&mut self, object: &ObjectRow) -> Result<Vec<Tag>> {
        let mut tags = vec![tag("cluster", &object.cluster)];
        if !object.api_group.is_empty() {
            tags.push(tag("group", &object.api_group));
        }
        if !object.api_version.is_empty() {
            tags.push(tag("version", &object.api_version));
        }
        tags.push(tag("resource", &object.resource));
        if !object.kind.is_empty() {
            tags.push(tag("kind", &object.kind));
        }
        if !object.namespace.is_empty() {
            tags.push(tag("namespace", &object.namespace));
        }
        tags.push(tag("name", &object.name));
        tags.extend(object.uid.as_ref().map(|uid| tag("uid", uid)));
        if object.resource == "pods"
            && let Some(node) = self.pod_node(object)?
        {
            tags.push(tag("node", node));
        }
        tags.extend(time_tag("creation", object.created_us));
        tags.extend(time_tag("deletion", object.deleted_us));
        match self.ownership.parent(object.id) {
            Some((_, Link::Inferred)) => tags.push(tag("ownerLink", "inferred")),
            Some((_, Link::Controller)) => tags.push(tag("ownerLink", "controller")),
            Some((_, Link::Annotation)) => tags.push(tag("ownerLink", "annotation")),
            None => {}
        }
        if let Some(others) = self.ownership.other_owners.get(&object.id) {
            let names: Vec<String> = others.iter().map(short_name).collect();
            tags.push(tag("owners", names.join(", ")));
        }
        Ok(tags)
    }

    /// The node a Pod was bound to: the scheduler's binding, else `spec.nodeName` of a state.
    fn pod_node(&mut self, pod: &ObjectRow) -> Result<Option<String>> {
        let requests = self.requests.get(&pod.id).map_or(&[][..], Vec::as_slice);
        for request in requests.iter().rev() {
            if let Some(node) = binding_target(&mut self.bodies, request)? {
                return Ok(Some(node));
            }
        }
        let mut states: Vec<&StateRow> = self.states.get(&pod.id).map_or(&[][..], Vec::as_slice).iter().collect();
        states.sort_by_key(|s| s.observed_us);
        for state in states.iter().rev() {
            if let Ok(body) = self.bodies.json(state.body)?
                && let Some(node) = body.pointer("/spec/nodeName").and_then(|v| v.as_str())
            {
                return Ok(Some(node.to_owned()));
            }
        }
        Ok(None)
    }

    /// The object's requests as spans, with the chain's diffs; chain gaps and dump states
    /// become logs of the object (`logs`).
    fn audit_spans(&mut self, object: &ObjectRow, label: &str, logs: &mut Vec<Log>) -> Result<Vec<Span>> {
        let requests = self.requests.remove(&object.id).unwrap_or_default();
        let states = self.states.remove(&object.id).unwrap_or_default();
        let chain = chain::from_rows(
            object.clone(),
            &requests,
            &states,
            &mut self.bodies,
            Window::default(),
            &[],
            self.newest_us,
        )?;
        for entry in chain.entries.iter().filter(|e| matches!(e.kind, EntryKind::Gap | EntryKind::Dump)) {
            // A state nothing dates is shown only when no window asks for dates.
            if entry.time_us.map_or(self.filters.window == Window::default(), |t| self.filters.window.contains(t)) {
                let (kind, mut lines) = if entry.kind == EntryKind::Gap {
                    (LogKind::Gap, entry.notes.iter().map(words::note).collect())
                } else {
                    let changes: Vec<String> = entry.visible_changes(false).map(|c| c.describe()).collect();
                    (LogKind::Dump, if changes.is_empty() { vec!["state seen in a dump".to_owned()] } else { changes })
                };
                if entry.time_us.is_none() {
                    lines.insert(0, "seen in a dump of unknown time".to_owned());
                }
                logs.push(Log::new(kind, entry.time_us.unwrap_or(UNDATED), lines, Status::Ok));
            }
        }
        if self.filters.only == Some(Only::Events) {
            return Ok(Vec::new());
        }
        let by_audit_id: HashMap<&str, &Entry> =
            chain.entries.iter().filter_map(|e| e.request.as_ref().map(|r| (r.audit_id.as_str(), e))).collect();
        let noisy_object = matches!(object.resource.as_str(), "leases" | "events") && object.id != self.ownership.focus;
        let mut spans = Vec::new();
        for request in requests {
            if !self.filters.all && (noisy_object || is_noise(&request)) {
                self.counts.hidden_noise += 1;
                continue;
            }
            let component = component_name(&request.user, request.user_agent.as_deref());
            let excluded = self
                .filters
                .exclude_users
                .iter()
                .any(|u| request.user.contains(u.as_str()) || component.contains(u.as_str()));
            let kept = !excluded
                && self.filters.window.contains(request.received_us)
                && (self.filters.only != Some(Only::Writes) || request.is_write());
            if !kept {
                self.counts.filtered += 1;
                continue;
            }
            let snapshot = self.snapshot(&request, &states)?;
            let mut span =
                audit_span(&request, by_audit_id.get(request.audit_id.as_str()).copied(), snapshot, label, component);
            if let Some(node) = binding_target(&mut self.bodies, &request)? {
                // A binding's response is a Status, not the Pod: say where it went instead.
                span.logs.retain(|l| l.kind != LogKind::Note);
                span.logs.push(Log::new(LogKind::Note, span.end_us, vec![format!("bound to node {node}")], Status::Ok));
                span.tags.push(tag("node", node));
            }
            spans.push(span);
            self.counts.requests += 1;
        }
        Ok(spans)
    }

    /// The object as a create made it or as a delete left it, as compact JSON.
    fn snapshot(&mut self, request: &RequestRow, states: &[StateRow]) -> Result<Option<String>> {
        if !request.succeeded() || request.subresource.is_some() {
            return Ok(None);
        }
        let state = match request.verb.as_str() {
            "create" => request.new_rv.as_deref().and_then(|rv| states.iter().find(|s| s.resource_version == rv)),
            "delete" => {
                request.new_rv.as_deref().and_then(|rv| states.iter().find(|s| s.resource_version == rv)).or_else(
                    || {
                        states
                            .iter()
                            .filter(|s| s.observed_us.is_some_and(|t| t <= request.completed_us))
                            .max_by_key(|s| s.observed_us)
                    },
                )
            }
            _ => None,
        };
        let body = state.map(|s| self.bodies.json(s.body)).transpose()?;
        Ok(body.and_then(Result::ok).map(|body| body.to_string()))
    }
}

/// The node a successful binding request assigned.
fn binding_target(bodies: &mut Bodies, request: &RequestRow) -> Result<Option<String>> {
    match request.body {
        Some(body) if request.subresource.as_deref() == Some("binding") && request.succeeded() => {
            let body = bodies.json(body)?.ok();
            Ok(body.and_then(|b| b.pointer("/target/name").and_then(|v| v.as_str()).map(str::to_owned)))
        }
        _ => Ok(None),
    }
}

fn namespaced(namespace: &str, name: &str) -> String {
    if namespace.is_empty() { name.to_owned() } else { format!("{namespace}/{name}") }
}

/// `<user> <verb>[ <subresource>][ (<status text>)]`, as Kelemetry names audit spans.
fn audit_name(request: &RequestRow) -> String {
    let mut name = format!("{} {}", request.user, request.verb);
    if let Some(sub) = &request.subresource {
        name.push(' ');
        name.push_str(sub);
    }
    match request.code {
        _ if !request.complete && request.code.is_none() => name.push_str(" (no response)"),
        Some(code) if !(200..300).contains(&code) => {
            let text = match status_text(code) {
                "" => request.reason.clone().unwrap_or_else(|| code.to_string()),
                text => text.to_owned(),
            };
            name.push_str(&format!(" ({text})"));
        }
        _ => {}
    }
    name
}

fn audit_span(
    request: &RequestRow,
    entry: Option<&Entry>,
    snapshot: Option<String>,
    label: &str,
    component: String,
) -> Span {
    let failed = !request.succeeded();
    let mut tags = vec![tag("auditID", &request.audit_id), tag("verb", &request.verb)];
    tags.extend(request.subresource.as_ref().map(|s| tag("subresource", s)));
    tags.push(tag("username", &request.user));
    tags.extend(request.impersonated_user.as_ref().map(|u| tag("impersonatedUser", u)));
    tags.push(tag("component", component));
    tags.extend(request.user_agent.as_ref().map(|a| tag("userAgent", a)));
    tags.extend(request.source_ip.as_ref().map(|ip| tag("sourceIP", ip)));
    tags.extend(request.code.map(|c| int_tag("responseCode", c)));
    tags.extend(request.reason.as_ref().map(|r| tag("responseReason", r)));
    tags.extend(request.base_rv.as_ref().map(|rv| tag("resourceVersion", rv)));
    tags.extend(request.new_rv.as_ref().map(|rv| tag("newResourceVersion", rv)));
    if failed {
        tags.push(Tag { key: "error", value: TagValue::Bool(true) });
    }

    let at = request.completed_us.max(request.received_us);
    let log = |kind, lines, status| Log::new(kind, at, lines, status);
    let mut logs = Vec::new();
    if failed {
        logs.push(log(LogKind::Error, vec![request.failure()], Status::Error));
    }
    if let Some(entry) = entry.filter(|_| !failed) {
        // Without bodies every write would say "changes unknown": the header says it once.
        let metadata_only = request.level <= 1;
        let notes: Vec<String> = entry
            .notes
            .iter()
            .filter(|n| !matches!(n, Note::Created | Note::Deleted))
            .filter(|n| !(metadata_only && matches!(n, Note::ChangesUnknown { .. })))
            .map(words::note)
            .collect();
        if !notes.is_empty() {
            logs.push(log(LogKind::Note, notes, Status::Ok));
        }
        let created = request.verb == "create" && request.subresource.is_none();
        let changes: Vec<String> = entry.visible_changes(false).map(|c| c.describe()).collect();
        if !created && !changes.is_empty() {
            logs.push(log(LogKind::Diff, changes, Status::Ok));
        }
    }
    if let Some(snapshot) = snapshot {
        logs.push(log(LogKind::Snapshot, vec![snapshot], Status::Ok));
    }
    Span {
        id: span_id(&format!("audit/{}", request.audit_id)),
        parent: None,
        kind: SpanKind::Audit,
        name: audit_name(request),
        start_us: request.received_us,
        end_us: at,
        time_unknown: false,
        status: if failed { Status::Error } else { Status::Ok },
        object: label.to_owned(),
        focus: false,
        links: Vec::new(),
        tags,
        logs,
        tracks: Vec::new(),
    }
}

fn event_span(row: &EventRow, label: &str) -> Span {
    let event = &row.details;
    let mut tags = Vec::new();
    tags.extend(event.event_type.as_ref().map(|t| tag("type", t)));
    tags.extend(event.reason.as_ref().map(|r| tag("reason", r)));
    let source = event.source_component.as_ref().or(event.reporting_component.as_ref()).filter(|s| !s.is_empty());
    tags.extend(source.map(|s| tag("source", s)));
    let host = event.source_host.as_ref().or(event.reporting_instance.as_ref()).filter(|s| !s.is_empty());
    tags.extend(host.map(|h| tag("host", h)));
    tags.extend(event.action.as_ref().map(|a| tag("action", a)));
    tags.extend(event.field_path.as_ref().map(|f| tag("fieldPath", f)));
    tags.extend(event.count.filter(|&c| c > 0).or(event.series_count).map(|c| int_tag("count", c)));
    tags.extend(time_tag("firstTimestamp", event.first_us));
    tags.extend(time_tag("lastTimestamp", event.last_us));
    tags.extend(time_tag("eventTime", event.event_time_us));
    tags.push(tag("api", &row.api));
    tags.push(tag("event", namespaced(&event.namespace, &event.name)));
    tags.extend(event.resource_version.as_ref().map(|rv| tag("eventResourceVersion", rv)));
    let warning = event.event_type.as_deref() == Some("Warning");
    let status = if warning { Status::Warning } else { Status::Ok };
    let logs = event.message.iter().map(|m| Log::new(LogKind::Message, row.time_us, vec![m.clone()], status)).collect();
    let key = format!(
        "event/{}/{}/{}",
        event.uid.clone().unwrap_or_else(|| namespaced(&event.namespace, &event.name)),
        event.resource_version.as_deref().unwrap_or_default(),
        row.time_us
    );
    Span {
        id: span_id(&key),
        parent: None,
        kind: SpanKind::Event,
        name: event.reason.clone().unwrap_or_else(|| "(no reason)".to_owned()),
        start_us: row.time_us,
        end_us: row.time_us,
        time_unknown: false,
        status,
        object: label.to_owned(),
        focus: false,
        links: Vec::new(),
        tags,
        logs,
        tracks: Vec::new(),
    }
}
