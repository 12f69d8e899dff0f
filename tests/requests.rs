//! `requests`: every filter and combination on testdata/requests (22 requests), the
//! aggregates with exact numbers, the JSON Lines contract, and streaming.

use std::io::Read;
use std::process::Stdio;

use crate::common::{Store, stderr, stdout, testdata};

fn store() -> Store {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("requests")]).status.success());
    store
}

/// The auditID numbers (the last digits) of the requests listed, in order.
fn listed(store: &Store, args: &[&str]) -> Vec<u32> {
    let mut full = vec!["requests", "-o", "json"];
    full.extend_from_slice(args);
    let out = store.run(&full);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{args:?}: {}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            value["auditId"].as_str().unwrap().rsplit('-').next().unwrap().parse().unwrap()
        })
        .collect()
}

#[test]
fn each_filter_finds_exactly_its_requests() {
    let store = store();
    let cases: &[(&[&str], &[u32])] = &[
        (&[], &(1..=22).collect::<Vec<_>>()),
        (&["--verb", "delete"], &[16, 17]),
        (&["--verb", "list,watch"], &[13, 14, 22]),
        (&["--verb", "get", "--verb", "list"], &[11, 13, 15, 21, 22]),
        (&["--resource", "deployments"], &[2, 7, 8, 9, 10]),
        (&["--resource", "deploy"], &[2, 7, 8, 9, 10]),
        (&["--resource", "deployments.apps"], &[2, 7, 8, 9, 10]),
        (&["--resource", "*.apps"], &[2, 3, 7, 8, 9, 10]),
        (&["--resource", "leases"], &[11, 12, 21]),
        (&["--resource", "-leases", "--verb", "get"], &[15]),
        (&["--resource", "pods,configmaps", "--resource", "-configmaps"], &[4, 5, 6, 13, 14, 16]),
        (&["--subresource", "status"], &[6, 7, 8]),
        (&["--subresource", "-status,-binding", "--resource", "pods"], &[4, 13, 14, 16]),
        (&["-n", "kube-system"], &[11, 12, 21]),
        (&["-n", "kube-system", "-n", "shop", "--verb", "get"], &[11, 21]),
        (&["--name", "web-*"], &[3, 4, 5, 6, 16]),
        (&["--user", "bob"], &[9, 10]),
        (&["--user", "controller"], &[3, 4, 7, 8]),
        (&["--user", "system:serviceaccount:*:ops-bot"], &[18, 19, 20, 22]),
        (&["--user", "carol"], &[16]),
        (&["--group", "system:masters"], &[16]),
        (&["--group", "system:serviceaccounts:*"], &[3, 4, 7, 8, 18, 19, 20, 22]),
        (&["--agent", "kubelet"], &[6]),
        (&["--agent", "curl/*"], &[15]),
        (&["--ip", "10.0.0.0/24"], &[3, 4, 5, 7, 8, 11, 12]),
        (&["--ip", "10.0.0.0/16"], &[3, 4, 5, 6, 7, 8, 11, 12, 18, 19, 20, 22]),
        (&["--ip", "fd00::/8"], &[21]),
        (&["--ip", "192.168.1.11"], &[9, 10]),
        (&["--ip", "10.0.2.*"], &[18, 19, 20, 22]),
        (&["--code", "409"], &[7]),
        (&["--code", "4xx"], &[7, 9, 15, 22]),
        (&["--code", "500-504,422"], &[9, 18, 19]),
        (&["--failed"], &[7, 9, 15, 18, 19, 22]),
        (&["--reason", "Conflict,Invalid"], &[7, 9]),
        (&["--code", "5xx", "--reason", "InternalError"], &[18]),
        (&["--failed", "--code", "2xx"], &[]),
        (&["--failed", "--code", "400-409"], &[7, 15]),
        (&["--slow", "1s"], &[10, 18]),
        (&["--slow", "20ms"], &[6, 10, 13, 18, 19]),
        (&["--since", "2024-07-01T09:00:20Z"], &[20, 21, 22]),
        (&["--since", "3s"], &[19, 20, 21, 22]),
        (&["--until", "2024-07-01T09:00:02Z"], &[1, 2]),
        (&["--since", "2024-07-01T09:00:05Z", "--until", "2024-07-01T09:00:07Z"], &[5, 6, 7]),
        (&["--audit-id", "b0000000-0000-4000-8000-000000000007"], &[7]),
        (
            &[
                "--audit-id",
                "B0000000-0000-4000-8000-000000000007",
                "--audit-id",
                "b0000000-0000-4000-8000-000000000009",
            ],
            &[7, 9],
        ),
        (&["--field-manager", "kubectl-edit"], &[9, 10]),
        (&["--field-manager", "kubectl*"], &[2, 9, 10]),
        (&["--uid", "d0000000-0000-4000-8000-00000000000a"], &[2, 7, 8, 9, 10]),
        (&["deploy/web"], &[2, 7, 8, 9, 10]),
        (&["deploy/web", "--tree"], &[2, 3, 4, 5, 6, 7, 8, 9, 10, 16]),
        (&["deploy/web", "--tree", "--user", "system:*"], &[3, 4, 5, 6, 7, 8, 16]),
        (&["rs/web-abc", "--tree", "--verb", "delete"], &[16]),
        (&["--cluster", "default", "--verb", "delete"], &[16, 17]),
        (&["--cluster", "other"], &[]),
        (&["--user", "nobody-at-all"], &[]),
        (&["--verb", "delete", "--reverse"], &[17, 16]),
        (&["--limit", "2"], &[1, 2]),
        (&["--limit", "2", "--reverse"], &[22, 21]),
    ];
    for (args, expected) in cases {
        assert_eq!(listed(&store, args), *expected, "requests {}", args.join(" "));
    }
}

