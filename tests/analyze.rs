//! `analyze` on testdata/analyze (one scenario a check) and on a quiet store: exact
//! findings, thresholds, the allow-list, JUnit XML and exit codes.

use serde_json::Value;

use crate::common::{Store, stderr, stdout, testdata};

fn scenario() -> Store {
    let store = Store::new();
    let out = store.ingest(&[&testdata("analyze/audit.jsonl"), &testdata("analyze/events.json")]);
    assert!(out.status.success(), "{}", stderr(&out));
    store
}

/// Each check as `name status: [status subject count, ...]`.
fn findings(store: &Store, args: &[&str]) -> (Vec<String>, Option<i32>) {
    let mut full = vec!["analyze", "-o", "json"];
    full.extend_from_slice(args);
    let out = store.run(&full);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    let checks = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let found: Vec<String> = c["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| format!("{} {} {}", f["status"].as_str().unwrap(), f["subject"].as_str().unwrap(), f["count"]))
                .collect();
            format!("{} {}: [{}]", c["name"].as_str().unwrap(), c["status"].as_str().unwrap(), found.join(", "))
        })
        .collect();
    (checks, out.status.code())
}

#[test]
fn each_scenario_is_found_and_named() {
    let store = scenario();
    let allow = testdata("analyze/allow.txt");
    let (checks, code) = findings(&store, &["--allow", allow.to_str().unwrap()]);
    assert_eq!(
        checks,
        [
            "conflicts fail: [fail system:serviceaccount:ops:flaky-operator 11, warn configmaps ops/cfg 11]",
            "fights pass: []",
            // bob's ten 422s on shop/hot are a refused write retried, too.
            "hot-loops warn: [warn system:serviceaccount:shop:looper → deployments.apps shop/hot 40, \
             warn system:serviceaccount:shop:noop-controller → configmaps shop/idle 12, \
             warn bob → deployments.apps shop/hot 10]",
            "stalls pass: []",
            "applies pass: []",
            "invalid warn: [warn bob 10]",
            "security warn: [warn mallory 10]",
            "throttling warn: [warn system:serviceaccount:shop:bot 12]",
            "server-errors warn: [warn 3s with 5xx 4, warn 1s with 5xx 1]",
            "latency warn: [warn get configmaps 7]",
            "watches pass: []",
            "events fail: [fail pods shop/crash 25, fail pods shop/flappy 22]",
            "rollouts pass: []",
            "deletions pass: []",
        ]
    );
    assert_eq!(code, Some(3), "a failed check exits 3");
    // Without the allow-list, kubelet's 30 `Pulled` count too.
    let (checks, _) = findings(&store, &["--check", "events"]);
    assert_eq!(checks, ["events fail: [fail pods shop/crash 30, fail pods shop/crash 25, fail pods shop/flappy 22]"]);
}

