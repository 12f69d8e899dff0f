//! Secret values never reach the store or any output, in every shape a Secret arrives in:
//! audit bodies with and without `kind`, patches, subresources, envelopes, dumps, lists,
//! YAML, compressed files. Each shape is its own Secret (`s01`, `s02`, ...), so the test
//! also checks that each was stored, redacted, rather than dropped.

use std::io::Write;

use crate::common::{self, Store};
use serde_json::{Value, json};

const MARK: &str = "TOPSECRET-marker";
/// `MARK` in base64, as `data` holds it.
const MARK64: &str = "VE9QU0VDUkVULW1hcmtlcg==";
const NS: &str = "vault";

/// A Secret's body: `data`, `stringData` and a last-applied copy all hold the marker.
fn secret(name: &str, type_meta: Option<(&str, &str)>) -> Value {
    let last_applied = json!({"apiVersion": "v1", "kind": "Secret", "stringData": {"token": MARK}}).to_string();
    let mut body = json!({
        "metadata": {"name": name, "namespace": NS, "uid": uid(name), "resourceVersion": "10",
                     "creationTimestamp": "2024-09-01T10:00:00Z",
                     "annotations": {"kubectl.kubernetes.io/last-applied-configuration": last_applied,
                                     "team": "payments"}},
        "data": {"password": MARK64}, "stringData": {"token": MARK}, "type": "Opaque"});
    if let Some((kind, api_version)) = type_meta {
        body["kind"] = kind.into();
        body["apiVersion"] = api_version.into();
    }
    body
}

fn uid(name: &str) -> String {
    let n: u32 = name.trim_start_matches('s').parse().unwrap();
    format!("5e000000-0000-4000-8000-{n:012}")
}

/// An audit event of a request on `secrets`.
fn audit(name: &str, verb: &str, object_ref: Value, request: Value, response: Value) -> Value {
    let n: u32 = name.trim_start_matches('s').parse().unwrap();
    let mut object_ref = object_ref;
    object_ref["namespace"] = NS.into();
    object_ref["name"] = name.into();
    json!({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
        "auditID": format!("5e100000-0000-4000-8000-{n:012}"), "stage": "ResponseComplete",
        "requestURI": format!("/api/v1/namespaces/{NS}/secrets/{name}"), "verb": verb,
        "user": {"username": "alice"}, "objectRef": object_ref,
        "responseStatus": {"code": 200}, "requestObject": request, "responseObject": response,
        "requestReceivedTimestamp": format!("2024-09-01T10:00:{n:02}.000000Z"),
        "stageTimestamp": format!("2024-09-01T10:00:{n:02}.004000Z")})
}

fn core_secrets() -> Value {
    json!({"resource": "secrets", "apiVersion": "v1"})
}

fn yaml(value: &Value) -> String {
    serde_norway::to_string(value).unwrap()
}

