//! Structured diffs between two states of an object, as Kubernetes users read them.
//!
//! Paths are kubectl/JSONPath style (`spec.minReadySeconds`,
//! `metadata.labels["app.kubernetes.io/name"]`). Lists of named things are matched by their
//! merge key, as strategic merge patch does (`containers[name=web].image`), so that an
//! insertion does not show as a change of every later element. `managedFields` is never
//! compared; bookkeeping (resourceVersion, generation, timestamps) is marked as noise.

use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

impl ChangeKind {
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

/// One changed path.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: String,
    pub kind: ChangeKind,
    pub old: Option<Value>,
    pub new: Option<Value>,
    /// Bookkeeping that changes on every write (resourceVersion, generation, timestamps):
    /// hidden unless asked for.
    pub noise: bool,
}

impl Change {
    /// `path: old -> new`, values compact.
    pub fn describe(&self) -> String {
        let show = |v: &Option<Value>| v.as_ref().map_or_else(|| "∅".to_owned(), short_value);
        match self.kind {
            ChangeKind::Added => format!("{}: + {}", self.path, show(&self.new)),
            ChangeKind::Removed => format!("{}: - {}", self.path, show(&self.old)),
            ChangeKind::Changed => format!("{}: {} -> {}", self.path, show(&self.old), show(&self.new)),
        }
    }

    /// Whether this change is at `path` or below it (`spec.template` covers
    /// `spec.template.spec.containers[name=web].image`).
    pub fn touches(&self, path: &str) -> bool {
        self.path == path
            || self.path.strip_prefix(path).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
            || path.strip_prefix(self.path.as_str()).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
    }
}

/// A value as one short line: strings bare, others as compact JSON, long ones cut.
pub fn short_value(value: &Value) -> String {
    const MAX: usize = 120;
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > MAX { format!("{}…", text.chars().take(MAX).collect::<String>()) } else { text }
}

/// The merge keys strategic merge patch uses for lists of objects, by field name.
fn merge_keys(field: &str) -> &'static [&'static str] {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "containerStatuses"
        | "initContainerStatuses"
        | "ephemeralContainerStatuses"
        | "envFrom" => &["name"],
        "ports" => &["containerPort", "port", "name"],
        "conditions" => &["type"],
        "volumeMounts" => &["mountPath"],
        "volumeDevices" => &["devicePath"],
        "ownerReferences" => &["uid"],
        "hostAliases" => &["ip"],
        "topologySpreadConstraints" => &["topologyKey"],
        "taints" => &["key"],
        _ => &["name"],
    }
}

fn is_noise_key(key: &str) -> bool {
    matches!(key, "resourceVersion" | "generation" | "managedFields")
        || key.ends_with("Time")
        || key.ends_with("Timestamp")
}

/// `.key`, or `["key"]` when the key is not a plain identifier.
fn push_key(path: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match (plain, path.is_empty()) {
        (true, true) => key.to_owned(),
        (true, false) => format!("{path}.{key}"),
        (false, _) => format!("{path}[{}]", Value::String(key.to_owned())),
    }
}

/// Every leaf of a new object as an addition: what a create set.
pub fn created(new: &Value) -> Vec<Change> {
    let mut changes = Vec::new();
    leaves("", None, new, false, &mut changes);
    changes
}

fn leaves(path: &str, field: Option<&str>, value: &Value, noise: bool, out: &mut Vec<Change>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let mut keys: Vec<&String> = map.keys().filter(|k| *k != "managedFields").collect();
            keys.sort();
            for key in keys {
                leaves(&push_key(path, key), Some(key), &map[key], noise || is_noise_key(key), out);
            }
        }
        Value::Array(items) if items.iter().any(Value::is_object) => {
            let key = list_key(field.unwrap_or(""), items, &[]);
            for (i, item) in items.iter().enumerate() {
                let child = match key {
                    Some(key) => format!("{path}[{key}={}]", item.get(key).map(short_value).unwrap_or_default()),
                    None => format!("{path}[{i}]"),
                };
                leaves(&child, None, item, noise, out);
            }
        }
        _ => out.push(Change {
            path: path.to_owned(),
            kind: ChangeKind::Added,
            old: None,
            new: Some(value.clone()),
            noise,
        }),
    }
}

