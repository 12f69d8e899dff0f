//! Checks of the apiserver's answers: conflicts, refusals, throttling, errors, latency.

use std::collections::HashMap;

use anyhow::Result;

use super::{
    Finding, Peak, Scope, Settings, Spec, Status, counted, filters, first_request, object_arguments, user_finding,
};
use crate::model::audit_id::audit_id_text;
use crate::model::time::format_short;
use crate::query::requests::{self, Filters, LATENCY_BUCKETS_S};
use crate::store::Store;
use crate::store::requests::{RequestKey, RequestOrder};

/// What a count per user and per object is about, in the words of its findings.
struct Tallied<'a> {
    /// The requests counted.
    matching: fn() -> Filters,
    /// `requests` options that list them.
    options: &'a str,
    /// `{count} {per_user}`, `{count} {per_object}`.
    per_user: &'a str,
    per_object: &'a str,
    /// The command that shows an object's (`conflicts`, `requests`).
    object_command: &'a str,
}

/// A user with more than `per-user` of the requests fails; an object with `per-object` or
/// more warns.
fn per_user_and_object(store: &Store, settings: &Settings, spec: &Spec, tallied: Tallied) -> Result<Vec<Finding>> {
    let scope = &settings.scope;
    let mut findings = Vec::new();
    let per_user = settings.threshold(spec, "per-user");
    for (user, count) in counted(store, scope, (tallied.matching)(), RequestKey::User, per_user)? {
        if count as f64 > per_user {
            let command = format!("kelemetry-cli requests {} --user {user}", tallied.options);
            let detail = format!("{count} {}", tallied.per_user);
            findings.push(user_finding(
                store,
                scope,
                (tallied.matching)(),
                (user, count),
                Status::Fail,
                detail,
                command,
            )?);
        }
    }
    let per_object = settings.threshold(spec, "per-object");
    for (object, count) in counted(store, scope, (tallied.matching)(), RequestKey::Object, per_object)? {
        if count as f64 >= per_object {
            findings.push(Finding {
                status: Status::Warn,
                detail: format!("{count} {}", tallied.per_object),
                command: format!("kelemetry-cli {} {}", tallied.object_command, object_arguments(&object)),
                subject: object.clone(),
                count,
                first_us: None,
                last_us: None,
                example: None,
                object: Some(object.clone()),
                rollout: None,
            });
        }
    }
    Ok(findings)
}

pub(super) fn conflicts(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
    let tallied = Tallied {
        matching: || Filters { codes: vec![(409, 409)], reasons: vec!["Conflict".to_owned()], ..Filters::default() },
        options: "--code 409 --reason Conflict",
        per_user: "conflicts: its writes were based on stale resourceVersions",
        per_object: "conflicts: writers raced on it",
        object_command: "conflicts",
    };
    per_user_and_object(store, settings, spec, tallied)
}

pub(super) fn applies(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
    let tallied = Tallied {
        matching: || Filters { applies: true, ..Filters::default() },
        options: "--apply",
        per_user: "server-side applies: more than a reconciling controller needs",
        per_object: "server-side applies to it",
        object_command: "requests --apply",
    };
    per_user_and_object(store, settings, spec, tallied)
}

/// Users with many requests answered with `code`: `warn` or more warns, `fail` or more fails.
fn per_user_code(
    store: &Store,
    scope: &Scope,
    code: i64,
    what: &str,
    warn: f64,
    fail: Option<f64>,
) -> Result<Vec<Finding>> {
    let with_code = || Filters { codes: vec![(code, code)], ..Filters::default() };
    let mut findings = Vec::new();
    for (user, count) in counted(store, scope, with_code(), RequestKey::User, warn)? {
        let status = match count as f64 {
            n if fail.is_some_and(|f| n >= f) => Status::Fail,
            n if n >= warn => Status::Warn,
            _ => continue,
        };
        let command = format!("kelemetry-cli requests --code {code} --user {user}");
        let detail = format!("{count} {} {what}", if count == 1 { "request" } else { "requests" });
        findings.push(user_finding(store, scope, with_code(), (user, count), status, detail, command)?);
    }
    Ok(findings)
}

