//! Rollouts: for each revision of a Deployment, StatefulSet or DaemonSet (a change of its
//! Pod template), the phases it went through and each new Pod's startup, from whatever the
//! evidence holds: audit bodies (template changes, bindings, status writes, conditions)
//! and Events (Scheduled, Pulling, Pulled).

use std::collections::HashMap;

use anyhow::Result;
use serde_json::Value;

use crate::model::time::{Window, parse_micros};
use crate::query::chain::{self, EntryKind};
use crate::store::Store;
use crate::store::read::{Bodies, EventRow, ObjectRow, RequestRow, StateRow};

/// How a rollout ended, as far as the data shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every new Pod ready and, for a Deployment, the old ReplicaSets at zero.
    Complete,
    /// The next revision began before this one completed.
    Superseded,
    /// The workload said it gave up (a Deployment's `ProgressDeadlineExceeded`).
    Failed { reason: String },
    /// New Pods whose last state shows them not ready, at the end of the data.
    Stuck { not_ready: usize },
    /// The evidence does not say how it ended: no new Pods seen, or none of their states
    /// says whether they were ready.
    Unknown { why: &'static str },
}

/// A moment of a rollout; `None` when the evidence does not show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    pub name: &'static str,
    pub at_us: Option<i64>,
}

/// One new Pod's way to ready.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodStartup {
    pub name: String,
    pub created_us: Option<i64>,
    pub scheduled_us: Option<i64>,
    pub pull_started_us: Option<i64>,
    pub pull_finished_us: Option<i64>,
    /// When its containers were first seen running.
    pub running_us: Option<i64>,
    pub ready_us: Option<i64>,
    /// Whether its last state showed it ready (`None`: it does not say).
    pub last_ready: Option<bool>,
}

impl PodStartup {
    /// The pod startup latency as the Kubernetes SLO measures it: creation to running,
    /// less the time spent pulling images (where Events show it).
    pub fn startup_us(&self) -> Option<i64> {
        let pulling = match (self.pull_started_us, self.pull_finished_us) {
            (Some(from), Some(to)) if to > from => to - from,
            _ => 0,
        };
        Some(self.running_us? - self.created_us? - pulling)
    }
}

/// One revision of a workload.
#[derive(Debug, Clone, PartialEq)]
pub struct Rollout {
    pub workload: ObjectRow,
    /// 1 for the first template seen in the data.
    pub revision: usize,
    pub started_us: i64,
    /// Who changed the template, and the request.
    pub started_by: String,
    pub audit_id: String,
    /// The Deployment's new ReplicaSet.
    pub replica_set: Option<String>,
    pub phases: Vec<Phase>,
    pub pods: Vec<PodStartup>,
    pub outcome: Outcome,
}

impl Rollout {
    pub fn ended_us(&self) -> Option<i64> {
        self.phases.iter().find(|p| p.name == "complete").and_then(|p| p.at_us)
    }

    /// Nearest-rank percentile of the new Pods' startup latencies known.
    pub fn startup_percentile(&self, p: f64) -> Option<i64> {
        let mut known: Vec<i64> = self.pods.iter().filter_map(PodStartup::startup_us).collect();
        known.sort_unstable();
        let rank = ((p * known.len() as f64).ceil() as usize).clamp(1, known.len().max(1));
        known.get(rank - 1).copied()
    }
}

pub const WORKLOADS: [&str; 3] = ["deployments", "statefulsets", "daemonsets"];

/// The rollouts that began in the window, oldest first, of these workloads (each read
/// with its ReplicaSets and Pods, bodies and Events: callers bound how many).
pub fn rollouts(store: &Store, window: &Window, workloads: Vec<ObjectRow>) -> Result<Vec<Rollout>> {
    let newest = store.newest_us()?;
    let mut all = Vec::new();
    for workload in workloads {
        if !WORKLOADS.contains(&workload.resource.as_str()) {
            continue;
        }
        let mut found = workload_rollouts(store, workload, newest)?;
        found.retain(|r| window.contains(r.started_us));
        all.extend(found);
    }
    all.sort_by(|a, b| a.started_us.cmp(&b.started_us).then(a.workload.id.cmp(&b.workload.id)));
    Ok(all)
}

