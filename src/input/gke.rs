//! GKE Cloud Logging audit entries: a `LogEntry` whose `protoPayload` is a
//! `google.cloud.audit.AuditLog`, as sink exports (JSON Lines), `gcloud logging read
//! --format=json` (a JSON array) and `--format=yaml` write them. Each is translated into the
//! `audit.k8s.io/v1` Event it stands for and decoded as one.

use serde_json::{Map, Value, json};

/// The audit event an entry stands for, and its cluster (`resource.labels.cluster_name`).
pub fn to_audit_event(entry: &str) -> Result<(String, Option<String>), String> {
    let entry: Value = serde_json::from_str(entry).map_err(|e| e.to_string())?;
    let payload = entry.get("protoPayload").filter(|p| p.is_object()).ok_or("`protoPayload` is not an object")?;
    let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_owned);
    let method = text(payload.get("methodName")).ok_or("a GKE audit entry without methodName")?;
    let resource_name = text(payload.get("resourceName")).unwrap_or_default();
    let target = Target::parse(&resource_name);
    let verb = method.rsplit('.').next().unwrap_or_default().to_owned();
    let operation = entry.get("operation");
    let flag = |key: &str| operation.and_then(|o| o.get(key)).and_then(Value::as_bool);
    let audit_id = text(operation.and_then(|o| o.get("id")))
        .or_else(|| text(entry.get("insertId")))
        .ok_or("a GKE audit entry without operation.id or insertId")?;
    // One entry a request, normally; a long request is logged first and last.
    let stage = if flag("last") == Some(false) { "RequestReceived" } else { "ResponseComplete" };
    let time = text(entry.get("timestamp")).ok_or("a GKE audit entry without timestamp")?;
    let request = payload.get("request").map(without_type);
    let response = payload.get("response").map(without_type);
    let level = if response.is_some() {
        "RequestResponse"
    } else if request.is_some() {
        "Request"
    } else {
        "Metadata"
    };
    let (code, reason, message) = status(payload, response.as_ref());
    let metadata = payload.get("requestMetadata");
    let mut event = json!({
        "kind": "Event",
        "apiVersion": "audit.k8s.io/v1",
        "level": level,
        "auditID": audit_id,
        "stage": stage,
        "requestURI": target.uri(&resource_name),
        "verb": verb,
        "user": {"username": text(payload.pointer("/authenticationInfo/principalEmail")).unwrap_or_default()},
        "sourceIPs": text(metadata.and_then(|m| m.get("callerIp"))).map_or_else(Vec::new, |ip| vec![ip]),
        "userAgent": text(metadata.and_then(|m| m.get("callerSuppliedUserAgent"))),
        "responseStatus": {"code": code, "reason": reason, "message": message},
        "requestReceivedTimestamp": time,
        "stageTimestamp": time,
        "annotations": entry.get("labels").cloned().unwrap_or(Value::Null),
    });
    let fields = event.as_object_mut().expect("an object");
    if let Some(object_ref) = target.object_ref() {
        fields.insert("objectRef".to_owned(), object_ref);
    }
    if let Some(request) = request {
        fields.insert("requestObject".to_owned(), request);
    }
    if let Some(response) = response {
        fields.insert("responseObject".to_owned(), response);
    }
    let cluster = text(entry.pointer("/resource/labels/cluster_name"));
    Ok((event.to_string(), cluster))
}

/// A body as Kubernetes wrote it: Cloud Logging adds an `@type`.
fn without_type(body: &Value) -> Value {
    match body {
        Value::Object(map) => Value::Object(
            map.iter().filter(|(k, _)| *k != "@type").map(|(k, v)| (k.clone(), v.clone())).collect::<Map<_, _>>(),
        ),
        other => other.clone(),
    }
}