/// Each shape: a file name and its bytes.
fn shapes() -> Vec<(&'static str, Vec<u8>)> {
    let line = |v: Value| format!("{v}\n").into_bytes();
    let typed = Some(("Secret", "v1"));
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(&line(audit("s20", "create", core_secrets(), secret("s20", None), secret("s20", typed)))).unwrap();
    let gke = json!({
        "insertId": "s21-insert", "logName": "projects/p/logs/cloudaudit.googleapis.com%2Factivity",
        "operation": {"id": "5e210000-0000-4000-8000-000000000021", "first": true, "last": true},
        "protoPayload": {"@type": "type.googleapis.com/google.cloud.audit.AuditLog",
            "authenticationInfo": {"principalEmail": "alice@example.com"},
            "methodName": "io.k8s.core.v1.secrets.create",
            "resourceName": format!("core/v1/namespaces/{NS}/secrets/s21"),
            "status": {"code": 0},
            "request": secret("s21", typed), "response": secret("s21", typed)},
        "resource": {"type": "k8s_cluster", "labels": {"cluster_name": "prod"}},
        "timestamp": "2024-09-01T10:00:21Z"});
    let embedded =
        |name: &str| audit(name, "create", core_secrets(), secret(name, None), secret(name, None)).to_string();
    vec![
        // Audit bodies that do not say what they are: the request's resource does.
        (
            "01-create-no-kind.log",
            line(audit("s01", "create", core_secrets(), secret("s01", None), secret("s01", None))),
        ),
        (
            "02-update-kind.log",
            line(audit("s02", "update", core_secrets(), secret("s02", typed), secret("s02", typed))),
        ),
        (
            "03-lower-case-kind.log",
            line(audit("s03", "update", core_secrets(), secret("s03", None), secret("s03", Some(("secret", "v1"))))),
        ),
        (
            "04-merge-patch.log",
            line(audit("s04", "patch", core_secrets(), json!({"data": {"password": MARK64}}), secret("s04", None))),
        ),
        (
            "05-json-patch.log",
            line(audit(
                "s05",
                "patch",
                core_secrets(),
                json!([{"op": "replace", "path": "/stringData/token", "value": MARK}]),
                secret("s05", typed),
            )),
        ),
        (
            "06-status-subresource.log",
            line(audit(
                "s06",
                "update",
                json!({"resource": "secrets", "apiVersion": "v1", "subresource": "status"}),
                secret("s06", None),
                secret("s06", None),
            )),
        ),
        (
            "07-body-claims-configmap.log",
            line(audit("s07", "update", core_secrets(), secret("s07", None), secret("s07", Some(("ConfigMap", "v1"))))),
        ),
        ("08-delete.log", line(audit("s08", "delete", core_secrets(), json!(null), secret("s08", typed)))),
        (
            "09-no-api-version-in-ref.log",
            line(audit("s09", "create", json!({"resource": "secrets"}), secret("s09", None), secret("s09", None))),
        ),
        (
            "10-other-group.log",
            line(audit(
                "s10",
                "create",
                json!({"resource": "secrets", "apiGroup": "example.com", "apiVersion": "v1"}),
                secret("s10", None),
                secret("s10", None),
            )),
        ),
        (
            "11-array-of-events.json",
            json!([audit("s11", "create", core_secrets(), secret("s11", None), secret("s11", None))])
                .to_string()
                .into_bytes(),
        ),
        // Dumps.
        ("12-dump.json", serde_json::to_vec_pretty(&secret("s12", typed)).unwrap()),
        ("13-dump.yaml", yaml(&secret("s13", typed)).into_bytes()),
        (
            "14-kubectl-list.json",
            serde_json::to_vec_pretty(&json!({"kind": "List", "apiVersion": "v1", "items": [secret("s14", typed)]}))
                .unwrap(),
        ),
        (
            // The apiserver's own list: items without kind or apiVersion.
            "15-secret-list.json",
            json!({"kind": "SecretList", "apiVersion": "v1", "metadata": {"resourceVersion": "99"},
                   "items": [secret("s15", None)]})
            .to_string()
            .into_bytes(),
        ),
        (
            "16-stream.yaml",
            format!("# {{\"time\":\"2024-09-01T10:00:16Z\"}}\n---\n{}---\n", yaml(&secret("s16", typed))).into_bytes(),
        ),
        (
            "17-list.yaml",
            yaml(&json!({"kind": "List", "apiVersion": "v1", "items": [secret("s17", typed)]})).into_bytes(),
        ),
        ("18-other-group-kind.json", line(secret("s18", Some(("Secret", "example.com/v1"))))),
        ("19-json-annotation.json", {
            let mut body = secret("s19", typed);
            body["metadata"]["annotations"]["tool.example.com/applied"] =
                json!({"data": {"password": MARK64}}).to_string().into();
            line(body)
        }),
        ("20-gzip.log.gz", gzip.finish().unwrap()),
        // Envelopes.
        ("21-gke.jsonl", line(gke)),
        ("22-aks.json", line(json!({"records": [{"properties": {"log": embedded("s22")}}]}))),
        ("23-eks.json", line(json!({"events": [{"message": embedded("s23")}]}))),
    ]
}

#[test]
fn secret_values_are_redacted_in_every_shape() {
    let shapes = shapes();
    assert!(shapes.len() >= 20);
    let store = Store::new();
    let paths: Vec<_> = shapes
        .iter()
        .map(|(name, bytes)| {
            let path = store.dir().join(name);
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect();
    let out = store.ingest(&paths.iter().map(|p| p.as_path()).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));

    // Every shape's Secret is there, redacted.
    let stored = store.rows(&format!(
        "SELECT DISTINCT o.name FROM objects o JOIN object_states s ON s.object_id = o.id \
         WHERE o.namespace = '{NS}' ORDER BY o.name"
    ));
    let expected: Vec<String> = (1..=shapes.len()).map(|n| format!("s{n:02}")).collect();
    assert_eq!(stored, expected);

    let mut everything = std::fs::read(&store.path).unwrap();
    let conn = store.conn();
    let mut blocks = conn.prepare("SELECT data FROM state_blocks").unwrap();
    for block in blocks.query_map([], |r| r.get::<_, Vec<u8>>(0)).unwrap() {
        everything.extend(kelemetry_cli::model::block::inflate_block(&block.unwrap()).unwrap());
    }
    for args in [&["objects", "-n", NS][..], &["objects", "-n", NS, "-o", "json"], &["stats", "-o", "json"]] {
        everything.extend(store.run(args).stdout);
    }
    for name in &expected {
        // By uid: two of the Secrets are of another group.
        let uid = uid(name);
        for args in [
            &["history", "--uid", &uid][..],
            &["history", "--uid", &uid, "-o", "json"],
            &["trace", "--uid", &uid, "--pipeline", "tree", "--wide"],
            &["trace", "--uid", &uid, "-o", "jaeger"],
            &["trace", "--uid", &uid, "-o", "otlp"],
            &["trace", "--uid", &uid, "-o", "perfetto"],
        ] {
            let out = store.run(args);
            assert!(out.status.success(), "{args:?}: {}", common::stderr(&out));
            everything.extend(out.stdout);
        }
    }
    let text = String::from_utf8_lossy(&everything);
    for mark in [MARK, MARK64] {
        assert!(!text.contains(mark), "{mark} reached the store or an output");
    }
    // What is not a value stays readable.
    assert!(text.contains("payments"));
}
