//! Object bodies: read the metadata we index, rewrite the body compactly without
//! `managedFields` and without Secret values.
//!
//! Bodies are handled as raw JSON slices so that the big `spec`/`status` trees are only
//! scanned, never built into `serde_json::Value`s; serde_json validates each document once,
//! and later looks inside it go through [`super::skim`].

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::skim;
use crate::model::kinds;
use crate::model::time::parse_micros;
use crate::model::{Interner, ObjectName, ObjectState, OwnerRef, ParentLink};

/// What replaces every Secret value.
pub const REDACTED: &str = "<redacted>";

/// A string that borrows from the input when it has no escapes.
pub struct Text<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// The members of a JSON object in their original order, values left raw.
pub struct Members<'a>(pub Vec<(Cow<'a, str>, &'a str)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(key) = map.next_key::<Text<'de>>()? {
                    members.push((key.0, map.next_value::<&'de RawValue>()?.get()));
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

impl<'a> Members<'a> {
    /// The members of an object in JSON that serde_json has validated already.
    pub fn parse(json: &'a str) -> Result<Self, String> {
        skim::members(json).map(Members).ok_or_else(|| "not a JSON object".to_owned())
    }

    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// A string member; `None` when absent or null, an error when of another type.
    pub fn string(&self, key: &str) -> Result<Option<Cow<'a, str>>, String> {
        string_member(self.get(key), key)
    }

    /// [`Members::string`], owned.
    pub fn owned_string(&self, key: &str) -> Result<Option<String>, String> {
        Ok(self.string(key)?.map(Cow::into_owned))
    }
}

/// The text of member `key`, given its raw value; `None` when absent or null, an error
/// naming the member when of another type.
pub fn string_member<'a>(raw: Option<&'a str>, key: &str) -> Result<Option<Cow<'a, str>>, String> {
    raw.map(skim::string).transpose().map(Option::flatten).map_err(|why| why.describe(key))
}

#[derive(Deserialize)]
struct OwnerRefJson {
    #[serde(rename = "apiVersion", default)]
    api_version: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    uid: String,
    #[serde(default)]
    controller: Option<bool>,
}

pub fn owner_refs(raw: Option<&str>) -> Result<Vec<OwnerRef>, String> {
    let Some(raw) = raw else { return Ok(Vec::new()) };
    let refs: Option<Vec<OwnerRefJson>> =
        serde_json::from_str(raw).map_err(|e| format!("metadata.ownerReferences: {e}"))?;
    Ok(refs
        .unwrap_or_default()
        .into_iter()
        .filter(|r| !r.uid.is_empty())
        .map(|r| OwnerRef {
            api_version: r.api_version,
            kind: r.kind,
            name: r.name,
            uid: r.uid,
            controller: r.controller.unwrap_or(false),
            parent_link: None,
        })
        .collect())
}

/// Kelemetry's parent link (`kelemetry.kubewharf.io/parent-link`: a JSON
/// `{"cluster", "group", "version", "resource", "namespace", "name", "uid"}`), as an owner.
fn parent_link(meta: &Members) -> Option<OwnerRef> {
    #[derive(Deserialize)]
    struct Link {
        #[serde(default)]
        cluster: String,
        #[serde(default)]
        group: String,
        #[serde(default)]
        version: String,
        resource: String,
        #[serde(default)]
        namespace: String,
        name: String,
        uid: String,
    }
    let annotations = Members::parse(meta.get("annotations")?).ok()?;
    let text = annotations.owned_string("kelemetry.kubewharf.io/parent-link").ok()??;
    let link: Link = serde_json::from_str(&text).ok()?;
    let api_version = if link.group.is_empty() { link.version } else { format!("{}/{}", link.group, link.version) };
    Some(OwnerRef {
        api_version,
        kind: String::new(),
        name: link.name,
        uid: link.uid,
        controller: true,
        parent_link: Some(ParentLink {
            resource: link.resource,
            namespace: link.namespace,
            cluster: Some(link.cluster).filter(|c| !c.is_empty()),
        }),
    })
}

fn time_member(members: &Members, key: &str) -> Result<Option<i64>, String> {
    match members.string(key)? {
        None => Ok(None),
        Some(text) => parse_micros(&text).map(Some).ok_or_else(|| format!("`{key}` is not an RFC 3339 time: {text:?}")),
    }
}

/// Kinds that answer a write on a subresource or a virtual resource: not object states.
fn is_state_kind(kind: &str) -> bool {
    !matches!(
        kind,
        "Status"
            | "Scale"
            | "Binding"
            | "Eviction"
            | "TokenRequest"
            | "TokenReview"
            | "SubjectAccessReview"
            | "SelfSubjectAccessReview"
            | "LocalSubjectAccessReview"
            | "SelfSubjectRulesReview"
            | "DeleteOptions"
    ) && !kind.ends_with("List")
}

