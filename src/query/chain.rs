//! The resourceVersion chain of one object: every write with who made it, the fields it
//! changed, and the states dumps showed; gaps and unknowns said as such.

use std::collections::HashMap;

use anyhow::Result;
use serde_json::Value;

use crate::model::component::component_name;
use crate::model::time::Window;
use crate::query::diff::{self, Change};
use crate::store::Store;
use crate::store::read::{Bodies, ObjectRow, RequestRow, StateRow};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A successful write.
    Write,
    /// A write the apiserver refused (409, 422, 403, ...).
    Failed,
    /// A state a dump showed and no logged write produced.
    Dump,
    /// The resourceVersion moved through writes the logs do not show.
    Gap,
}

/// What an entry says besides its changes. A value: [`crate::trace::words`] says it in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    Created,
    Deleted,
    /// A refused write: the apiserver's reason and message.
    Failed {
        reason: String,
    },
    /// The resourceVersion moved from `from` to `to` through writes the logs do not hold.
    Gap {
        from: String,
        to: String,
    },
    /// A successful write whose log entry has no response body, at this audit level
    /// (1 Metadata, 2 Request, 3 RequestResponse without an object).
    ChangesUnknown {
        level: i64,
    },
    /// The write was based on another resourceVersion than `resource_version`, the last state
    /// seen, and is compared with it.
    ComparedWith {
        resource_version: String,
    },
    NoOp,
    /// The first state seen of an object that existed before: nothing to compare with.
    FirstSeen,
    /// A state a dump showed and no logged write produced.
    DumpOnly,
    /// The body stored for a resourceVersion cannot be read back: its changes are unknown.
    Unreadable {
        resource_version: String,
        reason: String,
    },
}

/// One link of the chain.
#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: EntryKind,
    /// When it happened; `None` for a dump state whose file says no time.
    pub time_us: Option<i64>,
    pub request: Option<RequestRow>,
    /// The writer, as operators name it (`deployment-controller`, `kubelet@node-1`).
    pub component: Option<String>,
    pub base_rv: Option<String>,
    pub new_rv: Option<String>,
    /// What changed, noise included (see `Change::noise`). A create lists the fields it set.
    pub changes: Vec<Change>,
    /// `created`, `deleted`, `no-op`, or what is unknown and why.
    pub notes: Vec<Note>,
    /// The patch document sent, for patches.
    pub patch: Option<Value>,
    /// With `--field`: how long the value this entry set was in place.
    pub held_us: Option<i64>,
    /// The value was still in place at the end of the data.
    pub still_held: bool,
}

impl Entry {
    pub fn visible_changes(&self, verbose: bool) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |c| verbose || !c.noise)
    }
}

/// The chain of one object.
#[derive(Debug, Clone)]
pub struct Chain {
    pub object: ObjectRow,
    pub window: Window,
    pub entries: Vec<Entry>,
}

fn numeric(rv: &str) -> Option<u128> {
    rv.parse().ok()
}

/// Builds the chain of an object. `fields` keeps only writes that changed one of those
/// paths and says how long each value held.
pub fn build(
    store: &Store,
    object: ObjectRow,
    window: Window,
    fields: &[String],
    newest_us: Option<i64>,
) -> Result<Chain> {
    let requests = store.object_requests(object.id)?;
    let states = store.object_states(object.id)?;
    from_rows(object, &requests, &states, &mut Bodies::new(store), window, fields, newest_us)
}

/// [`build`] from rows already read: a trace reads those of many objects at once.
pub fn from_rows(
    object: ObjectRow,
    requests: &[RequestRow],
    states: &[StateRow],
    bodies: &mut Bodies,
    window: Window,
    fields: &[String],
    newest_us: Option<i64>,
) -> Result<Chain> {
    let mut walk = Walk::default();
    for (time, _, request, state) in in_time_order(requests, states) {
        walk.step(time, request, state, bodies)?;
    }
    let mut entries = walk.entries;
    if !fields.is_empty() {
        blame(&mut entries, fields, &object, newest_us);
    }
    // A state of unknown time cannot be placed in a window: it stays only without one.
    entries.retain(|e| e.time_us.map_or(window == Window::default(), |t| window.contains(t)));
    Ok(Chain { object, window, entries })
}

/// One step of the chain: when (if known), where it sorts, and a write (with the state it
/// produced, if stored) or a dump state.
type Item<'a> = (Option<i64>, i64, Option<&'a RequestRow>, Option<&'a StateRow>);

