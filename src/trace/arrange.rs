//! The four arrangements of a trace (Kelemetry's display "pipelines"). Each turns the object
//! tree into a flat list of spans, parents before children, siblings in time order.

use super::{Arrangement, Log, LogKind, ObjectNode, Span, SpanKind, Status, span_id};

pub fn arrange(arrangement: Arrangement, root: ObjectNode) -> Vec<Span> {
    let mut out = Vec::new();
    match arrangement {
        Arrangement::Tree => tree(root, None, &mut out),
        Arrangement::Timeline => timeline(root, &mut out),
        Arrangement::Tracing => tracing(root, None, &mut out),
        Arrangement::Grouping => grouping(root, None, &mut out),
    }
    out
}

/// A span's children in time order: entries before owned objects that start at the same time.
enum Item {
    Entry(Span),
    Object(ObjectNode),
}

impl Item {
    fn start_us(&self) -> i64 {
        match self {
            Item::Entry(span) => span.start_us,
            Item::Object(node) => node.span.start_us,
        }
    }
}

fn in_time_order(node: ObjectNode) -> (Span, Vec<Item>) {
    let mut items: Vec<Item> =
        node.entries.into_iter().map(Item::Entry).chain(node.children.into_iter().map(Item::Object)).collect();
    items.sort_by_key(|item| (item.start_us(), matches!(item, Item::Object(_))));
    (node.span, items)
}

fn adopt(mut span: Span, parent: Option<&str>) -> Span {
    span.parent = parent.map(str::to_owned);
    span
}

/// Objects nested by ownership; requests and Events as child spans of their object.
fn tree(node: ObjectNode, parent: Option<&str>, out: &mut Vec<Span>) {
    let (span, items) = in_time_order(node);
    let id = span.id.clone();
    out.push(adopt(span, parent));
    for item in items {
        match item {
            Item::Entry(entry) => out.push(adopt(entry, Some(&id))),
            Item::Object(child) => tree(child, Some(&id), out),
        }
    }
}

/// One root span; every entry of every object directly below it in time order, its name
/// prefixed with its object. Logs of owned objects (gaps, dumps) move to the root.
fn timeline(root: ObjectNode, out: &mut Vec<Span>) {
    let mut entries = Vec::new();
    let mut logs = Vec::new();
    let mut stack = root.children;
    while let Some(node) = stack.pop() {
        entries.extend(node.entries);
        logs.extend(node.span.logs.into_iter().map(|mut log| {
            log.event = format!("{}: {}", node.span.object, log.event);
            log
        }));
        stack.extend(node.children);
    }
    entries.extend(root.entries);
    entries.sort_by(|a, b| (a.start_us, &a.id).cmp(&(b.start_us, &b.id)));
    let mut span = root.span;
    span.logs.extend(logs);
    span.logs.sort_by_key(|l| l.time_us);
    span.start_us = entries.iter().map(|e| e.start_us).fold(span.start_us, i64::min);
    span.end_us = entries.iter().map(|e| e.end_us).fold(span.end_us, i64::max);
    let id = span.id.clone();
    out.push(span);
    out.extend(entries.into_iter().map(|mut entry| {
        entry.name = format!("{}: {}", entry.object, entry.name);
        adopt(entry, Some(&id))
    }));
}

/// A request or Event folded into a log of its object's span.
fn fold(entry: Span) -> Log {
    let lines = entry
        .logs
        .into_iter()
        .flat_map(|log| {
            if log.kind.is_plain() {
                log.lines
            } else {
                log.lines.into_iter().map(|line| format!("{}: {line}", log.event)).collect()
            }
        })
        .collect();
    Log { time_us: entry.start_us, kind: LogKind::Entry, event: entry.name, lines, status: entry.status }
}

/// Entries become logs on their object's span; each object span shrinks to the time of its
/// own logs and its owned objects' spans.
fn tracing(node: ObjectNode, parent: Option<&str>, out: &mut Vec<Span>) {
    let mut span = adopt(node.span, parent);
    span.logs.extend(node.entries.into_iter().map(fold));
    span.logs.sort_by_key(|l| l.time_us);
    let id = span.id.clone();
    // Owned objects in the order of their shrunk spans.
    let mut subtrees: Vec<Vec<Span>> = node
        .children
        .into_iter()
        .map(|child| {
            let mut subtree = Vec::new();
            tracing(child, Some(&id), &mut subtree);
            subtree
        })
        .collect();
    subtrees.sort_by_key(|subtree| subtree[0].start_us);
    let extent = span
        .logs
        .iter()
        .map(|l| (l.time_us, l.time_us))
        .chain(subtrees.iter().map(|subtree| (subtree[0].start_us, subtree[0].end_us)))
        .reduce(widen);
    let (start, end) = extent.unwrap_or((span.start_us, span.start_us));
    span.start_us = start;
    span.end_us = end;
    out.push(span);
    out.extend(subtrees.into_iter().flatten());
}

fn widen(a: (i64, i64), b: (i64, i64)) -> (i64, i64) {
    (a.0.min(b.0), a.1.max(b.1))
}

fn worst(spans: &[Span]) -> Status {
    if spans.iter().any(|s| s.status == Status::Error) {
        Status::Error
    } else if spans.iter().any(|s| s.status == Status::Warning) {
        Status::Warning
    } else {
        Status::Ok
    }
}

/// A pseudo span over `members` (which must not be empty).
fn group(key: &str, name: &str, object: &str, parent: &str, members: &[Span]) -> Span {
    Span {
        id: span_id(key),
        parent: Some(parent.to_owned()),
        kind: SpanKind::Group,
        name: name.to_owned(),
        start_us: members.iter().map(|s| s.start_us).min().unwrap_or_default(),
        end_us: members.iter().map(|s| s.end_us).max().unwrap_or_default(),
        time_unknown: false,
        status: worst(members),
        object: object.to_owned(),
        focus: false,
        links: Vec::new(),
        tags: Vec::new(),
        logs: Vec::new(),
        tracks: Vec::new(),
    }
}

