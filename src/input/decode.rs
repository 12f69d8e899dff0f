//! JSON documents → records. One document may be an audit event, a Kubernetes Event, an
//! object, or an envelope holding any of these (lists, AKS, EKS, Kelemetry dumps).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use memchr::memmem::Finder;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::body::{self, Members};
use super::skim;
use crate::model::audit_id::audit_id_key;
use crate::model::block::BodyBlocks;
use crate::model::time::parse_micros;
use crate::model::{
    AuditRecord, DumpRecord, EventDetails, EventRecord, Interner, Level, ObjectName, ObjectState, Record, Shared,
    Stage, is_write_verb,
};
use crate::model::{http, kinds};

/// A record that could not be decoded: the line it starts on and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: u64,
    pub reason: String,
}

/// What decoding one piece of input produced.
#[derive(Default)]
pub struct Decoded {
    pub records: Vec<Record>,
    pub bodies: BodyBlocks,
    pub problems: Vec<Problem>,
    /// Shares the strings that repeat across the piece's records.
    pub strings: Interner,
    /// `user.groups` joined, by the array's text: a piece's requests come from few users,
    /// and splitting and joining their groups again for each request took 4% of decoding.
    joined_groups: HashMap<String, Option<Shared>, foldhash::fast::RandomState>,
}

impl Decoded {
    /// `user.groups` joined by commas (group names hold none), `None` for none.
    fn joined_groups(&mut self, raw: Option<&str>) -> Result<Option<Shared>, String> {
        let Some(raw) = raw.filter(|raw| *raw != "null") else { return Ok(None) };
        if let Some(joined) = self.joined_groups.get(raw) {
            return Ok(joined.clone());
        }
        let joined = user_groups(raw)?.map(|groups| self.strings.get(&groups));
        self.joined_groups.insert(raw.to_owned(), joined.clone());
        Ok(joined)
    }
}

/// Where a document sits, for records that need it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context {
    /// The line the document starts on, for problem reports.
    pub line: u64,
    /// When the document was recorded, where the file says (kspan comments).
    pub observed_us: Option<i64>,
    /// How deep in envelopes (Lists, arrays, AKS records) the document sits.
    pub depth: u8,
}

impl Context {
    pub fn new(line: u64, observed_us: Option<i64>) -> Context {
        Context { line, observed_us, depth: 0 }
    }
}

/// Envelopes a document may sit in (a List in an array in an AKS record is 3): deeper
/// nesting is no Kubernetes data, and is refused before it could exhaust the stack.
const MAX_ENVELOPES: u8 = 8;

/// Every top-level member any supported document has, kept raw: a first pass that never
/// fails on a valid JSON object, whatever its kind, and costs one scan of the text.
#[derive(Deserialize)]
struct Top<'a> {
    #[serde(borrow, default)]
    kind: Option<&'a RawValue>,
    #[serde(rename = "apiVersion", borrow, default)]
    api_version: Option<&'a RawValue>,
    #[serde(borrow, default)]
    metadata: Option<&'a RawValue>,
    // Envelopes.
    #[serde(borrow, default)]
    items: Option<&'a RawValue>,
    #[serde(borrow, default)]
    records: Option<&'a RawValue>,
    #[serde(borrow, default)]
    events: Option<&'a RawValue>,
    #[serde(borrow, default)]
    cluster: Option<&'a RawValue>,
    #[serde(borrow, default)]
    properties: Option<&'a RawValue>,
    #[serde(rename = "protoPayload", borrow, default)]
    proto_payload: Option<&'a RawValue>,
    // Audit events.
    #[serde(rename = "auditID", borrow, default)]
    audit_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    stage: Option<&'a RawValue>,
    #[serde(borrow, default)]
    level: Option<&'a RawValue>,
    #[serde(borrow, default)]
    verb: Option<&'a RawValue>,
    #[serde(rename = "requestURI", borrow, default)]
    request_uri: Option<&'a RawValue>,
    #[serde(borrow, default)]
    user: Option<&'a RawValue>,
    #[serde(rename = "impersonatedUser", borrow, default)]
    impersonated_user: Option<&'a RawValue>,
    #[serde(rename = "sourceIPs", borrow, default)]
    source_ips: Option<&'a RawValue>,
    #[serde(rename = "userAgent", borrow, default)]
    user_agent: Option<&'a RawValue>,
    #[serde(rename = "objectRef", borrow, default)]
    object_ref: Option<&'a RawValue>,
    #[serde(rename = "responseStatus", borrow, default)]
    response_status: Option<&'a RawValue>,
    #[serde(borrow, default)]
    annotations: Option<&'a RawValue>,
    #[serde(rename = "requestObject", borrow, default)]
    request_object: Option<&'a RawValue>,
    /// Split into members right away: the body is scanned once, not twice.
    #[serde(rename = "responseObject", borrow, default)]
    response_object: Option<Members<'a>>,
    #[serde(rename = "requestReceivedTimestamp", borrow, default)]
    request_received_timestamp: Option<&'a RawValue>,
    #[serde(rename = "stageTimestamp", borrow, default)]
    stage_timestamp: Option<&'a RawValue>,
    #[serde(borrow, default)]
    timestamp: Option<&'a RawValue>,
    // Kubernetes Events.
    #[serde(rename = "involvedObject", borrow, default)]
    involved_object: Option<&'a RawValue>,
    #[serde(borrow, default)]
    regarding: Option<&'a RawValue>,
}

