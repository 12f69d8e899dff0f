//! Checks of the apiserver's answers: conflicts, refusals, throttling, errors, latency.

use std::collections::HashMap;

use anyhow::Result;

use super::{
    Finding, Peak, Scope, Settings, Spec, Status, audit_id_of, count_by, counted, first_request, latencies_by,
    object_arguments, rows_by, user_finding,
};
use crate::model::time::{Window, format_short};
use crate::query::requests::{Ask, Filters, Gather, LATENCY_BUCKETS_S};
use crate::store::Store;
use crate::store::requests::{HOUR_US, RequestKey};

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

/// Counts of the requests by user and by object.
fn per_user_and_object_asks(store: &Store, tallied: &Tallied) -> Result<Vec<Ask>> {
    let matching = (tallied.matching)();
    Ok(vec![count_by(store, &matching, &[RequestKey::User])?, count_by(store, &matching, &[RequestKey::Object])?])
}

/// A user with more than `per-user` of the requests fails; an object with `per-object` or
/// more warns.
fn per_user_and_object(
    store: &Store,
    settings: &Settings,
    spec: &Spec,
    tallied: Tallied,
    gathered: Vec<Gather>,
) -> Result<Vec<Finding>> {
    let scope = &settings.scope;
    let [by_user, by_object] = <[Gather; 2]>::try_from(gathered).map_err(|_| anyhow::anyhow!("two counts asked"))?;
    let mut findings = Vec::new();
    let per_user = settings.threshold(spec, "per-user");
    for (user, count) in counted(store, by_user, per_user)? {
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
    for (object, count) in counted(store, by_object, per_object)? {
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

fn conflicts_tallied() -> Tallied<'static> {
    Tallied {
        matching: || Filters { codes: vec![(409, 409)], reasons: vec!["Conflict".to_owned()], ..Filters::default() },
        options: "--code 409 --reason Conflict",
        per_user: "conflicts: its writes were based on stale resourceVersions",
        per_object: "conflicts: writers raced on it",
        object_command: "conflicts",
    }
}

pub(super) fn conflict_asks(store: &Store, _: &Settings, _: &Spec) -> Result<Vec<Ask>> {
    per_user_and_object_asks(store, &conflicts_tallied())
}

pub(super) fn conflicts(
    store: &Store,
    settings: &Settings,
    spec: &Spec,
    gathered: Vec<Gather>,
) -> Result<Vec<Finding>> {
    per_user_and_object(store, settings, spec, conflicts_tallied(), gathered)
}

fn applies_tallied() -> Tallied<'static> {
    Tallied {
        matching: || Filters { applies: true, ..Filters::default() },
        options: "--apply",
        per_user: "server-side applies: more than a reconciling controller needs",
        per_object: "server-side applies to it",
        object_command: "requests --apply",
    }
}

pub(super) fn apply_asks(store: &Store, _: &Settings, _: &Spec) -> Result<Vec<Ask>> {
    per_user_and_object_asks(store, &applies_tallied())
}

pub(super) fn applies(store: &Store, settings: &Settings, spec: &Spec, gathered: Vec<Gather>) -> Result<Vec<Finding>> {
    per_user_and_object(store, settings, spec, applies_tallied(), gathered)
}

/// The requests answered with `code`.
fn with_code(code: i64) -> Filters {
    Filters { codes: vec![(code, code)], ..Filters::default() }
}

/// Users with many requests answered with `code` (counted by user): `warn` or more warns,
/// `fail` or more fails.
fn per_user_code(
    store: &Store,
    scope: &Scope,
    (code, by_user): (i64, Gather),
    what: &str,
    warn: f64,
    fail: Option<f64>,
) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    for (user, count) in counted(store, by_user, warn)? {
        let status = match count as f64 {
            n if fail.is_some_and(|f| n >= f) => Status::Fail,
            n if n >= warn => Status::Warn,
            _ => continue,
        };
        let command = format!("kelemetry-cli requests --code {code} --user {user}");
        let detail = format!("{count} {} {what}", if count == 1 { "request" } else { "requests" });
        findings.push(user_finding(store, scope, with_code(code), (user, count), status, detail, command)?);
    }
    Ok(findings)
}