#[test]
fn findings_carry_times_an_audit_id_and_the_command_that_shows_them() {
    let store = scenario();
    let out = store.run(&["analyze", "--check", "hot-loops", "-o", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["status"], "warn");
    assert_eq!(
        report["checks"][0]["thresholds"],
        serde_json::json!({"writes-per-minute": 30.0, "no-op-writes": 10.0, "failed-retries": 10.0})
    );
    assert_eq!(
        report["checks"][0]["findings"][0],
        serde_json::json!({
            "status": "warn",
            "subject": "system:serviceaccount:shop:looper → deployments.apps shop/hot",
            "detail": "40 writes within a minute",
            "count": 40,
            "first": "2024-08-01T10:00:31.000000Z", "firstUs": 1722506431000000i64,
            "last": "2024-08-01T10:01:10.000000Z", "lastUs": 1722506470000000i64,
            "auditId": "c1000000-0000-4000-8000-000000000055",
            "command": "kelemetry-cli history deployments.apps/hot -n shop",
            "object": "deployments.apps shop/hot",
        })
    );
    assert_eq!(out.status.code(), Some(0), "warnings alone exit 0");
    // The command a finding names works.
    let out = store.run(&["history", "deployments.apps/hot", "-n", "shop"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn thresholds_and_scopes_change_the_verdict() {
    let store = scenario();
    let (checks, code) = findings(&store, &["--check", "conflicts", "--threshold", "conflicts.per-user=11"]);
    assert_eq!(checks, ["conflicts warn: [warn configmaps ops/cfg 11]"]);
    assert_eq!(code, Some(0));
    // The 3 s read is over a 1 s SLO, not a 5 s one; the 60 s log stream never counts.
    let (checks, _) = findings(&store, &["--check", "latency", "--threshold", "latency.single-object=5"]);
    assert_eq!(checks, ["latency pass: []"]);
    let (checks, _) = findings(&store, &["--check", "server-errors", "--threshold", "server-errors.seconds=3"]);
    assert_eq!(checks, ["server-errors fail: [fail 3s with 5xx 4, fail 1s with 5xx 1]"]);
    let (checks, _) = findings(&store, &["-n", "ops", "--check", "hot-loops", "--check", "conflicts"]);
    assert_eq!(
        checks,
        [
            "conflicts fail: [fail system:serviceaccount:ops:flaky-operator 11, warn configmaps ops/cfg 11]",
            "hot-loops pass: []"
        ]
    );
    let (checks, _) = findings(&store, &["deploy/hot", "-n", "shop", "--check", "hot-loops", "--check", "invalid"]);
    assert_eq!(
        checks,
        [
            "hot-loops warn: [warn system:serviceaccount:shop:looper → deployments.apps shop/hot 40, \
             warn bob → deployments.apps shop/hot 10]",
            "invalid warn: [warn bob 10]"
        ]
    );
    // 10 conflicts by then: not more than 10 for the writer, but 10 or more for the object.
    let (checks, _) = findings(&store, &["--until", "2024-08-01T10:00:19Z", "--check", "conflicts"]);
    assert_eq!(checks, ["conflicts warn: [warn configmaps ops/cfg 10]"]);
}

#[test]
fn a_quiet_store_passes_every_check() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("rollout")]).status.success());
    let out = store.run(&["analyze"]);
    // The rollout's deletions are told (passing); their details are tested below.
    let text = stdout(&out);
    assert_eq!(
        text.split("\n\n").next().unwrap(),
        "PASS  conflicts      nothing found\n\
         PASS  fights         nothing found\n\
         PASS  hot-loops      nothing found\n\
         PASS  stalls         nothing found\n\
         PASS  applies        nothing found\n\
         PASS  invalid        nothing found\n\
         PASS  security       nothing found\n\
         PASS  throttling     nothing found\n\
         PASS  server-errors  nothing found\n\
         PASS  latency        nothing found\n\
         PASS  watches        nothing found\n\
         PASS  events         nothing found\n\
         PASS  rollouts       2 findings\n\
         PASS  deletions      2 findings"
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn junit_has_a_test_case_a_check() {
    let store = scenario();
    let out = store.run(&["analyze", "-o", "junit", "--check", "invalid", "--check", "events", "--check", "conflicts"]);
    assert_eq!(out.status.code(), Some(3));
    let xml = stdout(&out);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kelemetry-cli analyze\" tests=\"3\" failures=\"2\">"), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 3);
    assert_eq!(xml.matches("<failure ").count(), 2);
    assert_eq!(xml.matches("<system-out>").count(), 1);
    assert!(xml.contains("Container image &quot;web:1&quot; already present"), "quotes escaped: {xml}");
    assert!(xml.trim_end().ends_with("</testsuites>"));
}