fn text<'a>(raw: Option<&'a RawValue>, field: &str) -> Result<Option<Cow<'a, str>>, String> {
    body::string_member(raw.map(RawValue::get), field)
}

fn time(raw: Option<&RawValue>, field: &str) -> Result<Option<i64>, String> {
    match text(raw, field)? {
        None => Ok(None),
        Some(t) if t.is_empty() => Ok(None),
        Some(t) => parse_micros(&t).map(Some).ok_or_else(|| format!("`{field}` is not an RFC 3339 time: {t:?}")),
    }
}

fn non_empty<S: AsRef<str>>(s: Option<S>) -> Option<S> {
    s.filter(|s| !s.as_ref().is_empty())
}

/// Decodes one JSON document (the text of one line, or one document of a stream): an
/// object, or an array of them.
pub fn decode_json(json: &str, ctx: Context, out: &mut Decoded) {
    if let Err(reason) = decode_document(json, None, ctx, out) {
        // serde_json stops at 128 levels, and says so in its own terms.
        let reason = match reason.strip_prefix("recursion limit exceeded") {
            Some(_) => "a document nested more than 128 levels deep".to_owned(),
            None => reason,
        };
        out.problems.push(Problem { line: ctx.line, reason });
    }
}

/// An object, or an array of them; `cluster` is an envelope's.
fn decode_document(json: &str, cluster: Option<&str>, ctx: Context, out: &mut Decoded) -> Result<(), String> {
    if ctx.depth > MAX_ENVELOPES {
        return Err(format!("documents nested in more than {MAX_ENVELOPES} Lists or arrays are not Kubernetes data"));
    }
    let ctx = Context { depth: ctx.depth + 1, ..ctx };
    match json.trim_start().as_bytes().first() {
        Some(b'{') => {
            let top = serde_json::from_str::<Top>(json).map_err(|e| e.to_string())?;
            decode_top(json, &top, cluster, ctx, out)
        }
        Some(b'[') => {
            let array = serde_json::from_str::<&RawValue>(json).map_err(|e| e.to_string())?;
            decode_each(json, array, "", cluster, ctx, out, |item, cluster, ctx, out| {
                decode_document(item.get(), cluster, ctx, out)
            })
        }
        first => match serde_json::from_str::<serde::de::IgnoredAny>(json) {
            Ok(_) => Err(format!("expected a JSON object, found {}", json_kind(first.copied()))),
            Err(e) => Err(e.to_string()),
        },
    }
}

