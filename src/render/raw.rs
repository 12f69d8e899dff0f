//! Stored records written back as the Kubernetes API writes them: a request as an
//! `audit.k8s.io/v1` Event, an Event version as a `v1` Event. The store keeps what
//! kelemetry-cli reads of the originals, so these are rebuilt from it: what `ingest` takes
//! back into the same rows (the `rawJson` of exported files, and what a slice of them
//! brings back), not the original bytes.

use serde_json::{Map, Value, json};

use crate::model::time::format_micros;
use crate::store::read::{EventRow, ObjectRow};
use crate::store::requests::RequestLine;

const LEVELS: [&str; 4] = ["None", "Metadata", "Request", "RequestResponse"];

pub fn level_name(level: i64) -> &'static str {
    LEVELS.get(level as usize).copied().unwrap_or("Metadata")
}

/// `deployments.apps` → (`deployments`, `apps`); `pods` → (`pods`, ``).
pub fn split_resource(resource: &str) -> (&str, &str) {
    resource.split_once('.').unwrap_or((resource, ""))
}

/// The path the apiserver was asked for, for a request on the object named `name`.
fn object_uri(line: &RequestLine, name: &str, api_version: Option<&str>) -> String {
    let (resource, group) = split_resource(line.resource.as_deref().unwrap_or_default());
    let version = api_version.and_then(|v| v.rsplit('/').next()).filter(|v| !v.is_empty()).unwrap_or("v1");
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

/// A request as an audit Event: `api_version` is its object's (`apps/v1`), `request_object`
/// the body the store kept (a patch, a binding), `response_object` the state the write produced.
pub fn audit_event(
    line: &RequestLine,
    api_version: Option<&str>,
    request_object: Option<Value>,
    response_object: Option<Value>,
) -> Value {
    let request = &line.request;
    let mut event = Map::new();
    event.insert("kind".into(), json!("Event"));
    event.insert("apiVersion".into(), json!("audit.k8s.io/v1"));
    event.insert("level".into(), json!(level_name(request.level)));
    event.insert("auditID".into(), json!(request.audit_id));
    event.insert("stage".into(), json!(if request.complete { "ResponseComplete" } else { "RequestReceived" }));
    let uri = match (&line.name, &line.uri) {
        (_, Some(uri)) => uri.clone(),
        (Some(name), None) => object_uri(line, name, api_version),
        (None, None) => String::new(),
    };
    event.insert("requestURI".into(), json!(uri));
    event.insert("verb".into(), json!(request.verb));
    let mut user = json!({"username": request.user});
    if let Some(groups) = &line.groups {
        user["groups"] = json!(groups.split(',').collect::<Vec<_>>());
    }
    event.insert("user".into(), user);
    if let Some(impersonated) = &request.impersonated_user {
        event.insert("impersonatedUser".into(), json!({"username": impersonated}));
    }
    if let Some(ip) = &request.source_ip {
        event.insert("sourceIPs".into(), json!([ip]));
    }
    if let Some(agent) = &request.user_agent {
        event.insert("userAgent".into(), json!(agent));
    }
    if let Some(resource) = &line.resource {
        let (resource, group) = split_resource(resource);
        let mut reference = json!({"resource": resource});
        if let Some(namespace) = line.namespace.as_deref().filter(|n| !n.is_empty()) {
            reference["namespace"] = json!(namespace);
        }
        if let Some(name) = &line.name {
            reference["name"] = json!(name);
        }
        if let Some(uid) = &line.uid {
            reference["uid"] = json!(uid);
        }
        if let Some(version) = api_version.and_then(|v| v.rsplit('/').next()) {
            reference["apiVersion"] = json!(version);
        }
        if !group.is_empty() {
            reference["apiGroup"] = json!(group);
        }
        if let Some(rv) = &request.base_rv {
            reference["resourceVersion"] = json!(rv);
        }
        if let Some(sub) = &request.subresource {
            reference["subresource"] = json!(sub);
        }
        event.insert("objectRef".into(), reference);
    }
    if let Some(code) = request.code {
        let mut status = json!({"metadata": {}, "code": code});
        if let Some(reason) = &request.reason {
            status["reason"] = json!(reason);
        }
        if let Some(message) = &request.message {
            status["message"] = json!(message);
        }
        event.insert("responseStatus".into(), status);
    }
    if let Some(body) = request_object {
        event.insert("requestObject".into(), body);
    }
    if let Some(body) = response_object {
        event.insert("responseObject".into(), body);
    }
    event.insert("requestReceivedTimestamp".into(), json!(format_micros(request.received_us)));
    let stage_us = if request.complete { request.completed_us } else { request.received_us };
    event.insert("stageTimestamp".into(), json!(format_micros(stage_us)));
    Value::Object(event)
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
