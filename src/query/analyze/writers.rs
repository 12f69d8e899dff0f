//! Checks of how writers treat objects: hot loops, fields two writers fight over, and
//! controllers that act without ever seeing the result (stalls).

use std::collections::HashMap;

use anyhow::Result;

use super::{
    Finding, Peak, Settings, Spec, Status, count_by, count_per_object_and_user, not_examined, object_arguments,
};
use crate::model::shell_word;
use crate::model::time::Window;
use crate::query::chain::{self, EntryKind};
use crate::query::diff::short_value;
use crate::query::requests::{self, Ask, Filters, Gather};
use crate::query::rollout::states_in_order;
use crate::store::Store;
use crate::store::analyze::EventTallies;
use crate::store::read::{Bodies, ObjectRow};
use crate::store::requests::RequestKey;
use serde_json::Value;

/// Writes by one writer to one object.
#[derive(Default)]
struct WriterTally {
    peak: Peak<String>,
    no_ops: u64,
    no_op_example: Option<String>,
}

/// Successful updates and patches (of an object or a subresource). Leases are left out:
/// leader election renews every 2 s and kubelet's heartbeat every 10 s, by design.
fn writes() -> Filters {
    Filters {
        verbs: vec!["update".to_owned(), "patch".to_owned()],
        codes: vec![(200, 299)],
        resources: vec!["-leases.coordination.k8s.io".to_owned()],
        ..Filters::default()
    }
}

pub(super) fn hot_loop_asks(store: &Store, _: &Settings, _: &Spec) -> Result<Vec<Ask>> {
    let verbs = ["create", "update", "patch", "delete"].map(str::to_owned).to_vec();
    let refused = Filters { verbs, codes: vec![(400, 408), (410, 599)], ..Filters::default() };
    Ok(vec![
        count_per_object_and_user(store, &writes())?,
        count_by(store, &refused, &[RequestKey::User, RequestKey::Object])?,
    ])
}

pub(super) fn hot_loops(
    store: &Store,
    settings: &Settings,
    spec: &Spec,
    gathered: Vec<Gather>,
) -> Result<Vec<Finding>> {
    let scope = &settings.scope;
    let [written, refused] = <[Gather; 2]>::try_from(gathered).map_err(|_| anyhow::anyhow!("two counts asked"))?;
    let rate = settings.threshold(spec, "writes-per-minute");
    let no_ops = settings.threshold(spec, "no-op-writes");
    // Only a writer with that many writes in all can have them within a minute.
    let least = rate.min(no_ops).max(1.0).ceil() as u64;
    let mut tallies: HashMap<(i64, Option<i64>), WriterTally> = written
        .into_object_users()
        .counts
        .into_iter()
        .filter(|(_, n)| *n >= least)
        .map(|(writer, _)| (writer, WriterTally::default()))
        .collect();
    let mut objects: Vec<i64> = tallies.keys().map(|(object, _)| *object).collect();
    objects.sort_unstable();
    objects.dedup();
    let filter = requests::resolve(store, &Filters { window: scope.window, ..writes() })?;
    store.writes_of(&filter, &objects, &mut |write| {
        let Some(tally) = tallies.get_mut(&(write.object_id, write.user_id)) else { return };
        tally.peak.add(write.received_us, &write.audit_id);
        if write.base_rv.is_some() && write.base_rv == write.new_rv {
            tally.no_ops += 1;
            tally.no_op_example.get_or_insert(write.audit_id);
        }
    })?;
    let mut findings = Vec::new();
    let users = store.string_values(tallies.keys().filter_map(|(_, user)| *user))?;
    for ((object_id, user_id), tally) in tallies {
        let hot = tally.peak.count as f64 >= rate;
        let idle = tally.no_ops as f64 >= no_ops;
        if !hot && !idle {
            continue;
        }
        let Some(object) = store.object_by_id(object_id)? else { continue };
        if !scope.includes(&object) {
            continue;
        }
        let user = user_id.and_then(|id| users.get(&id).cloned()).unwrap_or_else(|| "unknown".to_owned());
        let display = object.display();
        if hot {
            findings.push(Finding {
                status: Status::Warn,
                subject: format!("{user} → {display}"),
                detail: format!("{} writes within a minute", tally.peak.count),
                count: tally.peak.count as u64,
                first_us: Some(tally.peak.from_us),
                last_us: Some(tally.peak.to_us),
                example: Some(tally.peak.example.clone()),
                object: Some(display.clone()),
                rollout: None,
                command: format!("kelemetry-cli history {}", object_arguments(&display)),
            });
        }
        if idle {
            findings.push(Finding {
                status: Status::Warn,
                subject: format!("{user} → {display}"),
                detail: format!("{} writes that changed nothing (same resourceVersion before and after)", tally.no_ops),
                count: tally.no_ops,
                first_us: None,
                last_us: None,
                example: tally.no_op_example,
                object: Some(display.clone()),
                rollout: None,
                command: format!("kelemetry-cli requests {} --user {user}", object_arguments(&display)),
            });
        }
    }
    findings.extend(failing_retries(store, settings, spec, refused)?);
    Ok(findings)
}