/// What a valid JSON text that is not an object or array is, by its first byte.
fn json_kind(first: Option<u8>) -> &'static str {
    match first {
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

fn decode_top(json: &str, top: &Top, cluster: Option<&str>, ctx: Context, out: &mut Decoded) -> Result<(), String> {
    let own_cluster = text(top.cluster, "cluster")?;
    let cluster = own_cluster.as_deref().or(cluster);
    if top.audit_id.is_some() {
        let record = decode_audit(top, cluster, out)?;
        let event = recorded_event(top, &record, cluster);
        out.records.push(Record::Audit(Box::new(record)));
        match event {
            Some(Ok(event)) => out.records.push(Record::Event(Box::new(event))),
            Some(Err(reason)) => {
                out.problems.push(Problem { line: ctx.line, reason: format!("the Event it writes: {reason}") })
            }
            None => {}
        }
        return Ok(());
    }
    if top.proto_payload.is_some() {
        // A GKE Cloud Logging entry: the audit event it stands for, in its cluster.
        let (event, label) = super::gke::to_audit_event(json)?;
        let first = out.records.len();
        decode_embedded(&event, cluster.or(label.as_deref()), ctx, out)?;
        if cluster.is_none() && label.is_some() {
            for record in &mut out.records[first..] {
                match record {
                    Record::Audit(audit) => audit.cluster_from_label = true,
                    Record::Event(event) => event.cluster_from_label = true,
                    Record::Dump(_) => {}
                }
            }
        }
        return Ok(());
    }
    if let Some(items) = top.items {
        let item_type = list_item_type(top)?;
        return decode_each(json, items, "items", cluster, ctx, out, |item, cluster, ctx, out| match &item_type {
            Some(type_meta) if item.get().starts_with('{') && skim::member(item.get(), "kind").is_none() => {
                decode_document(&with_type_meta(item.get(), type_meta), cluster, ctx, out)
            }
            _ => decode_document(item.get(), cluster, ctx, out),
        });
    }
    if let Some(records) = top.records {
        // AKS diagnostic logs: records[].properties.log holds the audit event as a string.
        return decode_each(json, records, "records", cluster, ctx, out, |record, cluster, ctx, out| {
            decode_aks_record(record.get(), cluster, ctx, out)
        });
    }
    if top.properties.is_some() {
        // One AKS record on its own, as Event Hubs delivers them.
        return decode_aks_record(json, cluster, ctx, out);
    }
    if let Some(events) = top.events {
        // EKS CloudWatch export: events[].message holds the audit event as a string.
        return decode_each(json, events, "events", cluster, ctx, out, |event, cluster, ctx, out| {
            #[derive(Deserialize)]
            struct CloudWatchEvent {
                message: Option<String>,
            }
            let event: CloudWatchEvent = serde_json::from_str(event.get()).map_err(|e| e.to_string())?;
            let message = event.message.ok_or("no message")?;
            decode_embedded(&message, cluster, ctx, out)
        });
    }
    if top.involved_object.is_some() || top.regarding.is_some() {
        let record = decode_event(json, cluster)?;
        if record.time_us().is_none() {
            return Err("Event without any timestamp".to_owned());
        }
        out.records.push(Record::Event(Box::new(record)));
        return Ok(());
    }
    let api_version = text(top.api_version, "apiVersion")?;
    if api_version.as_deref().is_some_and(|v| v.starts_with("audit.k8s.io/")) {
        // Every audit event has one; without it its stages cannot be told apart.
        return Err("an audit event without auditID".to_owned());
    }
    match (text(top.kind, "kind")?, api_version, top.metadata) {
        // An empty List: kubectl and must-gather write `items: null` (or `[]`).
        (Some(kind), Some(_), _) if kind.ends_with("List") && top.items.is_none() => Ok(()),
        (Some(_), Some(_), Some(_)) => {
            let Some(parsed) = body::parse_object(json, &mut out.strings)? else {
                return Err("a list or status without items is not an object".to_owned());
            };
            let state = store_body(parsed, out);
            let dump = DumpRecord { cluster: cluster.map(str::to_owned), state, observed_us: ctx.observed_us };
            out.records.push(Record::Dump(Box::new(dump)));
            Ok(())
        }
        (Some(kind), None, _) => Err(format!("a `{kind}` without apiVersion is not an object")),
        (Some(kind), Some(_), None) => Err(format!("a `{kind}` without metadata is not an object")),
        (None, _, _) => Err("not an audit event, Kubernetes Event, object or known envelope".to_owned()),
    }
}

/// The `"kind":…,"apiVersion":…,` a typed list's items go without: the apiserver leaves
/// them out of each item of a `SecretList`, `PodList`, ... (a `List` says nothing).
fn list_item_type(top: &Top) -> Result<Option<String>, String> {
    let kind = text(top.kind, "kind")?;
    let Some(item_kind) = kind.as_deref().and_then(|k| k.strip_suffix("List")).filter(|k| !k.is_empty()) else {
        return Ok(None);
    };
    let api_version = text(top.api_version, "apiVersion")?.unwrap_or_default();
    let quoted = |s: &str| serde_json::to_string(s).unwrap_or_default();
    Ok(Some(format!(r#""kind":{},"apiVersion":{},"#, quoted(item_kind), quoted(&api_version))))
}

/// An item of a typed list (an object: `{…`), with the kind and apiVersion the list gives it.
fn with_type_meta(item: &str, type_meta: &str) -> String {
    let fields = &item[1..];
    let type_meta = if fields.trim_start().starts_with('}') { type_meta.trim_end_matches(',') } else { type_meta };
    format!("{{{type_meta}{fields}")
}

fn decode_aks_record(record: &str, cluster: Option<&str>, ctx: Context, out: &mut Decoded) -> Result<(), String> {
    #[derive(Deserialize)]
    struct AksRecord<'a> {
        #[serde(borrow)]
        properties: Option<AksProperties<'a>>,
    }
    #[derive(Deserialize)]
    struct AksProperties<'a> {
        #[serde(borrow)]
        log: Option<&'a RawValue>,
    }
    let record: AksRecord = serde_json::from_str(record).map_err(|e| e.to_string())?;
    let log = record.properties.and_then(|p| p.log).ok_or("an AKS record without properties.log")?;
    // The audit event as a JSON string, or (some exports) as the object itself.
    match serde_json::from_str::<String>(log.get()) {
        Ok(text) => decode_embedded(&text, cluster, ctx, out),
        Err(_) => decode_embedded(log.get(), cluster, ctx, out),
    }
}

fn decode_embedded(json: &str, cluster: Option<&str>, ctx: Context, out: &mut Decoded) -> Result<(), String> {
    decode_document(json.trim_end(), cluster, ctx, out)
}

/// Decodes each element of a JSON array, reporting bad elements by index and keeping the rest.
fn decode_each(
    document: &str,
    array: &RawValue,
    field: &str,
    cluster: Option<&str>,
    ctx: Context,
    out: &mut Decoded,
    decode: impl Fn(&RawValue, Option<&str>, Context, &mut Decoded) -> Result<(), String>,
) -> Result<(), String> {
    let elements: Option<Vec<&RawValue>> =
        serde_json::from_str(array.get()).map_err(|_| format!("`{field}` is not an array"))?;
    // Elements of a pretty-printed list are reported at their own line; on a one-line
    // document, by their index. Lines are counted on from one element to the next.
    let (mut counted_to, mut newlines) = (0, 0);
    for (i, element) in elements.unwrap_or_default().into_iter().enumerate() {
        let offset = (element.get().as_ptr() as usize).wrapping_sub(document.as_ptr() as usize);
        if let Some(between) = document.as_bytes().get(counted_to..offset) {
            newlines += memchr::memchr_iter(b'\n', between).count() as u64;
            counted_to = offset;
        }
        let ctx = Context { line: ctx.line + newlines, ..ctx };
        if let Err(reason) = decode(element, cluster, ctx, out) {
            let reason = if newlines == 0 { format!("{field}[{i}]: {reason}") } else { reason };
            out.problems.push(Problem { line: ctx.line, reason });
        }
    }
    Ok(())
}

/// Compresses a parsed body into the batch's blocks and returns its indexed state.
fn store_body(parsed: body::ParsedObject, out: &mut Decoded) -> ObjectState {
    let mut state = parsed.state;
    state.body = Some(out.bodies.push(parsed.body.as_bytes()));
    state
}

/// The raw values of the members `keys` of an object member of the audit event, read in
/// one pass that stops once all are found; `None` when the member is absent or null.
fn members_of<'a, const N: usize>(
    raw: Option<&'a RawValue>,
    field: &str,
    keys: [&str; N],
) -> Result<Option<[Option<&'a str>; N]>, String> {
    let json = match raw.map(RawValue::get) {
        None | Some("null") => return Ok(None),
        Some(json) => json,
    };
    let mut found = [None; N];
    let mut missing = N;
    skim::for_each_member(json, |key, value| {
        if let Some(i) = keys.iter().position(|k| *k == key)
            && found[i].is_none()
        {
            found[i] = Some(value);
            missing -= 1;
        }
        missing == 0
    })
    .ok_or_else(|| format!("`{field}` is not an object"))?;
    Ok(Some(found))
}

/// The text of a member found by [`members_of`].
fn string_of<'a>(raw: Option<&'a str>, field: &str, key: &str) -> Result<Option<Cow<'a, str>>, String> {
    body::string_member(raw, key).map_err(|e| format!("{field}: {e}"))
}

