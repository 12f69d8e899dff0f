//! `ingest`: every format, the store's contents, dedup, bad input, exit codes, secrets.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::common::{Store, bin, stderr, stdout, testdata};

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn sample_scenario_lands_exactly() {
    let store = Store::new();
    let out = store.run(&["ingest", "-o", "json", testdata("sample").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let counts = ["auditEvents", "requestsAdded", "stagesMerged", "eventsAdded", "objectsDumped", "objectStatesAdded"]
        .map(|key| report[key].as_i64().unwrap());
    assert_eq!(counts, [15, 14, 1, 5, 3, 11]);
    assert_eq!(store.count("SELECT count(*) FROM requests"), 14);
    // The pod create was logged at RequestReceived and ResponseComplete: one request.
    assert_eq!(store.count("SELECT count(*) FROM requests WHERE stages = 5"), 1);
    assert_eq!(store.count("SELECT count(*) FROM events"), 5);
    assert_eq!(
        store.rows("SELECT kind, namespace, name, uid IS NOT NULL FROM objects ORDER BY kind, name"),
        [
            "ConfigMap|shop|web-config|0",
            "Deployment|shop|web|1",
            "Pod|shop|web-7d4b9c8f6d-q8wzn|1",
            "Pod|shop|web-7d4b9c8f6d-x2kqz|1",
            "ReplicaSet|shop|web-7d4b9c8f6d|1",
            "Secret|shop|web-db|1",
        ]
    );
    assert_eq!(
        store.rows(
            "SELECT o.name, w.kind, w.name, r.controller FROM owner_refs r
             JOIN objects o ON o.id = r.object_id JOIN objects w ON w.id = r.owner_id ORDER BY o.name"
        ),
        [
            "web-7d4b9c8f6d|Deployment|web|1",
            "web-7d4b9c8f6d-q8wzn|ReplicaSet|web-7d4b9c8f6d|1",
            "web-7d4b9c8f6d-x2kqz|ReplicaSet|web-7d4b9c8f6d|1",
        ]
    );
    // The resourceVersion chain of the Deployment: writes and the dump, one state per RV.
    assert_eq!(
        store.rows(
            "SELECT resource_version, source FROM object_states
             WHERE object_id = (SELECT id FROM objects WHERE name = 'web') ORDER BY CAST(resource_version AS INTEGER)"
        ),
        ["100|0", "102|0", "110|0", "111|0"]
    );
    // Base and new resourceVersions, and the two kinds of 409.
    assert_eq!(
        store.rows(
            "SELECT v.value, coalesce(s.value, ''), r.code, coalesce(x.value, ''), coalesce(r.base_rv, ''), coalesce(r.new_rv, '')
             FROM requests r JOIN strings v ON v.id = r.verb_id LEFT JOIN strings s ON s.id = r.subresource_id
             LEFT JOIN strings x ON x.id = r.reason_id
             WHERE r.object_id = (SELECT id FROM objects WHERE name = 'web') OR r.code = 409 ORDER BY r.received_us"
        ),
        [
            "create||201|||100",
            "update|status|200||100|102",
            "update|status|409|Conflict|100|",
            "patch||200|||110",
            "patch||200|||111",
            "create||409|AlreadyExists||",
        ]
    );
    // Scheduler Events have only eventTime; count bumps are kept as versions.
    assert_eq!(
        store.rows("SELECT reason, type, coalesce(count, ''), time_us FROM events ORDER BY time_us, resource_version"),
        [
            "ScalingReplicaSet|Normal|1|1715680800000000",
            "SuccessfulCreate|Normal|1|1715680801000000",
            "Scheduled|Normal||1715680801305000",
            "BackOff|Warning|1|1715680802000000",
            "BackOff|Warning|2|1715680803000000",
        ]
    );
    // Patch documents and binding bodies are kept for the later diff and node views.
    assert_eq!(store.count("SELECT count(*) FROM requests WHERE body_block IS NOT NULL"), 5);
    assert_eq!(store.count("SELECT min(first_seen_us) FROM objects WHERE name = 'web'"), 1_715_680_800_000_000);
}

#[test]
fn secret_values_are_never_stored() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("sample")]).status.success());
    let conn = store.conn();
    let mut stmt = conn.prepare("SELECT data FROM state_blocks").unwrap();
    let blocks: Vec<Vec<u8>> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert!(!blocks.is_empty());
    let mut everything = Vec::new();
    for block in &blocks {
        everything.extend(kelemetry_cli::model::block::inflate_block(block).unwrap());
    }
    everything.extend(std::fs::read(&store.path).unwrap());
    let text = String::from_utf8_lossy(&everything);
    for secret in ["czNjcjN0LXZhbHVl", "plain-s3cr3t-token"] {
        assert!(!text.contains(secret), "{secret} reached the store");
    }
    assert!(text.contains(r#""data":{"password":"<redacted>"}"#));
    assert!(!text.contains("managedFields"), "managedFields are stripped from states");
}

#[test]
fn the_same_bytes_twice_add_nothing() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("sample")]).status.success());
    let copy = store.dir().join("renamed-audit.log");
    std::fs::copy(testdata("sample/audit.log"), &copy).unwrap();
    let out = store.run(&["ingest", "-o", "json", testdata("sample").to_str().unwrap(), copy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let statuses: Vec<&str> =
        report["files"].as_array().unwrap().iter().map(|f| f["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["alreadyIngested"; 4]);
    assert_eq!(report["auditEvents"], 0);
    assert_eq!(store.count("SELECT count(*) FROM requests"), 14);
    assert_eq!(store.count("SELECT count(*) FROM files"), 3);
}

#[test]
fn files_are_known_again_by_their_bytes_whole() {
    // A file whose size no other has is fingerprinted as it is read: also one whose gzip
    // stream breaks off, whose fingerprint still covers every byte.
    let store = Store::new();
    let audit = std::fs::read(testdata("sample/audit.log")).unwrap();
    let whole = gzip(&audit);
    let broken = store.dir().join("broken.log.gz");
    std::fs::write(&broken, &whole[..whole.len() * 2 / 3]).unwrap();
    let rollout = store.dir().join("rollout.log");
    let twin = store.dir().join("twin.log");
    std::fs::copy(testdata("rollout/audit.log"), &rollout).unwrap();
    std::fs::copy(testdata("rollout/audit.log"), &twin).unwrap();
    let paths = [broken.to_str().unwrap(), rollout.to_str().unwrap(), twin.to_str().unwrap()];
    let statuses = |out: &std::process::Output| -> Vec<String> {
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["files"].as_array().unwrap().iter().map(|f| f["status"].as_str().unwrap().to_owned()).collect()
    };
    let first = store.run(&[&["ingest", "-o", "json"][..], &paths].concat());
    assert_eq!(statuses(&first), ["ingested", "ingested", "repeated"], "{}", stderr(&first));
    let again = store.run(&[&["ingest", "-o", "json"][..], &paths].concat());
    assert_eq!(statuses(&again), ["alreadyIngested"; 3], "{}", stderr(&again));
    assert_eq!(store.count("SELECT count(*) FROM files"), 2);
}

#[test]
fn a_directory_holding_the_store_does_not_ingest_it() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("sample")]).status.success());
    std::fs::copy(testdata("rollout/audit.log"), store.dir().join("audit.log")).unwrap();
    // The store, its WAL and shared memory sit in the directory: only audit.log is input.
    let out = store.run(&["ingest", "-o", "json", store.dir().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["files"].as_array().unwrap().len(), 1);
    assert_eq!(store.count("SELECT count(*) FROM requests"), 14 + 48);
}