/// Under each object an `audit` span with one span per component (that component's requests
/// merged into its logs) and an `events` span with the Events; owned objects after them.
fn grouping(node: ObjectNode, parent: Option<&str>, out: &mut Vec<Span>) {
    let span = adopt(node.span, parent);
    let id = span.id.clone();
    let object = span.object.clone();
    out.push(span);
    let (audits, events): (Vec<Span>, Vec<Span>) = node.entries.into_iter().partition(|e| e.kind == SpanKind::Audit);
    if !audits.is_empty() {
        let audit_id = format!("{id}/audit");
        let source = group(&audit_id, "audit", &object, &id, &audits);
        let source_id = source.id.clone();
        out.push(source);
        let mut components: Vec<(String, Vec<Span>)> = Vec::new();
        for entry in audits {
            let component = match entry.tag("component") {
                Some(super::TagValue::Str(c)) => c.clone(),
                _ => entry.name.clone(),
            };
            match components.iter_mut().find(|(c, _)| *c == component) {
                Some((_, members)) => members.push(entry),
                None => components.push((component, vec![entry])),
            }
        }
        for (component, members) in components {
            let mut merged = group(&format!("{audit_id}/{component}"), &component, &object, &source_id, &members);
            merged.logs = members.into_iter().map(fold).collect();
            out.push(merged);
        }
    }
    if !events.is_empty() {
        let source = group(&format!("{id}/event"), "events", &object, &id, &events);
        let source_id = source.id.clone();
        out.push(source);
        out.extend(events.into_iter().map(|e| adopt(e, Some(&source_id))));
    }
    let mut children = node.children;
    children.sort_by_key(|c| c.span.start_us);
    for child in children {
        grouping(child, Some(&id), out);
    }
}

#[cfg(test)]
mod tests {
    use crate::query::graph::Scope;
    use crate::query::lookup::{self, Found, Wanted};
    use crate::testing::store_of;
    use crate::trace::{self, Arrangement, Filters, SpanKind};

    /// `kind name (parent's name)` per span of the sample Deployment's trace.
    fn shape(arrangement: Arrangement) -> Vec<String> {
        let store = store_of(&["sample"]);
        let selector = crate::model::selector::Selector::parse("deploy/web").unwrap();
        let wanted = Wanted { selector: Some(&selector), namespace: None, cluster: None, uid: None };
        let Found::One(web) = lookup::find(&store, &wanted).unwrap() else { panic!("deploy/web") };
        let trace = trace::build(&store, *web, Scope::Full, None, arrangement, &Filters::default()).unwrap();
        let name = |id: &Option<String>| {
            id.as_ref().map_or("-".to_owned(), |id| trace.spans.iter().find(|s| &s.id == id).unwrap().name.clone())
        };
        trace
            .spans
            .iter()
            .map(|s| format!("{:?} {} ({}) logs {}", s.kind, s.name, name(&s.parent), s.logs.len()))
            .filter(|line| !line.starts_with(&format!("{:?}", SpanKind::Event)) || arrangement == Arrangement::Tree)
            .collect()
    }

    #[test]
    fn tracing_folds_entries_into_logs_of_their_object() {
        assert_eq!(
            shape(Arrangement::Tracing),
            [
                "Object deployments shop/web (-) logs 6",
                "Object replicasets shop/web-7d4b9c8f6d (deployments shop/web) logs 3",
                "Object pods shop/web-7d4b9c8f6d-x2kqz (replicasets shop/web-7d4b9c8f6d) logs 6",
                "Object pods shop/web-7d4b9c8f6d-q8wzn (replicasets shop/web-7d4b9c8f6d) logs 3",
            ]
        );
    }

    #[test]
    fn each_arrangement_keeps_every_object_and_entry() {
        let count = |lines: &[String], prefix: &str| lines.iter().filter(|l| l.starts_with(prefix)).count();
        let tree = shape(Arrangement::Tree);
        assert_eq!((count(&tree, "Object"), count(&tree, "Audit"), count(&tree, "Event")), (4, 11, 5));
        let timeline = shape(Arrangement::Timeline);
        assert_eq!((count(&timeline, "Object"), count(&timeline, "Audit")), (1, 11), "{timeline:#?}");
        let grouping = shape(Arrangement::Grouping);
        assert_eq!(
            grouping.iter().filter(|l| l.starts_with("Group")).map(String::as_str).collect::<Vec<_>>(),
            [
                "Group audit (deployments shop/web) logs 0",
                "Group kubectl (audit) logs 2",
                "Group deployment-controller (audit) logs 2",
                "Group kubefed-controller (audit) logs 1",
                "Group events (deployments shop/web) logs 0",
                "Group audit (replicasets shop/web-7d4b9c8f6d) logs 0",
                "Group deployment-controller (audit) logs 1",
                "Group events (replicasets shop/web-7d4b9c8f6d) logs 0",
                "Group audit (pods shop/web-7d4b9c8f6d-q8wzn) logs 0",
                "Group replicaset-controller (audit) logs 1",
                "Group kube-scheduler (audit) logs 1",
                "Group audit (pods shop/web-7d4b9c8f6d-x2kqz) logs 0",
                "Group replicaset-controller (audit) logs 1",
                "Group kube-scheduler (audit) logs 1",
                "Group kubelet@node-1 (audit) logs 1",
                "Group events (pods shop/web-7d4b9c8f6d-x2kqz) logs 0",
            ]
        );
    }
}