/// The members of `objectRef` a request row needs.
const OBJECT_REF: [&str; 8] =
    ["resource", "apiGroup", "namespace", "apiVersion", "name", "uid", "subresource", "resourceVersion"];

fn decode_audit(top: &Top, cluster: Option<&str>, out: &mut Decoded) -> Result<AuditRecord, String> {
    let audit_id = text(top.audit_id, "auditID")?.filter(|id| !id.is_empty()).ok_or("empty auditID")?;
    let stage_text = text(top.stage, "stage")?.ok_or("audit event without stage")?;
    let stage = Stage::parse(&stage_text).ok_or_else(|| format!("unknown audit stage {stage_text:?}"))?;
    let verb = text(top.verb, "verb")?.ok_or("audit event without verb")?;
    let level = text(top.level, "level")?.map_or(Level::None, |l| Level::parse(&l));
    let (received_us, stage_us) = audit_times(top)?;
    let [user, groups] = members_of(top.user, "user", ["username", "groups"])?.unwrap_or_default();
    let groups = out.joined_groups(groups)?;
    let strings = &mut out.strings;
    let user = strings.get(string_of(user, "user", "username")?.as_deref().unwrap_or_default());
    let request_uri = text(top.request_uri, "requestURI")?;
    let field_manager =
        request_uri.as_deref().and_then(|uri| http::query_param(uri, "fieldManager")).map(|m| strings.get(&m));
    let forced = request_uri.as_deref().is_some_and(|uri| http::query_param(uri, "force").is_some());
    let pod_security_violations =
        string_of(pod_security_annotation(top.annotations)?, "annotations", POD_SECURITY_VIOLATIONS)?
            .map(|v| strings.get(&v));
    let [impersonated] = members_of(top.impersonated_user, "impersonatedUser", ["username"])?.unwrap_or_default();
    let impersonated_user = string_of(impersonated, "impersonatedUser", "username")?.map(|u| strings.get(&u));
    let source_ip = first_source_ip(top)?.map(|ip| strings.get(&ip));
    let status = ResponseStatus::of(top)?;
    let succeeded = status.succeeded();
    let mut record = AuditRecord {
        cluster: cluster.map(str::to_owned),
        cluster_from_label: false,
        audit_key: audit_id_key(&audit_id),
        stage,
        level,
        verb: strings.get(&verb),
        request_uri: None,
        user,
        groups,
        impersonated_user,
        user_agent: text(top.user_agent, "userAgent")?.map(|agent| strings.get(&agent)),
        source_ip,
        code: status.code,
        status_reason: status.reason.as_deref().map(|reason| strings.get(reason)),
        // Success messages say nothing the code does not; failures say why.
        status_message: status.code.filter(|&code| code >= 400).and(status.message.map(Cow::into_owned)),
        received_us,
        stage_us,
        target: None,
        subresource: None,
        base_rv: None,
        new_rv: None,
        state: None,
        request_owners: Vec::new(),
        patch: None,
        server_side_apply: forced && &*verb == "patch",
        field_manager,
        pod_security_violations,
    };
    if let Some(object_ref) = members_of(top.object_ref, "objectRef", OBJECT_REF)? {
        decode_target(top, &object_ref, succeeded, &mut record, out)?;
    }
    // A request on no single object (a list, a watch, a URL) is known by its URI.
    if record.target.as_ref().is_none_or(|target| target.name.is_empty()) {
        record.request_uri = request_uri.map(Cow::into_owned);
    }
    Ok(record)
}

