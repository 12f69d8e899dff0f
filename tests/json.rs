//! The JSON contract (docs/json.md), as snapshots: every command's `-o json` on a fixture,
//! and what a command with nothing to show prints.

use serde_json::Value;

use crate::common::{Store, stderr, testdata};

/// Runs a command with `-o json`, checks its exit code, and parses what it printed, with
/// the paths of this machine made relative.
fn json(store: &Store, args: &[&str], code: i32) -> Value {
    let out = store.run(args);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
    let root = format!("{}/", env!("CARGO_MANIFEST_DIR"));
    let text = String::from_utf8(out.stdout).unwrap().replace(&root, "").replace(store.path.to_str().unwrap(), "STORE");
    serde_json::from_str(&text).expect("valid JSON")
}

fn sample() -> Store {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("sample")]).status.success());
    store
}

#[test]
fn ingest_json() {
    let store = Store::new();
    let mut report = json(&store, &["ingest", "-o", "json", testdata("sample").to_str().unwrap()], 0);
    report["elapsedSeconds"] = Value::from("ELAPSED");
    insta::assert_snapshot!(serde_json::to_string_pretty(&report).unwrap());
}

#[test]
fn stats_json() {
    insta::assert_snapshot!(serde_json::to_string_pretty(&json(&sample(), &["stats", "-o", "json"], 0)).unwrap());
}

#[test]
fn objects_json() {
    let objects = json(&sample(), &["objects", "po", "-o", "json"], 0);
    insta::assert_snapshot!(serde_json::to_string_pretty(&objects).unwrap());
}

#[test]
fn history_json() {
    let chain = json(&sample(), &["history", "deploy/web", "--field", "spec.minReadySeconds", "-o", "json"], 0);
    insta::assert_snapshot!(serde_json::to_string_pretty(&chain).unwrap());
}

#[test]
fn conflicts_json() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("races")]).status.success());
    let report = json(&store, &["conflicts", "--limit", "1", "-o", "json"], 0);
    insta::assert_snapshot!(serde_json::to_string_pretty(&report).unwrap());
}

#[test]
fn nothing_to_show_is_valid_json_and_exit_1() {
    let store = sample();
    let no_object = ["deploy/nothing", "-o", "json"];
    let trace = json(&store, &[&["trace"][..], &no_object].concat(), 1);
    assert_eq!(trace["spans"], serde_json::json!([]));
    assert_eq!((&trace["start"], &trace["end"]), (&Value::Null, &Value::Null));
    let history = json(&store, &[&["history"][..], &no_object].concat(), 1);
    assert_eq!((&history["object"], &history["entries"]), (&Value::Null, &serde_json::json!([])));
    assert_eq!(json(&store, &["objects", "jobs", "-o", "json"], 1), serde_json::json!([]));
    let conflicts = json(&store, &["conflicts", "cm/nothing", "-o", "json"], 1);
    assert_eq!((&conflicts["conflicts"], &conflicts["groups"]), (&Value::from(0), &serde_json::json!([])));
    // A window with nothing in it is nothing to show, the same way.
    let window = ["--since", "2030-01-01T00:00:00Z", "-o", "json"];
    let empty = json(&store, &[&["trace", "deploy/web"][..], &window].concat(), 1);
    assert_eq!(empty["counts"]["requests"], 0);
    let history = json(&store, &[&["history", "deploy/web"][..], &window].concat(), 1);
    assert_eq!(history["entries"], serde_json::json!([]));
}

#[test]
fn every_key_is_camel_case() {
    fn keys(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    // Kubernetes bodies (a patch) and trace tags keep their own keys.
                    if !matches!(key.as_str(), "patch" | "old" | "new" | "tags") {
                        out.push(key.clone());
                        keys(value, out);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }
    let store = sample();
    let mut all = Vec::new();
    for args in [
        &["stats", "-o", "json"][..],
        &["objects", "-o", "json"],
        &["history", "deploy/web", "-o", "json"],
        &["conflicts", "-o", "json"],
        &["trace", "deploy/web", "-o", "json"],
    ] {
        keys(&json(&store, args, 0), &mut all);
    }
    let snake: Vec<&String> = all.iter().filter(|k| k.contains('_') || k.contains('-')).collect();
    assert!(snake.is_empty(), "keys not in camelCase: {snake:?}");
}

#[test]
fn analyze_json() {
    let store = Store::new();
    let (audit, events) = (testdata("analyze/rollouts.jsonl"), testdata("analyze/rollouts-events.jsonl"));
    assert!(store.ingest(&[&audit, &events]).status.success());
    let args = ["analyze", "deploy/api", "-n", "prod", "--check", "rollouts", "--check", "latency", "-o", "json"];
    insta::assert_snapshot!(serde_json::to_string_pretty(&json(&store, &args, 0)).unwrap());
}

#[test]
fn analyze_junit() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("analyze/audit.jsonl"), &testdata("analyze/events.json")]).status.success());
    let out =
        store.run(&["analyze", "-o", "junit", "--check", "conflicts", "--check", "throttling", "--check", "watches"]);
    assert_eq!(out.status.code(), Some(3));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}
