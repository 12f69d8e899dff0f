//! `history`, `objects` and `conflicts` on our fixtures: exact chains, groups and output.

use serde_json::Value;

use crate::common::{Store, stderr, stdout, testdata};

fn store_with(fixture: &str) -> Store {
    let store = Store::new();
    let out = store.ingest(&[&testdata(fixture)]);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", stderr(&out));
    store
}

fn json(store: &Store, args: &[&str]) -> Value {
    let out = store.run(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// `component verb[ subresource] code: changes` for each entry.
fn summary(chain: &Value) -> Vec<String> {
    chain["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let request = &e["request"];
            let changes: Vec<String> = e["changes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["noise"] == false)
                .map(|c| format!("{} {}", c["path"].as_str().unwrap(), c["kind"].as_str().unwrap()))
                .collect();
            let notes: Vec<String> = e["notes"].as_array().unwrap().iter().map(note).collect();
            format!(
                "{} {} {}{} {} [{}] {}",
                e["kind"].as_str().unwrap(),
                e["component"].as_str().unwrap_or("-"),
                request["verb"].as_str().unwrap_or("-"),
                request["subresource"].as_str().map(|s| format!(" {s}")).unwrap_or_default(),
                request["code"],
                changes.join(", "),
                notes.join("; ")
            )
        })
        .collect()
}

/// A note, by its kind and what it carries: `Conflict`, `resourceVersion 12 → 14`.
fn note(note: &Value) -> String {
    let field = |key: &str| note[key].as_str().unwrap().to_owned();
    match note["kind"].as_str().unwrap() {
        "failed" => field("reason").split(':').next().unwrap().to_owned(),
        "gap" => format!("resourceVersion {} → {}", field("from"), field("to")),
        "comparedWith" => format!("compared with resourceVersion {}, the last state seen", field("resourceVersion")),
        "changesUnknown" => "changes unknown".to_owned(),
        other => other.to_owned(),
    }
}

#[test]
fn history_of_the_sample_deployment() {
    let store = store_with("sample");
    let out = store.run(&["history", "deploy/web"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        r#"deployments.apps shop/web
uid d0000000-0000-4000-8000-000000000001  cluster default
4 writes, 1 failed, window: all records
2024-05-14T10:00:00Z      100      kubectl                create         201 Created
    created
2024-05-14T10:00:00.150Z  100→102  deployment-controller  update status  200 OK
    status.observedGeneration: + 1
    status.replicas: + 2
2024-05-14T10:00:00.160Z  100→?    deployment-controller  update status  409 Conflict
    Conflict: Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again
2024-05-14T10:01:00Z      110      kubefed-controller     patch          200 OK
    spec.minReadySeconds: 10 -> 3600
2024-05-14T10:02:00Z      111      kubectl                patch          200 OK
    spec.minReadySeconds: 3600 -> 10
"#
    );
    // Every kubectl form of the kind finds the same object.
    for form in ["deployment/web", "deployments/web", "Deployment/web", "deployment.apps/web", "web"] {
        let chain = json(&store, &["history", form, "-n", "shop", "-o", "json"]);
        assert_eq!(chain["object"]["uid"], "d0000000-0000-4000-8000-000000000001", "{form}");
    }
}

#[test]
fn field_blame_shows_who_set_each_value_and_for_how_long() {
    let store = store_with("sample");
    let chain = json(&store, &["history", "deploy/web", "--field", "spec.minReadySeconds", "-o", "json"]);
    let blame: Vec<String> = chain["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let change = &e["changes"][0];
            format!(
                "{} {} {}->{} held {}s",
                e["component"].as_str().unwrap(),
                change["path"].as_str().unwrap(),
                change["old"],
                change["new"],
                e["heldUs"].as_i64().unwrap() / 1_000_000
            )
        })
        .collect();
    // The last value holds until the newest record in the store (10:02:30).
    assert_eq!(
        blame,
        [
            "kubectl spec.minReadySeconds null->10 held 60s",
            "kubefed-controller spec.minReadySeconds 10->3600 held 60s",
            "kubectl spec.minReadySeconds 3600->10 held 30s",
        ]
    );
}

#[test]
fn chains_show_gaps_failures_and_unknowns() {
    let store = store_with("races");
    let chain = json(&store, &["history", "cm/settings", "-o", "json"]);
    assert_eq!(
        summary(&chain),
        [
            "write kubectl create 201 [apiVersion added, data.mode added, kind added, metadata.name added, metadata.namespace added, metadata.uid added] created",
            "write tuner update 200 [data.mode changed] ",
            "failed scaler update 409 [] Conflict",
            "failed auditor update 409 [] Conflict",
            "write scaler update 200 [data.mode changed] ",
            "gap - - null [] resourceVersion 12 → 14",
            "write tuner update 200 [data.mode changed] compared with resourceVersion 12, the last state seen",
            "failed auditor update 409 [] Conflict",
            "write tuner update 200 [] changes unknown",
            "failed scaler update 409 [] Conflict",
            "failed kubectl create 409 [] AlreadyExists",
        ]
    );
}

#[test]
fn conflicts_group_by_the_raced_resource_version() {
    let store = store_with("races");
    let report = json(&store, &["conflicts", "-o", "json"]);
    assert_eq!(report["conflicts"], 4);
    assert_eq!(report["groupsWithoutWinner"], 1);
    assert_eq!(report["approximateGroups"], 1);
    let groups: Vec<String> = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let losers: Vec<String> = g["losers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| {
                    let retry = l["retry"]["newResourceVersion"]
                        .as_str()
                        .map(|rv| format!(" retried→{rv}"))
                        .unwrap_or_default();
                    format!("{}{retry}", l["component"].as_str().unwrap())
                })
                .collect();
            format!(
                "base={} approximate={} winner={} changes={} losers=[{}]",
                g["baseResourceVersion"],
                g["approximate"],
                g["winner"]["component"].as_str().unwrap_or("none"),
                g["winnerChanges"].as_array().unwrap().len(),
                losers.join(", ")
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            r#"base="10" approximate=false winner=tuner changes=1 losers=[scaler retried→12, auditor]"#,
            r#"base="13" approximate=false winner=none changes=0 losers=[auditor]"#,
            "base=null approximate=true winner=tuner changes=0 losers=[scaler]",
        ]
    );
    assert_eq!(report["topPairs"][0], serde_json::json!({"winner": "tuner", "loser": "scaler", "count": 2}));
    // AlreadyExists is a 409, but not a race.
    assert_eq!(report["other409"].as_array().unwrap().len(), 1);
    assert_eq!(report["other409"][0]["reason"], "AlreadyExists");
}

