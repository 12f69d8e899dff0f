//! Checks of objects' lives: rollouts and their phases, who deleted what and what cascaded
//! from it, and deletions finalizers held up.

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;

use super::{Finding, Settings, Spec, Status, not_examined, object_arguments, rows_by};
use crate::model::time::format_short;
use crate::query::chain::{self, EntryKind};
use crate::query::requests::{Ask, Filters, Gather};
use crate::query::rollout::{self, Outcome, Rollout};
use crate::store::Store;
use crate::store::read::Bodies;
use crate::store::requests::RequestKey;

/// The controllers that delete on behalf of an earlier request: the garbage collector
/// (an owner's deletion) and the namespace controller (the namespace's).
const GARBAGE_COLLECTOR: &str = "system:serviceaccount:kube-system:generic-garbage-collector";
const NAMESPACE_CONTROLLER: &str = "system:serviceaccount:kube-system:namespace-controller";

/// An object's first successful delete, as the attribution needs it: string ids, the rest
/// of the request fetched again for the few a finding names (a day can hold millions).
struct Deletion {
    request: i64,
    object: i64,
    user: Option<i64>,
    namespace: Option<i64>,
    resource: Option<i64>,
}

/// What a deletion that started others set off.
struct Cascade {
    /// Resource → objects deleted because of it.
    deleted: BTreeMap<String, u64>,
}

pub(super) fn deletion_asks(store: &Store, _: &Settings, _: &Spec) -> Result<Vec<Ask>> {
    let matching = Filters {
        verbs: vec!["delete".to_owned(), "deletecollection".to_owned()],
        codes: vec![(200, 299)],
        ..Filters::default()
    };
    let keys = [RequestKey::Object, RequestKey::User, RequestKey::Namespace, RequestKey::Resource];
    Ok(vec![rows_by(store, &matching, &keys)?])
}

pub(super) fn deletions(
    store: &Store,
    settings: &Settings,
    spec: &Spec,
    gathered: Vec<Gather>,
) -> Result<Vec<Finding>> {
    // Every successful delete on an object, as ids, in time order.
    let user = RequestKey::Object.width();
    let rows: Vec<_> = gathered.into_iter().map(Gather::into_rows).collect();
    let deletes: Vec<Deletion> = rows
        .iter()
        .flat_map(|rows| rows.in_time_order())
        .filter_map(|row| {
            Some(Deletion {
                request: row.id,
                object: row.key[0]?,
                user: row.key[user],
                namespace: row.key[user + 1],
                resource: row.key[user + 2],
            })
        })
        .collect();
    let names = store.string_values(deletes.iter().flat_map(|d| [d.user, d.namespace, d.resource]).flatten())?;
    let name = |id: Option<i64>| id.and_then(|id| names.get(&id)).map(String::as_str);
    // Each object's first successful delete (a Pod's graceful deletion ends with kubelet's
    // second one, which is part of the first).
    let mut first_delete: HashMap<i64, Deletion> = HashMap::new();
    let mut order = Vec::new();
    let mut namespace_deletes: HashMap<String, i64> = HashMap::new();
    for deletion in deletes {
        if let std::collections::hash_map::Entry::Vacant(slot) = first_delete.entry(deletion.object) {
            if name(deletion.resource) == Some("namespaces")
                && let Some(namespace) = store.object_by_id(deletion.object)?
            {
                namespace_deletes.insert(namespace.name, deletion.object);
            }
            order.push(deletion.object);
            slot.insert(deletion);
        }
    }
    // Attribute each deletion the garbage collector or the namespace controller made to the
    // first deletion up its owner chain (or of its namespace) that neither made.
    let mut cascades: BTreeMap<i64, Cascade> = BTreeMap::new();
    let mut direct = Vec::new();
    for object in &order {
        let deletion = &first_delete[object];
        let root = match name(deletion.user) {
            Some(GARBAGE_COLLECTOR) => {
                root_owner_deletion(store, *object, &first_delete, &|d| name(d.user) == Some(GARBAGE_COLLECTOR))?
            }
            Some(NAMESPACE_CONTROLLER) => name(deletion.namespace).and_then(|ns| namespace_deletes.get(ns)).copied(),
            _ => None,
        };
        match root {
            Some(root) => {
                let cascade = cascades.entry(root).or_insert_with(|| Cascade { deleted: BTreeMap::new() });
                let resource = name(deletion.resource).unwrap_or_default().to_owned();
                *cascade.deleted.entry(resource).or_default() += 1;
            }
            None => direct.push(*object),
        }
    }
    let mut findings = Vec::new();
    for (root, cascade) in &cascades {
        let Some(root) = store.request_line(first_delete[root].request)? else { continue };
        let Some(object) = store.object_by_id(root.request.object_id.unwrap_or_default())? else { continue };
        let display = object.display();
        let total: u64 = cascade.deleted.values().sum();
        let what: Vec<String> = cascade.deleted.iter().map(|(resource, n)| format!("{n} {resource}")).collect();
        findings.push(Finding {
            status: Status::Pass,
            subject: format!("{} → {display}", root.request.user),
            detail: format!("deleted it; {total} objects went with it: {}", what.join(", ")),
            count: total + 1,
            first_us: Some(root.request.received_us),
            last_us: None,
            example: Some(root.request.audit_id.clone()),
            object: Some(display.clone()),
            rollout: None,
            command: format!("kelemetry-cli trace {}", object_arguments(&display)),
        });
    }
    // The rest, a finding a user: what they deleted, by resource (the cascades' roots are told above).
    let mut by_user: BTreeMap<&str, (BTreeMap<&str, u64>, i64)> = BTreeMap::new();
    for object in direct.iter().filter(|o| !cascades.contains_key(o)) {
        let deletion = &first_delete[object];
        let user = name(deletion.user).unwrap_or_default();
        let (resources, _) = by_user.entry(user).or_insert((BTreeMap::new(), deletion.request));
        *resources.entry(name(deletion.resource).unwrap_or("unknown")).or_default() += 1;
    }
    for (user, (resources, first)) in by_user {
        let Some(first) = store.request_line(first)? else { continue };
        let count = resources.values().sum();
        let what: Vec<String> = resources.iter().map(|(resource, n)| format!("{n} {resource}")).collect();
        findings.push(Finding {
            status: Status::Pass,
            subject: user.to_owned(),
            detail: format!("deleted {}", what.join(", ")),
            count,
            first_us: Some(first.request.received_us),
            last_us: None,
            example: Some(first.request.audit_id),
            object: None,
            rollout: None,
            command: format!("kelemetry-cli requests --verb delete,deletecollection --user {user}"),
        });
    }
    findings.extend(held_deletions(store, settings, spec)?);
    Ok(findings)
}