const POD_SECURITY_VIOLATIONS: &str = "pod-security.kubernetes.io/audit-violations";

/// The raw value of the annotation [`POD_SECURITY_VIOLATIONS`]. Nearly every request has
/// annotations (the authorizer's decision and reason), and nearly none this one: annotations
/// whose text holds neither its name's first word nor a `\u` escape, which could spell it,
/// cannot have it, and are not split into members (1.3% less time to decode a log).
fn pod_security_annotation(raw: Option<&RawValue>) -> Result<Option<&str>, String> {
    // Built once: building a searcher costs more than a search of a few hundred bytes.
    static WORD: LazyLock<Finder> = LazyLock::new(|| Finder::new("pod-security"));
    let text = raw.map_or("null", RawValue::get).as_bytes();
    if text.first() == Some(&b'{') && WORD.find(text).is_none() && !skim::may_hold_unicode_escape(text) {
        return Ok(None);
    }
    let [violations] = members_of(raw, "annotations", [POD_SECURITY_VIOLATIONS])?.unwrap_or_default();
    Ok(violations)
}

/// When the request was received and when this stage was logged (v1beta1 has `timestamp`
/// and metadata.creationTimestamp besides).
fn audit_times(top: &Top) -> Result<(i64, i64), String> {
    let metadata_time = match top.metadata {
        Some(raw) => Members::parse(raw.get())?.string("creationTimestamp")?.and_then(|t| parse_micros(&t)),
        None => None,
    };
    let received_us = time(top.request_received_timestamp, "requestReceivedTimestamp")?
        .or(time(top.timestamp, "timestamp")?)
        .or(metadata_time)
        .ok_or("audit event without requestReceivedTimestamp")?;
    let stage_us = time(top.stage_timestamp, "stageTimestamp")?.unwrap_or(received_us);
    Ok((received_us, stage_us))
}

/// The groups of a `user.groups` array, joined; `None` for none.
fn user_groups(raw: &str) -> Result<Option<String>, String> {
    let mut joined = String::new();
    for element in skim::elements(raw).ok_or("`user.groups` is not an array")? {
        if let Some(group) = skim::string(element).map_err(|why| why.describe("user.groups"))? {
            if !joined.is_empty() {
                joined.push(',');
            }
            joined.push_str(&group);
        }
    }
    Ok(Some(joined).filter(|j| !j.is_empty()))
}

fn first_source_ip<'a>(top: &Top<'a>) -> Result<Option<Cow<'a, str>>, String> {
    match top.source_ips.map(RawValue::get) {
        None | Some("null") => Ok(None),
        Some(ips) => match skim::first_element(ips).ok_or("`sourceIPs` is not an array")? {
            Some(ip) => Ok(skim::string(ip).map_err(|why| why.describe("sourceIPs"))?),
            None => Ok(None),
        },
    }
}

/// `responseStatus`, as far as the log has it.
struct ResponseStatus<'a> {
    code: Option<i64>,
    reason: Option<Cow<'a, str>>,
    message: Option<Cow<'a, str>>,
}