/// Where a template change happened: when, by whom, the request.
struct Revision {
    at_us: i64,
    by: String,
    audit_id: String,
    /// `spec.replicas` as the write left it, where its body is stored.
    replicas: Option<usize>,
}

fn workload_rollouts(store: &Store, workload: ObjectRow, newest_us: Option<i64>) -> Result<Vec<Rollout>> {
    // The workload's writes and states, read once: for its chain, its replicas, its conditions.
    let requests = store.object_requests(workload.id)?;
    let states = store.object_states(workload.id)?;
    let mut bodies = Bodies::new(store);
    let chain = chain::from_rows(workload.clone(), &requests, &states, &mut bodies, Window::default(), &[], newest_us)?;
    let mut replicas_at = HashMap::new();
    for state in &states {
        if let Ok(body) = bodies.json(state.body)? {
            let replicas = body.pointer("/spec/replicas").and_then(Value::as_u64).map(|n| n as usize);
            replicas_at.insert(state.resource_version.clone(), replicas);
        }
    }
    let revisions: Vec<Revision> = chain
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Write && e.changes.iter().any(|c| c.path.starts_with("spec.template")))
        .filter_map(|e| {
            let request = e.request.as_ref()?;
            // A person by name; a controller by the name operators know it by.
            let by = match &e.component {
                Some(component) if request.user.starts_with("system:") || request.user.is_empty() => component.clone(),
                _ => request.user.clone(),
            };
            Some(Revision {
                at_us: e.time_us?,
                by,
                audit_id: request.audit_id.clone(),
                replicas: e.new_rv.as_ref().and_then(|rv| replicas_at.get(rv).copied().flatten()),
            })
        })
        .collect();
    if revisions.is_empty() {
        return Ok(Vec::new());
    }
    let end_of_data = newest_us.unwrap_or(i64::MAX);
    let gave_up = progress_deadline_exceeded(&states, &requests, &mut bodies)?;
    let owned: Vec<ObjectRow> = owned_objects(store, workload.id)?;
    let is_deployment = workload.resource == "deployments";
    let mut rollouts = Vec::new();
    for (i, revision) in revisions.iter().enumerate() {
        let next_us = revisions.get(i + 1).map_or(i64::MAX, |r| r.at_us);
        let created_in = |o: &ObjectRow| o.created_us.is_some_and(|t| t >= revision.at_us - 1_000_000 && t < next_us);
        // A Deployment's Pods belong to its new ReplicaSet; a StatefulSet's or a
        // DaemonSet's are its own.
        let (replica_set, pod_owner_ids) = if is_deployment {
            let new_set = owned.iter().filter(|o| o.resource == "replicasets").find(|o| created_in(o));
            (new_set.cloned(), new_set.map(|s| vec![s.id]).unwrap_or_default())
        } else {
            (None, vec![workload.id])
        };
        let mut pod_rows = Vec::new();
        for owner in &pod_owner_ids {
            pod_rows
                .extend(owned_objects(store, *owner)?.into_iter().filter(|o| o.resource == "pods" && created_in(o)));
        }
        let mut pods = pod_startups(store, &pod_rows)?;
        // A StatefulSet makes its Pods one after another, each once the one before is
        // ready: its rollout is its first `replicas` Pods.
        if workload.resource == "statefulsets"
            && let Some(replicas) = revision.replicas
        {
            pods.truncate(replicas);
        }
        let scaled_down = if is_deployment {
            let old_sets: Vec<&ObjectRow> = owned
                .iter()
                .filter(|o| o.resource == "replicasets" && Some(o.id) != replica_set.as_ref().map(|s| s.id))
                .filter(|o| o.created_us.is_some_and(|t| t < revision.at_us))
                .collect();
            old_sets_at_zero(store, &old_sets, revision.at_us, newest_us)?
        } else {
            Some(None)
        };
        // A ReplicaSet makes its Pods at once: Pods created once all before them were ready
        // (and the old sets at zero) are a later scale-up, not this rollout.
        let settled = |ready: i64| scaled_down.is_some_and(|zero| zero.is_none_or(|z| z <= ready));
        let mut ready_so_far = Some(i64::MIN);
        let rollout_pods = pods
            .iter()
            .position(|pod| {
                let later = is_deployment
                    && ready_so_far.is_some_and(|ready| ready > i64::MIN && settled(ready))
                    && pod.created_us.zip(ready_so_far).is_some_and(|(created, ready)| created > ready);
                ready_so_far = ready_so_far.zip(pod.ready_us).map(|(a, b)| a.max(b));
                later
            })
            .unwrap_or(pods.len());
        pods.truncate(rollout_pods);
        let first = |f: fn(&PodStartup) -> Option<i64>| pods.iter().filter_map(f).min();
        let all_ready = if !pods.is_empty() && pods.iter().all(|p| p.ready_us.is_some()) {
            pods.iter().filter_map(|p| p.ready_us).max()
        } else {
            None
        };
        let complete = match (all_ready, scaled_down) {
            (Some(ready), Some(zero)) => Some(ready.max(zero.unwrap_or(ready))),
            _ => None,
        };
        let gave_up_here = gave_up.as_ref().filter(|(at, _)| *at >= revision.at_us && *at < next_us);
        let outcome = match (complete, gave_up_here) {
            (_, Some((_, reason))) => Outcome::Failed { reason: reason.clone() },
            (Some(done), None) if done <= next_us => Outcome::Complete,
            _ if next_us <= end_of_data => Outcome::Superseded,
            _ if pods.is_empty() => Outcome::Unknown { why: "no new Pods seen" },
            _ => match pods.iter().filter(|p| p.last_ready == Some(false)).count() {
                0 => Outcome::Unknown { why: "no state of the new Pods says whether they were ready" },
                not_ready => Outcome::Stuck { not_ready },
            },
        };
        let mut phases = vec![Phase { name: "template changed", at_us: Some(revision.at_us) }];
        if is_deployment {
            let created = match &replica_set {
                Some(set) => created_at(store, set)?,
                None => None,
            };
            phases.push(Phase { name: "new ReplicaSet created", at_us: created });
        }
        phases.extend([
            Phase { name: "first Pod created", at_us: first(|p| p.created_us) },
            Phase { name: "first Pod scheduled", at_us: first(|p| p.scheduled_us) },
            Phase { name: "first image pull started", at_us: first(|p| p.pull_started_us) },
            Phase { name: "first Pod ready", at_us: first(|p| p.ready_us) },
            Phase { name: "all new Pods ready", at_us: all_ready },
        ]);
        if scaled_down != Some(None) {
            phases.push(Phase { name: "old ReplicaSets at zero", at_us: scaled_down.flatten() });
        }
        phases.push(Phase { name: "complete", at_us: complete.filter(|_| outcome == Outcome::Complete) });
        rollouts.push(Rollout {
            workload: workload.clone(),
            revision: i + 1,
            started_us: revision.at_us,
            started_by: revision.by.clone(),
            audit_id: revision.audit_id.clone(),
            replica_set: replica_set.map(|s| s.name),
            phases,
            pods,
            outcome,
        });
    }
    Ok(rollouts)
}