/// The writes that set one field of one object, as a fight check follows them.
#[derive(Default)]
struct FieldTurns {
    /// The writer that set it last, and the value.
    last: Option<(String, String)>,
    /// Times a writer set it other than as the writer before it left it.
    flips: u64,
    /// Each writer and the field managers it named.
    writers: Vec<(String, Vec<String>)>,
    values: Vec<String>,
    first_us: i64,
    last_us: i64,
    example: String,
}

/// The writes a fight shows in: to the object itself, with the bodies that show values.
fn bodied_writes() -> Filters {
    Filters { no_subresource: true, min_level: Some(3), ..writes() }
}

pub(super) fn fight_asks(store: &Store, _: &Settings, _: &Spec) -> Result<Vec<Ask>> {
    Ok(vec![count_per_object_and_user(store, &bodied_writes())?])
}

pub(super) fn fights(store: &Store, settings: &Settings, spec: &Spec, gathered: Vec<Gather>) -> Result<Vec<Finding>> {
    let scope = &settings.scope;
    let limit = settings.threshold(spec, "flips");
    // Where fields can flip between writers: objects two or more writers wrote more than
    // `flips` times in all.
    let mut writes_and_writers: HashMap<i64, (u64, u64)> = HashMap::new();
    for gathered in gathered {
        for ((object, _), n) in gathered.into_object_users().counts {
            let entry = writes_and_writers.entry(object).or_default();
            entry.0 += n;
            entry.1 += 1;
        }
    }
    let least = limit.max(1.0).ceil() as u64 + 1;
    let mut candidates: Vec<i64> = writes_and_writers
        .into_iter()
        .filter(|(_, (writes, writers))| *writes >= least && *writers >= 2)
        .map(|(object, _)| object)
        .collect();
    candidates.sort_unstable();
    let newest = store.newest_us()?;
    let mut findings = Vec::new();
    for object_id in candidates {
        let Some(object) = store.object_by_id(object_id)? else { continue };
        if !scope.includes(&object) {
            continue;
        }
        let display = object.display();
        let chain = chain::build(store, object, scope.window, &[], newest)?;
        let mut fields: HashMap<String, FieldTurns> = HashMap::new();
        for entry in chain.entries.iter().filter(|e| e.kind == EntryKind::Write) {
            let (Some(request), Some(time)) = (&entry.request, entry.time_us) else { continue };
            if request.subresource.is_some() {
                continue;
            }
            let writer = entry.component.clone().unwrap_or_else(|| request.user.clone());
            for change in entry.visible_changes(false) {
                let value = change.new.as_ref().map_or_else(|| "∅".to_owned(), short_value);
                let turns = fields.entry(change.path.clone()).or_default();
                if turns.last.as_ref().is_some_and(|(by, _)| *by != writer) {
                    turns.flips += 1;
                    if turns.flips == 1 {
                        turns.first_us = time;
                        turns.example.clone_from(&request.audit_id);
                    }
                    turns.last_us = time;
                }
                // Named with the field managers it sent: the owners managedFields would
                // record (the store keeps bodies without managedFields).
                let at = match turns.writers.iter().position(|(w, _)| *w == writer) {
                    Some(at) => at,
                    None => {
                        turns.writers.push((writer.clone(), Vec::new()));
                        turns.writers.len() - 1
                    }
                };
                let managers = &mut turns.writers[at].1;
                if let Some(manager) = request.field_manager.as_ref().filter(|m| **m != writer && !managers.contains(m))
                {
                    managers.push(manager.clone());
                }
                if !turns.values.contains(&value) {
                    turns.values.push(value.clone());
                }
                turns.last = Some((writer.clone(), value));
            }
        }
        let mut fought: Vec<(String, FieldTurns)> =
            fields.into_iter().filter(|(_, turns)| turns.flips as f64 >= limit).collect();
        if fought.is_empty() {
            continue;
        }
        fought.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, turns) in fought {
            let writers: Vec<String> = turns
                .writers
                .iter()
                .map(|(writer, managers)| match managers.as_slice() {
                    [] => writer.clone(),
                    managers => format!("{writer} as {}", managers.join(", ")),
                })
                .collect();
            findings.push(Finding {
                status: Status::Warn,
                subject: format!("{display} {path}"),
                detail: format!(
                    "{} writers set it in turn {} times ({}), values {}",
                    turns.writers.len(),
                    turns.flips,
                    writers.join("; "),
                    turns.values.join(", "),
                ),
                count: turns.flips,
                first_us: Some(turns.first_us),
                last_us: Some(turns.last_us),
                example: Some(turns.example),
                object: Some(display.clone()),
                rollout: None,
                command: format!("kelemetry-cli history {} --field {}", object_arguments(&display), shell_word(&path)),
            });
        }
    }
    Ok(findings)
}