/// An object body read for indexing and rewritten for storage.
pub struct ParsedObject {
    pub state: ObjectState,
    /// The compact body: no managedFields, Secret values redacted.
    pub body: String,
}

/// Reads an object body (`kind`, `apiVersion`, `metadata`, ...). `None` when the body is
/// not an object state at all (a `Status`, a `Scale`, a list).
pub fn parse_object(json: &str, strings: &mut Interner) -> Result<Option<ParsedObject>, String> {
    parse_object_members(&Members::parse(json)?, strings, false)
}

/// [`parse_object`] for a body whose members are already split. `secret`: what the body
/// came with says it is a Secret (a request on `secrets`), whatever the body itself says:
/// redaction fails closed.
pub fn parse_object_members(
    members: &Members,
    strings: &mut Interner,
    secret: bool,
) -> Result<Option<ParsedObject>, String> {
    let kind = members.string("kind")?.unwrap_or_default();
    let api_version = members.string("apiVersion")?.unwrap_or_default();
    if !is_state_kind(&kind) {
        return Ok(None);
    }
    let meta = match members.get("metadata") {
        Some(raw) => Members::parse(raw).map_err(|e| format!("metadata: {e}"))?,
        None => Members(Vec::new()),
    };
    let group = kinds::group_of(&api_version);
    let resource = kinds::by_kind(group, &kind).map(|r| r.resource.to_owned()).unwrap_or_default();
    let group = kinds::canonical_group(group, &resource).to_owned();
    // Any group's `Secret`: a false alarm costs a value nobody needed, a miss leaks one.
    let is_secret = secret || kind.eq_ignore_ascii_case("Secret");
    let state = ObjectState {
        object: ObjectName {
            api_version: strings.get(&api_version),
            group: strings.get(&group),
            resource: strings.get(&resource),
            kind: strings.get(&kind),
            namespace: strings.get(&meta.string("namespace")?.unwrap_or_default()),
            name: meta.owned_string("name")?.unwrap_or_default(),
            uid: meta.owned_string("uid")?.filter(|u| !u.is_empty()),
        },
        resource_version: meta.owned_string("resourceVersion")?.filter(|rv| !rv.is_empty()),
        generate_name: meta.owned_string("generateName")?,
        created_us: time_member(&meta, "creationTimestamp")?,
        deleted_us: time_member(&meta, "deletionTimestamp")?,
        owners: owner_refs(meta.get("ownerReferences"))?.into_iter().chain(parent_link(&meta)).collect(),
        mirror_of: if kind == "Pod" { mirror_hash(&meta) } else { None },
        body: None,
    };
    let body = skim::readable(compact_body(members, &meta, is_secret))?;
    Ok(Some(ParsedObject { state, body }))
}

/// The static-Pod hash a mirror Pod carries in its annotations.
fn mirror_hash(meta: &Members) -> Option<String> {
    let annotations = Members::parse(meta.get("annotations")?).ok()?;
    ["kubernetes.io/config.mirror", "kubernetes.io/config.hash"]
        .iter()
        .find_map(|key| annotations.owned_string(key).ok().flatten())
        .filter(|hash| !hash.is_empty())
}

fn push_key(out: &mut String, key: &str) {
    if key.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        // An unescaped key that needs escaping again: rare, left to serde_json.
        out.push_str(&serde_json::to_string(key).unwrap_or_default());
    } else {
        out.push('"');
        out.push_str(key);
        out.push('"');
    }
    out.push(':');
}

fn compact_body(members: &Members, meta: &Members, is_secret: bool) -> String {
    let mut out = String::with_capacity(members.0.iter().map(|(k, v)| k.len() + v.len() + 4).sum());
    out.push('{');
    for (i, (key, value)) in members.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_key(&mut out, key);
        match key.as_ref() {
            "metadata" => push_metadata(&mut out, meta, is_secret),
            "data" | "stringData" if is_secret => push_redacted_map(&mut out, value),
            _ => push_minified(&mut out, value),
        }
    }
    out.push('}');
    out
}

fn push_metadata(out: &mut String, meta: &Members, is_secret: bool) {
    out.push('{');
    let mut first = true;
    for (key, value) in meta.0.iter().filter(|(k, _)| k != "managedFields") {
        if !first {
            out.push(',');
        }
        first = false;
        push_key(out, key);
        if is_secret && key == "annotations" {
            // kubectl apply copies the whole Secret, values included, into this annotation.
            push_redacted_annotations(out, value);
        } else {
            push_minified(out, value);
        }
    }
    out.push('}');
}