/// When an object was created: its create request's receipt (microseconds), else its
/// creationTimestamp (seconds).
fn created_at(store: &Store, object: &ObjectRow) -> Result<Option<i64>> {
    let requests = store.object_requests(object.id)?;
    Ok(created_by_request(&requests).or(object.created_us))
}

fn created_by_request(requests: &[RequestRow]) -> Option<i64> {
    requests.iter().find(|r| r.verb == "create" && r.subresource.is_none() && r.succeeded()).map(|r| r.received_us)
}

fn owned_objects(store: &Store, owner: i64) -> Result<Vec<ObjectRow>> {
    let mut objects = Vec::new();
    for link in store.owned_by(owner)? {
        objects.extend(store.object_by_id(link.object_id)?);
    }
    Ok(objects)
}

/// When the old ReplicaSets were all at zero replicas after `since_us`: `Some(None)` when
/// there were none, `None` when one is not seen at zero.
fn old_sets_at_zero(
    store: &Store,
    old_sets: &[&ObjectRow],
    since_us: i64,
    newest_us: Option<i64>,
) -> Result<Option<Option<i64>>> {
    let mut latest = None;
    for set in old_sets {
        let chain = chain::build(store, (*set).clone(), Window::default(), &[], newest_us)?;
        let zeroed = chain.entries.iter().filter(|e| e.time_us.is_some_and(|t| t >= since_us)).find_map(|e| {
            e.changes
                .iter()
                .any(|c| c.path == "spec.replicas" && c.new == Some(Value::from(0)))
                .then_some(e.time_us)
                .flatten()
        });
        let already_zero = chain
            .entries
            .iter()
            .rev()
            .find(|e| e.time_us.is_some_and(|t| t < since_us))
            .is_some_and(|e| e.changes.iter().any(|c| c.path == "spec.replicas" && c.new == Some(Value::from(0))));
        match zeroed {
            Some(at) => latest = latest.max(Some(at)),
            None if already_zero => {}
            None => return Ok(None),
        }
    }
    Ok(Some(latest))
}