pub(super) fn invalid(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
    per_user_code(store, &settings.scope, 422, "rejected as invalid (422)", settings.threshold(spec, "per-user"), None)
}

pub(super) fn security(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
    let scope = &settings.scope;
    let mut findings = Vec::new();
    // PodSecurity in audit or warn mode lets a violating Pod through and annotates the request.
    let flagged = || Filters { pod_security: true, ..Filters::default() };
    let filter = requests::resolve(store, &filters(scope, flagged()))?;
    let keys = [RequestKey::Namespace, RequestKey::PodSecurity];
    for row in requests::top(store, &filter, &keys, usize::MAX)?.rows {
        let namespace = row.key[0].clone().unwrap_or_else(|| "unknown".to_owned());
        let violation = row.key[1].clone().unwrap_or_default();
        let example = first_request(store, scope, Filters { namespaces: vec![namespace.clone()], ..flagged() })?;
        let count = row.count;
        findings.push(Finding {
            status: Status::Warn,
            detail: format!("{count} {} admitted that {violation}", if count == 1 { "request" } else { "requests" }),
            command: format!("kelemetry-cli requests --pod-security -n {namespace}"),
            subject: format!("namespace {namespace}"),
            count,
            first_us: example.as_ref().map(|e| e.request.received_us),
            last_us: None,
            example: example.map(|e| e.request.audit_id),
            object: None,
            rollout: None,
        });
    }
    // A burst of denials: a role missing a permission a controller needs, or someone probing.
    let burst = settings.threshold(spec, "forbidden-per-minute");
    let filter = requests::resolve(store, &filters(scope, Filters { codes: vec![(403, 403)], ..Filters::default() }))?;
    let mut peaks: HashMap<i64, Peak> = HashMap::new();
    store.each_user_time(&filter, &mut |user, at_us, key| {
        peaks.entry(user).or_default().add(at_us, &audit_id_text(key));
    })?;
    peaks.retain(|_, peak| peak.count as f64 >= burst);
    let names = store.string_values(peaks.keys().copied())?;
    let peaks =
        peaks.into_iter().map(|(id, peak)| (names.get(&id).cloned().unwrap_or_else(|| "unknown".to_owned()), peak));
    for (user, peak) in peaks {
        findings.push(Finding {
            status: Status::Warn,
            detail: format!("{} requests denied (403) within a minute", peak.count),
            command: format!(
                "kelemetry-cli requests --code 403 --user {user} --since {} --until {}",
                format_short(peak.from_us),
                format_short(peak.to_us)
            ),
            subject: user,
            count: peak.count as u64,
            first_us: Some(peak.from_us),
            last_us: Some(peak.to_us),
            example: Some(peak.example),
            object: None,
            rollout: None,
        });
    }
    Ok(findings)
}

pub(super) fn throttling(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
    let (warn, fail) = (settings.threshold(spec, "warn"), settings.threshold(spec, "fail"));
    per_user_code(store, &settings.scope, 429, "throttled (429)", warn, Some(fail))
}

pub(super) fn server_errors(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
    const SECOND_US: i64 = 1_000_000;
    let scope = &settings.scope;
    let filter = requests::resolve(store, &filters(scope, Filters { codes: vec![(500, 599)], ..Filters::default() }))?;
    // Periods of consecutive seconds with a 5xx: (first second, last second, count, example).
    let mut periods: Vec<(i64, i64, u64, String)> = Vec::new();
    store.each_request(&filter, RequestOrder::Oldest, None, &mut |line| {
        let second = line.request.received_us.div_euclid(SECOND_US);
        match periods.last_mut() {
            Some((_, last, count, _)) if second <= *last + 1 => {
                *last = (*last).max(second);
                *count += 1;
            }
            _ => periods.push((second, second, 1, line.request.audit_id.clone())),
        }
        Ok(true)
    })?;
    let total: i64 = periods.iter().map(|(first, last, ..)| last - first + 1).sum();
    let status = if total as f64 > settings.threshold(spec, "seconds") { Status::Fail } else { Status::Warn };
    Ok(periods
        .into_iter()
        .map(|(first, last, count, example)| Finding {
            status,
            subject: format!("{}s with 5xx", last - first + 1),
            detail: format!(
                "{count} {} answered 5xx ({total}s with 5xx in all)",
                if count == 1 { "request" } else { "requests" }
            ),
            count,
            first_us: Some(first * SECOND_US),
            last_us: Some((last + 1) * SECOND_US - 1),
            example: Some(example),
            object: None,
            rollout: None,
            command: format!(
                "kelemetry-cli requests --code 5xx --since {} --until {}",
                format_short(first * SECOND_US),
                format_short((last + 1) * SECOND_US - 1)
            ),
        })
        .collect())
}

