//! `trace` on the rollout fixture (Kelemetry's e2e deployment scenario) and its
//! Metadata-level twin: exact trees per pipeline and scope, filters, exports, rendering.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::common::{Store, bin, stderr, stdout, testdata};

fn rollout() -> Store {
    let store = Store::new();
    let out = store.ingest(&[&testdata("rollout")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    store
}

fn trace_json(store: &Store, args: &[&str]) -> Value {
    let mut all = vec!["trace"];
    all.extend(args);
    all.extend(["-o", "json"]);
    let out = store.run(&all);
    assert_eq!(out.status.code(), Some(0), "{all:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("trace JSON")
}

fn spans(trace: &Value) -> &Vec<Value> {
    trace["spans"].as_array().expect("spans")
}

/// The trace as an indented outline: one line per span, `kind name`, children indented.
fn outline(trace: &Value) -> String {
    let mut depth: HashMap<&str, usize> = HashMap::new();
    let mut lines = Vec::new();
    for span in spans(trace) {
        let d = span["parent"].as_str().map_or(0, |p| depth[p] + 1);
        depth.insert(span["id"].as_str().unwrap(), d);
        let mut line =
            format!("{}{} {}", "  ".repeat(d), span["kind"].as_str().unwrap(), span["name"].as_str().unwrap());
        if let Some(link) = span["tags"]["ownerLink"].as_str() {
            line.push_str(&format!(" [{link}]"));
        }
        if span["focus"] == true {
            line.push_str(" <focus>");
        }
        lines.push(line);
    }
    lines.join("\n")
}

/// Only the object spans of the outline.
fn objects(trace: &Value) -> Vec<String> {
    outline(trace).lines().filter(|l| l.trim_start().starts_with("object ")).map(str::to_owned).collect()
}

fn logs_of(span: &Value) -> Vec<(&str, Vec<&str>)> {
    span["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (l["event"].as_str().unwrap(), l["lines"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect())
        })
        .collect()
}

const WHOLE_TREE: [&str; 9] = [
    "object deployments demo/web",
    "  object replicasets demo/web-5d9c7b8f4 [controller]",
    "    object pods demo/web-5d9c7b8f4-x2kqz [controller]",
    "    object pods demo/web-5d9c7b8f4-q8wzn [controller]",
    "    object pods demo/web-5d9c7b8f4-r7tvm [controller]",
    "  object replicasets demo/web-6c8f9d7b5 [controller]",
    "    object pods demo/web-6c8f9d7b5-k4hbn [controller] <focus>",
    "    object pods demo/web-6c8f9d7b5-p9cxd [controller]",
    "    object pods demo/web-6c8f9d7b5-m5wzs [controller]",
];

#[test]
fn a_pod_is_traced_from_its_top_most_controller() {
    let store = rollout();
    let trace = trace_json(&store, &["pod/web-6c8f9d7b5-k4hbn", "--pipeline", "tree"]);
    assert_eq!(objects(&trace), WHOLE_TREE);
    assert_eq!(trace["counts"]["objects"], 9);
    assert_eq!(trace["counts"]["requests"], 47);
    assert_eq!(trace["counts"]["events"], 39);
    // alice's `get` is a read: hidden unless --all.
    assert_eq!(trace["counts"]["hiddenNoise"], 1);
    insta::assert_snapshot!("tree_full", outline(&trace));
}

#[test]
fn scopes_and_depth_choose_the_relatives() {
    let store = rollout();
    let pod = "pod/web-6c8f9d7b5-k4hbn";
    let scoped = |args: &[&str]| objects(&trace_json(&store, args));
    assert_eq!(
        scoped(&[pod, "--scope", "ancestors"]),
        [
            "object deployments demo/web",
            "  object replicasets demo/web-6c8f9d7b5 [controller]",
            "    object pods demo/web-6c8f9d7b5-k4hbn [controller] <focus>"
        ]
    );
    assert_eq!(
        scoped(&["rs/web-6c8f9d7b5", "--scope", "children"]),
        [
            "object replicasets demo/web-6c8f9d7b5 <focus>",
            "  object pods demo/web-6c8f9d7b5-k4hbn [controller]",
            "  object pods demo/web-6c8f9d7b5-p9cxd [controller]",
            "  object pods demo/web-6c8f9d7b5-m5wzs [controller]"
        ]
    );
    assert_eq!(scoped(&[pod, "--scope", "object"]), ["object pods demo/web-6c8f9d7b5-k4hbn <focus>"]);
    // One link up from the pod (its ReplicaSet), one below that: the pod and its siblings.
    assert_eq!(
        scoped(&[pod, "--depth", "1"]),
        [
            "object replicasets demo/web-6c8f9d7b5",
            "  object pods demo/web-6c8f9d7b5-k4hbn [controller] <focus>",
            "  object pods demo/web-6c8f9d7b5-p9cxd [controller]",
            "  object pods demo/web-6c8f9d7b5-m5wzs [controller]"
        ]
    );
    assert_eq!(scoped(&["deploy/web", "--scope", "children", "--depth", "1"]).len(), 3);
}

#[test]
fn kelemetry_e2e_expectations_hold() {
    let store = rollout();
    let trace = trace_json(&store, &["deploy/web", "--pipeline", "tree"]);
    let all = spans(&trace);
    let root = &all[0];
    assert_eq!(root["name"], "deployments demo/web");
    assert!(root["parent"].is_null());
    let replicasets: Vec<&str> = all
        .iter()
        .filter(|s| s["parent"] == root["id"] && s["kind"] == "object")
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(replicasets, ["replicasets demo/web-5d9c7b8f4", "replicasets demo/web-6c8f9d7b5"]);

    let deployment_writes: Vec<&Value> =
        all.iter().filter(|s| s["parent"] == root["id"] && s["kind"] == "audit").collect();
    let names: Vec<&str> = deployment_writes.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "alice create",
            "system:serviceaccount:kube-system:deployment-controller update status",
            "system:serviceaccount:kube-system:deployment-controller update status (Conflict)",
            "system:serviceaccount:kube-system:deployment-controller update status",
            "alice patch",
            "system:serviceaccount:kube-system:deployment-controller update status",
            "alice patch",
            "system:serviceaccount:kube-system:deployment-controller update status",
            "alice patch",
            "system:serviceaccount:kube-system:deployment-controller update status",
            "alice delete",
        ]
    );
    // The status update after the scale: observedGeneration 1 -> 2.
    let diffs: Vec<&str> = deployment_writes
        .iter()
        .flat_map(|s| logs_of(s))
        .filter(|(event, _)| *event == "diff")
        .flat_map(|(_, lines)| lines)
        .collect();
    assert!(diffs.contains(&"status.observedGeneration: 1 -> 2"), "{diffs:?}");
    assert!(diffs.contains(&"spec.template.spec.containers[name=web].image: nginx:1.25 -> nginx:1.26"), "{diffs:?}");
    // The conflict: an error span with the apiserver's message.
    let conflict = deployment_writes[2];
    assert_eq!(conflict["status"], "error");
    assert_eq!(conflict["tags"]["responseCode"], 409);
    assert_eq!(conflict["tags"]["error"], true);
    assert!(
        logs_of(conflict)[0].1[0].starts_with("Conflict: Operation cannot be fulfilled on deployments.apps \"web\"")
    );
    // The delete carries a snapshot of what was deleted.
    let delete = deployment_writes[10];
    let snapshot = logs_of(delete).into_iter().find(|(e, _)| *e == "snapshot").expect("snapshot on delete").1[0];
    let snapshot: Value = serde_json::from_str(snapshot).unwrap();
    assert_eq!(snapshot["spec"]["replicas"], 2);
    assert!(snapshot["metadata"]["deletionTimestamp"].is_string());
    // managedFields is never shown.
    assert!(
        !stdout(&store.run(&["trace", "deploy/web", "-o", "json", "--pipeline", "tree"])).contains("managedFields")
    );
}

