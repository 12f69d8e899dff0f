//! `analyze`: batch checks over the store, each with a documented rule and thresholds
//! (docs/analyze.md), a status, and findings that name who and what, with the command that
//! shows the evidence.

use std::collections::{HashMap, VecDeque};

use anyhow::{Result, bail};
use serde::Serialize;

use super::requests::{self, Filters, wildcard};
use crate::model::time::Window;
use crate::store::Store;
use crate::store::requests::{RequestKey, RequestLine};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

/// One thing a check found.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub status: Status,
    /// Who or what: a user, an object, a period.
    pub subject: String,
    /// What about it, in a sentence.
    pub detail: String,
    pub count: u64,
    pub first_us: Option<i64>,
    pub last_us: Option<i64>,
    /// An auditID that shows it, where one does.
    pub example: Option<String>,
    /// The command that shows the evidence.
    pub command: String,
}

/// A check's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    pub name: &'static str,
    pub rule: &'static str,
    pub thresholds: Vec<(&'static str, f64)>,
    pub status: Status,
    pub findings: Vec<Finding>,
}

/// What the checks look at.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    pub window: Window,
    pub namespaces: Vec<String>,
    /// Only these objects (an object argument and what it owns).
    pub objects: Option<Vec<i64>>,
}

/// An `--allow` line: Events it matches are never pathological.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Allowed {
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub reason: Option<String>,
    pub message: Option<String>,
}

impl Allowed {
    /// Reads an allow-list: one matcher a line, `key=glob` pairs separated by spaces or tabs
    /// (keys `namespace`, `name`, `reason`, `message`; a `message` glob runs to the end of
    /// the line); `#` starts a comment.
    pub fn parse_list(text: &str) -> Result<Vec<Allowed>> {
        let mut list = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut allowed = Allowed::default();
            let mut rest = line;
            while !rest.is_empty() {
                let Some((key, after)) = rest.split_once('=') else {
                    bail!("line {}: {rest:?} is not key=glob", number + 1);
                };
                let key = key.trim();
                let (value, next) = if key == "message" {
                    (after, "")
                } else {
                    after.split_once(char::is_whitespace).unwrap_or((after, ""))
                };
                let slot = match key {
                    "namespace" => &mut allowed.namespace,
                    "name" => &mut allowed.name,
                    "reason" => &mut allowed.reason,
                    "message" => &mut allowed.message,
                    other => bail!("line {}: unknown key {other:?} (namespace, name, reason, message)", number + 1),
                };
                *slot = Some(value.trim().to_owned());
                rest = next.trim_start();
            }
            list.push(allowed);
        }
        Ok(list)
    }

    fn matches(&self, namespace: &str, name: &str, reason: &str, message: &str) -> bool {
        let field = |pattern: &Option<String>, value: &str| pattern.as_deref().is_none_or(|p| wildcard(p, value));
        field(&self.namespace, namespace)
            && field(&self.name, name)
            && field(&self.reason, reason)
            && field(&self.message, message)
    }
}

/// What a run of `analyze` is told.
#[derive(Debug, Default, Clone)]
pub struct Settings {
    pub scope: Scope,
    /// `check.threshold` → value, over the defaults.
    pub thresholds: HashMap<String, f64>,
    pub allow: Vec<Allowed>,
}

impl Settings {
    fn threshold(&self, check: &Spec, name: &'static str) -> f64 {
        let default = check.thresholds.iter().find(|(n, _)| *n == name).map_or(0.0, |(_, v)| *v);
        *self.thresholds.get(&format!("{}.{name}", check.name)).unwrap_or(&default)
    }
}

/// A check: its name, rule, thresholds and how it runs.
pub struct Spec {
    pub name: &'static str,
    pub rule: &'static str,
    pub thresholds: &'static [(&'static str, f64)],
    run: fn(&Store, &Settings, &Spec) -> Result<Vec<Finding>>,
}