#[test]
fn conflict_windows_count_back_from_the_newest_record() {
    let store = store_with("races");
    let report = json(&store, &["conflicts", "--since", "15s", "-o", "json"]);
    // The newest record is the 09:00:50 create: 15s back is 09:00:35.
    assert_eq!(report["window"]["sinceUs"], 1_719_824_435_000_000_i64);
    assert_eq!(report["conflicts"], 1);
    let out = store.run(&["conflicts", "--since", "15s", "--until", "2024-07-01T09:00:45Z"]);
    assert!(stdout(&out).starts_with("window: 2024-07-01T09:00:35Z → 2024-07-01T09:00:45Z\n"), "{}", stdout(&out));
    let none = store.run(&["conflicts", "--user", "nobody"]);
    assert_eq!(none.status.code(), Some(1), "nothing matched");
    let scaler = json(&store, &["conflicts", "--user", "scaler", "-o", "json"]);
    assert_eq!(scaler["conflicts"], 2);
}

#[test]
fn recreated_names_are_separate_objects() {
    let store = store_with("recreated");
    let out = store.run(&["history", "cm/app"]);
    assert_eq!(out.status.code(), Some(2), "ambiguous");
    assert!(stderr(&out).contains("cm/app matches 2 objects"), "{}", stderr(&out));
    let first = json(&store, &["history", "--uid", "c5000000-0000-4000-8000-000000000001", "-o", "json"]);
    assert_eq!(
        summary(&first),
        [
            "write kubectl create 201 [apiVersion added, data.v added, kind added, metadata.name added, metadata.namespace added, metadata.uid added] created",
            "write kubectl delete 200 [] deleted"
        ]
    );
    // The Metadata-level update after the re-create belongs to the second object.
    let second = json(&store, &["history", "cm/app", "--uid", "c5000000-0000-4000-8000-000000000002", "-o", "json"]);
    assert_eq!(summary(&second)[1], "write kubectl update 200 [] changes unknown");
    let objects = json(&store, &["objects", "cm", "-o", "json"]);
    let listed: Vec<String> = objects
        .as_array()
        .unwrap()
        .iter()
        .map(|o| format!("{} {} {}", o["uid"].as_str().unwrap(), o["requests"], o["deletedUs"]))
        .collect();
    assert_eq!(
        listed,
        ["c5000000-0000-4000-8000-000000000002 2 null", "c5000000-0000-4000-8000-000000000001 3 1719824410003000"]
    );
    assert_eq!(json(&store, &["objects", "--deleted", "-o", "json"]).as_array().unwrap().len(), 1);
}

#[test]
fn objects_filters_and_missing_names() {
    let store = store_with("sample");
    let pods = json(&store, &["objects", "po", "-n", "shop", "--name", "web-*-x2*", "-o", "json"]);
    assert_eq!(pods.as_array().unwrap().len(), 1);
    assert_eq!(pods[0]["controller"], "ReplicaSet/web-7d4b9c8f6d");
    assert_eq!(pods[0]["events"], 3);
    let out = store.run(&["history", "deploy/wbe"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no object deploy/wbe in"), "{}", stderr(&out));
    assert!(stderr(&out).contains("closest names: web"), "{}", stderr(&out));
    // A built-in kind with nothing stored is nothing to show; a kind nobody knows is an error.
    assert_eq!(store.run(&["objects", "jobs"]).status.code(), Some(1));
    assert_eq!(store.run(&["objects", "widgets"]).status.code(), Some(2));
}

#[test]
fn crd_kinds_are_found_by_kind_plural_and_group() {
    let store = store_with("formats");
    for form in ["Widget", "widget", "widgets", "widgets.example.com"] {
        let objects = json(&store, &["objects", form, "-o", "json"]);
        let names: Vec<&str> = objects.as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["blue"], "{form}");
    }
    let other_group = store.run(&["objects", "widgets.other.io"]);
    assert_eq!(other_group.status.code(), Some(2));
    assert!(stderr(&other_group).contains(r#"unknown kind "widgets.other.io""#), "{}", stderr(&other_group));
    let owner = json(&store, &["objects", "WidgetSet", "-o", "json"]);
    assert_eq!(owner[0]["name"], "colours", "an owner known only from an ownerReference");
}
