//! Checks of the apiserver's answers: conflicts, refusals, throttling, errors, latency.

use anyhow::Result;

use super::{Finding, Scope, Settings, Spec, Status, counted, filters, object_arguments, user_finding};
use crate::query::requests::{self, Filters};
use crate::store::Store;
use crate::store::requests::RequestKey;

pub(super) fn conflicts(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
    let scope = &settings.scope;
    let conflict = || Filters { codes: vec![(409, 409)], reasons: vec!["Conflict".to_owned()], ..Filters::default() };
    let mut findings = Vec::new();
    let per_user = settings.threshold(spec, "per-user");
    for (user, count) in counted(store, scope, conflict(), RequestKey::User, per_user)? {
        if count as f64 > per_user {
            let command = format!("kelemetry-cli requests --code 409 --reason Conflict --user {user}");
            let detail = format!("{count} conflicts: its writes were based on stale resourceVersions");
            findings.push(user_finding(store, scope, conflict(), (user, count), Status::Fail, detail, command)?);
        }
    }
    let per_object = settings.threshold(spec, "per-object");
    for (object, count) in counted(store, scope, conflict(), RequestKey::Object, per_object)? {
        if count as f64 >= per_object {
            findings.push(Finding {
                status: Status::Warn,
                detail: format!("{count} conflicts: writers raced on it"),
                command: format!("kelemetry-cli conflicts {}", object_arguments(&object)),
                subject: object,
                count,
                first_us: None,
                last_us: None,
                example: None,
            });
        }
    }
    Ok(findings)
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

pub(super) fn forbidden(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
    per_user_code(store, &settings.scope, 403, "denied (403)", settings.threshold(spec, "per-user"), None)
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
    store.each_request(&filter, false, None, &mut |line| {
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
            command: format!(
                "kelemetry-cli requests --code 5xx --since {} --until {}",
                crate::model::time::format_short(first * SECOND_US),
                crate::model::time::format_short((last + 1) * SECOND_US - 1)
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
    let top = requests::top(store, &filter, &[RequestKey::Resource, RequestKey::Verb], usize::MAX)?;
    let mut findings = Vec::new();
    for row in top.rows {
        let (Some(resource), Some(verb)) = (row.key[0].clone(), row.key[1].clone()) else { continue };
        let limit = settings.threshold(spec, if verb == "list" { "list" } else { "single-object" });
        let Some(p99) = row.p99_us.filter(|p99| *p99 as f64 > limit * 1e6) else { continue };
        findings.push(Finding {
            status: Status::Warn,
            subject: format!("{verb} {resource}"),
            detail: format!(
                "p99 {:.2} s over {} requests (p50 {:.3} s), above the SLO's {limit} s",
                p99 as f64 / 1e6,
                row.count,
                row.p50_us.unwrap_or_default() as f64 / 1e6
            ),
            count: row.count,
            first_us: None,
            last_us: None,
            example: None,
            command: format!(
                "kelemetry-cli requests --verb {verb} --resource {resource} --slow {}ms",
                (limit * 1000.0) as i64
            ),
        });
    }
    Ok(findings)
}
