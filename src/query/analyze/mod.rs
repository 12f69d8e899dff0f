//! `analyze`: batch checks over the store, each with a documented rule and thresholds
//! (docs/analyze.md), a status, and findings that name who and what, with the command that
//! shows the evidence.

mod apiserver;
mod events;
mod lifecycle;
mod writers;

use std::collections::HashMap;
use std::sync::Mutex;

use anyhow::Result;
use serde::Serialize;

pub use self::events::Allowed;
use self::{apiserver::*, events::*, lifecycle::*, writers::*};
use super::requests::{self, Ask, Filters, Gather, KeyCounts, KeyRows, ObjectUserCounts};
use super::rollout::Rollout;
use crate::model::time::Window;
use crate::store::Store;
use crate::store::analyze::EventTallies;
use crate::store::read::ObjectRow;
use crate::store::requests::{RequestKey, RequestLine, RequestOrder};

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
    /// The object it is about, as kubectl names it (`deployments.apps shop/web`): where an
    /// HTML report links to its trace.
    pub object: Option<String>,
    /// A `rollouts` finding's rollout, its phases and Pods.
    pub rollout: Option<Box<Rollout>>,
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

impl Scope {
    /// Whether an object is one the scope looks at: among its objects, in its namespaces.
    fn includes(&self, object: &ObjectRow) -> bool {
        self.objects.as_ref().is_none_or(|ids| ids.contains(&object.id))
            && (self.namespaces.is_empty() || self.namespaces.contains(&object.namespace))
    }

    /// The objects a check that reads bodies examines, and how many it could have: those
    /// of the scope's objects `wanted` keeps when the scope names objects (a few), else what
    /// `recent` picks (the most recent in the scope's namespaces, up to the check's cap).
    fn examined(
        &self,
        store: &Store,
        wanted: impl Fn(&ObjectRow) -> bool,
        recent: impl FnOnce() -> Result<(Vec<ObjectRow>, u64)>,
    ) -> Result<(Vec<ObjectRow>, u64)> {
        let Some(ids) = &self.objects else { return recent() };
        let mut objects = Vec::new();
        for id in ids {
            objects.extend(store.object_by_id(*id)?.filter(|o| wanted(o) && self.includes(o)));
        }
        let total = objects.len() as u64;
        Ok((objects, total))
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

/// A check's verdict on what it gathered.
type Judge = fn(&Store, &Settings, &Spec, Vec<Gather>) -> Result<Vec<Finding>>;

/// How a check reads the store.
enum Run {
    /// As it needs, on a connection of its own.
    Alone(fn(&Store, &Settings, &Spec) -> Result<Vec<Finding>>),
    /// From the tallies of the Event versions (made once, for all such checks), then as
    /// it needs.
    OverEvents(fn(&Store, &Settings, &Spec, &EventTallies) -> Result<Vec<Finding>>),
    /// It counts or lists the scope's requests (`asks`), in the one pass over them all such
    /// checks share (a scan of the table costs more than all their counting), then judges
    /// what was gathered, in the order it asked.
    Gathering { asks: fn(&Store, &Settings, &Spec) -> Result<Vec<Ask>>, judge: Judge },
}

/// A check: its name, rule, thresholds and how it runs.
pub struct Spec {
    pub name: &'static str,
    pub rule: &'static str,
    pub thresholds: &'static [(&'static str, f64)],
    run: Run,
    /// Findings of one status read best in time order (else: the biggest first).
    in_time_order: bool,
}