#[test]
fn count_prints_the_number_and_exit_codes_say_whether_anything_matched() {
    let store = store();
    let out = store.run(&["requests", "--count", "--failed"]);
    assert_eq!((stdout(&out).as_str(), out.status.code()), ("6\n", Some(0)));
    let out = store.run(&["requests", "--count", "--user", "nobody"]);
    assert_eq!((stdout(&out).as_str(), out.status.code()), ("0\n", Some(1)));
    let out = store.run(&["requests", "--count", "-o", "json", "--verb", "patch"]);
    assert_eq!(stdout(&out), "{\n  \"count\": 4\n}\n");
    let out = store.run(&["requests", "deploy/nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no object deploy/nope"), "{}", stderr(&out));
}

#[test]
fn bad_filter_values_exit_2_naming_the_flag() {
    let store = store();
    for (args, flag) in [
        (&["--code", "6xx"][..], "--code"),
        (&["--code", "abc"], "--code"),
        (&["--slow", "fast"], "--slow"),
        (&["--since", "yesterday"], "--since"),
        (&["--ip", "10.0.0.0/99"], "--ip"),
        (&["--by", "color"], "--by"),
        (&["--top", "x"], "--top"),
    ] {
        let mut full = vec!["requests"];
        full.extend_from_slice(args);
        let out = store.run(&full);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(flag), "{args:?}: {}", stderr(&out));
    }
    let out = store.run(&["requests", "wdgt/x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown kind"), "{}", stderr(&out));
}

#[test]
fn top_counts_by_keys_with_failures_and_latency_percentiles() {
    let store = store();
    let out = store.run(&["requests", "--top", "3", "--by", "user", "-o", "json"]);
    let top: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        top,
        serde_json::json!({
            "by": ["user"], "requests": 22, "keys": 9,
            "rows": [
                {"key": {"user": "alice"}, "count": 5, "failures": 0, "p50LatencyUs": 5000, "p99LatencyUs": 40000},
                {"key": {"user": "system:kube-scheduler"}, "count": 4, "failures": 0, "p50LatencyUs": 2000, "p99LatencyUs": 5000},
                {"key": {"user": "system:serviceaccount:shop:ops-bot"}, "count": 4, "failures": 3, "p50LatencyUs": 8000, "p99LatencyUs": 7000000},
            ]
        })
    );
    let out = store.run(&["requests", "--by", "verb", "--by", "code", "--failed", "-o", "json"]);
    let top: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rows: Vec<String> = top["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {} {}", r["key"]["verb"].as_str().unwrap(), r["key"]["code"], r["count"]))
        .collect();
    assert_eq!(rows, ["create 500 1", "create 503 1", "get 403 1", "list 429 1", "patch 422 1", "update 409 1"]);
    let out = store.run(&["requests", "--top", "2", "--by", "object", "-n", "shop"]);
    assert_eq!(
        stdout(&out),
        "object                      requests   failed   p50    p99\n\
         ──────────────────────────────────────────────────────────\n\
         deployments.apps shop/web          5        2   5ms   6.5s\n\
         pods shop/web-abc-x1               4        0   5ms   20ms\n\
         (16 requests; 2 of 6 keys shown)\n"
    );
    let out = store.run(&["requests", "--by", "field-manager", "--verb", "patch", "-o", "json"]);
    let top: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let keys: Vec<String> = top["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{}={}", r["key"]["fieldManager"], r["count"]))
        .collect();
    assert_eq!(keys, ["\"kubectl-edit\"=2", "\"ops-bot\"=1", "null=1"]);
    // Clock hours in UTC: the fixture's requests all fall in one.
    let out = store.run(&["requests", "--by", "hour", "--by", "verb", "--top", "2", "-o", "json"]);
    let top: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(top["keys"], 7);
    assert_eq!(top["rows"][0]["key"], serde_json::json!({"hour": "2024-07-01T09:00:00Z", "verb": "create"}));
    assert_eq!(top["rows"][0]["count"], 7);
}