/// The changes from `old` to `new`, in path order.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut changes = Vec::new();
    walk("", None, old, new, false, &mut changes);
    changes
}

fn walk(path: &str, field: Option<&str>, old: &Value, new: &Value, noise: bool, out: &mut Vec<Change>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => walk_objects(path, a, b, noise, out),
        (Value::Array(a), Value::Array(b)) => walk_arrays(path, field.unwrap_or(""), a, b, noise, out),
        _ if old == new => {}
        _ => out.push(Change {
            path: path.to_owned(),
            kind: ChangeKind::Changed,
            old: Some(old.clone()),
            new: Some(new.clone()),
            noise,
        }),
    }
}

fn walk_objects(path: &str, a: &Map<String, Value>, b: &Map<String, Value>, noise: bool, out: &mut Vec<Change>) {
    let mut keys: Vec<&String> = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))).collect();
    keys.sort();
    for key in keys {
        if key == "managedFields" {
            continue;
        }
        let child = push_key(path, key);
        let noise = noise || is_noise_key(key);
        match (a.get(key), b.get(key)) {
            (Some(x), Some(y)) => walk(&child, Some(key), x, y, noise, out),
            (Some(x), None) => {
                out.push(Change { path: child, kind: ChangeKind::Removed, old: Some(x.clone()), new: None, noise })
            }
            // A subtree that appears reads best as the leaves it sets.
            (None, Some(y)) => leaves(&child, Some(key), y, noise, out),
            (None, None) => {}
        }
    }
}

/// The merge key that identifies every element of both lists uniquely, if any.
fn list_key(field: &str, a: &[Value], b: &[Value]) -> Option<&'static str> {
    merge_keys(field).iter().copied().find(|key| {
        [a, b].iter().all(|list| {
            let mut seen = std::collections::HashSet::new();
            list.iter().all(|item| {
                item.get(key).is_some_and(|k| !k.is_object() && !k.is_array() && seen.insert(k.to_string()))
            })
        })
    })
}

