//! Checks of how writers treat objects: hot loops, and fields two writers fight over.

use std::collections::HashMap;

use anyhow::Result;

use super::{Finding, Peak, Settings, Spec, Status, object_arguments};
use crate::query::chain::{self, EntryKind};
use crate::query::diff::short_value;
use crate::store::Store;

/// Writes by one writer to one object.
#[derive(Default)]
struct WriterTally {
    peak: Peak,
    no_ops: u64,
    no_op_example: Option<String>,
}

pub(super) fn hot_loops(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
    let scope = &settings.scope;
    let rate = settings.threshold(spec, "writes-per-minute");
    let no_ops = settings.threshold(spec, "no-op-writes");
    // Only a writer with that many writes in all can have them within a minute.
    let least = rate.min(no_ops).max(1.0).ceil() as i64;
    let mut tallies: HashMap<(i64, Option<i64>), WriterTally> = store
        .busy_writers(&scope.window, least)?
        .into_iter()
        .filter(|busy| scope.objects.as_ref().is_none_or(|ids| ids.contains(&busy.object_id)))
        .map(|busy| ((busy.object_id, busy.user_id), WriterTally::default()))
        .collect();
    let mut objects: Vec<i64> = tallies.keys().map(|(object, _)| *object).collect();
    objects.sort_unstable();
    objects.dedup();
    store.writes_of(&scope.window, &objects, &mut |write| {
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
        if !scope.namespaces.is_empty() && !scope.namespaces.contains(&object.namespace) {
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
                rollout: None,
                command: format!("kelemetry-cli requests {} --user {user}", object_arguments(&display)),
            });
        }
    }
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

pub(super) fn fights(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
    let scope = &settings.scope;
    let limit = settings.threshold(spec, "flips");
    let mut candidates = store.contested_objects(&scope.window, limit.max(1.0).ceil() as i64 + 1)?;
    if let Some(wanted) = &scope.objects {
        candidates.retain(|object| wanted.contains(object));
    }
    let newest = store.newest_us()?;
    let mut findings = Vec::new();
    for object_id in candidates {
        let Some(object) = store.object_by_id(object_id)? else { continue };
        if !scope.namespaces.is_empty() && !scope.namespaces.contains(&object.namespace) {
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
                rollout: None,
                command: format!("kelemetry-cli history {} --field {}", object_arguments(&display), shell_word(&path)),
            });
        }
    }
    Ok(findings)
}

/// A word as a shell reads it back: quoted when it holds more than `[A-Za-z0-9._/=-]`.
fn shell_word(word: &str) -> String {
    if word.chars().all(|c| c.is_ascii_alphanumeric() || "._/=-".contains(c)) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
