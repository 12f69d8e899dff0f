//! Stored records written back as the Kubernetes API writes them: a request as an
//! `audit.k8s.io/v1` Event, an Event version as a `v1` Event. The store keeps what
//! kelemetry-cli reads of the originals, so these are rebuilt from it: what `ingest` takes
//! back into the same rows (the `rawJson` of exported files, and what a slice of them
//! brings back), not the original bytes.

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use crate::model::Level;
use crate::model::kinds::version_of;
use crate::model::time::format_micros;
use crate::store::read::{EventRow, ObjectRow};
use crate::store::requests::RequestLine;

/// `deployments.apps` → (`deployments`, `apps`); `pods` → (`pods`, ``).
pub fn split_resource(resource: &str) -> (&str, &str) {
    resource.split_once('.').unwrap_or((resource, ""))
}

/// The path the apiserver was asked for, for a request on the object named `name`.
fn object_uri(line: &RequestLine, name: &str, api_version: Option<&str>) -> String {
    let (resource, group) = split_resource(line.resource.as_deref().unwrap_or_default());
    let version = api_version.map(version_of).filter(|v| !v.is_empty()).unwrap_or("v1");
    let mut uri = if group.is_empty() { "/api/v1".to_owned() } else { format!("/apis/{group}/{version}") };
    if let Some(namespace) = line.namespace.as_deref().filter(|n| !n.is_empty()) {
        uri.push_str(&format!("/namespaces/{namespace}"));
    }
    uri.push_str(&format!("/{resource}/{name}"));
    if let Some(sub) = &line.request.subresource {
        uri.push_str(&format!("/{sub}"));
    }
    if let Some(manager) = &line.request.field_manager {
        uri.push_str(&format!("?fieldManager={manager}"));
    }
    uri
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AuditEvent<'a> {
    kind: &'static str,
    api_version: &'static str,
    level: &'static str,
    #[serde(rename = "auditID")]
    audit_id: &'a str,
    stage: &'static str,
    #[serde(rename = "requestURI")]
    request_uri: &'a str,
    verb: &'a str,
    user: User<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    impersonated_user: Option<Username<'a>>,
    #[serde(rename = "sourceIPs", skip_serializing_if = "Option::is_none")]
    source_ips: Option<[&'a str; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_agent: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object_ref: Option<ObjectReference<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_status: Option<ResponseStatus<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_object: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_object: Option<&'a RawValue>,
    request_received_timestamp: String,
    stage_timestamp: String,
}

#[derive(Serialize)]
struct User<'a> {
    username: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    groups: Vec<&'a str>,
}

#[derive(Serialize)]
struct Username<'a> {
    username: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectReference<'a> {
    resource: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_group: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subresource: Option<&'a str>,
}

#[derive(Serialize)]
struct ResponseStatus<'a> {
    metadata: Empty,
    code: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

#[derive(Serialize)]
struct Empty {}

/// A body as stored, to be written into an event as it is; `None` for one that is not JSON.
pub fn raw_body(bytes: &[u8]) -> Option<Box<RawValue>> {
    RawValue::from_string(String::from_utf8(bytes.to_vec()).ok()?).ok()
}

