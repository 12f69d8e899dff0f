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
    assert_eq!(stdout(&out).lines().nth(3).unwrap(), "time unknown  4711    dump");
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

/// A `.tar.gz` as must-gathers ship: dumps beside container logs, a README, a hidden file,
/// and one broken YAML.
fn must_gather_tarball(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("must-gather.tar.gz");
    let gz = flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let mut add = |name: &str, data: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, data).unwrap();
    };
    add("mg/namespaces/shop/core/events.yaml", &std::fs::read(testdata("sample/events.yaml")).unwrap());
    add("mg/namespaces/shop/apps/objects.json", &std::fs::read(testdata("sample/objects.json")).unwrap());
    add("mg/namespaces/shop/pods/web/web/logs/current.log", b"2024-05-14T10:00:01.000Z INFO started\n");
    add("mg/README.md", b"# must-gather\n\nCollected by the must-gather tool:\n");
    add("mg/timestamp", b"2024-05-14 12:00:00.5 +0000 UTC m=+0.1\n2024-05-14 14:03:00.25 +0200 CEST m=+180.1\n");
    add("mg/.hidden.yaml", b"kind: [broken\n");
    add("mg/namespaces/shop/core/broken.yaml", b"apiVersion: v1\nkind: List\nitems:\n- kind: [\n");
    tar.into_inner().unwrap().finish().unwrap();
    path
}

#[test]
fn archives_are_read_as_streams_and_their_members_named() {
    let dir = tempfile::tempdir().unwrap();
    let archive = must_gather_tarball(dir.path());
    let store = Store::new();
    let out = store.run(&["ingest", "-o", "json", archive.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "one broken member");
    let errors = stderr(&out);
    let problems: Vec<&str> = errors.lines().collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("must-gather.tar.gz!mg/namespaces/shop/core/broken.yaml:1: YAML: "), "{problems:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<String> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap();
            format!("{} {} {}", &path[path.find('!').unwrap()..], f["status"].as_str().unwrap(), f["skipped"])
        })
        .collect();
    assert_eq!(
        files,
        [
            "!mg/namespaces/shop/core/events.yaml ingested null",
            "!mg/namespaces/shop/apps/objects.json ingested null",
            "!mg/namespaces/shop/pods/web/web/logs/current.log skipped \"not JSON or YAML\"",
            "!mg/README.md skipped \"not JSON or YAML\"",
            "!mg/timestamp skipped \"not JSON or YAML\"",
            "!mg/namespaces/shop/core/broken.yaml ingested null",
        ]
    );
    assert_eq!((&report["eventsAdded"], &report["objectsDumped"]), (&Value::from(5), &Value::from(3)));
    // The text summary counts what was skipped, and why.
    let again = Store::new();
    let text = stdout(&again.run(&["ingest", archive.to_str().unwrap()]));
    assert!(text.contains("files skipped        3 (3 not JSON or YAML)"), "{text}");
    // The must-gather's `timestamp` dates its dumps: the end of the gather.
    let history = json(&store, &["history", "deploy/web", "-o", "json"]);
    assert_eq!(history["entries"][0]["time"], "2024-05-14T12:03:00.250000Z");
    assert_eq!(history["entries"][0]["kind"], "dump");
}