impl<'a> ResponseStatus<'a> {
    fn of(top: &Top<'a>) -> Result<ResponseStatus<'a>, String> {
        // What the apiserver logs for a success, read without splitting it into members.
        let success = top.response_status.and_then(|raw| raw.get().strip_prefix(r#"{"metadata":{},"code":"#));
        if let Some(code) = success.and_then(|rest| rest.strip_suffix('}')?.parse::<i64>().ok()) {
            return Ok(ResponseStatus { code: Some(code), reason: None, message: None });
        }
        let [code, reason, message] =
            members_of(top.response_status, "responseStatus", ["code", "reason", "message"])?.unwrap_or_default();
        let code = match code {
            None | Some("null") => None,
            Some(code) => Some(code.parse::<i64>().map_err(|_| "responseStatus: `code` is not an integer")?),
        };
        Ok(ResponseStatus {
            code,
            reason: non_empty(string_of(reason, "responseStatus", "reason")?),
            message: non_empty(string_of(message, "responseStatus", "message")?),
        })
    }

    /// A request with no status logged yet (RequestReceived) counts as not failed.
    fn succeeded(&self) -> bool {
        self.code.is_none_or(|code| (200..300).contains(&code))
    }
}

/// The object a request is about, from `objectRef` and the bodies: its name and uid, the
/// state a successful write produced, the base resourceVersion, the patch document.
fn decode_target(
    top: &Top,
    object_ref: &[Option<&str>; 8],
    succeeded: bool,
    record: &mut AuditRecord,
    out: &mut Decoded,
) -> Result<(), String> {
    let strings = &mut out.strings;
    let [resource, api_group, namespace, api_version, name, uid, subresource, resource_version] =
        std::array::from_fn(|i| string_of(object_ref[i], "objectRef", OBJECT_REF[i]));
    let resource = resource?.unwrap_or_default();
    let api_group = api_group?;
    let group = kinds::canonical_group(api_group.as_deref().unwrap_or(""), &resource);
    // Every subresource, verb, version (and, failing closed, group) of `secrets` carries a
    // Secret's values.
    let is_secret = resource == "secrets";
    let builtin = kinds::by_resource(group, &resource);
    // The apiserver fills objectRef.namespace of a Namespace with its own name (the request
    // path is /api/v1/namespaces/NAME): cluster-scoped objects have no namespace.
    let namespace = namespace?;
    let namespace = namespace.as_deref().filter(|_| builtin.is_none_or(|r| r.namespaced));
    let mut target = ObjectName {
        kind: strings.get(builtin.map_or("", |r| r.kind)),
        group: strings.get(group),
        api_version: strings.get(&match (
            api_group.as_deref().unwrap_or_default(),
            api_version?.as_deref().unwrap_or_default(),
        ) {
            (_, "") => String::new(),
            ("", version) => version.to_owned(),
            (group, version) => format!("{group}/{version}"),
        }),
        resource: strings.get(&resource),
        namespace: strings.get(namespace.unwrap_or_default()),
        name: name?.map(Cow::into_owned).unwrap_or_default(),
        uid: non_empty(uid?).map(Cow::into_owned),
    };
    let subresource = non_empty(subresource?).map(|s| strings.get(&s));
    let is_write = is_write_verb(&record.verb);
    let is_object_write = is_write && subresource.as_deref().is_none_or(|s| s == "status");
    if is_object_write && succeeded {
        read_response(top, record, &mut target, is_secret, out)?;
    }
    if is_write && let Some(request) = top.request_object {
        read_request(request, record, &mut target, subresource.as_deref(), is_secret, out)?;
    }
    if record.base_rv.is_none() && &*record.verb != "create" {
        record.base_rv = non_empty(resource_version?).map(Cow::into_owned);
    }
    record.subresource = subresource;
    record.target = Some(target);
    Ok(())
}

/// The state a successful write produced, from the response body; it also names the object
/// where `objectRef` did not (a create has no name or uid there).
fn read_response(
    top: &Top,
    record: &mut AuditRecord,
    target: &mut ObjectName,
    is_secret: bool,
    out: &mut Decoded,
) -> Result<(), String> {
    let Some(response) = top.response_object.as_ref() else { return Ok(()) };
    let Some(parsed) = body::parse_object_members(response, &mut out.strings, is_secret)? else { return Ok(()) };
    let state = store_body(parsed, out);
    if target.name.is_empty() {
        target.name = state.object.name.clone();
    }
    if target.namespace.is_empty() {
        target.namespace = state.object.namespace.clone();
    }
    if target.uid.is_none() {
        target.uid = state.object.uid.clone();
    }
    if !state.object.kind.is_empty() {
        target.kind = state.object.kind.clone();
    }
    record.new_rv = state.resource_version.clone();
    record.state = Some(state);
    Ok(())
}

/// What the request body of a write tells: the base resourceVersion of an update, the
/// ownerReferences where no response shows them, and the patch document or binding.
fn read_request(
    request: &RawValue,
    record: &mut AuditRecord,
    target: &mut ObjectName,
    subresource: Option<&str>,
    is_secret: bool,
    out: &mut Decoded,
) -> Result<(), String> {
    // A create with a response has all the body could tell: skipping it saves a scan.
    let needs_meta = &*record.verb != "create" || record.state.is_none();
    // A JSON patch (an array) or a YAML apply body has no metadata to read.
    // Kubernetes writes `metadata` third, after kind and apiVersion: the rest is not read.
    let meta = needs_meta
        .then(|| skim::member(request.get(), "metadata").and_then(|meta| Members::parse(meta).ok()))
        .flatten();
    if let Some(meta) = meta {
        if target.name.is_empty() {
            target.name = meta.owned_string("name").ok().flatten().unwrap_or_default();
        }
        if &*record.verb != "create" {
            record.base_rv = non_empty(meta.owned_string("resourceVersion").ok().flatten());
        }
        if record.state.is_none() {
            record.request_owners = body::owner_refs(meta.get("ownerReferences"))?;
        }
    }
    // Patch documents say what the writer meant to change; binding bodies name the node.
    let is_patch = &*record.verb == "patch";
    if is_patch && !record.server_side_apply && is_apply_body(request.get(), record.field_manager.as_deref()) {
        record.server_side_apply = true;
    }
    let keep_body = (is_patch || subresource == Some("binding")) && !is_secret;
    if keep_body {
        let mut compact = String::with_capacity(request.get().len());
        body::push_minified(&mut compact, request.get());
        let compact = skim::readable(compact).map_err(|e| format!("requestObject: {e}"))?;
        record.patch = Some(out.bodies.push(compact.as_bytes()));
    }
    Ok(())
}

/// Whether a patch under `field_manager` reads as an apply configuration: a whole object
/// with apiVersion and kind. (Merge patches name the fields they change only; kubectl's
/// client-side apply sends a merge patch under its own manager name.)
fn is_apply_body(patch: &str, field_manager: Option<&str>) -> bool {
    field_manager.is_some_and(|manager| manager != "kubectl-client-side-apply")
        && skim::member(patch, "apiVersion").is_some()
        && skim::member(patch, "kind").is_some()
}

#[derive(Deserialize, Default)]
struct EventJson {
    #[serde(rename = "apiVersion", default)]
    api_version: Option<String>,
    #[serde(default)]
    metadata: Option<EventMetaJson>,
    #[serde(rename = "involvedObject", default)]
    involved_object: Option<InvolvedJson>,
    #[serde(default)]
    regarding: Option<InvolvedJson>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(rename = "type", default)]
    event_type: Option<String>,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    source: Option<SourceJson>,
    #[serde(rename = "deprecatedSource", default)]
    deprecated_source: Option<SourceJson>,
    #[serde(rename = "reportingComponent", default)]
    reporting_component: Option<String>,
    #[serde(rename = "reportingController", default)]
    reporting_controller: Option<String>,
    #[serde(rename = "reportingInstance", default)]
    reporting_instance: Option<String>,
    #[serde(default)]
    count: Option<i64>,
    #[serde(rename = "deprecatedCount", default)]
    deprecated_count: Option<i64>,
    #[serde(default)]
    series: Option<SeriesJson>,
    #[serde(rename = "firstTimestamp", default)]
    first_timestamp: Option<String>,
    #[serde(rename = "lastTimestamp", default)]
    last_timestamp: Option<String>,
    #[serde(rename = "deprecatedFirstTimestamp", default)]
    deprecated_first_timestamp: Option<String>,
    #[serde(rename = "deprecatedLastTimestamp", default)]
    deprecated_last_timestamp: Option<String>,
    #[serde(rename = "eventTime", default)]
    event_time: Option<String>,
}

#[derive(Deserialize, Default)]
struct EventMetaJson {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    uid: Option<String>,
    #[serde(rename = "resourceVersion", default)]
    resource_version: Option<String>,
    #[serde(rename = "creationTimestamp", default)]
    creation_timestamp: Option<String>,
}

#[derive(Deserialize, Default)]
struct InvolvedJson {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    uid: Option<String>,
    #[serde(rename = "apiVersion", default)]
    api_version: Option<String>,
    #[serde(rename = "fieldPath", default)]
    field_path: Option<String>,
}

#[derive(Deserialize, Default)]
struct SourceJson {
    #[serde(default)]
    component: Option<String>,
    #[serde(default)]
    host: Option<String>,
}

#[derive(Deserialize, Default)]
struct SeriesJson {
    #[serde(default)]
    count: Option<i64>,
    #[serde(rename = "lastObservedTime", default)]
    last_observed_time: Option<String>,
}

fn event_time(text: Option<String>, field: &str) -> Result<Option<i64>, String> {
    match non_empty(text) {
        None => Ok(None),
        Some(t) => parse_micros(&t).map(Some).ok_or_else(|| format!("`{field}` is not an RFC 3339 time: {t:?}")),
    }
}

/// The object an Event is about, with its resource resolved from the kind.
fn involved_object(involved: InvolvedJson) -> ObjectName {
    let api_version = involved.api_version.unwrap_or_default();
    let kind = involved.kind.unwrap_or_default();
    let group = kinds::group_of(&api_version);
    // Operators write kinds in lower case (`deployment`): the built-in kind, as spelled.
    let builtin = kinds::by_kind_any_case(group, &kind);
    let kind = builtin.map_or(kind, |r| r.kind.to_owned());
    let resource = builtin.map_or_else(|| kinds::guess_resource(&kind), |r| r.resource.to_owned());
    let namespaced = builtin.is_none_or(|r| r.namespaced);
    let name = involved.name.unwrap_or_default();
    // kubelet's Node Events give the node's name as its uid: the Node is found by name.
    let uid = non_empty(involved.uid).filter(|uid| !(resource == "nodes" && *uid == name));
    ObjectName {
        group: kinds::canonical_group(group, &resource).into(),
        api_version: api_version.as_str().into(),
        resource: resource.into(),
        kind: kind.into(),
        // Events about cluster-scoped objects live in `default` and some name it here too.
        namespace: if namespaced { involved.namespace.unwrap_or_default().into() } else { "".into() },
        name,
        uid,
    }
}

/// The Kubernetes Event a successful write of `events` carries, where the audit log kept a
/// body whole enough: many clusters' Events survive only there. The response (with the
/// Event's uid and resourceVersion, so that a dump of it is the same version) is preferred
/// to the request; a patch's request is only a fragment.
fn recorded_event(top: &Top, record: &AuditRecord, cluster: Option<&str>) -> Option<Result<EventRecord, String>> {
    let target = record.target.as_ref()?;
    let is_event = &*target.resource == "events" && (target.group.is_empty() || &*target.group == "events.k8s.io");
    let writes = matches!(&*record.verb, "create" | "update" | "patch") && record.subresource.is_none();
    if !is_event || !writes || !record.code.is_some_and(|c| (200..300).contains(&c)) {
        return None;
    }
    let response = top.response_object.as_ref().filter(|m| m.get("involvedObject").or(m.get("regarding")).is_some());
    let json = match response {
        Some(members) => members_json(members),
        None if &*record.verb != "patch" => top.request_object?.get().to_owned(),
        None => return None,
    };
    let mut event = match decode_event(&json, cluster) {
        Ok(event) => event,
        Err(e) => return Some(Err(e)),
    };
    // An Event's time is its own; a request that gives none dates it.
    event.created_us = event.created_us.or(Some(record.stage_us));
    Some(Ok(event))
}

/// An object whose members were split, as JSON again.
fn members_json(members: &Members) -> String {
    let mut json = String::from("{");
    for (i, (key, value)) in members.0.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&serde_json::to_string(key.as_ref()).unwrap_or_default());
        json.push(':');
        json.push_str(value);
    }
    json.push('}');
    json
}