pub(super) fn latency(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
    // Streaming calls last as long as their stream; the SLO leaves them out.
    const STREAMING: [&str; 5] = ["-log", "-exec", "-attach", "-portforward", "-proxy"];
    let scope = &settings.scope;
    let verbs = ["get", "list", "create", "update", "patch", "delete", "deletecollection"];
    let matching = Filters {
        verbs: verbs.map(str::to_owned).to_vec(),
        subresources: STREAMING.map(str::to_owned).to_vec(),
        ..Filters::default()
    };
    let filter = requests::resolve(store, &filters(scope, matching))?;
    let keys = [RequestKey::Resource, RequestKey::Verb, RequestKey::Scope];
    let top = requests::top(store, &filter, &keys, usize::MAX)?;
    let mut findings = Vec::new();
    for row in top.rows {
        let (Some(resource), Some(verb), Some(scope)) = (row.key[0].clone(), row.key[1].clone(), row.key[2].clone())
        else {
            continue;
        };
        let (limit, subject) = match (verb.as_str(), scope.as_str()) {
            ("list", "namespace") => {
                (settings.threshold(spec, "namespaced-list"), format!("list {resource} in a namespace"))
            }
            ("list", _) => (settings.threshold(spec, "list"), format!("list {resource} across namespaces")),
            _ => (settings.threshold(spec, "single-object"), format!("{verb} {resource}")),
        };
        let Some(p99) = row.p99_us.filter(|p99| *p99 as f64 > limit * 1e6) else { continue };
        let buckets: Vec<String> = LATENCY_BUCKETS_S
            .iter()
            .zip(row.slower_than)
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{n} over {s}s"))
            .collect();
        findings.push(Finding {
            status: Status::Warn,
            subject,
            detail: format!(
                "p99 {:.2}s over {} requests (p50 {:.3}s), above the SLO's {limit}s; {}",
                p99 as f64 / 1e6,
                row.count,
                row.p50_us.unwrap_or_default() as f64 / 1e6,
                buckets.join(", ")
            ),
            count: row.count,
            first_us: None,
            last_us: None,
            example: None,
            object: None,
            rollout: None,
            command: format!(
                "kelemetry-cli requests --verb {verb} --resource {resource} --slow {}ms",
                (limit * 1000.0) as i64
            ),
        });
    }
    Ok(findings)
}

pub(super) fn watches(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
    const HOUR_US: i64 = 3_600_000_000;
    let scope = &settings.scope;
    let limit = settings.threshold(spec, "per-hour");
    let filter =
        requests::resolve(store, &filters(scope, Filters { verbs: vec!["watch".to_owned()], ..Filters::default() }))?;
    let hours = store.busiest_hours(&filter, limit.max(0.0) as u64)?;
    Ok(hours
        .into_iter()
        .map(|(user, hour, count, example)| Finding {
            status: Status::Warn,
            detail: format!("{count} watches opened within an hour"),
            command: format!(
                "kelemetry-cli requests --verb watch --user {user} --since {} --until {}",
                format_short(hour * HOUR_US),
                format_short((hour + 1) * HOUR_US - 1)
            ),
            subject: user,
            count,
            first_us: Some(hour * HOUR_US),
            last_us: Some((hour + 1) * HOUR_US - 1),
            example: Some(example),
            object: None,
            rollout: None,
        })
        .collect())
}