/// A word as a shell reads it back: quoted when it holds more than `[A-Za-z0-9._/=-]`.
pub(super) fn stalls(store: &Store, settings: &Settings, spec: &Spec, tallies: &EventTallies) -> Result<Vec<Finding>> {
    let scope = &settings.scope;
    let limit = settings.threshold(spec, "events");
    let lag_limit_us = (settings.threshold(spec, "generation-lag-seconds") * 1e6) as i64;
    let mut findings = Vec::new();
    // 1. A controller acting again and again (the same reason) with no status write in between;
    // a burst (a ReplicaSet making its Pods at once, its status written after) is no stall.
    let span_us = (settings.threshold(spec, "span-seconds") * 1e6) as i64;
    for acted in store.repeated_actions(&scope.window, tallies, limit.max(1.0).ceil() as i64, span_us)? {
        // Without any logged request on the object the log does not cover it: no verdict.
        if !store.has_requests(acted.object_id)?
            || store.status_writes(acted.object_id, acted.first_us, acted.last_us)? > 0
        {
            continue;
        }
        let Some(object) = store.object_by_id(acted.object_id)? else { continue };
        if !scope.includes(&object) {
            continue;
        }
        let display = object.display();
        findings.push(Finding {
            status: Status::Warn,
            subject: display.clone(),
            detail: format!(
                "{} {} times and no status write in between: its controller acts without seeing the result (an \
                 informer that stopped seeing what it made?)",
                acted.reason, acted.times
            ),
            count: acted.times as u64,
            first_us: Some(acted.first_us),
            last_us: Some(acted.last_us),
            example: None,
            object: Some(display.clone()),
            rollout: None,
            command: format!("kelemetry-cli trace {}", object_arguments(&display)),
        });
    }
    // 2. A workload whose controller did not observe its newest generation for long.
    let cap = settings.threshold(spec, "max-workloads").max(0.0) as usize;
    let resources = ["deployments", "statefulsets", "daemonsets", "replicasets"];
    let (workloads, total) = scope.examined(
        store,
        |o| o.api_group == "apps" && resources.contains(&o.resource.as_str()),
        || store.recent_objects(&scope.window, "apps", &resources, &scope.namespaces, cap),
    )?;
    findings.extend(not_examined(total, workloads.len(), "workloads' generations"));
    for lag in generation_lags(store, &scope.window, &workloads)? {
        let object = lag.object;
        // Open to the end: measured to the last the data says of the object.
        let until = lag.until_us.or(object.last_seen_us).unwrap_or(lag.since_us);
        if until - lag.since_us < lag_limit_us {
            continue;
        }
        let display = object.display();
        let how = match lag.until_us {
            Some(_) => "until its controller caught up".to_owned(),
            None => "to the last the data shows of it".to_owned(),
        };
        findings.push(Finding {
            status: Status::Warn,
            subject: display.clone(),
            detail: format!(
                "generation {} not observed (status.observedGeneration {}) for {}s, {how}",
                lag.generation,
                lag.observed.map_or_else(|| "unset".to_owned(), |g| g.to_string()),
                (until - lag.since_us) / 1_000_000
            ),
            count: ((until - lag.since_us) / 1_000_000) as u64,
            first_us: Some(lag.since_us),
            last_us: Some(until),
            example: None,
            object: Some(display.clone()),
            rollout: None,
            command: format!(
                "kelemetry-cli history {} --field metadata.generation --field status.observedGeneration",
                object_arguments(&display)
            ),
        });
    }
    Ok(findings)
}

