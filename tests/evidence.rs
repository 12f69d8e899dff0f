//! Real evidence bends the rules: objects known only from dumps or ownerReferences, quirky
//! Events, other formats. What the evidence does not say is said to be unknown.

use serde_json::Value;

use crate::common::{Store, stderr, stdout, testdata};

fn ingested(fixture: &str) -> Store {
    let store = Store::new();
    let out = store.ingest(&[&testdata(fixture)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    store
}

fn json(store: &Store, args: &[&str]) -> Value {
    let out = store.run(args);
    assert!(out.status.code().is_some_and(|c| c < 2), "{args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn a_dump_state_of_unknown_time_says_so() {
    let store = ingested("dump-only");
    let out = store.run(&["history", "cm/settings"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).lines().nth(2).unwrap().trim_end(),
        "time unknown                 4711                                      dump"
    );
    let chain = json(&store, &["history", "cm/settings", "-o", "json"]);
    let entry = &chain["entries"][0];
    assert_eq!((&entry["time"], &entry["timeUs"], &entry["kind"]), (&Value::Null, &Value::Null, &Value::from("dump")));
    // The object's own time is its creationTimestamp; the dump state is shown there, marked.
    let trace = json(&store, &["trace", "cm/settings", "-o", "json"]);
    assert_eq!(trace["start"], "2024-08-01T08:00:00.000000Z");
    assert_eq!(trace["spans"][0]["logs"][0]["lines"][0], "seen in a dump of unknown time");
}

#[test]
fn an_owner_known_only_from_an_owner_reference_spans_what_it_owns() {
    let store = ingested("dump-only");
    let trace = json(&store, &["trace", "pod/api-7c9d8f6b5-x2kqz", "--pipeline", "tree", "-o", "json"]);
    let spans: Vec<String> = trace["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{} {} {}", s["name"].as_str().unwrap(), s["start"], s["durationUs"]))
        .collect();
    assert_eq!(
        spans,
        [
            "replicasets ops/api-7c9d8f6b5 \"2024-08-01T09:00:00.000000Z\" 0",
            "pods ops/api-7c9d8f6b5-x2kqz \"2024-08-01T09:00:00.000000Z\" 0",
        ]
    );
}