/// The deletion up an object's owner chain that neither the garbage collector nor the
/// namespace controller made: the request that started the cascade.
fn root_owner_deletion(
    store: &Store,
    object: i64,
    deletes: &HashMap<i64, Deletion>,
    by_collector: &dyn Fn(&Deletion) -> bool,
) -> Result<Option<i64>> {
    let mut at = object;
    // An owner chain is short; a loop in bad data is not followed for ever.
    for _ in 0..16 {
        let owners = store.owners_of(at)?;
        let Some(owner) = owners.iter().find(|o| deletes.contains_key(&o.owner_id)) else { return Ok(None) };
        if !by_collector(&deletes[&owner.owner_id]) {
            return Ok(Some(owner.owner_id));
        }
        at = owner.owner_id;
    }
    Ok(None)
}

/// Deletions finalizers held up: the object got its deletionTimestamp, and its finalizers
/// stayed for `held-seconds` or more (or to the end of the data).
fn held_deletions(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
    let scope = &settings.scope;
    let limit_us = (settings.threshold(spec, "held-seconds") * 1e6) as i64;
    let newest = store.newest_us()?;
    let cap = settings.threshold(spec, "max-objects").max(0.0) as usize;
    let (marked, total) = scope.examined(
        store,
        |o| o.deleted_us.is_some_and(|t| scope.window.contains(t)),
        || store.objects_marked_for_deletion(&scope.window, &scope.namespaces, cap),
    )?;
    let mut findings: Vec<Finding> =
        not_examined(total, marked.len(), "objects marked for deletion (for finalizers)").into_iter().collect();
    for object in marked {
        let Some(marked_us) = object.deleted_us else { continue };
        let display = object.display();
        let id = object.id;
        let chain = chain::build(store, object, scope.window, &[], newest)?;
        // Who took finalizers off after the mark, and when the last came off.
        let mut removed: Option<(i64, String, String)> = None;
        for entry in chain.entries.iter().filter(|e| e.kind == EntryKind::Write) {
            let (Some(request), Some(time)) = (&entry.request, entry.time_us) else { continue };
            if time >= marked_us && entry.changes.iter().any(|c| c.path == "metadata.finalizers") {
                let writer = entry.component.clone().unwrap_or_else(|| request.user.clone());
                removed = Some((time, writer, request.audit_id.clone()));
            }
        }
        let finalizers = latest_finalizers(store, id)?;
        let (held_us, how) = match (&removed, finalizers.is_empty()) {
            (Some((at, writer, _)), true) => {
                (at - marked_us, format!("{writer} removed the last at {}", format_short(*at)))
            }
            _ if !finalizers.is_empty() => {
                let end = newest.unwrap_or(marked_us);
                (end - marked_us, format!("still held by {} at the end of the data", finalizers.join(", ")))
            }
            _ => continue,
        };
        if held_us < limit_us {
            continue;
        }
        findings.push(Finding {
            status: Status::Warn,
            subject: display.clone(),
            detail: format!("marked for deletion, held {}s by finalizers: {how}", held_us / 1_000_000),
            count: (held_us / 1_000_000) as u64,
            first_us: Some(marked_us),
            last_us: Some(marked_us + held_us),
            example: removed.map(|(_, _, audit_id)| audit_id),
            object: Some(display.clone()),
            rollout: None,
            command: format!("kelemetry-cli history {} --field metadata.finalizers", object_arguments(&display)),
        });
    }
    Ok(findings)
}