fn decode_event(json: &str, cluster: Option<&str>) -> Result<EventRecord, String> {
    let event: EventJson = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let is_new_api = event.api_version.as_deref() == Some("events.k8s.io/v1")
        || (event.involved_object.is_none() && event.regarding.is_some());
    let involved = event.involved_object.or(event.regarding).unwrap_or_default();
    let meta = event.metadata.unwrap_or_default();
    let source = event.source.or(event.deprecated_source).unwrap_or_default();
    let series = event.series.unwrap_or_default();
    Ok(EventRecord {
        cluster: cluster.map(str::to_owned),
        cluster_from_label: false,
        api: if is_new_api { "events.k8s.io/v1" } else { "v1" },
        details: EventDetails {
            uid: non_empty(meta.uid),
            name: meta.name.unwrap_or_default(),
            namespace: meta.namespace.unwrap_or_default(),
            resource_version: non_empty(meta.resource_version),
            field_path: non_empty(involved.field_path.clone()),
            reason: non_empty(event.reason),
            message: non_empty(event.message.or(event.note)),
            event_type: non_empty(event.event_type),
            action: non_empty(event.action),
            source_component: non_empty(source.component),
            source_host: non_empty(source.host),
            reporting_component: non_empty(event.reporting_component.or(event.reporting_controller)),
            reporting_instance: non_empty(event.reporting_instance),
            count: event.count.or(event.deprecated_count),
            series_count: series.count,
            first_us: event_time(event.first_timestamp.or(event.deprecated_first_timestamp), "firstTimestamp")?,
            last_us: event_time(event.last_timestamp.or(event.deprecated_last_timestamp), "lastTimestamp")?,
            event_time_us: event_time(event.event_time, "eventTime")?,
            series_last_us: event_time(series.last_observed_time, "series.lastObservedTime")?,
        },
        involved: involved_object(involved),
        created_us: event_time(meta.creation_timestamp, "metadata.creationTimestamp")?,
    })
}