#[test]
fn bad_options_exit_2_naming_them() {
    let store = scenario();
    for (args, says) in [
        (&["--check", "colour"][..], "no check \"colour\""),
        (&["--threshold", "events.colour=1"], "no threshold"),
        (&["--threshold", "events.repeats=many"], "not a number"),
        (&["--allow", "/nonexistent/allow.txt"], "cannot read --allow"),
    ] {
        let mut full = vec!["analyze"];
        full.extend_from_slice(args);
        let out = store.run(&full);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn writer_scenarios_are_found_and_quiet_cases_stay_quiet() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("analyze/writers.jsonl")]).status.success());
    let lowered = [
        "--threshold",
        "applies.per-user=10",
        "--threshold",
        "applies.per-object=10",
        "--threshold",
        "watches.per-hour=5",
    ];
    let (checks, code) = findings(&store, &lowered);
    assert_eq!(
        checks,
        [
            "conflicts pass: []",
            // The autoscaler scaling the same Deployment four times is one writer: no fight.
            "fights warn: [warn deployments.apps shop/cart spec.minReadySeconds 6]",
            "hot-loops pass: []",
            // Created without its controller in the data: no status ever written, so no lag told.
            "stalls pass: []",
            // 12 forced applies and 3 whole-object patches under a field manager; kubectl
            // patch's merge patch is not one.
            "applies fail: [fail system:serviceaccount:shop:settings-operator 12, warn configmaps shop/settings 15]",
            "invalid pass: []",
            "security warn: [warn namespace legacy 2]",
            "throttling pass: []",
            "server-errors pass: []",
            // 6 s lists of Pods: over the 5 s of a namespace's, within the 30 s of the cluster's.
            "latency warn: [warn list pods in a namespace 3]",
            "watches warn: [warn system:serviceaccount:shop:leaky-informer 8]",
            "events pass: []",
            // The fought-over Deployment's Pods are not in the data: its outcome is unknown.
            "rollouts pass: [pass deployments.apps shop/cart revision 1 0]",
            "deletions pass: []",
        ]
    );
    assert_eq!(code, Some(3));
    let out = store.run(&["analyze", "--check", "fights", "--check", "security", "-o", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fight = &report["checks"][0]["findings"][0];
    assert_eq!(
        fight["detail"],
        "2 writers set it in turn 6 times (kubectl as kubectl-edit; federation-controller), values 0, 3600"
    );
    assert_eq!(fight["command"], "kelemetry-cli history deployments.apps/cart -n shop --field spec.minReadySeconds");
    assert_eq!(
        report["checks"][1]["findings"][0]["detail"],
        "2 requests admitted that would violate PodSecurity \"restricted:latest\": privileged (container \"app\" \
         must not set securityContext.privileged=true)"
    );
    // The filters behind the findings' commands.
    let count = |args: &[&str]| stdout(&store.run(&[&["requests", "--count"], args].concat())).trim().to_owned();
    assert_eq!(count(&["--apply"]), "15");
    assert_eq!(count(&["--pod-security"]), "2");
    assert_eq!(count(&["--verb", "list", "--slow", "5s"]), "4");
}

#[test]
fn deletions_name_who_started_each_cascade_and_what_finalizers_held() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("analyze/deletions.jsonl"), &testdata("rollout")]).status.success());
    let (checks, code) = findings(&store, &["--check", "deletions"]);
    assert_eq!(
        checks,
        [
            // Held to the end of the data (10:30) since 10:03, and 12 minutes until
            // pvc-protection let go; the Pod whose finalizer came off in 10 s is not held.
            "deletions warn: [warn widgets.example.com shop/w1 1620, warn persistentvolumeclaims shop/data 720, \
             pass alice → deployments.apps demo/web 5, pass alice → namespaces team-a 4, \
             pass system:serviceaccount:kube-system:replicaset-controller 4, pass bob 3]"
        ]
    );
    assert_eq!(code, Some(0), "warnings do not fail");
    let out = store.run(&["analyze", "--check", "deletions", "-o", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let details: Vec<&str> =
        report["checks"][0]["findings"].as_array().unwrap().iter().map(|f| f["detail"].as_str().unwrap()).collect();
    assert_eq!(
        details[..4],
        [
            "marked for deletion, held 1620s by finalizers: still held by example.com/cleanup at the end of the data",
            "marked for deletion, held 720s by finalizers: pvc-protection-controller removed the last at \
             2024-08-03T10:14:00Z",
            // The garbage collector's deletions (2 ReplicaSets, then their Pods) are alice's.
            "deleted it; 4 objects went with it: 2 pods, 2 replicasets.apps",
            // The namespace controller's are the namespace's deletion's.
            "deleted it; 3 objects went with it: 2 configmaps, 1 pods",
        ]
    );
    assert_eq!(details[5], "deleted 1 persistentvolumeclaims, 1 pods, 1 widgets.example.com");
    let (checks, _) = findings(&store, &["--check", "deletions", "--threshold", "deletions.held-seconds=1000"]);
    assert!(checks[0].starts_with("deletions warn: [warn widgets.example.com shop/w1 1620, pass alice"), "{checks:?}");
    let (checks, _) = findings(&store, &["--check", "deletions", "-n", "demo"]);
    assert_eq!(
        checks,
        ["deletions pass: [pass alice → deployments.apps demo/web 5, \
             pass system:serviceaccount:kube-system:replicaset-controller 4]"]
    );
}

#[test]
fn rollouts_have_phases_pod_startups_and_verdicts() {
    let store = Store::new();
    let (audit, events) = (testdata("analyze/rollouts.jsonl"), testdata("analyze/rollouts-events.jsonl"));
    assert!(store.ingest(&[&audit, &events, &testdata("rollout")]).status.success());
    let (checks, code) = findings(&store, &["--check", "rollouts"]);
    assert_eq!(
        checks,
        [
            // Failures first, then warnings, then the rest; each in time order.
            "rollouts fail: [fail deployments.apps prod/worker revision 1 1, fail statefulsets.apps prod/db revision 1 2, \
             warn deployments.apps prod/api revision 2 2, pass deployments.apps demo/web revision 1 2, \
             pass deployments.apps demo/web revision 2 3, pass deployments.apps prod/api revision 1 2]"
        ]
    );
    assert_eq!(code, Some(3));
    let out = store.run(&["analyze", "--check", "rollouts", "-o", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rollouts = report["rollouts"].as_array().unwrap();
    let summary = |r: &Value| {
        let phases: Vec<String> = r["phases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| format!("{} {}", p["name"].as_str().unwrap(), p["afterUs"]))
            .collect();
        format!(
            "{}/{} r{} {} {} [{}] p50 {} p99 {}",
            r["workload"]["namespace"].as_str().unwrap(),
            r["workload"]["name"].as_str().unwrap(),
            r["revision"],
            r["outcome"].as_str().unwrap(),
            r["reason"],
            phases.join(", "),
            r["startupP50Us"],
            r["startupP99Us"]
        )
    };
    let api = rollouts.iter().find(|r| r["workload"]["name"] == "api" && r["revision"] == 2).unwrap();
    // api-2-a spent 20 s pulling its image (left out of its startup: 1.9 s); api-2-b took
    // 8.89 s to start with its image present: over the SLO's 5 s.
    assert_eq!(
        summary(api),
        "prod/api r2 complete null [template changed 0, new ReplicaSet created 50000, first Pod created 100000, \
         first Pod scheduled 150000, first image pull started 1000000, first Pod ready 10000000, \
         all new Pods ready 23000000, old ReplicaSets at zero 24000000, complete 24000000] p50 1900000 p99 8890000"
    );
    assert_eq!(api["startedBy"], "carol");
    assert_eq!(api["replicaSet"], "api-2");
    assert_eq!(
        api["pods"][0],
        serde_json::json!({"name": "api-2-a", "createdUs": 1722765600100000i64, "scheduledUs": 1722765600150000i64,
            "pullStartedUs": 1722765601000000i64, "pullFinishedUs": 1722765621000000i64,
            "runningUs": 1722765622000000i64, "readyUs": 1722765623000000i64, "startupUs": 1900000})
    );
    let worker = rollouts.iter().find(|r| r["workload"]["name"] == "worker").unwrap();
    assert_eq!(worker["outcome"], "failed");
    assert_eq!(worker["reason"], "ReplicaSet \"worker-1\" has timed out progressing.");
    let db = rollouts.iter().find(|r| r["workload"]["name"] == "db").unwrap();
    // A StatefulSet makes its Pods in turn: both belong to the rollout; db-1 never got ready.
    assert_eq!((db["outcome"].as_str(), db["pods"].as_array().unwrap().len()), (Some("stuck"), 2));
    // The rollout fixture's first revision ends with its two Pods ready; the scale-up to
    // three a minute later is not part of it.
    let web = rollouts.iter().find(|r| r["workload"]["name"] == "web" && r["revision"] == 1).unwrap();
    assert_eq!(web["pods"].as_array().unwrap().len(), 2);
    assert_eq!(web["phases"].as_array().unwrap().last().unwrap()["afterUs"], 1330000);
    // Lower the SLO and the first api rollout warns too; narrow to a namespace and only its own.
    let (checks, _) =
        findings(&store, &["--check", "rollouts", "-n", "demo", "--threshold", "rollouts.startup-seconds=1"]);
    assert_eq!(
        checks,
        ["rollouts warn: [warn deployments.apps demo/web revision 1 2, warn deployments.apps demo/web revision 2 3]"]
    );
}

#[test]
fn stalls_are_controllers_acting_on_a_stale_view() {
    let store = Store::new();
    let (audit, events) = (testdata("analyze/stalls.jsonl"), testdata("analyze/stalls-events.jsonl"));
    assert!(store.ingest(&[&audit, &events, &testdata("sample")]).status.success());
    let out = store.run(&["analyze", "--check", "stalls", "-o", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<String> = report["checks"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}: {}", f["subject"].as_str().unwrap(), f["detail"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            // The sample's Deployment: patched at 10:01, its controller last wrote its status at 10:00.
            "deployments.apps shop/web: generation 2 not observed (status.observedGeneration 1) for 60s, to the \
             last the data shows of it",
            // payments-1 made as many Pods, writing its status after each: not stalled.
            "replicasets.apps prod/orders-1: SuccessfulCreate 12 times and no status write in between: its \
             controller acts without seeing the result (an informer that stopped seeing what it made?)",
        ]
    );
    let (checks, _) = findings(&store, &["--check", "stalls", "--threshold", "stalls.events=13"]);
    assert_eq!(checks, ["stalls warn: [warn deployments.apps shop/web 60]"]);
    let (checks, _) = findings(&store, &["--check", "stalls", "--threshold", "stalls.generation-lag-seconds=61"]);
    assert_eq!(checks, ["stalls warn: [warn replicasets.apps prod/orders-1 12]"]);
}