/// A request as an audit Event, as one line of JSON: `api_version` is its object's
/// (`apps/v1`), `request_object` the body the store kept (a patch, a binding),
/// `response_object` the state the write produced; both are written as they are stored.
pub fn audit_event(
    line: &RequestLine,
    api_version: Option<&str>,
    request_object: Option<&RawValue>,
    response_object: Option<&RawValue>,
) -> (String, String) {
    let request = &line.request;
    let uri = match (&line.name, &line.uri) {
        (_, Some(uri)) => uri.clone(),
        (Some(name), None) => object_uri(line, name, api_version),
        (None, None) => String::new(),
    };
    let object_ref = line.resource.as_deref().map(|resource| {
        let (resource, group) = split_resource(resource);
        ObjectReference {
            resource,
            namespace: line.namespace.as_deref().filter(|n| !n.is_empty()),
            name: line.name.as_deref(),
            uid: line.uid.as_deref(),
            api_group: Some(group).filter(|g| !g.is_empty()),
            api_version: api_version.map(version_of),
            resource_version: request.base_rv.as_deref(),
            subresource: request.subresource.as_deref(),
        }
    });
    let event = AuditEvent {
        kind: "Event",
        api_version: "audit.k8s.io/v1",
        level: Level::name_of(request.level),
        audit_id: &request.audit_id,
        stage: if request.complete { "ResponseComplete" } else { "RequestReceived" },
        request_uri: &uri,
        verb: &request.verb,
        user: User {
            username: &request.user,
            groups: line.groups.as_deref().map_or_else(Vec::new, |g| g.split(',').collect()),
        },
        impersonated_user: request.impersonated_user.as_deref().map(|username| Username { username }),
        source_ips: request.source_ip.as_deref().map(|ip| [ip]),
        user_agent: request.user_agent.as_deref(),
        object_ref,
        response_status: request.code.map(|code| ResponseStatus {
            metadata: Empty {},
            code,
            reason: request.reason.as_deref(),
            message: request.message.as_deref(),
        }),
        request_object,
        response_object,
        request_received_timestamp: format_micros(request.received_us),
        stage_timestamp: format_micros(if request.complete { request.completed_us } else { request.received_us }),
    };
    let json = serde_json::to_string(&event).expect("an audit event serializes");
    (json, uri)
}

/// An Event version as a `v1` Event (what `kubectl get events -o json` lists).
pub fn kubernetes_event(row: &EventRow, object: &ObjectRow) -> Value {
    let e = &row.details;
    let mut metadata = json!({"name": e.name, "namespace": e.namespace});
    if let Some(uid) = &e.uid {
        metadata["uid"] = json!(uid);
    }
    if let Some(rv) = &e.resource_version {
        metadata["resourceVersion"] = json!(rv);
    }
    let mut involved = json!({"kind": object.kind, "namespace": object.namespace, "name": object.name});
    if !object.api_version.is_empty() {
        involved["apiVersion"] = json!(object.api_version);
    }
    if let Some(uid) = &object.uid {
        involved["uid"] = json!(uid);
    }
    if let Some(path) = &e.field_path {
        involved["fieldPath"] = json!(path);
    }
    let mut event = json!({"kind": "Event", "apiVersion": "v1", "metadata": metadata, "involvedObject": involved});
    let mut set = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            event[key] = value;
        }
    };
    let time = |us: Option<i64>| us.map(|us| json!(format_micros(us)));
    set("reason", e.reason.as_ref().map(|v| json!(v)));
    set("message", e.message.as_ref().map(|v| json!(v)));
    set("type", e.event_type.as_ref().map(|v| json!(v)));
    set("action", e.action.as_ref().map(|v| json!(v)));
    set("reportingComponent", e.reporting_component.as_ref().map(|v| json!(v)));
    set("reportingInstance", e.reporting_instance.as_ref().map(|v| json!(v)));
    set("count", e.count.map(|v| json!(v)));
    set("firstTimestamp", time(e.first_us));
    set("lastTimestamp", time(e.last_us));
    set("eventTime", time(e.event_time_us));
    let mut source = Map::new();
    if let Some(component) = &e.source_component {
        source.insert("component".into(), json!(component));
    }
    if let Some(host) = &e.source_host {
        source.insert("host".into(), json!(host));
    }
    if !source.is_empty() {
        event["source"] = Value::Object(source);
    }
    if e.series_count.is_some() || e.series_last_us.is_some() {
        let mut series = json!({});
        if let Some(count) = e.series_count {
            series["count"] = json!(count);
        }
        if let Some(last) = e.series_last_us {
            series["lastObservedTime"] = json!(format_micros(last));
        }
        event["series"] = series;
    }
    event
}