#[test]
fn overlapping_files_never_duplicate_rows() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("sample")]).status.success());
    let lines = std::fs::read_to_string(testdata("sample/audit.log")).unwrap();
    let overlap = store.dir().join("overlap.log");
    std::fs::write(&overlap, lines.lines().take(5).collect::<Vec<_>>().join("\n")).unwrap();
    let out = store.run(&["ingest", "-o", "json", overlap.to_str().unwrap()]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["duplicatesSkipped"], 5);
    assert_eq!(report["requestsAdded"], 0);
    assert_eq!(store.count("SELECT count(*) FROM requests"), 14);
    assert_eq!(store.count("SELECT count(*) FROM object_states"), 11);
}

#[test]
fn every_format_is_recognised_from_content() {
    let store = Store::new();
    let out = store.run(&["ingest", "-o", "json", testdata("formats").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut formats: Vec<String> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!("{} {} {}", f["path"].as_str().unwrap().rsplit('/').next().unwrap(), f["format"], f["records"])
        })
        .collect();
    formats.sort();
    assert_eq!(
        formats,
        [
            "aks-object-log.json \"json\" 1",
            "aks-records.json \"json\" 2",
            "bom-single.json \"json\" 1",
            "eks-cloudwatch.json \"json\" 2",
            "events-k8s-io.yaml \"yaml\" 1",
            "events-watch.json \"json\" 3",
            "gke-read.json \"json\" 2",
            "gke-sink.jsonl \"json-lines\" 3",
            "kelemetry-dump.jsonl \"json-lines\" 2",
            "objects-stream.yaml \"yaml\" 3",
            "v1beta1.jsonl \"json-lines\" 2",
            "webhook-eventlist.json \"json\" 2",
        ]
    );
    assert_eq!(store.count("SELECT count(*) FROM requests"), 17);
    // A Kelemetry dump line's own cluster, and a GKE entry's cluster label, win over --cluster.
    assert_eq!(
        store.rows(
            "SELECT c.name, count(*) FROM requests r JOIN clusters c ON c.id = r.cluster_id GROUP BY 1 ORDER BY 1"
        ),
        ["default|10", "gke-prod|5", "prod-eu|2"]
    );
    // v1beta1 without requestReceivedTimestamp: `timestamp` is the time.
    assert_eq!(
        store.count("SELECT received_us FROM requests WHERE hex(audit_id) = 'F0000000000040008000000000000009'"),
        1_717_243_209_000_000
    );
    // events.k8s.io/v1: regarding, note, series, reportingController, deprecatedSource.
    assert_eq!(
        store.rows(
            "SELECT api, reason, message, series_count, count, reporting_component, source_host, time_us FROM events
             WHERE api = 'events.k8s.io/v1'"
        ),
        ["events.k8s.io/v1|Pulling|Pulling image \"api:2.1\"|4|4|kubelet|node-3|1717243200250000"]
    );
    // Concatenated watch output: two versions of one Event, one of another.
    assert_eq!(store.count("SELECT count(*) FROM events WHERE reason = 'NodeNotReady'"), 3);
    assert_eq!(store.count("SELECT count(DISTINCT event_key) FROM events WHERE reason = 'NodeNotReady'"), 2);
    // Objects from YAML streams, Lists and CRDs, with owners never seen otherwise.
    assert_eq!(
        store.rows(
            "SELECT o.kind, o.resource, o.name, coalesce(w.kind || '/' || w.name, '') FROM objects o
             LEFT JOIN owner_refs r ON r.object_id = o.id LEFT JOIN objects w ON w.id = r.owner_id
             WHERE o.namespace = 'prod' ORDER BY o.name"
        ),
        [
            "Pod|pods|api-5b477c588d-abcde|",
            "Widget|widgets|blue|WidgetSet/colours",
            "WidgetSet|widgetsets|colours|",
            "StatefulSet|statefulsets|db|",
            "Pod|pods|db-0|StatefulSet/db",
        ]
    );
}