/// The finalizers of an object's newest stored state.
fn latest_finalizers(store: &Store, object: i64) -> Result<Vec<String>> {
    let mut states = store.object_states(object)?;
    states.sort_by_key(|s| (s.resource_version.len(), s.resource_version.clone()));
    let Some(state) = states.last() else { return Ok(Vec::new()) };
    let Ok(body) = Bodies::new(store).json(state.body)? else { return Ok(Vec::new()) };
    Ok(body
        .pointer("/metadata/finalizers")
        .and_then(|f| f.as_array())
        .map(|list| list.iter().filter_map(|f| f.as_str().map(str::to_owned)).collect())
        .unwrap_or_default())
}

/// Seconds, as a person reads a duration: `0.05 s`, `1.6 s`, `95 s`.
fn seconds(us: i64) -> String {
    let s = us as f64 / 1e6;
    if s >= 10.0 { format!("{s:.0}s") } else { format!("{s:.2}s").replace(".00s", "s") }
}

pub(super) fn rollouts(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
    let scope = &settings.scope;
    let slo_us = (settings.threshold(spec, "startup-seconds") * 1e6) as i64;
    let cap = settings.threshold(spec, "max-workloads").max(0.0) as usize;
    let (workloads, total) = scope.examined(
        store,
        |o| o.api_group == "apps" && rollout::WORKLOADS.contains(&o.resource.as_str()),
        || store.recent_objects(&scope.window, "apps", &rollout::WORKLOADS, &scope.namespaces, cap),
    )?;
    let mut findings: Vec<Finding> = not_examined(total, workloads.len(), "workloads").into_iter().collect();
    for rollout in rollout::rollouts(store, &scope.window, workloads)? {
        let display = rollout.workload.display();
        let p99 = rollout.startup_percentile(0.99);
        let (status, verdict) = match &rollout.outcome {
            Outcome::Failed { reason } => (Status::Fail, format!("failed: {reason}")),
            Outcome::Stuck { not_ready } => (
                Status::Fail,
                format!("stuck: {not_ready} of {} new Pods not ready at the end of the data", rollout.pods.len()),
            ),
            Outcome::Superseded => (Status::Pass, "superseded by the next revision before it completed".to_owned()),
            Outcome::Unknown { why } => (Status::Pass, format!("outcome unknown: {why}")),
            Outcome::Complete => {
                let took =
                    rollout.ended_us().map_or_else(|| "unknown".to_owned(), |end| seconds(end - rollout.started_us));
                let status = if p99.is_some_and(|p99| p99 > slo_us) { Status::Warn } else { Status::Pass };
                (status, format!("complete in {took}"))
            }
        };
        let startup = match (rollout.startup_percentile(0.5), rollout.startup_percentile(0.9), p99) {
            (Some(p50), Some(p90), Some(p99)) => format!(
                "; Pod startup p50 {}, p90 {}, p99 {} (SLO {}){}",
                seconds(p50),
                seconds(p90),
                seconds(p99),
                seconds(slo_us),
                slowest_pod(&rollout)
                    .map_or_else(String::new, |(name, us)| format!("; slowest {name} {}", seconds(us)))
            ),
            _ => String::new(),
        };
        // Event times are whole seconds: a pull may read as before the change; it was not.
        let pull = rollout
            .phases
            .iter()
            .find(|p| p.name == "first image pull started")
            .and_then(|p| p.at_us)
            .map_or_else(String::new, |at| {
                format!("; first image pull after {}", seconds((at - rollout.started_us).max(0)))
            });
        findings.push(Finding {
            status,
            subject: format!("{display} revision {}", rollout.revision),
            detail: format!(
                "{} changed the template; {verdict}; {} new {}{pull}{startup}",
                rollout.started_by,
                rollout.pods.len(),
                if rollout.pods.len() == 1 { "Pod" } else { "Pods" }
            ),
            count: rollout.pods.len() as u64,
            first_us: Some(rollout.started_us),
            last_us: rollout.ended_us(),
            example: Some(rollout.audit_id.clone()),
            command: format!("kelemetry-cli trace {}", object_arguments(&display)),
            object: Some(display.clone()),
            rollout: Some(Box::new(rollout)),
        });
    }
    Ok(findings)
}

/// The new Pod that took longest from creation to ready.
fn slowest_pod(rollout: &Rollout) -> Option<(String, i64)> {
    rollout.pods.iter().filter_map(|p| Some((p.name.clone(), p.ready_us? - p.created_us?))).max_by_key(|(_, us)| *us)
}