fn walk_arrays(path: &str, field: &str, a: &[Value], b: &[Value], noise: bool, out: &mut Vec<Change>) {
    let Some(key) = (!a.is_empty() || !b.is_empty()).then(|| list_key(field, a, b)).flatten() else {
        if a.iter().all(|v| !v.is_object()) || b.iter().all(|v| !v.is_object()) {
            // Lists of scalars (finalizers, args, command) read best whole.
            if a != b {
                out.push(Change {
                    path: path.to_owned(),
                    kind: ChangeKind::Changed,
                    old: Some(Value::Array(a.to_vec())),
                    new: Some(Value::Array(b.to_vec())),
                    noise,
                });
            }
            return;
        }
        for i in 0..a.len().max(b.len()) {
            let child = format!("{path}[{i}]");
            match (a.get(i), b.get(i)) {
                (Some(x), Some(y)) => walk(&child, None, x, y, noise, out),
                (Some(x), None) => {
                    out.push(Change { path: child, kind: ChangeKind::Removed, old: Some(x.clone()), new: None, noise })
                }
                (None, Some(y)) => {
                    out.push(Change { path: child, kind: ChangeKind::Added, old: None, new: Some(y.clone()), noise })
                }
                (None, None) => {}
            }
        }
        return;
    };
    let id = |item: &Value| item.get(key).map(short_value).unwrap_or_default();
    let child = |item: &Value| format!("{path}[{key}={}]", id(item));
    for x in a {
        match b.iter().find(|y| id(y) == id(x)) {
            Some(y) => walk(&child(x), None, x, y, noise, out),
            None => {
                out.push(Change { path: child(x), kind: ChangeKind::Removed, old: Some(x.clone()), new: None, noise })
            }
        }
    }
    for y in b.iter().filter(|y| !a.iter().any(|x| id(x) == id(y))) {
        out.push(Change { path: child(y), kind: ChangeKind::Added, old: None, new: Some(y.clone()), noise });
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn described(old: Value, new: Value) -> Vec<String> {
        diff(&old, &new).iter().map(|c| format!("{}{}", if c.noise { "~ " } else { "" }, c.describe())).collect()
    }

    #[test]
    fn scalar_fields_and_label_keys() {
        assert_eq!(
            described(
                json!({"metadata": {"labels": {"app.kubernetes.io/name": "web"}, "resourceVersion": "1"}, "spec": {"minReadySeconds": 10}}),
                json!({"metadata": {"labels": {"app.kubernetes.io/name": "api"}, "resourceVersion": "2"}, "spec": {"minReadySeconds": 3600}}),
            ),
            [
                r#"metadata.labels["app.kubernetes.io/name"]: web -> api"#,
                "~ metadata.resourceVersion: 1 -> 2",
                "spec.minReadySeconds: 10 -> 3600",
            ]
        );
    }

    #[test]
    fn lists_match_by_merge_key() {
        let old = json!({"spec": {"containers": [{"name": "web", "image": "nginx:1.25"}, {"name": "log", "image": "fluent:1"}]}});
        let new = json!({"spec": {"containers": [{"name": "sidecar", "image": "envoy:1"}, {"name": "web", "image": "nginx:1.26"}, {"name": "log", "image": "fluent:1"}]}});
        assert_eq!(
            described(old, new),
            [
                "spec.containers[name=web].image: nginx:1.25 -> nginx:1.26",
                r#"spec.containers[name=sidecar]: + {"image":"envoy:1","name":"sidecar"}"#,
            ]
        );
        let old = json!({"status": {"conditions": [{"type": "Ready", "status": "False", "lastTransitionTime": "t1"}]}});
        let new = json!({"status": {"conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "t2"}]}});
        assert_eq!(
            described(old, new),
            [
                "~ status.conditions[type=Ready].lastTransitionTime: t1 -> t2",
                "status.conditions[type=Ready].status: False -> True"
            ]
        );
        let ports = |p: i64| json!({"ports": [{"containerPort": p, "protocol": "TCP"}]});
        assert_eq!(
            described(ports(80), ports(8080)),
            [
                r#"ports[containerPort=80]: - {"containerPort":80,"protocol":"TCP"}"#,
                r#"ports[containerPort=8080]: + {"containerPort":8080,"protocol":"TCP"}"#
            ]
        );
    }

    #[test]
    fn scalar_lists_whole_and_managed_fields_never() {
        assert_eq!(
            described(
                json!({"metadata": {"finalizers": ["a"], "managedFields": [{"manager": "x"}]}}),
                json!({"metadata": {"finalizers": ["a", "b"], "managedFields": [{"manager": "y"}]}}),
            ),
            [r#"metadata.finalizers: ["a"] -> ["a","b"]"#]
        );
        assert!(diff(&json!({"a": 1}), &json!({"a": 1})).is_empty());
    }

    #[test]
    fn creates_list_their_leaves() {
        let body = json!({"metadata": {"name": "web", "resourceVersion": "1"}, "spec": {"containers": [{"name": "web", "image": "nginx"}], "minReadySeconds": 10}});
        assert_eq!(
            created(&body)
                .iter()
                .map(|c| format!("{}{}", if c.noise { "~ " } else { "" }, c.describe()))
                .collect::<Vec<_>>(),
            [
                "metadata.name: + web",
                "~ metadata.resourceVersion: + 1",
                "spec.containers[name=web].image: + nginx",
                "spec.containers[name=web].name: + web",
                "spec.minReadySeconds: + 10",
            ]
        );
    }

    #[test]
    fn field_filters_match_at_path_boundaries() {
        let change = Change {
            path: "spec.template.spec.containers[name=web].image".into(),
            kind: ChangeKind::Changed,
            old: None,
            new: None,
            noise: false,
        };
        assert!(change.touches("spec.template"));
        assert!(change.touches("spec.template.spec.containers[name=web].image"));
        assert!(!change.touches("spec.temp"));
        let added =
            Change { path: "spec.minReadySeconds".into(), kind: ChangeKind::Added, old: None, new: None, noise: false };
        assert!(added.touches("spec.minReadySeconds"));
        assert!(!added.touches("spec.minReady"));
    }
}