/// A stretch in which a workload's newest generation was not yet observed.
struct GenerationLag<'o> {
    object: &'o ObjectRow,
    generation: i64,
    observed: Option<i64>,
    since_us: i64,
    /// When a state showed it observed; `None`: never, in the data.
    until_us: Option<i64>,
}

/// The longest stretch of each workload's states (in the window) whose
/// `status.observedGeneration` lagged `metadata.generation`.
fn generation_lags<'o>(store: &Store, window: &Window, workloads: &'o [ObjectRow]) -> Result<Vec<GenerationLag<'o>>> {
    let objects: Vec<i64> = workloads.iter().map(|o| o.id).collect();
    let states = store.states_of(&objects)?;
    let requests = store.requests_of(&objects)?;
    let mut bodies = Bodies::new(store);
    let mut lags = Vec::new();
    for object in workloads {
        let Some(states) = states.get(&object.id) else { continue };
        let requests = requests.get(&object.id).map_or(&[][..], Vec::as_slice);
        let mut open: Option<GenerationLag> = None;
        let mut longest: Option<GenerationLag> = None;
        // Only a workload whose controller is seen writing its status can be said to lag.
        let mut status_seen = false;
        for (state, at) in states_in_order(states, requests) {
            if at.is_some_and(|t| !window.contains(t)) {
                continue;
            }
            let Ok(body) = bodies.json(state.body)? else { continue };
            let Some(generation) = body.pointer("/metadata/generation").and_then(Value::as_i64) else { continue };
            let observed = body.pointer("/status/observedGeneration").and_then(Value::as_i64);
            status_seen |= observed.is_some();
            match (at, observed.is_some_and(|o| o >= generation)) {
                (Some(at), true) => {
                    if let Some(mut done) = open.take() {
                        done.until_us = Some(at);
                        longest = longer(longest, done);
                    }
                }
                (Some(at), false) if open.is_none() => {
                    open = Some(GenerationLag { object, generation, observed, since_us: at, until_us: None });
                }
                // A dump of unknown time caught up: when, the data does not say.
                (None, true) => open = None,
                _ => {}
            }
        }
        if let Some(still) = open {
            longest = longer(longest, still);
        }
        if !status_seen {
            continue;
        }
        lags.extend(longest);
    }
    Ok(lags)
}

/// The longer of two lags (one still open counts to the end: the longest).
fn longer<'o>(a: Option<GenerationLag<'o>>, b: GenerationLag<'o>) -> Option<GenerationLag<'o>> {
    let span = |l: &GenerationLag| l.until_us.unwrap_or(i64::MAX) - l.since_us;
    match a {
        Some(a) if span(&a) >= span(&b) => Some(a),
        _ => Some(b),
    }
}

/// A writer retrying a write the apiserver keeps refusing (4xx and 5xx; 409s are the
/// conflicts check's): `failed-retries` or more on one object warn.
fn failing_retries(store: &Store, settings: &Settings, spec: &Spec, refused: Gather) -> Result<Vec<Finding>> {
    let least = settings.threshold(spec, "failed-retries").max(1.0).ceil() as u64;
    let top = refused.into_counts().top(store, usize::MAX, least)?;
    Ok(top
        .rows
        .into_iter()
        .filter_map(|row| {
            let (Some(user), Some(object)) = (row.key[0].clone(), row.key[1].clone()) else { return None };
            Some(Finding {
                status: Status::Warn,
                subject: format!("{user} → {object}"),
                detail: format!("{} writes refused (4xx, 5xx; 409s aside) and retried", row.count),
                count: row.count,
                first_us: None,
                last_us: None,
                example: None,
                object: Some(object.clone()),
                rollout: None,
                command: format!("kelemetry-cli requests {} --user {user} --failed", object_arguments(&object)),
            })
        })
        .collect())
}