/// The writes, and the dump states no write explains, in time order.
fn in_time_order<'a>(requests: &'a [RequestRow], states: &'a [StateRow]) -> Vec<Item<'a>> {
    let requests: Vec<&RequestRow> = requests.iter().filter(|r| r.is_write()).collect();
    let by_rv: HashMap<&str, &StateRow> = states.iter().map(|s| (s.resource_version.as_str(), s)).collect();
    let produced: std::collections::HashSet<&str> = requests.iter().filter_map(|r| r.new_rv.as_deref()).collect();
    let mut items: Vec<Item> = requests
        .iter()
        .copied()
        .map(|r| {
            let state = r.new_rv.as_deref().and_then(|rv| by_rv.get(rv).copied());
            (Some(r.received_us), r.received_us, Some(r), state)
        })
        .collect();
    for state in states.iter().filter(|s| s.from_dump && !produced.contains(s.resource_version.as_str())) {
        // A dump without a time of its own sorts after the writes of lower resourceVersions
        // (after all of them when there are none), and its time stays unknown.
        let order = state.observed_us.unwrap_or_else(|| {
            let rv = numeric(&state.resource_version);
            requests
                .iter()
                .filter(|r| r.new_rv.as_deref().and_then(numeric).zip(rv).is_some_and(|(w, s)| w <= s))
                .map(|r| r.completed_us)
                .max()
                .unwrap_or(i64::MAX)
        });
        items.push((state.observed_us, order, None, Some(state)));
    }
    items.sort_by_key(|(_, order, _, _)| *order);
    items
}

impl Entry {
    fn new(kind: EntryKind, time_us: Option<i64>) -> Entry {
        Entry {
            kind,
            time_us,
            request: None,
            component: None,
            base_rv: None,
            new_rv: None,
            changes: Vec::new(),
            notes: Vec::new(),
            patch: None,
            held_us: None,
            still_held: false,
        }
    }
}

/// Walks the chain in time order, keeping the last state seen to diff the next against.
#[derive(Default)]
struct Walk {
    entries: Vec<Entry>,
    /// The last state whose body is stored, by resourceVersion.
    current: Option<(String, Value)>,
    /// The last resourceVersion a write produced, body stored or not.
    current_rv: Option<String>,
}

impl Walk {
    fn step(
        &mut self,
        time: Option<i64>,
        request: Option<&RequestRow>,
        state: Option<&StateRow>,
        bodies: &mut Bodies,
    ) -> Result<()> {
        let (body, unreadable) = match state.map(|s| bodies.json(s.body)).transpose()? {
            Some(Ok(body)) => (Some(body), None),
            Some(Err(reason)) => (None, Some(reason)),
            None => (None, None),
        };
        let mut entry = match request {
            Some(request) => self.write(request, state.is_some(), bodies)?,
            None => {
                let mut entry = Entry::new(EntryKind::Dump, time);
                entry.new_rv = state.map(|s| s.resource_version.clone());
                entry.notes.push(Note::DumpOnly);
                entry
            }
        };
        if let (Some(reason), Some(state)) = (unreadable, state) {
            entry.notes.push(Note::Unreadable { resource_version: state.resource_version.clone(), reason });
        }
        match body {
            Some(body) => self.compare(&mut entry, body),
            None if entry.kind == EntryKind::Write => self.current_rv = entry.new_rv.clone().or(self.current_rv.take()),
            None => {}
        }
        self.entries.push(entry);
        Ok(())
    }

    /// The entry of a request, after a gap entry when it was based on a resourceVersion the
    /// logs never showed produced.
    fn write(&mut self, request: &RequestRow, has_body: bool, bodies: &mut Bodies) -> Result<Entry> {
        let time = Some(request.received_us);
        let mut entry = Entry::new(EntryKind::Write, time);
        entry.component = Some(component_name(&request.user, request.user_agent.as_deref()));
        entry.base_rv = request.base_rv.clone();
        entry.new_rv = request.new_rv.clone();
        entry.patch =
            request.body.filter(|_| request.verb == "patch").map(|b| bodies.json(b)).transpose()?.and_then(Result::ok);
        entry.request = Some(request.clone());
        if !request.succeeded() {
            entry.kind = EntryKind::Failed;
            entry.notes.push(Note::Failed { reason: request.failure() });
            return Ok(entry);
        }
        if let (Some(base), Some(seen)) = (&request.base_rv, &self.current_rv)
            && base != seen
        {
            let mut gap = Entry::new(EntryKind::Gap, time);
            gap.base_rv = Some(seen.clone());
            gap.new_rv = Some(base.clone());
            gap.notes.push(Note::Gap { from: seen.clone(), to: base.clone() });
            self.entries.push(gap);
        }
        match request.verb.as_str() {
            "create" if request.subresource.is_none() => entry.notes.push(Note::Created),
            "delete" | "deletecollection" if request.subresource.is_none() => entry.notes.push(Note::Deleted),
            _ => {}
        }
        if !has_body {
            entry.notes.push(Note::ChangesUnknown { level: request.level });
        }
        Ok(entry)
    }

