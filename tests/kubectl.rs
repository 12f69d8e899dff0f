//! kubectl's habits: `TYPE NAME`, comma lists of kinds, `-l` label selectors, `-A`, and
//! unknown kinds named with the closest ones.

use crate::common::{Store, stderr, stdout, testdata};

fn rollout() -> Store {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("rollout")]).status.success());
    store
}

fn names(store: &Store, args: &[&str]) -> Vec<String> {
    let out = store.run(args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut names: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|o| format!("{}/{}", o["kind"].as_str().unwrap(), o["name"].as_str().unwrap()))
        .collect();
    names.sort();
    names
}

#[test]
fn type_name_is_type_slash_name() {
    let store = rollout();
    let slash = store.run(&["trace", "deploy/web", "-n", "demo", "--pipeline", "tree"]);
    let spaced = store.run(&["trace", "deploy", "web", "-n", "demo", "--pipeline", "tree"]);
    assert_eq!(spaced.status.code(), Some(0), "{}", stderr(&spaced));
    assert_eq!(stdout(&spaced), stdout(&slash));
    assert!(stdout(&spaced).starts_with("trace deployments demo/web"));
    let both = store.run(&["history", "deploy/web", "web"]);
    assert_eq!(both.status.code(), Some(2));
    assert!(stderr(&both).contains("give KIND/NAME or KIND NAME, not both"), "{}", stderr(&both));
}

#[test]
fn kinds_in_a_comma_list_and_labels_select() {
    let store = rollout();
    assert_eq!(
        names(&store, &["objects", "deploy,rs", "-A", "-o", "json"]),
        ["Deployment/web", "ReplicaSet/web-5d9c7b8f4", "ReplicaSet/web-6c8f9d7b5"]
    );
    // Labels of each object's latest state.
    let sample = Store::new();
    assert!(sample.ingest(&[&testdata("sample")]).status.success());
    let json = |selector: &str| names(&sample, &["objects", "-l", selector, "-o", "json"]);
    assert_eq!(
        json("app.kubernetes.io/name=web"),
        ["Deployment/web", "Pod/web-7d4b9c8f6d-q8wzn", "Pod/web-7d4b9c8f6d-x2kqz", "ReplicaSet/web-7d4b9c8f6d"]
    );
    assert_eq!(json("pod-template-hash"), ["ReplicaSet/web-7d4b9c8f6d"]);
    assert_eq!(json("!app.kubernetes.io/name"), ["ConfigMap/web-config", "Secret/web-db"]);
    assert_eq!(
        json("app.kubernetes.io/name=web,pod-template-hash notin (7d4b9c8f6d)"),
        ["Deployment/web", "Pod/web-7d4b9c8f6d-q8wzn", "Pod/web-7d4b9c8f6d-x2kqz"]
    );
    let bad = store.run(&["objects", "-l", "app=web,"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn an_unknown_kind_is_an_error_with_the_closest_kinds() {
    let store = rollout();
    for args in [&["objects", "deplyo"][..], &["trace", "deplyo/web"], &["history", "deplyo", "web"]] {
        let out = store.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out)
                .contains(r#"unknown kind "deplyo": neither a built-in kind nor one the store holds; closest: deploy"#),
            "{}",
            stderr(&out)
        );
    }
}

/// Every table and listing fits an 80-column terminal without a wrapped word or a
/// trailing space; at 200 columns `objects` shows its optional columns, and `-o wide` the
/// uid and exact times.
#[test]
fn tables_fit_80_columns_and_grow_at_200() {
    let store = rollout();
    assert!(store.ingest(&[&testdata("races")]).status.success());
    let at = |columns: &str, args: &[&str]| {
        let out =
            crate::common::bin().env("COLUMNS", columns).arg("--db").arg(&store.path).args(args).output().unwrap();
        assert!(out.status.code().is_some_and(|c| c < 2), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    for args in [
        &["objects"][..],
        &["objects", "--no-headers"],
        &["stats"],
        &["conflicts"],
        &["history", "deploy/web", "-n", "demo"],
        &["trace", "deploy/web", "-n", "demo", "--pipeline", "tree"],
    ] {
        let text = at("80", args);
        for line in text.lines() {
            // Failure messages are the apiserver's prose, printed whole.
            if line.trim_start().starts_with("Conflict: ") {
                continue;
            }
            assert!(unicode_width::UnicodeWidthStr::width(line) <= 80, "{args:?}: {line:?}");
            assert!(!line.ends_with(' '), "{args:?}: trailing spaces in {line:?}");
        }
    }
    // Ages count back from the newest record in the store (the races fixture's, here).
    assert_eq!(
        at("80", &["objects", "rs"]),
        "kind         namespace   name            age   requests   events\n\
         ────────────────────────────────────────────────────────────────\n\
         ReplicaSet   demo        web-5d9c7b8f4   28d          7        6\n\
         ReplicaSet   demo        web-6c8f9d7b5   27d          5        4\n"
    );
    let wide = at("200", &["objects", "rs"]);
    assert!(
        wide.starts_with(
            "kind         namespace   name            controller       age   last seen   deleted   requests"
        ),
        "{wide}"
    );
    let all = at("80", &["objects", "rs", "-o", "wide", "--no-headers"]);
    assert_eq!(
        all.lines().next().unwrap(),
        "ReplicaSet   demo   web-5d9c7b8f4   Deployment/web   28d   27d   27d   7   6   f0000000-0000-4000-8000-000000000002   \
         2024-06-03T09:00:00Z   2024-06-03T09:00:00Z   2024-06-03T09:04:00.214Z   2024-06-03T09:04:00Z"
    );
}

/// `--local` prints times in the local zone (`TZ`) with its offset; JSON stays UTC.
#[test]
fn local_times_carry_their_offset_and_json_stays_utc() {
    let store = rollout();
    let run = |args: &[&str]| {
        let out =
            crate::common::bin().env("TZ", "Asia/Kolkata").arg("--db").arg(&store.path).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
    };
    let trace = run(&["--local", "trace", "deploy/web", "--pipeline", "tree"]);
    assert!(trace.contains("\n2024-06-03T14:30:00+05:30 → 2024-06-03T14:34:00.414+05:30 (4m00s)\n"), "{trace}");
    let history = run(&["history", "deploy/web", "--local"]);
    assert!(history.contains("\n2024-06-03T14:30:00+05:30  "), "{history}");
    assert!(run(&["trace", "deploy/web", "--pipeline", "tree"]).contains("\n2024-06-03T09:00:00Z → "));
    let json: serde_json::Value =
        serde_json::from_str(&run(&["--local", "history", "deploy/web", "-o", "json"])).unwrap();
    assert_eq!(json["entries"][0]["time"], "2024-06-03T09:00:00.000000Z");
}
