//! 409 Conflicts grouped by the resourceVersion the writers raced on: the winner is the
//! write that succeeded from that resourceVersion, the losers the 409s; a loser's retry that
//! later succeeded is linked. 409s for other reasons (AlreadyExists) are kept apart.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use anyhow::Result;

use crate::model::component::component_name;
use crate::model::time::Window;
use crate::query::diff::{self, Change};
use crate::store::Store;
use crate::store::read::{Bodies, ObjectRow, RequestRow, StateRow};
use crate::store::stats::Count;

/// How long before a 409 a successful write may have completed to be taken as its winner
/// when the log does not say which resourceVersion the loser was based on.
const APPROXIMATE_WINDOW_US: i64 = 5_000_000;

#[derive(Debug, Clone)]
pub struct Write {
    pub component: String,
    pub request: RequestRow,
}

impl Write {
    fn new(request: &RequestRow) -> Write {
        Write { component: component_name(&request.user, request.user_agent.as_deref()), request: request.clone() }
    }
}

#[derive(Debug, Clone)]
pub struct Loser {
    pub write: Write,
    /// The same writer's next successful write of the object.
    pub retry: Option<Write>,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub object: ObjectRow,
    /// The resourceVersion the writers raced on.
    pub base_rv: Option<String>,
    /// True when the log did not record the losers' base resourceVersion and the group was
    /// formed by time proximity instead.
    pub approximate: bool,
    pub winner: Option<Write>,
    /// What the winner changed (noise excluded).
    pub winner_changes: Vec<Change>,
    pub losers: Vec<Loser>,
}

#[derive(Debug, Clone)]
pub struct Bucket {
    pub start_us: i64,
    pub end_us: i64,
    pub conflicts: usize,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub window: Window,
    pub conflicts: usize,
    pub groups_total: usize,
    pub groups_without_winner: usize,
    pub approximate_groups: usize,
    pub top_objects: Vec<Count>,
    /// The component pairs that collide most.
    pub top_pairs: Vec<Pair>,
    pub buckets: Vec<Bucket>,
    /// The first `limit` groups in time order (all of them with no limit).
    pub groups: Vec<Group>,
    /// 409s that are not resourceVersion races (AlreadyExists, ...).
    pub other_409: Vec<(ObjectRow, Write)>,
}

/// A winner and a loser of races, by component, and how often they met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// `None`: the successful write is not in the logs.
    pub winner: Option<String>,
    pub loser: String,
    pub count: i64,
}

/// Which 409s to look at.
pub struct Filter<'a> {
    pub keep_object: &'a dyn Fn(&ObjectRow) -> bool,
    pub user: Option<&'a str>,
    /// How many groups to detail; the summary counts them all.
    pub limit: Option<usize>,
}

fn top(counts: HashMap<String, i64>, limit: usize) -> Vec<Count> {
    let mut counts: Vec<Count> = counts.into_iter().map(|(name, count)| Count { name, count }).collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    counts.truncate(limit);
    counts
}

/// The pairs that met most; ties by winner then loser, a missing winner first.
fn top_pairs(pairs: HashMap<(Option<String>, String), i64>, limit: usize) -> Vec<Pair> {
    let mut pairs: Vec<Pair> =
        pairs.into_iter().map(|((winner, loser), count)| Pair { winner, loser, count }).collect();
    pairs.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| (&a.winner, &a.loser).cmp(&(&b.winner, &b.loser))));
    pairs.truncate(limit);
    pairs
}

pub fn report(store: &Store, window: Window, filter: &Filter) -> Result<Report> {
    let mut grouper = Grouper {
        writes: store.writes_of_conflicted_objects(&window)?,
        groups: BTreeMap::new(),
        other_409: Vec::new(),
        times: Vec::new(),
    };
    let mut objects: HashMap<i64, Option<ObjectRow>> = HashMap::new();
    for request in store.conflict_requests(&window)? {
        let Some(object_id) = request.object_id else { continue };
        let object = match objects.entry(object_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => slot.insert(store.object_by_id(object_id)?.filter(|o| (filter.keep_object)(o))),
        };
        let Some(object) = object.clone() else { continue };
        let loser = Write::new(&request);
        if filter.user.is_some_and(|u| !loser.component.contains(u) && !request.user.contains(u)) {
            continue;
        }
        grouper.add(object, &request, loser);
    }
    let Grouper { groups, other_409, times, .. } = grouper;
    let (top_objects, top_pairs) = tops(&groups);
    let mut groups: Vec<Group> = groups.into_values().collect();
    groups.sort_by_key(|g| g.losers.first().map(|l| l.write.request.received_us));
    let groups_total = groups.len();
    let groups_without_winner = groups.iter().filter(|g| g.winner.is_none()).count();
    let approximate_groups = groups.iter().filter(|g| g.approximate).count();
    groups.truncate(filter.limit.unwrap_or(usize::MAX));
    add_winner_changes(store, &mut groups)?;
    Ok(Report {
        window,
        conflicts: times.len(),
        groups_total,
        groups_without_winner,
        approximate_groups,
        top_objects,
        top_pairs,
        buckets: buckets(&times, &window, 12),
        groups,
        other_409,
    })
}

/// Sorts 409s into race groups, keyed by object and the resourceVersion raced on.
struct Grouper {
    /// The successful writes of each object with a 409: winners and retries.
    writes: HashMap<i64, Vec<RequestRow>>,
    groups: BTreeMap<(i64, String), Group>,
    other_409: Vec<(ObjectRow, Write)>,
    /// When each Conflict happened.
    times: Vec<i64>,
}