/// The one count a check asked for.
fn only(gathered: Vec<Gather>) -> Result<Gather> {
    gathered.into_iter().next().ok_or_else(|| anyhow::anyhow!("a count was asked"))
}

pub(super) fn invalid_asks(store: &Store, _: &Settings, _: &Spec) -> Result<Vec<Ask>> {
    Ok(vec![count_by(store, &with_code(422), &[RequestKey::User])?])
}

pub(super) fn invalid(store: &Store, settings: &Settings, spec: &Spec, gathered: Vec<Gather>) -> Result<Vec<Finding>> {
    let per_user = settings.threshold(spec, "per-user");
    per_user_code(store, &settings.scope, (422, only(gathered)?), "rejected as invalid (422)", per_user, None)
}

/// Requests PodSecurity in audit or warn mode let through (and annotated).
fn flagged() -> Filters {
    Filters { pod_security: true, ..Filters::default() }
}

pub(super) fn security_asks(store: &Store, _: &Settings, _: &Spec) -> Result<Vec<Ask>> {
    Ok(vec![
        count_by(store, &flagged(), &[RequestKey::Namespace, RequestKey::PodSecurity])?,
        rows_by(store, &with_code(403), &[RequestKey::User])?,
    ])
}

pub(super) fn security(store: &Store, settings: &Settings, spec: &Spec, gathered: Vec<Gather>) -> Result<Vec<Finding>> {
    let scope = &settings.scope;
    let [violations, denials] = <[Gather; 2]>::try_from(gathered).map_err(|_| anyhow::anyhow!("two asked"))?;
    let mut findings = Vec::new();
    for row in violations.into_counts().top(store, usize::MAX, 0)?.rows {
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
    let mut peaks: HashMap<Option<i64>, Peak<i64>> = HashMap::new();
    for denial in denials.into_rows().in_time_order() {
        peaks.entry(denial.key[0]).or_default().add(denial.received_us, &denial.id);
    }
    peaks.retain(|_, peak| peak.count as f64 >= burst);
    let names = store.string_values(peaks.keys().copied().flatten())?;
    for (user, peak) in peaks {
        let user = user.and_then(|id| names.get(&id).cloned()).unwrap_or_else(|| "unknown".to_owned());
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
            example: audit_id_of(store, peak.example)?,
            object: None,
            rollout: None,
        });
    }
    Ok(findings)
}

pub(super) fn throttling_asks(store: &Store, _: &Settings, _: &Spec) -> Result<Vec<Ask>> {
    Ok(vec![count_by(store, &with_code(429), &[RequestKey::User])?])
}

pub(super) fn throttling(
    store: &Store,
    settings: &Settings,
    spec: &Spec,
    gathered: Vec<Gather>,
) -> Result<Vec<Finding>> {
    let (warn, fail) = (settings.threshold(spec, "warn"), settings.threshold(spec, "fail"));
    per_user_code(store, &settings.scope, (429, only(gathered)?), "throttled (429)", warn, Some(fail))
}

pub(super) fn server_error_asks(store: &Store, _: &Settings, _: &Spec) -> Result<Vec<Ask>> {
    Ok(vec![rows_by(store, &Filters { codes: vec![(500, 599)], ..Filters::default() }, &[])?])
}

pub(super) fn server_errors(
    store: &Store,
    settings: &Settings,
    spec: &Spec,
    gathered: Vec<Gather>,
) -> Result<Vec<Finding>> {
    const SECOND_US: i64 = 1_000_000;
    // Periods of consecutive seconds with a 5xx: (first second, last second, count, example).
    let mut periods: Vec<(i64, i64, u64, i64)> = Vec::new();
    for error in only(gathered)?.into_rows().in_time_order() {
        let second = error.received_us.div_euclid(SECOND_US);
        match periods.last_mut() {
            Some((_, last, count, _)) if second <= *last + 1 => {
                *last = (*last).max(second);
                *count += 1;
            }
            _ => periods.push((second, second, 1, error.id)),
        }
    }
    let total: i64 = periods.iter().map(|(first, last, ..)| last - first + 1).sum();
    let status = if total as f64 > settings.threshold(spec, "seconds") { Status::Fail } else { Status::Warn };
    let mut findings = Vec::new();
    for (first, last, count, example) in periods {
        findings.push(Finding {
            status,
            subject: format!("{}s with 5xx", last - first + 1),
            detail: format!(
                "{count} {} answered 5xx ({total}s with 5xx in all)",
                if count == 1 { "request" } else { "requests" }
            ),
            count,
            first_us: Some(first * SECOND_US),
            last_us: Some((last + 1) * SECOND_US - 1),
            example: audit_id_of(store, example)?,
            object: None,
            rollout: None,
            command: format!(
                "kelemetry-cli requests --code 5xx --since {} --until {}",
                format_short(first * SECOND_US),
                format_short((last + 1) * SECOND_US - 1)
            ),
        });
    }
    Ok(findings)
}