/// Every check, in the order the report gives them.
pub const CHECKS: &[Spec] = &[
    Spec {
        name: "conflicts",
        rule: "409 Conflicts (stale resourceVersions): a writer with more than `per-user` fails; an object with \
               `per-object` or more warns",
        thresholds: &[("per-user", 10.0), ("per-object", 10.0)],
        run: conflicts,
    },
    Spec {
        name: "hot-loops",
        rule: "one writer updating one object (not a Lease: they renew by design) `writes-per-minute` times or \
               more within a minute warns; `no-op-writes` or more writes that left its resourceVersion unchanged warn",
        thresholds: &[("writes-per-minute", 30.0), ("no-op-writes", 10.0)],
        run: hot_loops,
    },
    Spec {
        name: "invalid",
        rule: "422 Unprocessable Entity (rejected by validation): a user with `per-user` or more warns",
        thresholds: &[("per-user", 10.0)],
        run: invalid,
    },
    Spec {
        name: "forbidden",
        rule: "403 Forbidden (denied by authorization): a user with `per-user` or more warns — a misconfigured \
               role, or someone probing",
        thresholds: &[("per-user", 10.0)],
        run: forbidden,
    },
    Spec {
        name: "throttling",
        rule: "429 Too Many Requests (API Priority and Fairness, max-in-flight): a user with `warn` or more \
               warns, with `fail` or more fails",
        thresholds: &[("warn", 10.0), ("fail", 100.0)],
        run: throttling,
    },
    Spec {
        name: "server-errors",
        rule: "5xx answers, merged into periods of consecutive seconds: any warns; more than `seconds` seconds \
               in total fails",
        thresholds: &[("seconds", 60.0)],
        run: server_errors,
    },
    Spec {
        name: "latency",
        rule: "Kubernetes' API call latency SLO, per resource and verb over the window: a p99 over \
               `single-object` seconds for get, create, update, patch and delete, or over `list` seconds for \
               list, warns (watches and streaming calls are left out)",
        thresholds: &[("single-object", 1.0), ("list", 30.0)],
        run: latency,
    },
    Spec {
        name: "events",
        rule: "pathological Events: the same reason and message about one object more than `repeats` times \
               (count, series.count, or a message's \"(N times)\") fails, unless --allow matches it",
        thresholds: &[("repeats", 20.0)],
        run: pathological_events,
    },
];

/// Checks `--threshold NAME=VALUE` names a threshold some check has.
pub fn parse_threshold(text: &str) -> Result<(String, f64), String> {
    let (name, value) = text.split_once('=').ok_or_else(|| format!("{text:?} is not CHECK.NAME=VALUE"))?;
    let value: f64 = value.parse().map_err(|_| format!("{value:?} is not a number"))?;
    let known: Vec<String> =
        CHECKS.iter().flat_map(|c| c.thresholds.iter().map(move |(t, _)| format!("{}.{t}", c.name))).collect();
    if !known.iter().any(|k| k == name) {
        return Err(format!("no threshold {name:?}; thresholds: {}", known.join(", ")));
    }
    Ok((name.to_owned(), value))
}

/// Runs the named checks (all when none is named).
pub fn run(store: &Store, settings: &Settings, names: &[String]) -> Result<Vec<CheckResult>> {
    let mut results = Vec::new();
    for spec in CHECKS.iter().filter(|c| names.is_empty() || names.iter().any(|n| n == c.name)) {
        let mut findings = (spec.run)(store, settings, spec)?;
        findings.sort_by(|a, b| b.status.cmp(&a.status).then(b.count.cmp(&a.count)).then(a.subject.cmp(&b.subject)));
        results.push(CheckResult {
            name: spec.name,
            rule: spec.rule,
            thresholds: spec.thresholds.iter().map(|(n, _)| (*n, settings.threshold(spec, n))).collect(),
            status: findings.iter().map(|f| f.status).max().unwrap_or(Status::Pass),
            findings,
        });
    }
    Ok(results)
}

/// The request filters of the scope, plus `more`.
fn filters(scope: &Scope, more: Filters) -> Filters {
    Filters { window: scope.window, namespaces: scope.namespaces.clone(), objects: scope.objects.clone(), ..more }
}

/// `deployments.apps shop/web` as the arguments of a command: `deployments.apps/web -n shop`.
fn object_arguments(display: &str) -> String {
    match display.split_once(' ') {
        Some((resource, path)) => match path.split_once('/') {
            Some((namespace, name)) => format!("{resource}/{name} -n {namespace}"),
            None => format!("{resource}/{path}"),
        },
        None => display.to_owned(),
    }
}

/// Counts of the scope's requests matching `more`, by one key, for the keys with `least` or more.
fn counted(store: &Store, scope: &Scope, more: Filters, key: RequestKey, least: f64) -> Result<Vec<(String, u64)>> {
    let filter = requests::resolve(store, &filters(scope, more))?;
    let top = requests::top_at_least(store, &filter, &[key], usize::MAX, least.max(0.0).ceil() as u64)?;
    Ok(top
        .rows
        .into_iter()
        .map(|row| (row.key[0].clone().unwrap_or_else(|| "unknown".to_owned()), row.count))
        .collect())
}

/// The first request matching, for its auditID and time.
fn first_request(store: &Store, scope: &Scope, more: Filters) -> Result<Option<RequestLine>> {
    let filter = requests::resolve(store, &filters(scope, more))?;
    let mut first = None;
    store.each_request(&filter, false, Some(1), &mut |line| {
        first = Some(line);
        Ok(false)
    })?;
    Ok(first)
}

/// A finding about a user's requests matching `matching`, with the first as its example.
fn user_finding(
    store: &Store,
    scope: &Scope,
    matching: Filters,
    (user, count): (String, u64),
    status: Status,
    detail: String,
    command: String,
) -> Result<Finding> {
    let example = first_request(store, scope, Filters { users: vec![user.clone()], ..matching })?;
    Ok(Finding {
        status,
        detail,
        command,
        subject: user,
        count,
        first_us: example.as_ref().map(|e| e.request.received_us),
        last_us: None,
        example: example.map(|e| e.request.audit_id),
    })
}