    /// Diffs a state against the last one seen, and makes it the last one.
    fn compare(&mut self, entry: &mut Entry, body: Value) {
        let created = entry.notes.contains(&Note::Created);
        let before = match &self.current {
            _ if created => None,
            Some((rv, value)) => {
                if entry.base_rv.as_deref().is_some_and(|b| b != rv) && entry.kind == EntryKind::Write {
                    entry.notes.push(Note::ComparedWith { resource_version: rv.clone() });
                }
                Some(value)
            }
            None => None,
        };
        match before {
            Some(before) => {
                entry.changes = diff::diff(before, &body);
                let is_delete = entry.notes.contains(&Note::Deleted);
                if !created && !is_delete && entry.changes.iter().all(|c| c.noise) && entry.kind == EntryKind::Write {
                    entry.notes.push(Note::NoOp);
                }
            }
            None if created => entry.changes = diff::created(&body),
            None if entry.kind == EntryKind::Write => entry.notes.push(Note::FirstSeen),
            None => {}
        }
        let rv = entry.new_rv.clone().unwrap_or_default();
        self.current_rv = Some(rv.clone());
        self.current = Some((rv, body));
    }
}

/// Keeps the entries that changed one of `fields`, and says how long each value held: until
/// the next change, the object's deletion, or the end of the data.
fn blame(entries: &mut Vec<Entry>, fields: &[String], object: &ObjectRow, newest_us: Option<i64>) {
    entries.retain(|e| e.changes.iter().any(|c| fields.iter().any(|f| c.touches(f))));
    for entry in entries.iter_mut() {
        entry.changes.retain(|c| fields.iter().any(|f| c.touches(f)));
    }
    let end = object.deleted_us.or(newest_us).or(object.last_seen_us);
    for i in 0..entries.len() {
        let next = entries.get(i + 1).map(|e| e.time_us);
        entries[i].still_held = next.is_none() && object.deleted_us.is_none();
        // How long is known only between known times.
        let until = match next {
            Some(next) => next,
            None => end,
        };
        entries[i].held_us = until.zip(entries[i].time_us).map(|(until, at)| until - at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::selector::Selector;
    use crate::query::lookup::{self, Found, Wanted};
    use crate::testing::store_of;

    fn object(store: &Store, selector: &str) -> ObjectRow {
        let selector = Selector::parse(selector).unwrap();
        let wanted = Wanted { selector: Some(&selector), namespace: None, cluster: None, uid: None };
        match lookup::find(store, &wanted).unwrap() {
            Found::One(object) => *object,
            _ => panic!("{selector:?} is not one object"),
        }
    }

    /// `kind base→new component notes` per entry.
    fn summary(chain: &Chain) -> Vec<String> {
        chain
            .entries
            .iter()
            .map(|e| {
                // A refusal by its reason alone: the apiserver's message is long.
                let notes: Vec<String> = e
                    .notes
                    .iter()
                    .map(|n| match n {
                        Note::Failed { reason } => reason.split(':').next().unwrap_or_default().to_owned(),
                        other => crate::trace::words::note(other),
                    })
                    .collect();
                format!(
                    "{:?} {}→{} {} {}",
                    e.kind,
                    e.base_rv.as_deref().unwrap_or("-"),
                    e.new_rv.as_deref().unwrap_or("-"),
                    e.component.as_deref().unwrap_or("-"),
                    notes.join("; ")
                )
            })
            .collect()
    }

    #[test]
    fn a_field_blame_holds_each_value_until_the_next_change() {
        let store = store_of(&["sample"]);
        let web = object(&store, "deploy/web");
        let fields = ["spec.minReadySeconds".to_owned()];
        let chain = build(&store, web, Window::default(), &fields, store.newest_us().unwrap()).unwrap();
        let blame: Vec<(String, String, i64, bool)> = chain
            .entries
            .iter()
            .map(|e| {
                let change = &e.changes[0];
                (e.component.clone().unwrap(), change.describe(), e.held_us.unwrap() / 1_000_000, e.still_held)
            })
            .collect();
        assert_eq!(
            blame,
            [
                ("kubectl".to_owned(), "spec.minReadySeconds: + 10".to_owned(), 60, false),
                ("kubefed-controller".to_owned(), "spec.minReadySeconds: 10 -> 3600".to_owned(), 60, false),
                ("kubectl".to_owned(), "spec.minReadySeconds: 3600 -> 10".to_owned(), 30, true),
            ]
        );
    }

    #[test]
    fn refused_writes_and_races_are_entries_with_their_reasons() {
        let store = store_of(&["races"]);
        let settings = object(&store, "cm/settings");
        let chain = build(&store, settings, Window::default(), &[], None).unwrap();
        assert_eq!(
            summary(&chain),
            [
                "Write -→10 kubectl created",
                "Write 10→11 tuner ",
                "Failed 10→- scaler Conflict",
                "Failed 10→- auditor Conflict",
                "Write 11→12 scaler ",
                "Gap 12→14 - resourceVersion 12 → 14: written by requests these logs do not hold",
                "Write 14→15 tuner compared with resourceVersion 12, the last state seen",
                "Failed 13→- auditor Conflict",
                "Write -→- tuner changes unknown: the log has no response body (Metadata level)",
                "Failed -→- scaler Conflict",
                "Failed -→- kubectl AlreadyExists",
            ]
        );
    }
}