#[test]
fn json_lines_follow_the_contract() {
    let store = store();
    let out = store.run(&["requests", "-o", "json", "--audit-id", "b0000000-0000-4000-8000-000000000016"]);
    assert_eq!(stdout(&out).lines().count(), 1);
    let line: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(
        line,
        serde_json::json!({
            "auditId": "b0000000-0000-4000-8000-000000000016", "verb": "delete", "subresource": null,
            "user": "system:admin", "impersonatedUser": "carol",
            "userAgent": "kubectl/v1.30.1 (linux/amd64) kubernetes/6911225", "sourceIp": "192.168.1.12",
            "code": 200, "reason": null, "message": null,
            "received": "2024-07-01T09:00:16.000000Z", "receivedUs": 1719824416000000i64,
            "completed": "2024-07-01T09:00:16.005000Z", "completedUs": 1719824416005000i64, "latencyUs": 5000,
            "baseResourceVersion": null, "newResourceVersion": null, "level": "Metadata", "complete": true,
            "cluster": "default", "resource": "pods", "namespace": "shop", "name": "web-abc-x1", "kind": "Pod",
            "uid": "d0000000-0000-4000-8000-00000000000c", "requestUri": null,
            "userGroups": ["system:masters", "system:authenticated"], "fieldManager": null
        })
    );
    // A watch whose end the log lacks: no code, no latency; a collection: the request URI.
    let watch = listed_json(&store, "b0000000-0000-4000-8000-000000000014");
    assert_eq!(
        (watch["code"].clone(), watch["latencyUs"].clone(), watch["complete"].clone()),
        (serde_json::Value::Null, serde_json::Value::Null, false.into())
    );
    assert_eq!(watch["requestUri"], "/api/v1/namespaces/shop/pods?watch=true");
    assert_eq!(watch["name"], serde_json::Value::Null);
}

fn listed_json(store: &Store, audit_id: &str) -> serde_json::Value {
    let out = store.run(&["requests", "-o", "json", "--audit-id", audit_id]);
    serde_json::from_str(stdout(&out).trim()).unwrap()
}

#[test]
fn the_table_fits_80_columns_and_wide_adds_the_rest() {
    let store = store();
    let out = store.run_with_env(&["requests", "--failed"], &[("COLUMNS", "80")]);
    assert_eq!(
        stdout(&out),
        "time                       user                         verb     object     code\n\
         ────────────────────────────────────────────────────────────────────────────────\n\
         2024-07-01T09:00:07.000Z   system:servi…nt-controller   update   shop/web    409\n\
         2024-07-01T09:00:09.000Z   bob                          patch    shop/web    422\n\
         2024-07-01T09:00:15.000Z   system:anonymous             get      /metrics    403\n\
         2024-07-01T09:00:18.000Z   system:servi…:shop:ops-bot   create   shop/cfg    500\n\
         2024-07-01T09:00:19.000Z   system:servi…:shop:ops-bot   create   shop/cfg    503\n\
         2024-07-01T09:00:22.000Z   system:servi…:shop:ops-bot   list     shop/*      429\n"
    );
    assert!(stdout(&out).lines().all(|l| l.chars().count() <= 80 && !l.ends_with(' ')));
    let out =
        store.run(&["requests", "-o", "wide", "--no-headers", "--audit-id", "b0000000-0000-4000-8000-000000000020"]);
    assert_eq!(
        stdout(&out),
        "2024-07-01T09:00:20.000Z   8ms   system:serviceaccount:shop:ops-bot   patch   configmaps   shop/cfg   201      \
         ops-bot/2.0   10.0.2.9   b0000000-0000-4000-8000-000000000020         ops-bot   \
         system:serviceaccounts,system:serviceaccounts:shop,system:authenticated\n"
    );
}

#[test]
fn a_long_listing_streams_and_a_closed_pipe_stops_it() {
    // 3000 requests: more than the table holds to fix its columns.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("many.jsonl");
    let mut text = String::new();
    for i in 0..3000 {
        text.push_str(&format!(
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"c0000000-0000-4000-8000-{i:012}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/ns/pods/p{i}","verb":"get","user":{{"username":"user-{u}"}},"sourceIPs":["10.0.0.1"],"objectRef":{{"resource":"pods","namespace":"ns","name":"p{i}","apiVersion":"v1"}},"responseStatus":{{"code":200}},"requestReceivedTimestamp":"2024-07-01T10:00:00.{i:06}Z","stageTimestamp":"2024-07-01T10:00:00.{i:06}Z"}}"#,
            u = i % 7
        ));
        text.push('\n');
    }
    std::fs::write(&log, text).unwrap();
    let store = Store::new();
    assert!(store.ingest(&[&log]).status.success());
    let out = store.run(&["requests", "--user", "user-3"]);
    let table = stdout(&out);
    assert_eq!(table.lines().count(), 2 + 429, "header, rule, every request of user-3");
    let widths: std::collections::HashSet<usize> = table.lines().skip(2).map(|l| l.chars().count()).collect();
    assert_eq!(widths.len(), 1, "later rows keep the first rows' columns");
    let mut child = crate::common::bin()
        .args(["--db", store.path.to_str().unwrap(), "requests", "-o", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(status.success() && err.is_empty(), "a closed pipe ends it quietly: {status:?} {err}");
}