/// When a Deployment's Progressing condition said `ProgressDeadlineExceeded`, first.
fn progress_deadline_exceeded(
    states: &[StateRow],
    requests: &[RequestRow],
    bodies: &mut Bodies,
) -> Result<Option<(i64, String)>> {
    for (state, at) in states_in_order(states, requests) {
        let Ok(body) = bodies.json(state.body)? else { continue };
        if let Some(condition) = condition(&body, "Progressing")
            && condition.get("reason").and_then(Value::as_str) == Some("ProgressDeadlineExceeded")
        {
            let when = at.or_else(|| condition_time(condition)).unwrap_or_default();
            let message = condition.get("message").and_then(Value::as_str).unwrap_or("ProgressDeadlineExceeded");
            return Ok(Some((when, message.to_owned())));
        }
    }
    Ok(None)
}

/// An object's states in the order they came: by the time of the write that produced each
/// (a dump's own time, else last), then resourceVersion; each with that time (`None` for a
/// dump that says none).
pub(crate) fn states_in_order<'s>(states: &'s [StateRow], requests: &[RequestRow]) -> Vec<(&'s StateRow, Option<i64>)> {
    let written: HashMap<&str, i64> =
        requests.iter().filter_map(|r| Some((r.new_rv.as_deref()?, r.received_us))).collect();
    let mut ordered: Vec<(&StateRow, Option<i64>)> =
        states.iter().map(|s| (s, written.get(s.resource_version.as_str()).copied().or(s.observed_us))).collect();
    ordered.sort_by_key(|(s, at)| (at.unwrap_or(i64::MAX), s.resource_version.len(), s.resource_version.clone()));
    ordered
}

fn condition<'v>(body: &'v Value, kind: &str) -> Option<&'v Value> {
    body.pointer("/status/conditions")?.as_array()?.iter().find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
}

fn condition_time(condition: &Value) -> Option<i64> {
    condition.get("lastTransitionTime").and_then(Value::as_str).and_then(parse_micros)
}