#[test]
fn pods_carry_their_node_and_events_sit_on_the_right_object() {
    let store = rollout();
    let trace = trace_json(&store, &["rs/web-5d9c7b8f4", "--pipeline", "tree", "--scope", "children"]);
    let all = spans(&trace);
    let by_id: HashMap<&str, &Value> = all.iter().map(|s| (s["id"].as_str().unwrap(), s)).collect();
    let nodes: Vec<(&str, &str)> = all
        .iter()
        .filter(|s| s["tags"]["kind"] == "Pod")
        .map(|s| (s["tags"]["name"].as_str().unwrap(), s["tags"]["node"].as_str().unwrap()))
        .collect();
    assert_eq!(
        nodes,
        [("web-5d9c7b8f4-x2kqz", "node-1"), ("web-5d9c7b8f4-q8wzn", "node-2"), ("web-5d9c7b8f4-r7tvm", "node-1")]
    );
    // Every Event hangs below the object its involvedObject names.
    let events: Vec<(&str, &str)> = all
        .iter()
        .filter(|s| s["kind"] == "event")
        .map(|s| (s["name"].as_str().unwrap(), by_id[s["parent"].as_str().unwrap()]["tags"]["name"].as_str().unwrap()))
        .collect();
    assert_eq!(events.iter().filter(|(reason, _)| *reason == "SuccessfulCreate").count(), 3);
    assert!(events.iter().filter(|(r, _)| *r == "SuccessfulCreate").all(|(_, on)| *on == "web-5d9c7b8f4"));
    assert!(events.iter().filter(|(r, _)| *r == "Scheduled").all(|(_, on)| on.starts_with("web-5d9c7b8f4-")));
    // The scheduler's Events have only eventTime: that is their time, to the microsecond.
    let scheduled = all
        .iter()
        .find(|s| {
            s["name"] == "Scheduled" && by_id[s["parent"].as_str().unwrap()]["tags"]["name"] == "web-5d9c7b8f4-x2kqz"
        })
        .unwrap();
    assert_eq!(scheduled["start"], "2024-06-03T09:00:00.171000Z");
    assert_eq!(scheduled["tags"]["eventTime"], "2024-06-03T09:00:00.171000Z");
    assert_eq!(scheduled["tags"]["source"], "default-scheduler");
    assert_eq!(scheduled["tags"]["action"], "Binding");
    // A count bump is a second occurrence.
    let backoffs: Vec<(&Value, &str)> = all
        .iter()
        .filter(|s| s["name"] == "BackOff")
        .map(|s| (&s["tags"]["count"], s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(backoffs, [(&Value::from(1), "warning"), (&Value::from(2), "warning")]);
    // The binding says where the pod went.
    let binding = all.iter().find(|s| s["name"] == "system:kube-scheduler create binding").unwrap();
    assert_eq!(logs_of(binding), [("note", vec!["bound to node node-1"])]);
}

#[test]
fn the_four_pipelines_arrange_the_same_entries_differently() {
    let store = rollout();
    let pipeline = |name: &str| trace_json(&store, &["deploy/web", "--pipeline", name]);
    let tree = pipeline("tree");
    let timeline = pipeline("timeline");
    let tracing = pipeline("tracing");
    let grouping = pipeline("grouping");
    let count = |trace: &Value, kind: &str| spans(trace).iter().filter(|s| s["kind"] == kind).count();
    let shape = |t: &Value| ["object", "audit", "event", "group"].map(|k| count(t, k));
    assert_eq!(shape(&tree), [9, 47, 39, 0]);
    // timeline: the root and every entry directly below it, in time order, named with its object.
    assert_eq!(shape(&timeline), [1, 47, 39, 0]);
    let root = &spans(&timeline)[0]["id"];
    assert!(spans(&timeline)[1..].iter().all(|s| &s["parent"] == root));
    let starts: Vec<i64> = spans(&timeline)[1..].iter().map(|s| s["startUs"].as_i64().unwrap()).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(spans(&timeline)[4]["name"], "deployment/web: alice create");
    // tracing: objects only; entries are their logs.
    assert_eq!(shape(&tracing), [9, 0, 0, 0]);
    let logged: usize = spans(&tracing).iter().map(|s| s["logs"].as_array().unwrap().len()).sum();
    assert_eq!(logged, 47 + 39);
    // grouping: per object an audit group with one span per component, and an events group.
    assert_eq!(count(&grouping, "event"), 39);
    assert_eq!(count(&grouping, "audit"), 0);
    insta::assert_snapshot!("grouping_full", outline(&grouping));
    insta::assert_snapshot!("timeline_full", outline(&timeline));
}

#[test]
fn filters_narrow_the_entries() {
    let store = rollout();
    let counts = |args: &[&str]| {
        let mut all = vec!["deploy/web", "--pipeline", "tree"];
        all.extend(args);
        let trace = trace_json(&store, &all);
        (trace["counts"]["requests"].as_i64().unwrap(), trace["counts"]["events"].as_i64().unwrap())
    };
    assert_eq!(counts(&[]), (47, 39));
    assert_eq!(counts(&["--all"]), (48, 39));
    assert_eq!(counts(&["--only", "events"]), (0, 39));
    assert_eq!(counts(&["--only", "writes"]), (47, 0));
    assert_eq!(counts(&["--exclude-user", "alice"]), (42, 39));
    assert_eq!(counts(&["--exclude-user", "replicaset-controller", "--exclude-user", "kubelet"]), (47 - 21, 39));
    // 09:02:00 to 09:03:00, both ends included: the image rollout (18 requests) and alice's
    // scale-down at 09:03:00; its Events, and those of 09:03:00.1 (Event times are seconds).
    let window = ["--since", "2024-06-03T09:02:00Z", "--until", "2024-06-03T09:03:00Z"];
    assert_eq!(counts(&window), (19, 23));
    let trace = trace_json(&store, &["deploy/web", "--pipeline", "tree", window[0], window[1], window[2], window[3]]);
    // Pods of the first ReplicaSet live into the window (they are deleted in it); m5wzs too.
    assert_eq!(objects(&trace).len(), 9);
    // The teardown: what lived past 09:03:30, in the order of its activity (tracing shrinks
    // each span to it): the garbage collector deletes the new ReplicaSet 10 ms before the old.
    let trace = trace_json(&store, &["deploy/web", "--since", "2024-06-03T09:03:30Z"]);
    assert_eq!(
        objects(&trace),
        [
            "object deployments demo/web <focus>",
            "  object replicasets demo/web-6c8f9d7b5 [controller]",
            "    object pods demo/web-6c8f9d7b5-k4hbn [controller]",
            "    object pods demo/web-6c8f9d7b5-p9cxd [controller]",
            "  object replicasets demo/web-5d9c7b8f4 [controller]"
        ]
    );
}

#[test]
fn metadata_only_logs_infer_ownership_from_names() {
    let store = Store::new();
    assert_eq!(store.ingest(&[&testdata("rollout-metadata")]).status.code(), Some(0));
    let trace = trace_json(&store, &["pod/web-6c8f9d7b5-k4hbn", "--pipeline", "tree"]);
    let inferred: Vec<String> = WHOLE_TREE.iter().map(|l| l.replace("[controller]", "[inferred]")).collect();
    assert_eq!(objects(&trace), inferred);
    assert_eq!(trace["counts"]["requests"], 47);
    // No bodies: no diffs, and no "changes unknown" on every write either.
    let logs: HashSet<&str> = spans(&trace)
        .iter()
        .flat_map(|s| s["logs"].as_array().unwrap())
        .map(|l| l["event"].as_str().unwrap())
        .collect();
    assert!(logs.iter().all(|e| *e == "error"), "{logs:?}");
}

fn hex(value: &Value, len: usize) -> bool {
    value
        .as_str()
        .is_some_and(|s| s.len() == len && s.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()))
}

#[test]
fn jaeger_export_has_what_jaeger_ui_needs() {
    let store = rollout();
    let out = store.run(&["trace", "deploy/web", "-o", "jaeger", "--pipeline", "tree"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let data = &doc["data"].as_array().unwrap()[0];
    assert!(hex(&data["traceID"], 32));
    let processes = data["processes"].as_object().unwrap();
    assert!(processes.values().all(|p| p["serviceName"].is_string() && p["tags"].is_array()));
    let spans = data["spans"].as_array().unwrap();
    assert_eq!(spans.len(), 9 + 47 + 39);
    let ids: HashSet<&str> = spans.iter().map(|s| s["spanID"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), spans.len(), "span IDs are unique");
    let mut roots = 0;
    for span in spans {
        assert_eq!(span["traceID"], data["traceID"]);
        assert!(hex(&span["spanID"], 16));
        assert!(span["operationName"].is_string());
        assert!(span["startTime"].is_i64() && span["duration"].as_i64().unwrap() >= 1);
        assert!(processes.contains_key(span["processID"].as_str().unwrap()));
        for tag in span["tags"].as_array().unwrap() {
            let kind = tag["type"].as_str().unwrap();
            assert!(["string", "bool", "int64", "float64"].contains(&kind));
            assert!(tag["key"].is_string() && !tag["value"].is_null());
        }
        for log in span["logs"].as_array().unwrap() {
            assert!(log["timestamp"].is_i64() && log["fields"].is_array());
        }
        let refs = span["references"].as_array().unwrap();
        if refs.is_empty() {
            roots += 1;
        }
        for r in refs {
            assert!(r["refType"] == "CHILD_OF" || r["refType"] == "FOLLOWS_FROM");
            assert!(ids.contains(r["spanID"].as_str().unwrap()));
        }
    }
    assert_eq!(roots, 1);
    let conflict = spans.iter().find(|s| s["operationName"].as_str().unwrap().ends_with("(Conflict)")).unwrap();
    assert!(conflict["tags"].as_array().unwrap().iter().any(|t| t["key"] == "error" && t["value"] == true));
}

#[test]
fn otlp_export_follows_the_json_mapping() {
    let store = rollout();
    let out = store.run(&["trace", "deploy/web", "-o", "otlp"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "one object a line for otlpjsonfile");
    let doc: Value = serde_json::from_str(&text).unwrap();
    let resource = &doc["resourceSpans"][0];
    assert_eq!(resource["resource"]["attributes"][0]["key"], "service.name");
    let scope = &resource["scopeSpans"][0];
    assert_eq!(scope["scope"]["name"], "kelemetry-cli");
    let spans = scope["spans"].as_array().unwrap();
    assert_eq!(spans.len(), 9);
    let ids: HashSet<&str> = spans.iter().map(|s| s["spanId"].as_str().unwrap()).collect();
    for span in spans {
        assert!(hex(&span["traceId"], 32) && hex(&span["spanId"], 16));
        let parent = span["parentSpanId"].as_str().unwrap();
        assert!(parent.is_empty() || ids.contains(parent));
        assert_eq!(span["kind"], 1);
        let start: u128 = span["startTimeUnixNano"].as_str().unwrap().parse().unwrap();
        let end: u128 = span["endTimeUnixNano"].as_str().unwrap().parse().unwrap();
        assert!(start <= end && start > 1_700_000_000_000_000_000);
        for attribute in span["attributes"].as_array().unwrap() {
            let value = attribute["value"].as_object().unwrap();
            assert_eq!(value.len(), 1);
            assert!(
                ["stringValue", "intValue", "boolValue", "doubleValue", "arrayValue"]
                    .contains(&value.keys().next().unwrap().as_str())
            );
        }
        for event in span["events"].as_array().unwrap() {
            assert!(event["timeUnixNano"].as_str().unwrap().parse::<u128>().is_ok() && event["name"].is_string());
        }
    }
    let pod = spans.iter().find(|s| s["name"] == "pods demo/web-6c8f9d7b5-k4hbn").unwrap();
    let attribute = |key: &str| {
        pod["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["key"] == key)
            .map(|a| a["value"]["stringValue"].clone())
    };
    assert_eq!(attribute("k8s.pod.name"), Some(Value::from("web-6c8f9d7b5-k4hbn")));
    assert_eq!(attribute("k8s.pod.uid"), Some(Value::from("f0000000-0000-4000-8000-000000000007")));
    assert_eq!(attribute("k8s.node.name"), Some(Value::from("node-2")));
    assert_eq!(attribute("k8s.namespace.name"), Some(Value::from("demo")));
}

fn render(store: &Store, args: &[&str]) -> String {
    let mut all = vec!["--color", "never", "trace", "deploy/web"];
    all.extend(args);
    if !args.contains(&"--width") {
        all.extend(["--width", "100"]);
    }
    let out = store.run(&all);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn terminal_rendering_of_each_pipeline() {
    let store = rollout();
    for pipeline in ["tree", "timeline", "tracing", "grouping"] {
        insta::assert_snapshot!(format!("terminal_{pipeline}"), render(&store, &["--pipeline", pipeline]));
    }
    let narrow = render(&store, &["--width", "80", "--scope", "object"]);
    assert!(narrow.lines().all(|l| unicode_columns(l) <= 80), "{narrow}");
    insta::assert_snapshot!("terminal_80_columns", narrow);
}

fn unicode_columns(line: &str) -> usize {
    line.chars().count()
}

#[test]
fn limit_cuts_with_a_summary_and_wide_shows_everything() {
    let store = rollout();
    let cut = render(&store, &["--pipeline", "tree", "--limit", "5"]);
    assert_eq!(
        cut.lines().last().unwrap(),
        "… 7 objects, 46 requests, 37 Events not shown (--limit 5); --limit 0 shows all, -o json holds everything"
    );
    // A big tree shows every object with its first entries rather than one object's all:
    // 30 rows shared by 9 objects leaves each the minimum of 3 (the Deployment has 16).
    let shared = render(&store, &["--limit", "30"]);
    assert!(shared.contains("│ … 13 more entries here (--limit 0 shows all)\n"), "{shared}");
    let wide = render(&store, &["--pipeline", "tree", "--wide"]);
    assert!(wide.contains("system:serviceaccount:kube-system:deployment-controller update status (Conflict)"));
    assert!(!wide.contains("--wide shows all"));
    assert!(render(&store, &["--pipeline", "tree"]).contains("deployment-controller update status (Conflict)"));
}

#[test]
fn input_with_a_memory_store_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .current_dir(dir.path())
        .args(["--db", ":memory:", "--color", "never", "trace", "deploy/web", "-n", "demo", "--width", "100", "-i"])
        .arg(testdata("rollout"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("trace deployments demo/web\n"));
    assert!(stderr(&out).contains("ingested 2 files"), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written");
    // The same for history, conflicts and stats.
    for args in [&["history", "deploy/web"][..], &["conflicts"], &["stats"]] {
        let out = bin()
            .current_dir(dir.path())
            .args(["--db", ":memory:"])
            .args(args)
            .arg("-i")
            .arg(testdata("rollout"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn an_unknown_object_says_so() {
    let store = rollout();
    let out = store.run(&["trace", "deploy/webb"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("closest names: web"), "{}", stderr(&out));
}

#[test]
fn json_of_one_pod_is_exact() {
    let store = rollout();
    let out = store.run(&["trace", "pod/web-5d9c7b8f4-r7tvm", "--scope", "object", "--pipeline", "tree", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!("json_pod_r7tvm", stdout(&out));
}

#[test]
fn colour_marks_failures_and_warnings_only_when_asked() {
    let store = rollout();
    let coloured = |args: &[&str]| {
        let mut all = vec!["trace", "deploy/web", "--pipeline", "tree", "--width", "100"];
        all.extend(args);
        stdout(&store.run(&all))
    };
    let always = coloured(&["--color", "always"]);
    assert!(always.contains("\x1b[31mdeployment-controller update status (Conflict)"), "red failure");
    assert!(always.contains("\x1b[33mBackOff"), "yellow Warning Event");
    // Not a terminal: no colour by default; NO_COLOR is honoured by `auto` only.
    assert!(!coloured(&[]).contains('\x1b'));
    let no_color = bin()
        .env("NO_COLOR", "1")
        .args(["--db", store.path.to_str().unwrap(), "--color", "never", "trace", "deploy/web"])
        .output()
        .unwrap();
    assert!(!stdout(&no_color).contains('\x1b'));
    // CLICOLOR_FORCE colours a pipe under `auto`; NO_COLOR wins over it, CLICOLOR=0 turns it off.
    let auto = |env: &[(&str, &str)]| {
        let mut command = bin();
        command.env_remove("CLICOLOR_FORCE").env_remove("CLICOLOR");
        command.envs(env.iter().copied()).args(["--db", store.path.to_str().unwrap(), "trace", "deploy/web"]);
        stdout(&command.output().unwrap()).contains('\x1b')
    };
    assert!(auto(&[("CLICOLOR_FORCE", "1")]));
    assert!(!auto(&[("CLICOLOR_FORCE", "0")]));
    assert!(!auto(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
    assert!(!auto(&[("CLICOLOR", "0")]));
}

#[test]
fn secret_values_never_reach_any_output() {
    let store = Store::new();
    assert_eq!(store.ingest(&[&testdata("sample")]).status.code(), Some(0));
    for format in ["text", "json", "jaeger", "otlp"] {
        let out = store.run(&["trace", "secret/web-db", "--pipeline", "tree", "--wide", "-o", format]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("<redacted>"), "{format}: the snapshot is shown, redacted");
        assert!(!text.contains("czNjcjN0LXZhbHVl"), "{format} printed a Secret value");
    }
}

#[test]
fn the_readme_first_command_works() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let command = readme.lines().find_map(|l| l.strip_prefix("cargo run --release -- ")).expect("a cargo run line");
    let out = bin().current_dir(root).args(command.split_whitespace()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{command}: {}", stderr(&out));
    assert!(stdout(&out).starts_with("trace deployments demo/web\n"), "{}", stdout(&out));
    assert!(!root.join(":memory:").exists());
}

#[test]
fn other_owners_are_links_not_parents() {
    // A Pod whose ReplicaSet is its controller and whose Deployment is a second owner.
    let object = |kind: &str, api: &str, name: &str, uid: &str, owners: &str| {
        format!(
            r#"{{"apiVersion":"{api}","kind":"{kind}","metadata":{{"name":"{name}","namespace":"ns","uid":"{uid}","resourceVersion":"1","creationTimestamp":"2024-01-01T00:00:00Z","ownerReferences":[{owners}]}}}}"#
        )
    };
    let owner = |kind: &str, name: &str, uid: &str, controller: bool| {
        format!(r#"{{"apiVersion":"apps/v1","kind":"{kind}","name":"{name}","uid":"{uid}","controller":{controller}}}"#)
    };
    let list = format!(
        r#"{{"apiVersion":"v1","kind":"List","items":[{},{},{}]}}"#,
        object("Deployment", "apps/v1", "app", "d1", ""),
        object("ReplicaSet", "apps/v1", "app-5d9c7b8f4", "r1", &owner("Deployment", "app", "d1", true)),
        object(
            "Pod",
            "v1",
            "app-5d9c7b8f4-x2kqz",
            "p1",
            &format!(
                "{},{}",
                owner("ReplicaSet", "app-5d9c7b8f4", "r1", true),
                owner("Deployment", "app", "d1", false)
            )
        ),
    );
    let store = Store::new();
    let path = store.dir().join("objects.json");
    std::fs::write(&path, list).unwrap();
    assert_eq!(store.ingest(&[&path]).status.code(), Some(0));
    let trace = trace_json(&store, &["pod/app-5d9c7b8f4-x2kqz", "--pipeline", "tree"]);
    assert_eq!(
        objects(&trace),
        [
            "object deployments ns/app",
            "  object replicasets ns/app-5d9c7b8f4 [controller]",
            "    object pods ns/app-5d9c7b8f4-x2kqz [controller] <focus>"
        ]
    );
    let spans = spans(&trace);
    assert_eq!(spans[2]["tags"]["owners"], "deployment/app");
    assert_eq!(spans[2]["links"], serde_json::json!([spans[0]["id"]]));
    let jaeger: Value =
        serde_json::from_slice(&store.run(&["trace", "pod/app-5d9c7b8f4-x2kqz", "-o", "jaeger"]).stdout).unwrap();
    let pod = jaeger["data"][0]["spans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["operationName"] == "pods ns/app-5d9c7b8f4-x2kqz")
        .unwrap();
    let kinds: Vec<&str> =
        pod["references"].as_array().unwrap().iter().map(|r| r["refType"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["CHILD_OF", "FOLLOWS_FROM"]);
}

/// Every README example that shows output (a ```text block starting `$ kelemetry-cli --db
/// FIXTURE.db ...`) is real: run on a store of `testdata/FIXTURE`, as the README's setup
/// makes it, in a 100-column terminal, it prints exactly that (up to a `...` line, which
/// marks the rest as cut).
#[test]
fn the_readme_examples_are_real_output() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut checked = Vec::new();
    for block in readme.split("```text\n").skip(1) {
        let block = &block[..block.find("```").unwrap()];
        let Some(command) = block.lines().next().and_then(|l| l.strip_prefix("$ kelemetry-cli --db ")) else {
            continue;
        };
        let (db, args) = command.split_once(' ').unwrap();
        let fixture = db.strip_suffix(".db").expect("a store named after its fixture");
        let dir = tempfile::tempdir().unwrap();
        let ingest = bin()
            .current_dir(dir.path())
            .args(["--db", db, "ingest", "-q"])
            .arg(root.join("testdata").join(fixture))
            .output()
            .unwrap();
        assert_eq!(ingest.status.code(), Some(0), "{command}: {}", stderr(&ingest));
        let out = bin()
            .current_dir(dir.path())
            .env("COLUMNS", "100")
            .args(["--db", db, "--color", "never"])
            .args(args.split_whitespace())
            .output()
            .unwrap();
        // `analyze` exits 3 when a check fails, as its example shows.
        assert!(out.status.code().is_some_and(|c| c < 2 || args.starts_with("analyze")), "{command}: {}", stderr(&out));
        let expected = block.split_once('\n').unwrap().1;
        let printed = stdout(&out);
        match expected.split_once("...\n") {
            Some((head, _)) => assert!(printed.starts_with(head), "README example `{command}` is stale:\n{printed}"),
            None => assert_eq!(printed, expected, "README example `{command}` is stale"),
        }
        checked.push(args.split_whitespace().next().unwrap().to_owned());
    }
    checked.sort();
    assert_eq!(
        checked,
        [
            "analyze",
            "analyze",
            "conflicts",
            "history",
            "objects",
            "requests",
            "requests",
            "requests",
            "requests",
            "requests",
            "stats",
            "trace",
            "trace",
            "trace",
            "trace"
        ]
    );
}

/// Jaeger and OTLP users see failures as errors in every arrangement (a 409 folded into its
/// object's span as a log makes that span an error), OpenTelemetry's attribute names, and
/// the same services in both formats.
#[test]
fn exports_mark_failures_and_use_semantic_conventions() {
    let store = rollout();
    let export = |format: &str, pipeline: &str| -> Value {
        let out = store.run(&["trace", "deploy/web", "-o", format, "--pipeline", pipeline]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // `tracing`: the 409 is a log on the Deployment's span.
    let jaeger = export("jaeger", "tracing");
    let deployment = jaeger["data"][0]["spans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["operationName"] == "deployments demo/web")
        .unwrap();
    let tag = |span: &Value, key: &str| {
        span["tags"].as_array().unwrap().iter().find(|t| t["key"] == key).map(|t| t["value"].clone())
    };
    assert_eq!(tag(deployment, "error"), Some(Value::Bool(true)));
    assert_eq!(tag(deployment, "k8s.deployment.name"), Some(Value::from("web")));
    let otlp = export("otlp", "tracing");
    let services: Vec<&str> = otlp["resourceSpans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["resource"]["attributes"][0]["value"]["stringValue"].as_str().unwrap())
        .collect();
    let processes = jaeger["data"][0]["processes"].as_object().unwrap();
    let used: std::collections::BTreeSet<&str> = jaeger["data"][0]["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| processes[s["processID"].as_str().unwrap()]["serviceName"].as_str().unwrap())
        .collect();
    assert_eq!(services.iter().copied().collect::<std::collections::BTreeSet<_>>(), used);
    let spans: Vec<&Value> = otlp["resourceSpans"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["scopeSpans"][0]["spans"].as_array().unwrap())
        .collect();
    let span = spans.iter().find(|s| s["name"] == "deployments demo/web").unwrap();
    assert_eq!(span["status"]["code"], 2);
    assert!(span["status"]["message"].as_str().unwrap().contains("Conflict"), "{}", span["status"]);
    // `tree`: the request is its own span, with HTTP's attribute names.
    let otlp = export("otlp", "tree");
    let conflict = otlp["resourceSpans"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["scopeSpans"][0]["spans"].as_array().unwrap())
        .find(|s| s["status"]["code"] == 2 && s["name"].as_str().unwrap().contains("update status"))
        .unwrap();
    let attribute = |key: &str| {
        conflict["attributes"].as_array().unwrap().iter().find(|a| a["key"] == key).map(|a| a["value"].clone()).unwrap()
    };
    assert_eq!(attribute("http.request.method"), serde_json::json!({"stringValue": "PUT"}));
    assert_eq!(attribute("http.response.status_code"), serde_json::json!({"intValue": "409"}));
    assert_eq!(
        attribute("enduser.id"),
        serde_json::json!({"stringValue": "system:serviceaccount:kube-system:deployment-controller"})
    );
}

/// `--otlp-endpoint` posts the trace as OTLP/HTTP protobuf; a receiver decodes it with the
/// official opentelemetry-proto messages and finds what `-o otlp` shows.
#[test]
fn traces_post_to_an_otlp_collector() {
    use std::io::{BufRead, BufReader, Read, Write};

    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use prost::Message;

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let receiver = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut head = Vec::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
            head.push(line.trim_end().to_owned());
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        (&stream)
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n")
            .unwrap();
        (head, body)
    });
    let store = rollout();
    let out = store.run(&["trace", "deploy/web", "-o", "json", "--otlp-endpoint", &format!("http://{address}")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (head, body) = receiver.join().unwrap();
    assert_eq!(head[0], "POST /v1/traces HTTP/1.1");
    assert!(head.iter().any(|h| h.eq_ignore_ascii_case("content-type: application/x-protobuf")), "{head:?}");
    let request = ExportTraceServiceRequest::decode(&body[..]).unwrap();
    let spans: Vec<_> = request.resource_spans.iter().flat_map(|r| &r.scope_spans).flat_map(|s| &s.spans).collect();
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(spans.len(), printed["spans"].as_array().unwrap().len());
    let services: Vec<String> = request
        .resource_spans
        .iter()
        .map(|r| {
            let name = &r.resource.as_ref().unwrap().attributes[0];
            assert_eq!(name.key, "service.name");
            format!("{:?}", name.value.as_ref().unwrap().value.as_ref().unwrap())
        })
        .collect();
    // `tracing` folds requests and Events into their objects' spans: one service.
    assert_eq!(services, [r#"StringValue("object")"#]);
    let deployment = spans.iter().find(|s| s.name == "deployments demo/web").unwrap();
    assert_eq!(deployment.status.as_ref().unwrap().code, 2, "the 409 in its logs is an error");
    assert!(
        stderr(&out).contains(&format!("sent {} spans to http://{address}/v1/traces (200 OK)", spans.len())),
        "{}",
        stderr(&out)
    );
    // A collector that is not there is an error naming it.
    let missing = store.run(&["trace", "deploy/web", "--otlp-endpoint", &format!("http://{address}")]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains(&format!("cannot send the trace to http://{address}/v1/traces")));
}

#[test]
fn perfetto_has_a_thread_per_object_and_state_track_and_requests_and_events_as_instants() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("rollout")]).status.success());
    let out = store.run(&["trace", "deploy/web", "-o", "perfetto"]);
    assert_eq!(out.status.code(), Some(0));
    let trace: Value = serde_json::from_slice(&out.stdout).unwrap();
    let events = trace["traceEvents"].as_array().unwrap();
    let threads: Vec<&str> =
        events.iter().filter(|e| e["name"] == "thread_name").map(|e| e["args"]["name"].as_str().unwrap()).collect();
    assert_eq!(threads.len(), 30);
    assert_eq!(
        threads[..6],
        [
            "deployment/web",
            "deployment/web deleting",
            "replicaset/web-5d9c7b8f4",
            "replicaset/web-5d9c7b8f4 deleting",
            "pod/web-5d9c7b8f4-x2kqz",
            "pod/web-5d9c7b8f4-x2kqz phase"
        ]
    );
    let count = |ph: &str, cat: &str| events.iter().filter(|e| e["ph"] == ph && e["cat"] == cat).count();
    assert_eq!((count("X", "object"), count("X", "state"), count("i", "audit"), count("i", "event")), (9, 33, 47, 39));
    let image = events.iter().find(|e| e["args"]["auditID"] == "b0000000-0000-4000-8000-000000000021").unwrap();
    assert_eq!(
        (&image["tid"], &image["ts"], &image["args"]["diff"], &image["args"]["latencyUs"]),
        (
            &serde_json::json!(1),
            &serde_json::json!(1717405320000000i64),
            &serde_json::json!("spec.template.spec.containers[name=web].image: nginx:1.25 -> nginx:1.26"),
            &serde_json::json!(4000)
        )
    );
}

#[test]
fn otlp_keeps_to_the_backends_caps_by_windows_and_pieces() {
    let store = rollout();
    let whole = store.run(&["trace", "deploy/web", "-o", "otlp", "--pipeline", "tree"]);
    assert_eq!(stdout(&whole).lines().count(), 1);
    let spans_of = |line: &str| -> Vec<(String, String)> {
        let request: Value = serde_json::from_str(line).unwrap();
        request["resourceSpans"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["scopeSpans"][0]["spans"].as_array().unwrap().clone())
            .map(|s| (s["traceId"].as_str().unwrap().to_owned(), s["spanId"].as_str().unwrap().to_owned()))
            .collect()
    };
    let all: HashSet<String> = spans_of(stdout(&whole).trim()).into_iter().map(|(_, span)| span).collect();
    assert_eq!(all.len(), 95);

    // A cap the whole trace exceeds: successive windows, each a trace of its own under the cap.
    let out =
        store.run(&["trace", "deploy/web", "-o", "otlp", "--pipeline", "tree", "--otlp-max-trace-bytes", "20000"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let windows: Vec<&str> = text.lines().collect();
    assert_eq!(windows.len(), 11);
    assert_eq!(
        stderr(&out),
        "kelemetry-cli: the trace takes more than 20000 bytes of OTLP: sent as 11 traces of successive time windows\n"
    );
    let mut seen = HashSet::new();
    let mut trace_ids = HashSet::new();
    for window in &windows {
        let spans = spans_of(window);
        let ids: HashSet<&String> = spans.iter().map(|(trace, _)| trace).collect();
        assert_eq!(ids.len(), 1, "one trace a window");
        trace_ids.extend(ids.into_iter().cloned());
        seen.extend(spans.into_iter().map(|(_, span)| span));
    }
    assert_eq!(trace_ids.len(), windows.len());
    assert_eq!(seen, all, "every span is in some window (objects in each they overlap)");

    // An attribute cap: values cut, a long log in pieces.
    let out =
        store.run(&["trace", "deploy/web", "-o", "otlp", "--pipeline", "tree", "--otlp-max-attribute-bytes", "100"]);
    let request: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let mut longest = 0;
    let mut pieces = 0;
    for resource in request["resourceSpans"].as_array().unwrap() {
        for span in resource["scopeSpans"][0]["spans"].as_array().unwrap() {
            let attributes = span["attributes"].as_array().unwrap().iter();
            let events = span["events"].as_array().unwrap();
            pieces += events.iter().filter(|e| e["name"].as_str().unwrap().ends_with("/2)")).count();
            for attribute in attributes.chain(events.iter().flat_map(|e| e["attributes"].as_array().unwrap())) {
                longest = longest.max(attribute["value"]["stringValue"].as_str().map_or(0, str::len));
            }
        }
    }
    assert!(longest <= 100, "{longest}");
    assert!(pieces > 10, "snapshots go in several events: {pieces}");
}