/// Every check, in the order the report gives them.
pub const CHECKS: &[Spec] = &[
    Spec {
        name: "conflicts",
        rule: "409 Conflicts (stale resourceVersions): a writer with more than `per-user` fails; an object with \
               `per-object` or more warns",
        thresholds: &[("per-user", 10.0), ("per-object", 10.0)],
        run: Run::Gathering { asks: conflict_asks, judge: conflicts },
        in_time_order: false,
    },
    Spec {
        name: "fights",
        rule: "a field of one object set by two or more writers in turn, `flips` times or more, warns: \
               controllers (or a controller and a person) undoing each other. Writers are named with the field \
               manager they sent",
        thresholds: &[("flips", 3.0)],
        run: Run::Gathering { asks: fight_asks, judge: fights },
        in_time_order: false,
    },
    Spec {
        name: "hot-loops",
        rule: "one writer updating one object (not a Lease: they renew by design) `writes-per-minute` times or \
               more within a minute warns; `no-op-writes` or more writes that left its resourceVersion unchanged \
               warn; `failed-retries` or more writes refused (4xx, 5xx; 409s aside) and retried warn",
        thresholds: &[("writes-per-minute", 30.0), ("no-op-writes", 10.0), ("failed-retries", 10.0)],
        run: Run::Gathering { asks: hot_loop_asks, judge: hot_loops },
        in_time_order: false,
    },
    Spec {
        name: "stalls",
        rule: "a controller acting on an object (the same Event reason, Warnings aside) `events` times or more \
               over `span-seconds` or longer with no status write to it in between, or a workload whose status.observedGeneration lagged its \
               generation `generation-lag-seconds` or more, warns: a controller acting on a stale view. The \
               `max-workloads` most recently seen workloads are examined for lags",
        thresholds: &[
            ("events", 10.0),
            ("span-seconds", 60.0),
            ("generation-lag-seconds", 60.0),
            ("max-workloads", 500.0),
        ],
        run: Run::OverEvents(stalls),
        in_time_order: false,
    },
    Spec {
        name: "applies",
        rule: "server-side applies: a user with more than `per-user` fails; an object with `per-object` or more \
               warns (a controller re-applying what did not change)",
        thresholds: &[("per-user", 200.0), ("per-object", 200.0)],
        run: Run::Gathering { asks: apply_asks, judge: applies },
        in_time_order: false,
    },
    Spec {
        name: "invalid",
        rule: "422 Unprocessable Entity (rejected by validation): a user with `per-user` or more warns",
        thresholds: &[("per-user", 10.0)],
        run: Run::Gathering { asks: invalid_asks, judge: invalid },
        in_time_order: false,
    },
    Spec {
        name: "security",
        rule: "requests PodSecurity admission let through with violations (its audit or warn mode) warn, by \
               namespace and violation; a user denied (403) `forbidden-per-minute` times or more within a minute \
               warns — a role missing a permission, or someone probing",
        thresholds: &[("forbidden-per-minute", 10.0)],
        run: Run::Gathering { asks: security_asks, judge: security },
        in_time_order: false,
    },
    Spec {
        name: "throttling",
        rule: "429 Too Many Requests (API Priority and Fairness, max-in-flight): a user with `warn` or more \
               warns, with `fail` or more fails",
        thresholds: &[("warn", 10.0), ("fail", 100.0)],
        run: Run::Gathering { asks: throttling_asks, judge: throttling },
        in_time_order: false,
    },
    Spec {
        name: "server-errors",
        rule: "5xx answers, merged into periods of consecutive seconds: any warns; more than `seconds` seconds \
               in total fails",
        thresholds: &[("seconds", 60.0)],
        run: Run::Gathering { asks: server_error_asks, judge: server_errors },
        in_time_order: false,
    },
    Spec {
        name: "latency",
        rule: "Kubernetes' API call latency SLO, per resource and verb over the window: a p99 over \
               `single-object` seconds for get, create, update, patch and delete, over `namespaced-list` seconds \
               for a list in one namespace, or over `list` seconds for a list across namespaces, warns (watches \
               and streaming calls are left out); findings count the requests over 1, 2, 5, 10, 20, 30 and 45 s",
        thresholds: &[("single-object", 1.0), ("namespaced-list", 5.0), ("list", 30.0)],
        run: Run::Gathering { asks: latency_asks, judge: latency },
        in_time_order: false,
    },
    Spec {
        name: "watches",
        rule: "a user opening more than `per-hour` watches within one clock hour warns: a client whose watches \
               keep ending, re-listing and re-watching, or one informer per object",
        thresholds: &[("per-hour", 500.0)],
        run: Run::Gathering { asks: watch_asks, judge: watches },
        in_time_order: false,
    },
    Spec {
        name: "events",
        rule: "pathological Events: the same reason and message about one object more than `repeats` times \
               (count, series.count, or a message's \"(N times)\") fails, unless --allow matches it",
        thresholds: &[("repeats", 20.0)],
        run: Run::OverEvents(pathological_events),
        in_time_order: false,
    },
    Spec {
        name: "rollouts",
        rule: "each revision of a Deployment, StatefulSet or DaemonSet in the window, with its phases: a \
               rollout that gave up (ProgressDeadlineExceeded) or whose new Pods were not all ready by the end \
               of the data fails; a Pod startup p99 (creation to running, image pulls left out) over \
               `startup-seconds` warns. The `max-workloads` most recently seen workloads are examined",
        thresholds: &[("startup-seconds", 5.0), ("max-workloads", 500.0)],
        run: Run::Alone(rollouts),
        in_time_order: true,
    },
    Spec {
        name: "deletions",
        rule: "who deleted what: deletions by the garbage collector or the namespace controller are told with \
               the deletion that started them; an object whose finalizers held its deletion `held-seconds` or \
               more (or to the end of the data) warns; the `max-objects` marked objects seen longest after \
               their mark are examined",
        thresholds: &[("held-seconds", 300.0), ("max-objects", 500.0)],
        run: Run::Gathering { asks: deletion_asks, judge: deletions },
        in_time_order: false,
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

/// Runs the named checks (all when none is named). The checks that count requests gather
/// in one shared pass over the table; then the checks run side by side on the cores, each
/// on a connection of its own.
pub fn run(store: &Store, settings: &Settings, names: &[String]) -> Result<Vec<CheckResult>> {
    let specs: Vec<&Spec> = CHECKS.iter().filter(|c| names.is_empty() || names.iter().any(|n| n == c.name)).collect();
    let gathered: Vec<Mutex<Vec<Gather>>> = gather_for(store, settings, &specs)?.into_iter().map(Mutex::new).collect();
    let tallies = match specs.iter().any(|spec| matches!(spec.run, Run::OverEvents(_))) {
        true => store.event_tallies(&settings.scope.window)?,
        false => EventTallies::default(),
    };
    // The checks that read on their own (bodies, then Events) take longest: they start
    // first, and the judging of what was gathered fills in around them.
    let mut order: Vec<usize> = (0..specs.len()).collect();
    order.sort_by_key(|job| match specs[*job].run {
        Run::Alone(_) => 0,
        Run::OverEvents(_) => 1,
        Run::Gathering { .. } => 2,
    });
    let mut found: Vec<(usize, Vec<Finding>)> = store.share_out(specs.len(), |store, turn| {
        let job = order[turn];
        let spec = specs[job];
        let findings = match spec.run {
            Run::Alone(run) => run(store, settings, spec),
            Run::OverEvents(run) => run(store, settings, spec, &tallies),
            Run::Gathering { judge, .. } => {
                let gathered = std::mem::take(&mut *gathered[job].lock().unwrap_or_else(|e| e.into_inner()));
                judge(store, settings, spec, gathered)
            }
        }?;
        Ok((job, findings))
    })?;
    found.sort_by_key(|(job, _)| *job);
    let mut results = Vec::new();
    for (spec, (_, mut findings)) in specs.into_iter().zip(found) {
        // The worst first; then the biggest, or (rollouts) the earliest.
        findings.sort_by(|a, b| {
            let then = if spec.in_time_order { a.first_us.cmp(&b.first_us) } else { b.count.cmp(&a.count) };
            b.status.cmp(&a.status).then(then).then(a.subject.cmp(&b.subject))
        });
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

/// What each check that gathers asked for, gathered in one pass over the scope's requests
/// (nothing for the others), in the order of `specs`.
fn gather_for(store: &Store, settings: &Settings, specs: &[&Spec]) -> Result<Vec<Vec<Gather>>> {
    let mut asks = Vec::new();
    let mut asked = Vec::new();
    for spec in specs {
        let mine = match spec.run {
            Run::Gathering { asks, .. } => asks(store, settings, spec)?,
            Run::Alone(_) | Run::OverEvents(_) => Vec::new(),
        };
        asked.push(mine.len());
        asks.extend(mine);
    }
    if asks.is_empty() {
        return Ok(asked.iter().map(|_| Vec::new()).collect());
    }
    let scan = requests::resolve(store, &filters(&settings.scope, Filters::default()))?;
    let mut gathered = requests::gather(store, &scan, asks)?.into_iter();
    Ok(asked.into_iter().map(|n| gathered.by_ref().take(n).collect()).collect())
}

/// Asks for the requests `matching` (resolved; the pass reads only the scope's) gathered so.
fn ask(store: &Store, matching: &Filters, gather: Gather) -> Result<Ask> {
    Ok(Ask { matching: Some(requests::resolve(store, matching)?.matcher()), gather })
}

/// Asks to count the requests `matching` by `by`.
fn count_by(store: &Store, matching: &Filters, by: &[RequestKey]) -> Result<Ask> {
    ask(store, matching, Gather::Counts(KeyCounts::counting(by)))
}

/// Asks for the requests `matching` themselves, with the values of `by`.
fn rows_by(store: &Store, matching: &Filters, by: &[RequestKey]) -> Result<Ask> {
    ask(store, matching, Gather::Rows(KeyRows::new(by)))
}

/// Asks to count the requests `matching` on objects per object and user.
fn count_per_object_and_user(store: &Store, matching: &Filters) -> Result<Ask> {
    ask(store, matching, Gather::ObjectUsers(ObjectUserCounts::default()))
}

/// Asks to count the requests `matching` by `by`, with their latencies.
fn latencies_by(store: &Store, matching: &Filters, by: &[RequestKey]) -> Result<Ask> {
    ask(store, matching, Gather::Counts(KeyCounts::new(by)))
}

/// The auditID of a request by its row id.
fn audit_id_of(store: &Store, id: i64) -> Result<Option<String>> {
    Ok(store.request_line(id)?.map(|line| line.request.audit_id))
}

/// The busiest minute of a series of times given in order: how many fell within 60 s of
/// each other at most, when that minute began and ended, and an example from it.
#[derive(Default)]
struct Peak<E> {
    recent: std::collections::VecDeque<i64>,
    count: usize,
    from_us: i64,
    to_us: i64,
    example: E,
}

impl<E: Clone> Peak<E> {
    const MINUTE_US: i64 = 60_000_000;

    fn add(&mut self, at_us: i64, example: &E) {
        self.recent.push_back(at_us);
        while self.recent.front().is_some_and(|&t| t <= at_us - Self::MINUTE_US) {
            self.recent.pop_front();
        }
        if self.recent.len() > self.count {
            self.count = self.recent.len();
            self.from_us = self.recent.front().copied().unwrap_or(at_us);
            self.to_us = at_us;
            self.example = example.clone();
        }
    }
}

/// A warning that a check examined only the `examined` most recent of `total` objects:
/// what reads each object's bodies is bounded, and says so rather than dropping silently.
fn not_examined(total: u64, examined: usize, what: &str) -> Option<Finding> {
    let skipped = total.saturating_sub(examined as u64);
    (skipped > 0).then(|| Finding {
        status: Status::Warn,
        subject: "not examined".to_owned(),
        detail: format!(
            "{skipped} of {total} {what} not examined (the {examined} most recently seen were): narrow with -n, \
             KIND/NAME or --since/--until, or raise the check's max- threshold"
        ),
        count: skipped,
        first_us: None,
        last_us: None,
        example: None,
        object: None,
        rollout: None,
        command: "kelemetry-cli analyze --since 1h".to_owned(),
    })
}

/// The request filters of the scope, plus `more`.
fn filters(scope: &Scope, more: Filters) -> Filters {
    Filters { window: scope.window, namespaces: scope.namespaces.clone(), objects: scope.objects.clone(), ..more }
}

/// An object as findings name it (`deployments.apps shop/web`, `namespaces shop`): its
/// resource, its namespace (none when cluster-scoped) and its name; `None` for a subject
/// that names no resource.
pub fn object_parts(display: &str) -> Option<(&str, Option<&str>, &str)> {
    let (resource, path) = display.split_once(' ')?;
    Some(match path.split_once('/') {
        Some((namespace, name)) => (resource, Some(namespace), name),
        None => (resource, None, path),
    })
}

/// `deployments.apps shop/web` as the arguments of a command: `deployments.apps/web -n shop`.
fn object_arguments(display: &str) -> String {
    match object_parts(display) {
        Some((resource, Some(namespace), name)) => format!("{resource}/{name} -n {namespace}"),
        Some((resource, None, name)) => format!("{resource}/{name}"),
        None => display.to_owned(),
    }
}

/// The keys of a count by one key with `least` requests or more, by name.
fn counted(store: &Store, counts: Gather, least: f64) -> Result<Vec<(String, u64)>> {
    let top = counts.into_counts().top(store, usize::MAX, least.max(0.0).ceil() as u64)?;
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
    store.each_request(&filter, RequestOrder::Oldest, Some(1), &mut |line| {
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
        object: None,
        rollout: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_name_a_check_and_one_of_its_thresholds() {
        assert_eq!(parse_threshold("events.repeats=5"), Ok(("events.repeats".to_owned(), 5.0)));
        assert!(parse_threshold("events.colour=5").unwrap_err().contains("conflicts.per-user"));
        assert!(parse_threshold("events.repeats=x").unwrap_err().contains("not a number"));
    }

    #[test]
    fn objects_become_command_arguments() {
        assert_eq!(object_arguments("deployments.apps shop/web"), "deployments.apps/web -n shop");
        assert_eq!(object_arguments("namespaces shop"), "namespaces/shop");
    }
}