#[test]
fn gke_cloud_logging_entries_are_audit_events() {
    let store = Store::new();
    let out = store.ingest(&[&testdata("formats/gke-sink.jsonl"), &testdata("formats/gke-read.json")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let requests = store.rows(
        "SELECT hex(r.audit_id), c.name, v.value, coalesce(sr.value, '-'), u.value, r.code, coalesce(rs.value, '-'),
                coalesce(r.new_rv, '-'), coalesce(o.kind || '/' || o.name, '-'), coalesce(a.value, '-')
         FROM requests r JOIN clusters c ON c.id = r.cluster_id JOIN strings v ON v.id = r.verb_id
         LEFT JOIN strings sr ON sr.id = r.subresource_id JOIN strings u ON u.id = r.user_id
         LEFT JOIN strings rs ON rs.id = r.reason_id LEFT JOIN objects o ON o.id = r.object_id
         LEFT JOIN strings a ON a.id = r.source_ip_id ORDER BY r.received_us",
    );
    assert_eq!(
        requests,
        [
            "A1B2C3D4000140008000000000000001|gke-prod|create|-|system:serviceaccount:kube-system:replicaset-controller|200|-|501|Pod/shop-7b9f5c6d8-q4zrt|10.128.0.9",
            "A1B2C3D4000140008000000000000002|gke-prod|patch|status|system:node:gke-prod-pool-1-abcd|200|-|502|Pod/shop-7b9f5c6d8-q4zrt|10.128.0.9",
            "A1B2C3D4000140008000000000000003|gke-prod|update|-|alice@example.com|409|Conflict|-|Deployment/shop|10.128.0.9",
            "A1B2C3D4000140008000000000000004|gke-prod|delete|-|system:serviceaccount:kube-system:replicaset-controller|200|-|-|Pod/shop-7b9f5c6d8-q4zrt|10.128.0.9",
            "A1B2C3D4000140008000000000000005|gke-prod|get|-|system:node:gke-prod-pool-1-abcd|403|Forbidden|-|Node/gke-prod-pool-1-abcd|10.128.0.9",
        ]
    );
    // The 409 is a race with its base resourceVersion from the request body.
    let conflicts = json(&store, &["conflicts", "-o", "json"]);
    assert_eq!(conflicts["groups"][0]["baseResourceVersion"], "480");
    // The ownerReference of the Pod's body links it to its ReplicaSet.
    assert_eq!(store.rows("SELECT w.name FROM owner_refs r JOIN objects w ON w.id = r.owner_id"), ["shop-7b9f5c6d8"]);
}

#[test]
fn events_land_on_the_objects_they_mean() {
    let store = Store::new();
    let out = store.run(&["ingest", "-o", "json", testdata("event-quirks").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((&report["eventsAdded"], &report["eventsWithoutObject"]), (&Value::from(5), &Value::from(2)));
    // The summary counts what the store holds: no fake Node, no second etcd Pod.
    assert_eq!(report["objectsAdded"], 5);
    let objects = json(&store, &["objects", "-o", "json"]);
    let listed: Vec<String> = objects
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            format!(
                "{} {} {}/{} uid={} events={} controller={}",
                o["kind"].as_str().unwrap(),
                o["apiVersion"].as_str().unwrap(),
                o["namespace"].as_str().unwrap(),
                o["name"].as_str().unwrap(),
                o["uid"].as_str().unwrap_or("-"),
                o["events"],
                o["controller"].as_str().unwrap_or("-")
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            // The operator's `deployment` Event is the Deployment's; its apiVersion stays as dumped.
            "Deployment extensions/v1beta1 console/console uid=1b6f0e36-0000-4000-8000-000000000002 events=1 controller=-",
            // kubelet's Node Event, whose uid is the node's name, is the real Node's.
            "Node v1 /master-0 uid=1b6f0e36-0000-4000-8000-000000000001 events=1 controller=-",
            // kubelet's Event names the static Pod by its config hash: the mirror Pod has it.
            "Pod v1 openshift-etcd/etcd-master-0 uid=1b6f0e36-0000-4000-8000-000000000003 events=1 controller=Node/master-0",
            // Events about no one object are kept on their namespace.
            "Namespace v1 /default uid=- events=1 controller=-",
            "Namespace v1 /kube-system uid=- events=1 controller=-",
        ]
    );
    let trace = json(&store, &["trace", "pod/etcd-master-0", "--pipeline", "tree", "-o", "json"]);
    let names: Vec<&str> = trace["spans"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    // Children in time order: the Pod (08:01) before the Node's Event (08:02).
    assert_eq!(names, ["nodes master-0", "pods openshift-etcd/etcd-master-0", "Started", "NodeReady"]);
}

#[test]
fn events_recorded_only_by_the_audit_log_are_events() {
    let store = Store::new();
    let out = store.run(&["ingest", "-o", "json", testdata("audit-events").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Four Events from the audit log's bodies, one from the dump: the dump's is the same
    // version (uid and resourceVersion) as the audit log's create, and stored once.
    assert_eq!(
        (&report["events"], &report["eventsAdded"], &report["duplicatesSkipped"]),
        (&Value::from(5), &Value::from(4), &Value::from(1))
    );
    assert_eq!(
        store.rows(
            "SELECT e.api, e.reason, coalesce(e.resource_version, '-'), coalesce(e.count, 0), o.name FROM events e
             JOIN objects o ON o.id = e.object_id ORDER BY e.time_us, e.id"
        ),
        [
            "v1|Scheduled|701|1|web-1",
            "v1|BackOff|705|1|web-1",
            "v1|BackOff|709|2|web-1",
            "events.k8s.io/v1|Killing|-|0|web-1",
        ]
    );
}

#[test]
fn a_reused_audit_id_keeps_both_requests() {
    let store = Store::new();
    let out = store.run(&["ingest", "-o", "json", testdata("reused-audit-id").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (&report["requestsAdded"], &report["stagesMerged"], &report["auditIdsReused"], &report["duplicatesSkipped"]),
        (&Value::from(2), &Value::from(1), &Value::from(1), &Value::from(0))
    );
    // Both read as the ID the client set; the second's stages merged into its own row.
    let history = json(&store, &["history", "cm/settings", "-o", "json"]);
    let writes: Vec<String> = history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {} {}", e["request"]["auditId"], e["request"]["verb"], e["request"]["complete"]))
        .collect();
    assert_eq!(writes, ["\"client-set-id-1\" \"delete\" true"]);
    assert_eq!(store.rows("SELECT count(*), sum(stages) FROM requests"), ["2|9"]);
}

#[test]
fn a_cluster_scoped_owner_is_never_placed_in_its_dependents_namespace() {
    let owner = "SELECT kind, namespace, name FROM objects WHERE uid = '3d000000-0000-4000-8000-000000000002'";
    // The dependent first, alone: the owner's scope is unknown, its namespace a guess.
    let store = Store::new();
    assert!(store.ingest(&[&testdata("owner-scope/deployments.yaml")]).status.success());
    assert_eq!(store.rows(owner), ["ClusterVersion|openshift-cluster-version|version"]);
    // Its own dump, in a later ingest, says where it lives.
    assert!(store.ingest(&[&testdata("owner-scope/clusterversions.yaml")]).status.success());
    assert_eq!(store.rows(owner), ["ClusterVersion||version"]);
    // Both together, in either order: the same.
    for order in [["deployments.yaml", "clusterversions.yaml"], ["clusterversions.yaml", "deployments.yaml"]] {
        let store = Store::new();
        for file in order {
            assert!(store.ingest(&[&testdata(&format!("owner-scope/{file}"))]).status.success());
        }
        assert_eq!(store.rows(owner), ["ClusterVersion||version"], "{order:?}");
        let trace = json(&store, &["trace", "deploy/cluster-version-operator", "--pipeline", "tree", "-o", "json"]);
        let names: Vec<&str> = trace["spans"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            ["clusterversions version", "deployments openshift-cluster-version/cluster-version-operator"]
        );
    }
}

#[test]
fn a_kelemetry_parent_link_is_an_ownership_link_marked_as_such() {
    let store = ingested("parent-link");
    let trace = json(&store, &["trace", "deploy/checkout", "--pipeline", "tree", "-o", "json"]);
    let spans: Vec<String> = trace["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{} {} {}", s["name"].as_str().unwrap(), s["tags"]["cluster"], s["tags"]["ownerLink"]))
        .collect();
    // The parent lives in another cluster, as the annotation says.
    assert_eq!(
        spans,
        ["federateddeployments shop/checkout \"host\" null", "deployments shop/checkout \"default\" \"annotation\""]
    );
}

#[test]
fn an_explicit_cluster_wins_over_a_gke_label_but_not_over_a_kelemetry_dump() {
    let store = Store::new();
    let files = [testdata("formats/gke-read.json"), testdata("formats/kelemetry-dump.jsonl")];
    let out = store.run(&["ingest", "-q", "--cluster", "eu-1", files[0].to_str().unwrap(), files[1].to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        store.rows(
            "SELECT c.name, count(*) FROM requests r JOIN clusters c ON c.id = r.cluster_id GROUP BY 1 ORDER BY 1"
        ),
        ["eu-1|2", "prod-eu|2"]
    );
}

fn pod_create(n: u32, name: &str, rest: &str) -> String {
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"6f000000-0000-4000-8000-00000000000{n}","stage":"ResponseComplete","verb":"create","user":{{"username":"alice"}},"requestReceivedTimestamp":"2024-01-01T00:00:0{n}Z","stageTimestamp":"2024-01-01T00:00:0{n}.004Z","objectRef":{{"resource":"pods","namespace":"a","name":"{name}","apiVersion":"v1"}},"responseStatus":{{"code":201}},"responseObject":{{"kind":"Pod","apiVersion":"v1","metadata":{{"name":"{name}","namespace":"a","uid":"6f000000-0000-4000-8000-00000000010{n}","resourceVersion":"{n}"}}{rest}}}}}"#
    )
}

/// Nothing is stored that cannot be read back: a body nested past the limit is a bad record
/// with its line, and a lone surrogate escape (valid JSON, but no character) becomes U+FFFD.
#[test]
fn bodies_are_stored_only_as_they_read_back() {
    let store = Store::new();
    let log = store.dir().join("odd.log");
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let lines = [
        pod_create(1, "deep", &format!(r#","spec":{deep}"#)),
        pod_create(2, "odd", r#","spec":{"hostname":"x\ud800y"}"#),
        pod_create(3, "plain", ""),
    ];
    std::fs::write(&log, lines.map(|l| format!("{l}\n")).concat()).unwrap();
    let out = store.ingest(&[&log]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("odd.log:1: a body nested more than 100 levels deep"), "{}", stderr(&out));
    assert_eq!(store.rows("SELECT name FROM objects ORDER BY name"), ["odd", "plain"]);
    let history = json(&store, &["history", "pod/odd", "-n", "a", "-o", "json"]);
    let changes = history["entries"][0]["changes"].as_array().unwrap();
    let hostname = changes.iter().find(|c| c["path"] == "spec.hostname").unwrap();
    assert_eq!(hostname["new"], "x\u{fffd}y");
    let trace = store.run(&["trace", "pod/odd", "-n", "a", "--pipeline", "tree"]);
    assert_eq!(trace.status.code(), Some(0), "{}", stderr(&trace));
}

/// A stored body that cannot be read back (a store written by an older version) costs only
/// itself: the trace and history of its object render, and say what is unknown and why.
#[test]
fn a_body_that_cannot_be_read_back_costs_only_itself() {
    let store = Store::new();
    let log = store.dir().join("pod.log");
    std::fs::write(&log, format!("{}\n", pod_create(7, "p", ""))).unwrap();
    assert_eq!(store.ingest(&[&log]).status.code(), Some(0));
    let deep = format!(r#"{{"kind":"Pod","spec":{}{}}}"#, "[".repeat(3000), "]".repeat(3000));
    let mut blocks = kelemetry_cli::model::block::BodyBlocks::default();
    blocks.push(deep.as_bytes());
    let conn = store.conn();
    conn.execute("UPDATE state_blocks SET data = ?1", [&blocks.finish()[0]]).unwrap();
    conn.execute("UPDATE object_states SET block_offset = 0, body_len = ?1", [deep.len() as i64]).unwrap();
    let trace = store.run(&["trace", "pod/p", "-n", "a", "--pipeline", "tree"]);
    assert_eq!(trace.status.code(), Some(0), "{}", stderr(&trace));
    let history = json(&store, &["history", "pod/p", "-n", "a", "-o", "json"]);
    let note = &history["entries"][0]["notes"][1];
    assert_eq!((&note["kind"], &note["resourceVersion"]), (&Value::from("unreadable"), &Value::from("7")));
    assert!(note["reason"].as_str().unwrap().contains("recursion limit"), "{note}");
}