/// The HTTP status: a Kubernetes `Status` response says it; otherwise the google.rpc code
/// of `status` maps to the one the apiserver sent.
fn status(payload: &Value, response: Option<&Value>) -> (i64, Option<String>, Option<String>) {
    let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_owned);
    if let Some(response) = response.filter(|r| r.get("kind").and_then(Value::as_str) == Some("Status"))
        && let Some(code) = response.get("code").and_then(Value::as_i64)
    {
        return (code, text(response.get("reason")), text(response.get("message")));
    }
    let rpc = payload.pointer("/status/code").and_then(Value::as_i64).unwrap_or(0);
    let message = text(payload.pointer("/status/message")).filter(|m| !m.is_empty());
    let (code, reason) = match rpc {
        0 => (200, None),
        1 => (499, None),
        3 => (400, Some("BadRequest")),
        4 => (504, Some("Timeout")),
        5 => (404, Some("NotFound")),
        6 => (409, Some("AlreadyExists")),
        7 => (403, Some("Forbidden")),
        8 => (429, Some("TooManyRequests")),
        9 | 11 => (400, Some("BadRequest")),
        10 => (409, Some("Conflict")),
        12 => (501, None),
        14 => (503, Some("ServiceUnavailable")),
        16 => (401, Some("Unauthorized")),
        _ => (500, Some("InternalError")),
    };
    (code, reason.map(str::to_owned), message)
}

/// What `resourceName` names: `<group>/<version>/namespaces/<ns>/<resource>/<name>[/<sub>]`,
/// or the same without the namespace for cluster-scoped objects; `core` is the core group.
#[derive(Default)]
struct Target<'a> {
    group: &'a str,
    version: &'a str,
    namespace: Option<&'a str>,
    resource: &'a str,
    name: Option<&'a str>,
    subresource: Option<&'a str>,
}

impl<'a> Target<'a> {
    fn parse(resource_name: &'a str) -> Target<'a> {
        let parts: Vec<&str> = resource_name.split('/').collect();
        let (group, version) = (parts.first().copied().unwrap_or(""), parts.get(1).copied().unwrap_or(""));
        let group = if group == "core" { "" } else { group };
        // `namespaces/NS/...` unless the object is a Namespace itself (`core/v1/namespaces/NS`).
        let rest = &parts[parts.len().min(2)..];
        let (namespace, rest) = match rest {
            ["namespaces", ns, resource, rest @ ..] => (Some(*ns), [&[*resource][..], rest].concat()),
            _ => (None, rest.to_vec()),
        };
        Target {
            group,
            version,
            namespace,
            resource: rest.first().copied().unwrap_or(""),
            name: rest.get(1).copied(),
            subresource: rest.get(2).copied(),
        }
    }

    fn object_ref(&self) -> Option<Value> {
        (!self.resource.is_empty()).then(|| {
            json!({
                "resource": self.resource,
                "namespace": self.namespace,
                "name": self.name,
                "apiGroup": self.group,
                "apiVersion": self.version,
                "subresource": self.subresource,
            })
        })
    }

    /// The request path the apiserver served, as near as the entry tells.
    fn uri(&self, resource_name: &str) -> String {
        let prefix = if self.group.is_empty() { "/api".to_owned() } else { "/apis".to_owned() };
        let path = resource_name.strip_prefix("core/").unwrap_or(resource_name);
        format!("{prefix}/{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_split_as_the_apiserver_paths_do() {
        let t = Target::parse("apps/v1/namespaces/shop/deployments/web/scale");
        assert_eq!(
            (t.group, t.version, t.namespace, t.resource, t.name, t.subresource),
            ("apps", "v1", Some("shop"), "deployments", Some("web"), Some("scale"))
        );
        let t = Target::parse("core/v1/nodes/node-1");
        assert_eq!((t.group, t.namespace, t.resource, t.name), ("", None, "nodes", Some("node-1")));
        let t = Target::parse("core/v1/namespaces/shop");
        assert_eq!((t.namespace, t.resource, t.name), (None, "namespaces", Some("shop")));
        let t = Target::parse("core/v1/namespaces/shop/pods");
        assert_eq!((t.namespace, t.resource, t.name), (Some("shop"), "pods", None));
        assert_eq!(t.uri("core/v1/namespaces/shop/pods"), "/api/v1/namespaces/shop/pods");
    }
}