#[test]
fn gzip_concatenated_members_and_stdin() {
    let store = Store::new();
    let text = std::fs::read(testdata("sample/audit.log")).unwrap();
    let middle = text.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(6).unwrap().0 + 1;
    let mut members = gzip(&text[..middle]);
    members.extend(gzip(&text[middle..]));
    let rotated = store.dir().join("audit.log.1");
    std::fs::write(&rotated, &members).unwrap();
    let out = store.ingest(&[&rotated]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(store.count("SELECT count(*) FROM requests"), 14);

    let piped = Store::new();
    let mut child =
        bin().args(["--db", piped.path.to_str().unwrap(), "ingest", "-q", "-"]).stdin(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(&gzip(&text)).unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(piped.count("SELECT count(*) FROM requests"), 14);
}

#[test]
fn truncated_gzip_keeps_what_decoded() {
    let store = Store::new();
    let text = std::fs::read(testdata("sample/audit.log")).unwrap();
    let whole = gzip(&text);
    let cut = store.dir().join("audit.log.gz");
    std::fs::write(&cut, &whole[..whole.len() * 2 / 3]).unwrap();
    let out = store.ingest(&[&cut]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("audit.log.gz: truncated or corrupt gzip stream"), "{}", stderr(&out));
    let kept = store.count("SELECT count(*) FROM requests");
    assert!(kept > 0 && kept < 14, "kept {kept}");
}

#[test]
fn a_big_pretty_list_streams_in_pieces_with_exact_lines() {
    // `kubectl get events -A -o json` of a busy cluster: one document of 6 MB, 8 lines an
    // Event. It is cut between items (4 MiB pieces); the broken item is named by its line.
    let event = |i: usize| {
        let time = if i == 9_000 {
            "yesterday".to_owned()
        } else {
            format!("2024-01-01T00:{:02}:{:02}Z", i / 60 % 60, i % 60)
        };
        format!(
            "        {{\n            \"apiVersion\": \"v1\", \"kind\": \"Event\",\n            \"metadata\": {{\"name\": \"web.{i}\", \"namespace\": \"shop\", \"uid\": \"u{i}\", \"resourceVersion\": \"{i}\"}},\n            \"involvedObject\": {{\"kind\": \"Pod\", \"name\": \"web-{}\", \"namespace\": \"shop\", \"uid\": \"p{}\"}},\n            \"reason\": \"Started\", \"type\": \"Normal\", \"count\": 1,\n            \"message\": \"Started container web {{ [ \\\"quoted\\\"\",\n            \"lastTimestamp\": \"{time}\"\n        }}",
            i % 100,
            i % 100
        )
    };
    let items: Vec<String> = (0..12_000).map(event).collect();
    let text = format!(
        "{{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n{}\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {{\"resourceVersion\": \"\"}}\n}}\n",
        items.join(",\n")
    );
    assert!(text.len() > 5_000_000);
    let store = Store::new();
    let path = store.dir().join("events.json");
    std::fs::write(&path, &text).unwrap();
    let out = store.ingest(&[&path]);
    assert_eq!(out.status.code(), Some(1));
    // Item 9000 starts on line 4 + 9000 * 8, in the third piece.
    let err = stderr(&out);
    let expected = format!("events.json:{}: `lastTimestamp` is not an RFC 3339 time: \"yesterday\"", 4 + 9_000 * 8);
    assert!(err.contains(&expected), "{err}");
    assert_eq!(store.count("SELECT count(*) FROM events"), 11_999);
    assert_eq!(store.count("SELECT count(DISTINCT object_id) FROM events"), 100);
    let lines = text.lines().count();
    assert_eq!(store.rows("SELECT lines, records, bad_records FROM files"), [format!("{lines}|11999|1")]);
}

#[test]
fn bad_lines_are_reported_and_the_rest_kept() {
    let store = Store::new();
    let out = store.ingest(&[&testdata("bad/mixed.jsonl")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let reported: Vec<&str> = err.lines().filter_map(|l| l.split("mixed.jsonl:").nth(1)).collect();
    assert_eq!(
        reported,
        [
            "2: expected ident at line 1 column 2",
            "4: `kind` is not a string",
            "5: unknown audit stage \"Sideways\"",
            "6: `requestReceivedTimestamp` is not an RFC 3339 time: \"yesterday\"",
            "8: a `ConfigMap` without metadata is not an object",
            "10: EOF while parsing a string at line 1 column 80",
        ]
    );
    assert_eq!(store.count("SELECT count(*) FROM requests"), 3);
    assert_eq!(store.count("SELECT bad_records FROM files"), 6);
}

#[test]
fn a_log_of_plain_text_is_reported_not_guessed_at() {
    let store = Store::new();
    let out = store.ingest(&[&testdata("bad/kubelet.log")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("kubelet.log:1: neither JSON nor a YAML object: found plain text"),
        "{}",
        stderr(&out)
    );
    assert_eq!(store.rows("SELECT format, lines, records, bad_records FROM files"), ["yaml|2|0|1"]);
}

#[test]
fn strict_keeps_nothing_from_a_bad_run() {
    let store = Store::new();
    let out = store.run(&["ingest", "--strict", "-o", "json", testdata("bad/mixed.jsonl").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["aborted"], true);
    assert_eq!(store.count("SELECT count(*) FROM requests"), 0);
    assert_eq!(store.count("SELECT count(*) FROM files"), 0);
}

#[test]
fn broken_documents_cost_only_themselves() {
    let store = Store::new();
    let out = store.ingest(&[&testdata("bad/broken.yaml"), &testdata("bad/not-utf8.jsonl")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("broken.yaml:1: YAML:"), "{}", stderr(&out));
    assert!(stderr(&out).contains("not-utf8.jsonl:1: invalid UTF-8"), "{}", stderr(&out));
    assert_eq!(store.rows("SELECT name FROM objects"), ["survivor"]);
}

/// `2>&1 | head`: once the reader is gone, the problems go unsaid, the exit code stays.
#[test]
fn a_closed_stderr_changes_nothing_but_what_is_seen() {
    let store = Store::new();
    let mut child = crate::common::bin()
        .args(["--db", store.path.to_str().unwrap(), "ingest", testdata("bad").to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    assert_eq!(child.wait().unwrap().code(), Some(1), "ingested with bad records");
    assert_eq!(store.rows("SELECT name FROM objects"), ["survivor"]);
}

#[test]
fn exit_codes_tell_scripts_what_happened() {
    let store = Store::new();
    let missing = store.dir().join("no-such-file.log");
    let out = store.ingest(&[&missing, &testdata("sample/audit.log")]);
    assert_eq!(out.status.code(), Some(1), "unreadable next to readable");
    assert!(stderr(&out).contains("no-such-file.log: No such file or directory"), "{}", stderr(&out));
    assert_eq!(store.count("SELECT count(*) FROM requests"), 14);

    let only_missing = Store::new();
    assert_eq!(only_missing.ingest(&[&missing]).status.code(), Some(2), "nothing could be read");
    assert_eq!(Store::new().run(&["ingest"]).status.code(), Some(2), "usage error");
    assert_eq!(Store::new().run(&["stats"]).status.code(), Some(2), "no store yet");
}

#[test]
fn concurrent_ingests_do_not_corrupt_or_duplicate() {
    let store = Store::new();
    let spawn = |path: &Path| {
        bin()
            .args(["--db", store.path.to_str().unwrap(), "ingest", "-q"])
            .arg(path)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    assert!(store.ingest(&[&testdata("formats/webhook-eventlist.json")]).status.success());
    let first = spawn(&testdata("sample"));
    let second = spawn(&testdata("sample/audit.log"));
    assert!(first.wait_with_output().unwrap().status.success());
    assert!(second.wait_with_output().unwrap().status.success());
    assert_eq!(store.count("SELECT count(*) FROM requests"), 16);
    assert_eq!(store.rows("PRAGMA integrity_check"), ["ok"]);
}

#[test]
fn memory_store_writes_nothing_to_disk() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .current_dir(dir.path())
        .args(["--db", ":memory:", "ingest", "-q"])
        .arg(testdata("sample"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// Secret values in bodies that do not say they are a Secret: what the request was about
/// does, and redaction follows it.
#[test]
fn secret_values_are_redacted_whatever_the_body_says() {
    const MARK: &str = "TOPSECRET-marker";
    const MARK64: &str = "VE9QU0VDUkVULW1hcmtlcg==";
    let secret = |kind: Option<&str>, rv: &str| {
        let mut body = serde_json::json!({
            "metadata": {"name": "db", "namespace": "shop", "uid": "5e000000-0000-4000-8000-000000000001", "resourceVersion": rv,
                         "annotations": {"kubectl.kubernetes.io/last-applied-configuration": format!("{{\"stringData\":{{\"token\":\"{MARK}\"}}}}")}},
            "data": {"password": MARK64}, "stringData": {"token": MARK}, "type": "Opaque"});
        if let Some(kind) = kind {
            body["kind"] = kind.into();
            body["apiVersion"] = "v1".into();
        }
        body
    };
    let audit = |id: u32, verb: &str, sub: Option<&str>, request: serde_json::Value, response: serde_json::Value| {
        serde_json::json!({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
            "auditID": format!("5e100000-0000-4000-8000-{id:012}"), "stage": "ResponseComplete",
            "requestURI": "/api/v1/namespaces/shop/secrets/db", "verb": verb, "user": {"username": "alice"},
            "objectRef": {"resource": "secrets", "namespace": "shop", "name": "db", "apiVersion": "v1", "subresource": sub},
            "responseStatus": {"code": 200}, "requestObject": request, "responseObject": response,
            "requestReceivedTimestamp": format!("2024-09-01T10:00:{id:02}.000000Z"),
            "stageTimestamp": format!("2024-09-01T10:00:{id:02}.004000Z")})
    };
    let lines = [
        audit(1, "create", None, secret(None, "1"), secret(None, "1")),
        audit(2, "update", None, secret(Some("Secret"), "2"), secret(Some("Secret"), "2")),
        audit(3, "update", None, secret(None, "3"), secret(Some("secret"), "3")),
        audit(4, "patch", None, serde_json::json!({"data": {"password": MARK64}}), secret(None, "4")),
        audit(5, "update", Some("status"), secret(None, "5"), secret(None, "5")),
    ];
    let store = Store::new();
    let log = store.dir().join("secrets.log");
    std::fs::write(&log, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    assert!(store.ingest(&[&log]).status.success());
    let conn = store.conn();
    let mut stmt = conn.prepare("SELECT data FROM state_blocks").unwrap();
    let mut everything = std::fs::read(&store.path).unwrap();
    for block in stmt.query_map([], |r| r.get::<_, Vec<u8>>(0)).unwrap() {
        everything.extend(kelemetry_cli::model::block::inflate_block(&block.unwrap()).unwrap());
    }
    for args in [
        &["history", "secret/db"][..],
        &["trace", "secret/db", "-o", "jaeger"],
        &["trace", "secret/db", "--pipeline", "tree", "--wide"],
    ] {
        everything.extend(store.run(args).stdout);
    }
    let text = String::from_utf8_lossy(&everything);
    for mark in [MARK, MARK64] {
        assert!(!text.contains(mark), "{mark} reached the store or an output");
    }
    assert_eq!(store.count("SELECT count(*) FROM object_states"), 5);
}

/// Documents nested in arrays or Lists beyond any real layout are refused as bad records,
/// with their line, and never exhaust the stack (they used to abort the process).
#[test]
fn deep_nesting_is_a_bad_record_not_an_abort() {
    let store = Store::new();
    let arrays = store.dir().join("arrays.json");
    std::fs::write(&arrays, format!("{}{}\n", "[".repeat(800), "]".repeat(800))).unwrap();
    let lists = store.dir().join("lists.json");
    let list = format!(r#"{{"kind":"List","apiVersion":"v1","items":{}{}}}"#, "[".repeat(50_000), "]".repeat(50_000));
    std::fs::write(&lists, format!("{list}\n")).unwrap();
    // Deep where a body, an envelope's payload or the metadata sits.
    let deep = |open: &str, close: &str| format!("{}{}", open.repeat(100_000), close.repeat(100_000));
    let bodies = store.dir().join("bodies.json");
    let lines = [
        format!(r#"{{"kind":"Pod","apiVersion":"v1","metadata":{{"name":"x"}},"spec":{}}}"#, deep("[", "]")),
        format!(
            r#"{{"protoPayload":{{"methodName":"x","request":{}}}}}"#,
            deep(r#"{"a":"#, "}").replacen('}', "1}", 1)
        ),
        format!(r#"{{"kind":"Pod","apiVersion":"v1","metadata":{}}}"#, deep("[", "]")),
    ];
    std::fs::write(&bodies, lines.map(|l| format!("{l}\n")).concat()).unwrap();
    let good = testdata("sample/objects.json");
    let out = store.ingest(&[&arrays, &lists, &bodies, &good]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let errors = stderr(&out);
    for file in ["arrays.json:1: ", "lists.json:1: "] {
        assert!(
            errors.lines().any(|l| l.contains(file)
                && l.ends_with("documents nested in more than 8 Lists or arrays are not Kubernetes data")),
            "{errors}"
        );
    }
    for expected in [
        "bodies.json:1: a body nested more than 100 levels deep",
        "bodies.json:2: a document nested more than 128 levels deep",
        "bodies.json:3: metadata: not a JSON object",
    ] {
        assert!(errors.lines().any(|l| l.ends_with(expected)), "{expected}: {errors}");
    }
    assert_eq!(store.count("SELECT count(*) FROM objects"), 3, "the good file around them is kept");
}

#[test]
fn symlink_loops_end_and_every_file_is_read_once() {
    let store = Store::new();
    let dir = store.dir().join("logs");
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    std::fs::copy(testdata("sample/audit.log"), dir.join("nested/audit.log")).unwrap();
    std::os::unix::fs::symlink(&dir, dir.join("nested/back-to-the-top")).unwrap();
    std::os::unix::fs::symlink(dir.join("nested"), dir.join("again")).unwrap();
    let out = store.run(&["ingest", "-o", "json", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["files"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(store.count("SELECT count(*) FROM requests"), 14);
}

#[test]
fn pipes_are_read_as_streams() {
    let store = Store::new();
    let fifo = store.dir().join("audit.fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, std::fs::read(testdata("sample/audit.log")).unwrap()).unwrap())
    };
    let out = store.ingest(&[&fifo]);
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(store.count("SELECT count(*) FROM requests"), 14);
}

/// Windows PowerShell 5 writes `kubectl get -o json > file` as UTF-16LE with a byte-order
/// mark: read as the same objects as the UTF-8 original, also when found in a directory.
#[test]
fn utf16_dumps_read_as_their_utf8_originals() {
    let text = std::fs::read_to_string(testdata("sample/objects.json")).unwrap();
    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let (original, transcoded) = (Store::new(), Store::new());
    assert!(original.ingest(&[&testdata("sample/objects.json")]).status.success());
    let dir = transcoded.dir().join("dumps");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("objects.json"), utf16).unwrap();
    let out = transcoded.ingest(&[&dir]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let objects = "SELECT kind, namespace, name, uid FROM objects ORDER BY uid";
    assert_eq!(transcoded.rows(objects), original.rows(objects));
    assert!(!transcoded.rows(objects).is_empty());
}

/// An ingest killed while it rebuilt the indexes a bulk load drops leaves the rows right and
/// the indexes missing: queries say so and how to repair, and the next ingest (even of a
/// file already ingested) rebuilds them.
#[test]
fn indexes_an_interrupted_ingest_left_missing_are_rebuilt() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("sample")]).status.success());
    let indexes = "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name";
    let all = store.rows(indexes);
    let dropped = ["events_object", "events_time", "objects_by_uid", "requests_audit_id", "requests_time"];
    for name in dropped {
        store.conn().execute_batch(&format!("DROP INDEX {name}")).unwrap();
    }
    let query = store.run(&["trace", "deploy/web", "-n", "shop", "--pipeline", "tree"]);
    assert_eq!(query.status.code(), Some(0));
    assert!(
        stderr(&query).contains(&format!(
            "lacks 5 of its indexes ({}), as an interrupted ingest leaves it: answers are right but slower; \
             `kelemetry-cli --db {} ingest FILE`",
            dropped.join(", "),
            store.path.display()
        )),
        "{}",
        stderr(&query)
    );
    let again = store.run(&["ingest", "-o", "json", testdata("sample/audit.log").to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["repairedIndexes"], serde_json::json!(dropped));
    assert_eq!(report["files"][0]["status"], "alreadyIngested");
    assert_eq!(store.rows(indexes), all);
    assert_eq!(stderr(&store.run(&["stats"])), "");
}

/// A store on read-only media: SQLite cannot create the `-shm` file a WAL store needs (here
/// a directory stands in its way, as root would write through read-only permissions), so
/// queries read it as immutable; a write-ahead log it cannot replay is named instead, since
/// reading the store as immutable would miss its rows.
#[test]
fn stores_on_read_only_media_can_be_queried() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("sample")]).status.success());
    let shm = store.dir().join("test.db-shm");
    std::fs::create_dir(&shm).unwrap();
    let trace = store.run(&["trace", "deploy/web", "-n", "shop", "--pipeline", "tree"]);
    assert_eq!(trace.status.code(), Some(0), "{}", stderr(&trace));
    assert!(stdout(&trace).contains("4 objects · 11 requests · 5 Events"), "{}", stdout(&trace));
    assert_eq!(store.stats()["requests"], 14);
    // A log SQLite cannot open (it replays any log it can open, even without `-shm`).
    let wal = store.dir().join("test.db-wal");
    if wal.exists() {
        // Left empty by the queries' first try: on read-only media it could not be.
        assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0);
        std::fs::remove_file(&wal).unwrap();
    }
    std::fs::create_dir(&wal).unwrap();
    let stats = store.run(&["stats"]);
    assert_eq!(stats.status.code(), Some(2));
    assert!(stderr(&stats).contains("test.db-wal holds rows not yet in it: copy both files to a writable disk"));
}

/// A line too long to hold in one piece that cannot be a record is dropped as it is read,
/// not buffered whole (a 200 MB one used to cost 1 GB): reported with its line and length,
/// and the lines around it are kept.
#[test]
fn an_endless_line_of_junk_is_skipped_unbuffered() {
    let store = Store::new();
    let audit = std::fs::read_to_string(testdata("sample/audit.log")).unwrap();
    let lines: Vec<&str> = audit.lines().collect();
    let junk = "x".repeat(12 << 20);
    let log = store.dir().join("junk.log");
    std::fs::write(&log, format!("{}\n{junk}\n{}\n", lines[0], lines[1])).unwrap();
    let out = store.run(&["ingest", "-o", "json", log.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).ends_with(&format!("junk.log:2: a line of {} bytes that is not JSON: skipped\n", (12 << 20) + 1))
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((&report["lines"], &report["badRecords"], &report["auditEvents"]), (&3.into(), &1.into(), &2.into()));
}

/// A new store is built in `<store>.loading` and moved to its path only once whole: a
/// killed run's leftover is started over, and one another run still holds is refused.
#[test]
fn a_new_store_appears_only_whole() {
    let store = Store::new();
    let loading = store.dir().join("test.db.loading");
    std::fs::write(&loading, "half a store, left by a killed run").unwrap();
    assert!(store.ingest(&[&testdata("sample")]).status.success());
    assert!(!loading.exists());
    assert_eq!(store.stats()["requests"], 14);
    let journal: String = store.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(journal, "wal");

    let other = Store::new();
    let loading = other.dir().join("test.db.loading");
    let held = rusqlite::Connection::open(&loading).unwrap();
    held.execute_batch("PRAGMA locking_mode = EXCLUSIVE; CREATE TABLE t (x)").unwrap();
    let out = other.ingest(&[&testdata("sample")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "another ingest is creating {} (in {}): wait for it to finish",
            other.path.display(),
            loading.display()
        )),
        "{}",
        stderr(&out)
    );
    assert!(!other.path.exists());
    drop(held);
    assert!(other.ingest(&[&testdata("sample")]).status.success());
    assert_eq!(other.stats()["requests"], 14);

    // An error names the store asked for, then the file it was to be built in.
    let nowhere = other.dir().join("missing/x.db");
    let out = bin().arg("--db").arg(&nowhere).args(["ingest", "-q"]).arg(testdata("sample")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with(&format!(
            "kelemetry-cli: error: cannot create store {}: cannot open store {}.loading for writing: {}: \
             No such file or directory (os error 2)\n",
            nowhere.display(),
            nowhere.display(),
            nowhere.parent().unwrap().display()
        )),
        "{}",
        stderr(&out)
    );
}

/// `copies` of the sample audit log, each its own namespace, objects and auditIDs.
fn many_samples(copies: u32) -> String {
    let audit = std::fs::read_to_string(testdata("sample/audit.log")).unwrap();
    (0..copies)
        .map(|i| audit.replace("-4000-8000-", &format!("-4000-{i:04x}-")).replace("shop", &format!("shop{i}")))
        .collect()
}

/// Kill safety: an ingest killed at any moment leaves a store that the same command, run
/// again, brings to exactly what one uninterrupted run stores.
#[test]
fn an_ingest_killed_at_any_moment_is_finished_by_the_next() {
    let clean = Store::new();
    let log = clean.dir().join("many.log");
    std::fs::write(&log, many_samples(1500)).unwrap();
    let run = |store: &Store| store.run(&["ingest", "-q", log.to_str().unwrap()]);
    assert_eq!(run(&clean).status.code(), Some(0));
    let summary = |store: &Store| {
        store.rows(
            "SELECT (SELECT count(*) FROM requests), (SELECT count(*) FROM objects), (SELECT count(*) FROM object_states),
                    (SELECT count(*) FROM owner_refs), (SELECT count(*) FROM files), (SELECT count(*) FROM pending_requests),
                    (SELECT sum(stages) FROM requests)",
        )
    };
    let expected = summary(&clean);
    assert_eq!(expected[0].split('|').next(), Some("21000"));
    for delay_ms in [50, 300, 700] {
        let store = Store::new();
        let mut child =
            bin().arg("--db").arg(&store.path).args(["ingest", "-q"]).arg(&log).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        child.kill().unwrap();
        child.wait().unwrap();
        let again = run(&store);
        assert_eq!(again.status.code(), Some(0), "killed after {delay_ms} ms: {}", stderr(&again));
        assert_eq!(summary(&store), expected, "killed after {delay_ms} ms");
    }
}