fn conflicts(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
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

fn hot_loops(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
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

fn invalid(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
    per_user_code(store, &settings.scope, 422, "rejected as invalid (422)", settings.threshold(spec, "per-user"), None)
}

fn forbidden(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
    per_user_code(store, &settings.scope, 403, "denied (403)", settings.threshold(spec, "per-user"), None)
}

fn throttling(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
    let (warn, fail) = (settings.threshold(spec, "warn"), settings.threshold(spec, "fail"));
    per_user_code(store, &settings.scope, 429, "throttled (429)", warn, Some(fail))
}

fn server_errors(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
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

fn latency(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
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

/// A message's trailing `(N times)`, which some tools append to repeated Events.
fn times_suffix(message: &str) -> Option<(&str, i64)> {
    let inner = message.trim_end().strip_suffix(" times)")?;
    let open = inner.rfind('(')?;
    let count = inner[open + 1..].trim().parse().ok()?;
    Some((inner[..open].trim_end(), count))
}

fn pathological_events(store: &Store, settings: &Settings, spec: &Spec) -> Result<Vec<Finding>> {
    let scope = &settings.scope;
    let limit = settings.threshold(spec, "repeats");
    // Groups over the limit: (object, reason, message) → (repeats, first, last). A message
    // that counts itself ("(22 times)") is a group of its own for each count: the most wins.
    let mut grouped: HashMap<(i64, String, String), (i64, i64, i64)> = HashMap::new();
    let mut candidates = store.objects_with_many_events(&scope.window, limit.max(0.0) as i64)?;
    if let Some(wanted) = &scope.objects {
        candidates.retain(|object| wanted.contains(object));
    }
    store.each_event_group(&scope.window, &candidates, &mut |group| {
        let message = group.message.unwrap_or_default();
        let (message, repeats, counted) = match times_suffix(&message) {
            Some((stripped, n)) => (stripped.to_owned(), n.max(group.repeats), true),
            None => (message, group.repeats, false),
        };
        if !counted && repeats as f64 <= limit {
            return;
        }
        let entry = grouped.entry((group.object_id, group.reason.unwrap_or_default(), message)).or_insert((
            0,
            group.first_us,
            group.last_us,
        ));
        entry.0 = if counted { entry.0.max(repeats) } else { entry.0 + repeats };
        entry.1 = entry.1.min(group.first_us);
        entry.2 = entry.2.max(group.last_us);
    })?;
    let mut findings = Vec::new();
    for ((object_id, reason, message), (repeats, first, last)) in grouped {
        if repeats as f64 <= limit {
            continue;
        }
        let Some(object) = store.object_by_id(object_id)? else { continue };
        if !scope.namespaces.is_empty() && !scope.namespaces.contains(&object.namespace) {
            continue;
        }
        if settings.allow.iter().any(|a| a.matches(&object.namespace, &object.name, &reason, &message)) {
            continue;
        }
        let display = object.display();
        findings.push(Finding {
            status: Status::Fail,
            subject: display.clone(),
            detail: format!("{reason} {repeats} times: {message}"),
            count: repeats as u64,
            first_us: Some(first),
            last_us: Some(last),
            example: None,
            command: format!("kelemetry-cli trace {}", object_arguments(&display)),
        });
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_read_globs_and_messages_to_the_end_of_the_line() {
        let list = Allowed::parse_list(
            "# kubelet noise\nnamespace=kube-system reason=BackOff\nreason=FailedMount message=MountVolume.SetUp failed for *\n",
        )
        .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].message.as_deref(), Some("MountVolume.SetUp failed for *"));
        assert!(list[0].matches("kube-system", "x", "BackOff", "anything"));
        assert!(!list[0].matches("shop", "x", "BackOff", "anything"));
        assert!(list[1].matches("shop", "web", "FailedMount", "MountVolume.SetUp failed for volume \"a\""));
        assert!(Allowed::parse_list("colour=red").unwrap_err().to_string().contains("unknown key"));
        assert!(Allowed::parse_list("reason").unwrap_err().to_string().contains("not key=glob"));
    }

    #[test]
    fn thresholds_name_a_check_and_one_of_its_thresholds() {
        assert_eq!(parse_threshold("events.repeats=5"), Ok(("events.repeats".to_owned(), 5.0)));
        assert!(parse_threshold("events.colour=5").unwrap_err().contains("conflicts.per-user"));
        assert!(parse_threshold("events.repeats=x").unwrap_err().contains("not a number"));
    }

    #[test]
    fn times_suffixes_count_repeats() {
        assert_eq!(
            times_suffix("Back-off restarting failed container (53 times)"),
            Some(("Back-off restarting failed container", 53))
        );
        assert_eq!(times_suffix("Pulled image"), None);
        assert_eq!(object_arguments("deployments.apps shop/web"), "deployments.apps/web -n shop");
        assert_eq!(object_arguments("namespaces shop"), "namespaces/shop");
    }
}