fn is_true(condition: Option<&Value>) -> bool {
    condition.and_then(|c| c.get("status")).and_then(Value::as_str) == Some("True")
}

/// Each Pod's way to ready: the binding and status writes the log holds, the conditions
/// and container states of its stored states, and its Events.
fn pod_startups(store: &Store, pods: &[ObjectRow]) -> Result<Vec<PodStartup>> {
    let ids: Vec<i64> = pods.iter().map(|p| p.id).collect();
    let requests = store.requests_of(&ids)?;
    let states = store.states_of(&ids)?;
    let events = store.events_of(&ids)?;
    let mut bodies = Bodies::new(store);
    let mut startups = Vec::new();
    for pod in pods {
        let requests = requests.get(&pod.id).map_or(&[][..], Vec::as_slice);
        let mut startup = PodStartup { name: pod.name.clone(), ..PodStartup::default() };
        startup.created_us = created_by_request(requests).or(pod.created_us);
        startup.scheduled_us = requests
            .iter()
            .find(|r| r.subresource.as_deref() == Some("binding") && r.succeeded())
            .map(|r| r.received_us);
        for (state, at) in states_in_order(states.get(&pod.id).map_or(&[][..], Vec::as_slice), requests) {
            let Ok(body) = bodies.json(state.body)? else { continue };
            read_pod_state(&body, at, &mut startup);
        }
        read_pod_events(events.get(&pod.id).map_or(&[][..], Vec::as_slice), &mut startup);
        startups.push(startup);
    }
    startups.sort_by(|a, b| a.created_us.cmp(&b.created_us).then(a.name.cmp(&b.name)));
    Ok(startups)
}

/// What one state of a Pod shows: the first state running or ready dates the step (the
/// write that produced it), else the condition's own transition time does.
fn read_pod_state(body: &Value, at_us: Option<i64>, startup: &mut PodStartup) {
    if startup.scheduled_us.is_none() && is_true(condition(body, "PodScheduled")) {
        startup.scheduled_us = condition(body, "PodScheduled").and_then(condition_time).or(at_us);
    }
    if startup.running_us.is_none() && body.pointer("/status/phase").and_then(Value::as_str) == Some("Running") {
        let started = body
            .pointer("/status/containerStatuses")
            .and_then(Value::as_array)
            .and_then(|list| {
                list.iter()
                    .map(|c| c.pointer("/state/running/startedAt").and_then(Value::as_str).and_then(parse_micros))
                    .collect::<Option<Vec<i64>>>()
            })
            .and_then(|times| times.into_iter().max());
        startup.running_us = at_us.or(started);
    }
    let phase = body.pointer("/status/phase").and_then(Value::as_str);
    startup.last_ready = match (condition(body, "Ready"), phase) {
        (Some(ready), _) => Some(is_true(Some(ready))),
        (None, Some("Pending" | "Failed" | "Unknown")) => Some(false),
        _ => None,
    };
    if startup.ready_us.is_none() && is_true(condition(body, "Ready")) {
        startup.ready_us = at_us.or_else(|| condition(body, "Ready").and_then(condition_time));
    }
}

/// The scheduler's and kubelet's Events: Scheduled, and the image pulls (`Pulled ...
/// already present on machine` is no pull).
fn read_pod_events(events: &[EventRow], startup: &mut PodStartup) {
    for event in events {
        let reason = event.details.reason.as_deref().unwrap_or_default();
        let message = event.details.message.as_deref().unwrap_or_default();
        match reason {
            "Scheduled" if startup.scheduled_us.is_none() => startup.scheduled_us = Some(event.time_us),
            "Pulling" => {
                startup.pull_started_us = Some(startup.pull_started_us.map_or(event.time_us, |t| t.min(event.time_us)));
            }
            "Pulled" if !message.contains("already present") => {
                startup.pull_finished_us = startup.pull_finished_us.max(Some(event.time_us));
            }
            _ => {}
        }
    }
}