pub(super) fn latency_asks(store: &Store, _: &Settings, _: &Spec) -> Result<Vec<Ask>> {
    // Streaming calls last as long as their stream; the SLO leaves them out.
    const STREAMING: [&str; 5] = ["-log", "-exec", "-attach", "-portforward", "-proxy"];
    let verbs = ["get", "list", "create", "update", "patch", "delete", "deletecollection"];
    let matching = Filters {
        verbs: verbs.map(str::to_owned).to_vec(),
        subresources: STREAMING.map(str::to_owned).to_vec(),
        ..Filters::default()
    };
    Ok(vec![latencies_by(store, &matching, &[RequestKey::Resource, RequestKey::Verb, RequestKey::Scope])?])
}

pub(super) fn latency(store: &Store, settings: &Settings, spec: &Spec, gathered: Vec<Gather>) -> Result<Vec<Finding>> {
    let top = only(gathered)?.into_counts().top(store, usize::MAX, 0)?;
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

/// Watches opened.
fn watches_opened() -> Filters {
    Filters { verbs: vec!["watch".to_owned()], ..Filters::default() }
}

pub(super) fn watch_asks(store: &Store, _: &Settings, _: &Spec) -> Result<Vec<Ask>> {
    Ok(vec![count_by(store, &watches_opened(), &[RequestKey::User, RequestKey::Hour])?])
}

pub(super) fn watches(store: &Store, settings: &Settings, spec: &Spec, gathered: Vec<Gather>) -> Result<Vec<Finding>> {
    let scope = &settings.scope;
    let limit = settings.threshold(spec, "per-hour").max(0.0) as u64;
    let counts = only(gathered)?.into_counts();
    // Each user's busiest hour over the limit (the earliest of equals).
    let mut busiest: HashMap<Option<i64>, (i64, u64)> = HashMap::new();
    for (key, count) in counts.counts() {
        let (user, Some(hour)) = (key[0], key[1]) else { continue };
        if count <= limit {
            continue;
        }
        let slot = busiest.entry(user).or_insert((hour, count));
        if (count, -hour) > (slot.1, -slot.0) {
            *slot = (hour, count);
        }
    }
    let names = store.string_values(busiest.keys().copied().flatten())?;
    let busiest = busiest.into_iter().map(|(user, (hour, count))| {
        (user.and_then(|id| names.get(&id).cloned()).unwrap_or_else(|| "unknown".to_owned()), hour, count)
    });
    let mut findings = Vec::new();
    for (user, hour, count) in busiest {
        let (from_us, to_us) = (hour * HOUR_US, (hour + 1) * HOUR_US - 1);
        let window = Window {
            since_us: Some(scope.window.since_us.map_or(from_us, |since| since.max(from_us))),
            until_us: Some(scope.window.until_us.map_or(to_us, |until| until.min(to_us))),
        };
        let in_hour = Scope { window, ..scope.clone() };
        let example = first_request(store, &in_hour, Filters { users: vec![user.clone()], ..watches_opened() })?;
        findings.push(Finding {
            status: Status::Warn,
            detail: format!("{count} watches opened within an hour"),
            command: format!(
                "kelemetry-cli requests --verb watch --user {user} --since {} --until {}",
                format_short(from_us),
                format_short(to_us)
            ),
            subject: user,
            count,
            first_us: Some(from_us),
            last_us: Some(to_us),
            example: example.map(|e| e.request.audit_id),
            object: None,
            rollout: None,
        });
    }
    Ok(findings)
}
