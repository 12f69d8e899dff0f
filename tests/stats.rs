//! `stats`: what the store holds, for a person and as JSON.

use crate::common::{Store, stderr, stdout, testdata};

#[test]
fn stats_json_counts_the_sample() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("sample")]).status.success());
    let stats = store.stats();
    assert_eq!(stats["requests"], 14);
    assert_eq!(stats["events"], 5);
    assert_eq!(stats["objects"], 6);
    assert_eq!(stats["conflicts"], 1);
    assert_eq!(stats["alreadyExists"], 1);
    assert_eq!(stats["clusters"], serde_json::json!(["default"]));
    assert_eq!(stats["firstUs"], 1_715_680_800_000_000_i64);
    assert_eq!(
        stats["topWriters"],
        serde_json::json!([
            {"name": "kubectl", "count": 4},
            {"name": "deployment-controller", "count": 3},
            {"name": "kube-scheduler", "count": 2},
            {"name": "replicaset-controller", "count": 2},
            {"name": "kubefed-controller", "count": 1},
            {"name": "kubelet@node-1", "count": 1},
        ])
    );
    assert_eq!(stats["byCode"][0], serde_json::json!({"name": "201", "count": 7}));
}

#[test]
fn stats_text_reads_well_and_survives_a_closed_pipe() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("sample")]).status.success());
    let out = store.run(&["stats"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("time span           2024-05-14T10:00:00Z → 2024-05-14T10:02:30.004Z (2m30s)"), "{text}");
    assert!(text.contains("409 Conflict        1"), "{text}");
    assert!(!text.contains('\x1b'), "no colour when piped");

    // `| head -1`: the reader goes away; we exit 0 without a word.
    let mut child = crate::common::bin()
        .args(["--db", store.path.to_str().unwrap(), "stats"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A `--db` that is not a store is named, with what it is, and never turned into one by a
/// query: an empty file, a text file.
#[test]
fn a_db_that_is_not_a_store_is_named_and_left_alone() {
    let store = Store::new();
    for (content, query, ingest) in [
        (&b""[..], "it holds no kelemetry-cli data (ingest some files first", None),
        (
            b"hello\n",
            "it is not a kelemetry-cli store (nor any SQLite database)",
            Some("for writing: file is not a database"),
        ),
    ] {
        std::fs::write(&store.path, content).unwrap();
        let out = store.run(&["stats"]);
        assert_eq!(out.status.code(), Some(2));
        let named = format!("kelemetry-cli: error: cannot read store {}: {query}", store.path.display());
        assert!(stderr(&out).starts_with(&named), "{}", stderr(&out));
        assert_eq!(std::fs::read(&store.path).unwrap(), content, "the query changed the file");
        if let Some(ingest) = ingest {
            let out = store.ingest(&[&testdata("sample/audit.log")]);
            assert_eq!(out.status.code(), Some(2));
            let named = format!("cannot open store {} {ingest}", store.path.display());
            assert!(stderr(&out).contains(&named), "{}", stderr(&out));
        }
    }
}

/// What an ingest says it added is what the store then holds more of, fixture by fixture
/// into one store (later ones meet objects the earlier ones stored).
#[test]
fn the_ingest_summary_counts_what_was_stored() {
    let store = Store::new();
    let counts = |stats: &serde_json::Value| {
        ["objects", "ownerLinks", "objectStates", "requests", "events"].map(|k| stats[k].as_u64().unwrap())
    };
    let mut before = [0; 5];
    for fixture in ["sample", "rollout", "races", "recreated", "owner-scope", "dump-only", "formats", "sample"] {
        let out = store.run(&["ingest", "-o", "json", testdata(fixture).to_str().unwrap()]);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let added = ["objectsAdded", "ownerLinksAdded", "objectStatesAdded", "requestsAdded", "eventsAdded"]
            .map(|k| report[k].as_u64().unwrap());
        let after = counts(&store.stats());
        let grown: Vec<u64> = after.iter().zip(before).map(|(a, b)| a - b).collect();
        assert_eq!(grown, added, "{fixture}: stored [objects, owner links, states, requests, Events]");
        before = after;
    }
}

/// Every SQL recipe in README.md and docs/schema.md runs on the sample store; the
/// "every write to one Deployment" one returns exactly its writes.
#[test]
fn every_sql_recipe_runs() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("sample")]).status.success());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut recipes = Vec::new();
    for doc in ["README.md", "docs/schema.md"] {
        let text = std::fs::read_to_string(root.join(doc)).unwrap();
        for recipe in text.split("sqlite3 kelemetry.db \"").skip(1) {
            recipes.push((doc, recipe[..recipe.find('"').unwrap()].to_owned()));
        }
    }
    assert!(recipes.len() >= 5, "{recipes:?}");
    let mut writes_checked = 0;
    for (doc, sql) in &recipes {
        let rows = store.rows(sql);
        assert!(!rows.is_empty(), "{doc}: no rows from {sql}");
        if sql.contains("verb IN ('create', 'update', 'patch', 'delete')") {
            assert_eq!(
                rows,
                [
                    "2024-05-14T10:00:00.000Z|alice|create|NULL|201|NULL|100",
                    "2024-05-14T10:00:00.150Z|system:serviceaccount:kube-system:deployment-controller|update|status|200|100|102",
                    "2024-05-14T10:00:00.160Z|system:serviceaccount:kube-system:deployment-controller|update|status|409|100|NULL",
                    "2024-05-14T10:01:00.000Z|system:serviceaccount:kube-federation-system:kubefed-controller|patch|NULL|200|NULL|110",
                    "2024-05-14T10:02:00.000Z|alice|patch|NULL|200|NULL|111",
                ],
                "{doc}"
            );
            writes_checked += 1;
        }
    }
    assert_eq!(writes_checked, 2, "README.md and docs/schema.md both show the recipe");
}

/// docs/schema.md names every table and view the store has.
#[test]
fn docs_schema_names_every_table_and_view() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("sample")]).status.success());
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/schema.md")).unwrap();
    let names =
        store.rows("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'");
    let missing: Vec<&String> = names.iter().filter(|n| !doc.contains(&format!("`{n}`"))).collect();
    assert!(missing.is_empty(), "docs/schema.md does not name {missing:?}");
}

/// Every id column that points into another table declares it, and every stored row keeps
/// its promise (SQLite checks the declarations on demand: ingest does not enforce them).
#[test]
fn every_reference_is_declared_and_holds() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("")]).status.code().is_some());
    let declared = store.rows(
        "SELECT m.name || '.' || f.\"from\" || ' -> ' || f.\"table\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f
         WHERE m.type = 'table' AND m.name NOT LIKE 'pending_%' ORDER BY 1",
    );
    let id_columns = store.rows(
        "SELECT m.name || '.' || c.name FROM sqlite_master m, pragma_table_info(m.name) c
         WHERE m.type = 'table' AND m.name NOT LIKE 'pending_%' AND c.pk = 0
           AND (c.name LIKE '%\\_id' ESCAPE '\\' OR c.name = 'body_block') AND c.name != 'audit_id'
         ORDER BY 1",
    );
    let undeclared: Vec<&String> =
        id_columns.iter().filter(|c| !declared.iter().any(|d| d.starts_with(&format!("{c} ->")))).collect();
    assert!(undeclared.is_empty(), "undeclared references: {undeclared:?}");
    assert_eq!(declared.len(), 34, "{declared:#?}");
    assert_eq!(store.rows("SELECT count(*) FROM pragma_foreign_key_check"), ["0"]);
    assert!(store.rows("SELECT count(*) FROM requests").first().unwrap() != "0");
}