impl Grouper {
    fn add(&mut self, object: ObjectRow, request: &RequestRow, loser: Write) {
        if !request.is_conflict() {
            self.other_409.push((object, loser));
            return;
        }
        self.times.push(request.received_us);
        let object_id = object.id;
        let successes = self.writes.get(&object_id).map_or(&[][..], Vec::as_slice);
        let retry = successes
            .iter()
            .find(|w| {
                w.received_us > request.received_us && w.user == request.user && w.user_agent == request.user_agent
            })
            .map(Write::new);
        let (key, approximate, nearby) = match &request.base_rv {
            Some(base) => (base.clone(), false, None),
            // The log has no base resourceVersion: the write that completed just before wins.
            None => {
                let winner = successes.iter().rev().find(|w| {
                    w.completed_us <= request.received_us
                        && request.received_us - w.completed_us <= APPROXIMATE_WINDOW_US
                });
                let key = winner.map_or_else(|| format!("?{}", request.audit_id), |w| format!("~{}", w.audit_id));
                (key, true, winner)
            }
        };
        let group = self.groups.entry((object_id, key.clone())).or_insert_with(|| {
            let winner =
                if approximate { nearby } else { successes.iter().find(|w| w.base_rv.as_deref() == Some(&key)) };
            Group {
                object,
                base_rv: (!approximate).then_some(key),
                approximate,
                winner: winner.map(Write::new),
                winner_changes: Vec::new(),
                losers: Vec::new(),
            }
        });
        group.losers.push(Loser { write: loser, retry });
    }
}

/// The objects with most conflicts, and the component pairs that collide most.
fn tops(groups: &BTreeMap<(i64, String), Group>) -> (Vec<Count>, Vec<Pair>) {
    let mut by_object = HashMap::new();
    let mut pairs: HashMap<(Option<String>, String), i64> = HashMap::new();
    for group in groups.values() {
        *by_object.entry(group.object.display()).or_default() += group.losers.len() as i64;
        let winner = group.winner.as_ref().map(|w| w.component.clone());
        for loser in &group.losers {
            *pairs.entry((winner.clone(), loser.write.component.clone())).or_default() += 1;
        }
    }
    (top(by_object, 10), top_pairs(pairs, 10))
}

/// What each winner changed: the state it was based on against the state it produced.
fn add_winner_changes(store: &Store, groups: &mut [Group]) -> Result<()> {
    let mut bodies = Bodies::new(store);
    // One object often has several races: read its states once.
    let mut states_of: HashMap<i64, Vec<StateRow>> = HashMap::new();
    for group in groups {
        let Some(winner) = &group.winner else { continue };
        let (Some(object), Some(base), Some(new)) =
            (winner.request.object_id, winner.request.base_rv.as_deref(), winner.request.new_rv.as_deref())
        else {
            continue;
        };
        let states = match states_of.entry(object) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => slot.insert(store.object_states(object)?),
        };
        let find = |rv: &str| states.iter().find(|s| s.resource_version == rv).map(|s| s.body);
        if let (Some(before), Some(after)) = (find(base), find(new)) {
            // A body that cannot be read back leaves the winner's changes unknown.
            if let (Ok(before), Ok(after)) = (bodies.json(before)?, bodies.json(after)?) {
                group.winner_changes = diff::diff(&before, &after).into_iter().filter(|c| !c.noise).collect();
            }
        }
    }
    Ok(())
}

/// Conflicts per time bucket (whole seconds, at most `count`), over the window or the
/// conflicts' own span.
fn buckets(times: &[i64], window: &Window, count: i64) -> Vec<Bucket> {
    const SECOND: i64 = 1_000_000;
    let (Some(&first), Some(&last)) = (times.iter().min(), times.iter().max()) else { return Vec::new() };
    let start = window.since_us.unwrap_or(first) / SECOND * SECOND;
    let end = window.until_us.unwrap_or(last).max(start + 1);
    let span = (end - start).unsigned_abs();
    let width = (span / count.unsigned_abs()).max(SECOND as u64).div_ceil(SECOND as u64) as i64 * SECOND;
    let count = span.div_ceil(width as u64).max(1) as i64;
    (0..count)
        .map(|i| {
            let (from, to) = (start + i * width, if i == count - 1 { end } else { start + (i + 1) * width });
            let conflicts = times.iter().filter(|&&t| t >= from && (t < to || (i == count - 1 && t <= to))).count();
            Bucket { start_us: from, end_us: to, conflicts }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::store_of;

    #[test]
    fn races_group_by_the_resource_version_they_raced_on() {
        let store = store_of(&["races"]);
        let report =
            report(&store, Window::default(), &Filter { keep_object: &|_| true, user: None, limit: None }).unwrap();
        assert_eq!(
            (report.conflicts, report.groups_total, report.groups_without_winner, report.approximate_groups),
            (4, 3, 1, 1)
        );
        let groups: Vec<String> = report
            .groups
            .iter()
            .map(|g| {
                let losers: Vec<String> = g
                    .losers
                    .iter()
                    .map(|l| match &l.retry {
                        Some(retry) => {
                            format!("{} retried→{}", l.write.component, retry.request.new_rv.as_deref().unwrap())
                        }
                        None => l.write.component.clone(),
                    })
                    .collect();
                format!(
                    "{} {} won by {}: {}",
                    g.object.name,
                    g.base_rv.as_deref().unwrap_or("?"),
                    g.winner.as_ref().map_or("nobody", |w| w.component.as_str()),
                    losers.join(", ")
                )
            })
            .collect();
        assert_eq!(groups[0], "settings 10 won by tuner: scaler retried→12, auditor");
        assert_eq!(
            report.top_pairs[0],
            Pair { winner: Some("tuner".to_owned()), loser: "scaler".to_owned(), count: 2 }
        );
        assert_eq!(report.other_409.len(), 1);
        assert_eq!(report.other_409[0].1.request.reason.as_deref(), Some("AlreadyExists"));
    }
}