/// Rewrites an object member by member: `value` writes each member's value.
fn push_rewritten(out: &mut String, object: &str, mut value: impl FnMut(&mut String, &str, &str)) {
    let Ok(members) = Members::parse(object) else {
        out.push_str("null");
        return;
    };
    out.push('{');
    for (i, (key, raw)) in members.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_key(out, key);
        value(out, key, raw);
    }
    out.push('}');
}

fn push_redacted(out: &mut String) {
    out.push_str(&serde_json::to_string(REDACTED).unwrap_or_default());
}

fn push_redacted_map(out: &mut String, value: &str) {
    push_rewritten(out, value, |out, _, _| push_redacted(out));
}

fn push_redacted_annotations(out: &mut String, value: &str) {
    push_rewritten(out, value, |out, key, raw| {
        // kubectl's last-applied copy, and any other annotation holding a JSON document
        // (tools that keep their own copy of what they applied), may carry the values.
        if key == "kubectl.kubernetes.io/last-applied-configuration" || raw.starts_with("\"{") {
            push_redacted(out);
        } else {
            push_minified(out, raw);
        }
    });
}

/// Appends JSON without insignificant white space. Compact input (what the apiserver
/// writes) is copied as is; pretty-printed input (dumps) always has a newline.
pub fn push_minified(out: &mut String, json: &str) {
    if !json.contains('\n') {
        out.push_str(json);
        return;
    }
    let mut in_string = false;
    let mut escaped = false;
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_ascii_whitespace() {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_owned()).unwrap()
    }

    #[test]
    fn strips_managed_fields_and_reads_metadata() {
        let body = raw(
            r#"{"kind":"ReplicaSet","apiVersion":"apps/v1","metadata":{"name":"web-1","namespace":"shop","uid":"u1","resourceVersion":"42","creationTimestamp":"2024-01-01T00:00:00Z","managedFields":[{"manager":"x"}],"ownerReferences":[{"apiVersion":"apps/v1","kind":"Deployment","name":"web","uid":"d1","controller":true}]},"spec":{"replicas":2}}"#,
        );
        let parsed = parse_object(body.get(), &mut Interner::default()).unwrap().unwrap();
        assert_eq!(
            parsed.body,
            r#"{"kind":"ReplicaSet","apiVersion":"apps/v1","metadata":{"name":"web-1","namespace":"shop","uid":"u1","resourceVersion":"42","creationTimestamp":"2024-01-01T00:00:00Z","ownerReferences":[{"apiVersion":"apps/v1","kind":"Deployment","name":"web","uid":"d1","controller":true}]},"spec":{"replicas":2}}"#
        );
        let state = parsed.state;
        assert_eq!(&*state.object.resource, "replicasets");
        assert_eq!(&*state.object.group, "apps");
        assert_eq!(state.object.uid.as_deref(), Some("u1"));
        assert_eq!(state.resource_version.as_deref(), Some("42"));
        assert_eq!(state.created_us, Some(1_704_067_200_000_000));
        assert_eq!(state.owners.len(), 1);
        assert!(state.owners[0].controller);
    }

    #[test]
    fn secret_values_never_survive() {
        let body = raw(
            "{\n  \"kind\": \"Secret\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {\"name\": \"db\", \"annotations\": {\"kubectl.kubernetes.io/last-applied-configuration\": \"{\\\"data\\\":{\\\"password\\\":\\\"aHVudGVyMg==\\\"}}\", \"team\": \"a b\"}},\n  \"data\": {\"password\": \"aHVudGVyMg==\"},\n  \"stringData\": {\"token\": \"hunter2\"},\n  \"type\": \"Opaque\"\n}",
        );
        let parsed = parse_object(body.get(), &mut Interner::default()).unwrap().unwrap();
        assert!(!parsed.body.contains("aHVudGVyMg"), "{}", parsed.body);
        assert!(!parsed.body.contains("hunter2"), "{}", parsed.body);
        assert_eq!(
            parsed.body,
            r#"{"kind":"Secret","apiVersion":"v1","metadata":{"name":"db","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"<redacted>","team":"a b"}},"data":{"password":"<redacted>"},"stringData":{"token":"<redacted>"},"type":"Opaque"}"#
        );
    }

    #[test]
    fn status_and_scale_are_not_states() {
        assert!(
            parse_object(
                raw(r#"{"kind":"Status","apiVersion":"v1","status":"Success"}"#).get(),
                &mut Interner::default()
            )
            .unwrap()
            .is_none()
        );
        assert!(
            parse_object(raw(r#"{"kind":"Scale","apiVersion":"autoscaling/v1"}"#).get(), &mut Interner::default())
                .unwrap()
                .is_none()
        );
    }
}
