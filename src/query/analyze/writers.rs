//! Checks of how writers treat objects: hot loops.

use std::collections::{HashMap, VecDeque};

use anyhow::Result;

use super::{Finding, Settings, Spec, Status, object_arguments};
use crate::store::Store;

/// Writes by one writer to one object.
#[derive(Default)]
struct WriterTally {
    recent: VecDeque<i64>,
    /// The most writes within a minute, the first and last of them.
    peak: usize,
    peak_from: i64,
    peak_at: i64,
    peak_example: String,
    no_ops: u64,
    no_op_example: Option<String>,
}

pub(super) fn hot_loops(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
    const MINUTE_US: i64 = 60_000_000;
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
        tally.recent.push_back(write.received_us);
        while tally.recent.front().is_some_and(|&t| t <= write.received_us - MINUTE_US) {
            tally.recent.pop_front();
        }
        if tally.recent.len() > tally.peak {
            tally.peak = tally.recent.len();
            tally.peak_from = tally.recent.front().copied().unwrap_or(write.received_us);
            tally.peak_at = write.received_us;
            tally.peak_example.clone_from(&write.audit_id);
        }
        if write.base_rv.is_some() && write.base_rv == write.new_rv {
            tally.no_ops += 1;
            tally.no_op_example.get_or_insert(write.audit_id);
        }
    })?;
    let mut findings = Vec::new();
    let users = store.string_values(tallies.keys().filter_map(|(_, user)| *user))?;
    for ((object_id, user_id), tally) in tallies {
        let hot = tally.peak as f64 >= rate;
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
                detail: format!("{} writes within a minute", tally.peak),
                count: tally.peak as u64,
                first_us: Some(tally.peak_from),
                last_us: Some(tally.peak_at),
                example: Some(tally.peak_example.clone()),
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
                command: format!("kelemetry-cli requests {} --user {user}", object_arguments(&display)),
            });
        }
    }
    Ok(findings)
}
