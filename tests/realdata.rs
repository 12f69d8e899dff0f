//! Conformance over real third-party captures in `../shared/realdata` (see its SOURCES.md).
//! Skipped, with a notice, where that folder is absent.

use crate::common::{Store, realdata, stderr};

#[test]
fn audit2rbac_metadata_log() {
    let Some(dir) = realdata("audit2rbac_metadata_log") else { return };
    let store = Store::new();
    let out = store.ingest(&[&dir.join("audit2rbac/demo.log")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(store.count("SELECT count(*) FROM requests"), 37);
    assert_eq!(store.rows("SELECT code, count(*) FROM requests GROUP BY code ORDER BY code"), ["200|26", "403|11"]);
    assert_eq!(store.count("SELECT count(*) FROM requests WHERE impersonated_id IS NOT NULL"), 37);
    assert_eq!(store.count("SELECT count(*) FROM requests WHERE level = 1"), 37);
}

#[test]
fn falco_captures_with_their_malformed_file() {
    let Some(dir) = realdata("falco_captures_with_their_malformed_file") else { return };
    let store = Store::new();
    let out = store.run(&["ingest", "-o", "json", dir.join("falco").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "one malformed file");
    assert!(stderr(&out).contains("falco/fal_01_003.json:1: `kind` is not a string"), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["auditEvents"], 51);
    assert_eq!(report["badRecords"], 1);
    // Two pairs of captures share an auditID. One pair is the same Pod create in two files;
    // the other is two requests (system:anonymous and some-user creating namespace foo) that
    // the captures' authors gave one ID: each is kept, and counted.
    assert_eq!(report["duplicatesSkipped"], 1);
    assert_eq!(report["auditIdsReused"], 1);
    assert_eq!(report["stagesMerged"], 0);
    assert_eq!(report["requestsAdded"], 50);
    // Whichever came first keeps the plain ID; the other's key adds when it was received.
    assert_eq!(
        store
            .rows(
                "SELECT u.value, length(r.audit_id) FROM requests r JOIN strings u ON u.id = r.user_id
             WHERE hex(r.audit_id) LIKE '841D3E6D90D243DF8DA4684738BEE3D5%' ORDER BY u.value"
            )
            .iter()
            .map(|row| row.split('|').next().unwrap())
            .collect::<Vec<_>>(),
        ["some-user", "system:anonymous"]
    );
    assert_eq!(
        store.rows("SELECT length(audit_id) FROM requests WHERE hex(audit_id) LIKE '841D3E6D90D243DF8DA4684738BEE3D5%' ORDER BY 1"),
        ["16", "25"]
    );
    // The replicaset-controller's Pod creates carry ownerReferences to their ReplicaSet.
    assert_eq!(
        store.rows(
            "SELECT o.name, w.kind, w.name, w.uid, r.controller FROM owner_refs r
             JOIN objects o ON o.id = r.object_id JOIN objects w ON w.id = r.owner_id
             WHERE o.name = 'nginx-deployment-5cdcc99dbf-rgw6z'"
        ),
        [
            "nginx-deployment-5cdcc99dbf-rgw6z|ReplicaSet|nginx-deployment-5cdcc99dbf|8c800470-d85f-11e8-88b6-080027728ac4|1"
        ]
    );
    assert_eq!(
        store
            .count("SELECT count(*) FROM owner_refs r JOIN objects w ON w.id = r.owner_id WHERE w.kind = 'ReplicaSet'"),
        9
    );
}

#[test]
fn aks_envelopes_bom_and_already_exists() {
    let Some(dir) = realdata("aks_envelopes_bom_and_already_exists") else { return };
    let store = Store::new();
    let out = store.ingest(&[&dir.join("aks-audit-log")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // 22 records in event.json, the BOM sample, the single Event Hubs record.
    assert_eq!(store.count("SELECT count(*) FROM requests"), 24);
    assert_eq!(
        store.rows("SELECT r.code, s.value FROM requests r JOIN strings s ON s.id = r.reason_id WHERE r.code = 409"),
        ["409|AlreadyExists"]
    );
    assert_eq!(
        store.rows(
            "SELECT o.kind, w.kind, w.name FROM owner_refs r JOIN objects o ON o.id = r.object_id
             JOIN objects w ON w.id = r.owner_id"
        ),
        ["ControllerRevision|DaemonSet|kube-proxy"]
    );
}

#[test]
fn apisnoop_long_user_agents() {
    let Some(dir) = realdata("apisnoop_long_user_agents") else { return };
    let store = Store::new();
    assert!(store.ingest(&[&dir.join("apisnoop/example-user-agent.log")]).status.success());
    assert_eq!(store.rows("SELECT code, count(*) FROM requests GROUP BY code"), ["200|8"]);
    assert!(store.count("SELECT max(length(value)) FROM strings") > 1000, "the stack-trace user agents are kept whole");
}

#[test]
fn kspan_rollout_recording() {
    let Some(dir) = realdata("kspan_rollout_recording") else { return };
    let store = Store::new();
    assert!(store.ingest(&[&dir.join("kspan/deployment-2-pods.yaml")]).status.success());
    assert_eq!(store.count("SELECT count(*) FROM events"), 19);
    assert_eq!(
        store.rows("SELECT kind, count(*) FROM objects GROUP BY kind ORDER BY kind"),
        ["Deployment|1", "Pod|4", "ReplicaSet|2"]
    );
    assert_eq!(
        store.rows(
            "SELECT w.name, count(*) FROM owner_refs r JOIN objects w ON w.id = r.owner_id GROUP BY w.name ORDER BY w.name"
        ),
        ["px|2", "px-5d567cc74c|2", "px-7df978b9bf|2"]
    );
    // The scheduler's Events have eventTime and no lastTimestamp.
    assert_eq!(
        store.count(
            "SELECT count(*) FROM events WHERE reason = 'Scheduled' AND last_us IS NULL AND time_us = event_time_us"
        ),
        2
    );
    // Snapshots carry the time of the comment before them.
    assert_eq!(store.count("SELECT count(*) FROM object_states WHERE observed_us IS NULL"), 0);
}

#[test]
fn must_gather_deployment_tree() {
    let Some(dir) = realdata("must_gather_deployment_tree") else { return };
    let store = Store::new();
    let out = store.ingest(&[&dir.join("must-gather-clean/must-gather-metal/namespaces/openshift-apiserver")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(store.count("SELECT count(*) FROM events"), 143);
    assert_eq!(
        store.rows(
            "SELECT w.kind, w.name, o.kind, count(*) FROM owner_refs r JOIN objects o ON o.id = r.object_id
             JOIN objects w ON w.id = r.owner_id WHERE r.controller = 1 AND w.kind IN ('Deployment', 'ReplicaSet')
             GROUP BY w.id, o.kind ORDER BY w.name"
        ),
        ["Deployment|apiserver|ReplicaSet|2", "ReplicaSet|apiserver-5b477c588d|Pod|3"]
    );
    assert_eq!(store.count("SELECT count(*) FROM events WHERE event_time_us IS NOT NULL AND last_us IS NULL"), 18);
}

#[test]
fn the_whole_corpus_in_one_run() {
    let Some(dir) = realdata("the_whole_corpus_in_one_run") else { return };
    let store = Store::new();
    let out = store.run(&["ingest", "-o", "json", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    // Each problem is named with its file and line, and costs nothing around it: falco's
    // malformed file.
    let prefix = format!("kelemetry-cli: {}/", dir.display());
    let mut problems: Vec<String> = stderr(&out)
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(|l| l.split(": ").next().unwrap().to_owned())
        .collect();
    problems.sort();
    assert_eq!(problems, ["falco/fal_01_003.json:1"], "{}", stderr(&out));
    // What is plainly not Kubernetes data is skipped and counted, not reported: SOURCES.md,
    // and the must-gather archive's container logs, HTML and etcd status JSON.
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let skipped: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "skipped")
        .map(|f| f["path"].as_str().unwrap().strip_prefix(&prefix[15..]).unwrap())
        .collect();
    assert_eq!(skipped.len(), 459);
    assert_eq!(skipped[0], "SOURCES.md");
    assert!(skipped.iter().skip(1).all(|p| p.starts_with("must-gather-clean/must-gather-azure.tar.xz!")));
    // audit2rbac, falco, AKS, apisnoop, and khi's three GKE entries and one audit.k8s.io
    // Event in YAML.
    assert_eq!(store.count("SELECT count(*) FROM requests"), 37 + 50 + 24 + 8 + 3 + 1);
    assert_eq!(store.count("SELECT count(*) FROM events"), 5899);
}

#[test]
fn a_must_gather_archive_reads_as_its_extracted_folder() {
    let Some(dir) = realdata("a_must_gather_archive_reads_as_its_extracted_folder") else { return };
    let archive = dir.join("must-gather-clean/must-gather-azure.tar.xz");
    let store = Store::new();
    let out = store.run(&["ingest", "-o", "json", archive.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (&report["badRecords"], &report["eventsAdded"], &report["objectsDumped"]),
        (&0.into(), &5302.into(), &3371.into())
    );
    let members = report["files"].as_array().unwrap();
    let by_status = |status: &str| members.iter().filter(|f| f["status"] == status).count();
    // 3,573 files, 819 of them the same bytes as another (empty or repeated).
    assert_eq!(
        (by_status("ingested"), by_status("repeated"), by_status("skipped"), by_status("alreadyIngested")),
        (2296, 819, 458, 0)
    );
    let named =
        members.iter().find(|f| f["path"].as_str().unwrap().ends_with("namespaces/openshift-etcd/core/events.yaml"));
    assert!(named.unwrap()["path"].as_str().unwrap().contains("must-gather-azure.tar.xz!must-gather-azure/"));
    // Each member has the fingerprint of its bytes: the extracted folder adds nothing.
    let folder = tempfile::tempdir().unwrap();
    let untar = std::process::Command::new("tar").arg("xJf").arg(&archive).arg("-C").arg(folder.path()).status();
    if untar.is_ok_and(|s| s.success()) {
        let again = store.run(&["ingest", "-o", "json", folder.path().to_str().unwrap()]);
        let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
        assert_eq!((&again["eventsAdded"], &again["objectsAdded"]), (&0.into(), &0.into()));
    }
}

/// `kind name [link] events` per object span of a tree trace, and a check that every Event
/// hangs below the object it is about (kubectl names Events `<involved object>.<hex>`).
fn traced_objects(store: &Store, args: &[&str]) -> Vec<String> {
    let mut all = vec!["trace", "--pipeline", "tree", "-o", "json"];
    all.extend(args);
    let out = store.run(&all);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let trace: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let spans = trace["spans"].as_array().unwrap();
    let mut lines = Vec::new();
    for object in spans.iter().filter(|s| s["kind"] == "object") {
        let events: Vec<&serde_json::Value> =
            spans.iter().filter(|s| s["parent"] == object["id"] && s["kind"] == "event").collect();
        let prefix =
            format!("{}/{}.", object["tags"]["namespace"].as_str().unwrap(), object["tags"]["name"].as_str().unwrap());
        for event in &events {
            assert!(event["tags"]["event"].as_str().unwrap().starts_with(&prefix), "{event} is not about {prefix}");
        }
        lines.push(format!(
            "{} {} {}",
            object["name"].as_str().unwrap(),
            object["tags"]["ownerLink"].as_str().unwrap_or("root"),
            events.len()
        ));
    }
    lines
}

#[test]
fn kspan_rollout_traces_across_both_replicasets() {
    let Some(dir) = realdata("kspan_rollout_traces_across_both_replicasets") else { return };
    let store = Store::new();
    assert!(store.ingest(&[&dir.join("kspan/deployment-2-pods.yaml")]).status.success());
    assert_eq!(
        traced_objects(&store, &["deploy/px"]),
        [
            "deployments default/px root 4",
            "replicasets default/px-7df978b9bf controller 2",
            "pods default/px-7df978b9bf-bfdrj controller 1",
            "pods default/px-7df978b9bf-jm22q controller 1",
            "replicasets default/px-5d567cc74c controller 2",
            "pods default/px-5d567cc74c-ss4lb controller 5",
            "pods default/px-5d567cc74c-pmvzr controller 4",
        ]
    );
    // From a pod, the trace is still the Deployment's.
    assert_eq!(traced_objects(&store, &["pod/px-5d567cc74c-ss4lb"]).len(), 7);
}

#[test]
fn must_gather_apiserver_traces_with_both_replicasets() {
    let Some(dir) = realdata("must_gather_apiserver_traces_with_both_replicasets") else { return };
    let store = Store::new();
    let out = store.ingest(&[&dir.join("must-gather-clean/must-gather-metal/namespaces/openshift-apiserver")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The old ReplicaSet's Pods are gone from the dump: only their Events and names remain,
    // so their ownership is inferred from the names.
    assert_eq!(
        traced_objects(&store, &["deploy/apiserver", "-n", "openshift-apiserver"]),
        [
            "deployments openshift-apiserver/apiserver root 7",
            "replicasets openshift-apiserver/apiserver-869f7f67bc controller 6",
            "pods openshift-apiserver/apiserver-869f7f67bc-682s7 inferred 22",
            "pods openshift-apiserver/apiserver-869f7f67bc-4d79b inferred 23",
            "pods openshift-apiserver/apiserver-869f7f67bc-wgztl inferred 21",
            "replicasets openshift-apiserver/apiserver-5b477c588d controller 3",
            "pods openshift-apiserver/apiserver-5b477c588d-txxdb controller 15",
            "pods openshift-apiserver/apiserver-5b477c588d-69kq8 controller 15",
            "pods openshift-apiserver/apiserver-5b477c588d-dd64c controller 18",
        ]
    );
}

#[test]
fn gke_cloud_logging_entries_in_yaml() {
    let Some(dir) = realdata("gke_cloud_logging_entries_in_yaml") else { return };
    let store = Store::new();
    let out = store.run(&["ingest", "--cluster", "sample-cluster", dir.join("khi/k8s_audit").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        store.rows(
            "SELECT c.name, v.value, coalesce(sr.value, ''), u.value, r.code, o.name FROM requests r
             JOIN clusters c ON c.id = r.cluster_id JOIN strings v ON v.id = r.verb_id
             LEFT JOIN strings sr ON sr.id = r.subresource_id JOIN strings u ON u.id = r.user_id
             JOIN objects o ON o.id = r.object_id ORDER BY r.received_us, v.value"
        ),
        [
            "sample-cluster|create||system:serviceaccount:kube-system:replicaset-controller|200|nginx-deployment-surge-8655b4b8c5-xf5f4",
            "sample-cluster|patch|status|system:node:gke-sample-cluster-default-abcdefgh-abcd|200|nginx-deployment-surge-8655b4b8c5-xf5f4",
            "sample-cluster|patch|status|system:node:gke-sample-cluster-default-abcdefgh-abcd|200|nginx-deployment-surge-8655b4b8c5-xf5f4",
        ]
    );
    // The entries and the Pod manifests beside them name the same Pod.
    assert_eq!(store.count("SELECT count(*) FROM objects WHERE name = 'nginx-deployment-surge-8655b4b8c5-xf5f4'"), 1);
}
