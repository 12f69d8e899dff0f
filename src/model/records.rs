//! Decoded records. They own their strings because they cross from the parsing threads
//! to the single store writer. Strings that repeat from record to record (verbs, users,
//! agents, groups, kinds, namespaces) are shared: one allocation per piece, not per record.

use std::collections::HashSet;
use std::sync::Arc;

/// A string many records of a piece share.
pub type Shared = Arc<str>;

/// Hands out one [`Shared`] per distinct string.
#[derive(Default)]
pub struct Interner {
    /// Hashed with foldhash: these keys are short and never chosen by an attacker who could
    /// exploit collisions for more than a slower ingest.
    strings: HashSet<Shared, foldhash::fast::RandomState>,
}

impl Interner {
    pub fn get(&mut self, text: &str) -> Shared {
        if let Some(shared) = self.strings.get(text) {
            return shared.clone();
        }
        let shared: Shared = Arc::from(text);
        self.strings.insert(shared.clone());
        shared
    }
}

/// The audit stages, in the order a request passes through them. The values are bits so
/// that the store can keep the set of stages seen for one auditID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    RequestReceived = 1,
    ResponseStarted = 2,
    ResponseComplete = 4,
    Panic = 8,
}

impl Stage {
    pub fn parse(text: &str) -> Option<Stage> {
        Some(match text {
            "RequestReceived" => Stage::RequestReceived,
            "ResponseStarted" => Stage::ResponseStarted,
            "ResponseComplete" => Stage::ResponseComplete,
            "Panic" => Stage::Panic,
            _ => return None,
        })
    }

    pub fn bit(self) -> i64 {
        self as i64
    }
}

/// Audit levels, by how much of a request they record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    None = 0,
    Metadata = 1,
    Request = 2,
    RequestResponse = 3,
}

impl Level {
    /// The name of a stored level (the column holds the number); a record that named none
    /// reads as Metadata, the least a logged request has.
    pub fn name_of(stored: i64) -> &'static str {
        match stored {
            3 => "RequestResponse",
            2 => "Request",
            _ => "Metadata",
        }
    }

    pub fn parse(text: &str) -> Level {
        match text {
            "Metadata" => Level::Metadata,
            "Request" => Level::Request,
            "RequestResponse" => Level::RequestResponse,
            _ => Level::None,
        }
    }
}

/// What an object is called: enough to find it again in any record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ObjectName {
    /// API group, canonical (`apps` even when the request used `extensions`).
    pub group: Shared,
    /// The apiVersion as the evidence wrote it (`extensions/v1beta1` stays so), or empty.
    pub api_version: Shared,
    /// Plural resource (`deployments`); may be empty when only the kind is known.
    pub resource: Shared,
    /// Kind (`Deployment`); may be empty when only the resource is known.
    pub kind: Shared,
    pub namespace: Shared,
    pub name: String,
    pub uid: Option<String>,
}

/// One `metadata.ownerReferences` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerRef {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub uid: String,
    pub controller: bool,
    /// A Kelemetry `parent-link` annotation rather than an ownerReference: it names the
    /// resource (not the kind) and may name another cluster.
    pub parent_link: Option<ParentLink>,
}

/// What a `kelemetry.kubewharf.io/parent-link` annotation adds to an owner reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentLink {
    pub resource: String,
    pub namespace: String,
    pub cluster: Option<String>,
}

/// A compressed body, as an index into the block list of the batch that carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyRef {
    pub block: usize,
    pub offset: usize,
    pub len: usize,
}

/// An object as some record saw it at one resourceVersion.
#[derive(Debug, Clone)]
pub struct ObjectState {
    pub object: ObjectName,
    pub resource_version: Option<String>,
    pub generate_name: Option<String>,
    pub created_us: Option<i64>,
    pub deleted_us: Option<i64>,
    pub owners: Vec<OwnerRef>,
    /// A mirror Pod's `kubernetes.io/config.mirror` (or `config.hash`): the uid kubelet's
    /// Events give the static Pod it mirrors.
    pub mirror_of: Option<String>,
    /// The compact body (no managedFields, Secret values redacted), once the batch
    /// has compressed it.
    pub body: Option<BodyRef>,
}

/// One audit event (one stage of one request).
#[derive(Debug, Clone)]
pub struct AuditRecord {
    /// From a Kelemetry dump envelope or a GKE entry; otherwise the ingest's `--cluster`.
    pub cluster: Option<String>,
    /// `cluster` is a GKE entry's `resource.labels.cluster_name`, which an explicit
    /// `--cluster` overrides (a Kelemetry dump's own cluster wins over it).
    pub cluster_from_label: bool,
    /// The auditID as stored (see [`super::audit_id`]).
    pub audit_key: Vec<u8>,
    pub stage: Stage,
    pub level: Level,
    pub verb: Shared,
    /// Kept only for requests on no single object (list, watch, non-resource URLs).
    pub request_uri: Option<String>,
    pub user: Shared,
    /// `user.groups`, joined by commas.
    pub groups: Option<Shared>,
    pub impersonated_user: Option<Shared>,
    pub user_agent: Option<Shared>,
    pub source_ip: Option<Shared>,
    pub code: Option<i64>,
    pub status_reason: Option<Shared>,
    pub status_message: Option<String>,
    pub received_us: i64,
    pub stage_us: i64,
    /// The object the request is about (objectRef, completed from the bodies).
    pub target: Option<ObjectName>,
    pub subresource: Option<Shared>,
    /// The resourceVersion the writer based its write on.
    pub base_rv: Option<String>,
    /// The resourceVersion a successful write produced.
    pub new_rv: Option<String>,
    /// The object after a successful write (from responseObject).
    pub state: Option<ObjectState>,
    /// Owner references from a requestObject when no responseObject has them.
    pub request_owners: Vec<OwnerRef>,
    /// The patch document of a patch request.
    pub patch: Option<BodyRef>,
    /// The `fieldManager` of the request URI's query (writes that name theirs).
    pub field_manager: Option<Shared>,
    /// A server-side apply: a patch sent with `force=` (kubectl and client-go always send
    /// it), or a patch whose body is a whole object (apiVersion and kind) under a field
    /// manager (controller-runtime without ForceOwnership).
    pub server_side_apply: bool,
    /// What PodSecurity admission said the object would violate, where it only audited or
    /// warned (`pod-security.kubernetes.io/audit-violations`).
    pub pod_security_violations: Option<Shared>,
}

pub fn is_write_verb(verb: &str) -> bool {
    matches!(verb, "create" | "update" | "patch" | "delete" | "deletecollection")
}

/// What one version of a Kubernetes Event says: as decoded, and as the store gives it back.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct EventDetails {
    pub uid: Option<String>,
    pub name: String,
    pub namespace: String,
    pub resource_version: Option<String>,
    /// `involvedObject.fieldPath` (`spec.containers{web}`).
    pub field_path: Option<String>,
    pub reason: Option<String>,
    pub message: Option<String>,
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    pub action: Option<String>,
    pub source_component: Option<String>,
    pub source_host: Option<String>,
    pub reporting_component: Option<String>,
    pub reporting_instance: Option<String>,
    pub count: Option<i64>,
    pub series_count: Option<i64>,
    pub first_us: Option<i64>,
    pub last_us: Option<i64>,
    pub event_time_us: Option<i64>,
    pub series_last_us: Option<i64>,
}

/// A Kubernetes Event (core/v1 or events.k8s.io/v1) at one resourceVersion.
#[derive(Debug, Clone, Default)]
pub struct EventRecord {
    pub cluster: Option<String>,
    /// As [`AuditRecord::cluster_from_label`].
    pub cluster_from_label: bool,
    /// `v1` or `events.k8s.io/v1`.
    pub api: &'static str,
    pub involved: ObjectName,
    pub details: EventDetails,
    pub created_us: Option<i64>,
}

impl EventRecord {
    /// When the Event happened: lastTimestamp, then eventTime, then series.lastObservedTime,
    /// then firstTimestamp, then metadata.creationTimestamp (scheduler Events have only
    /// eventTime; some have none of the first four).
    pub fn time_us(&self) -> Option<i64> {
        let d = &self.details;
        d.last_us.or(d.event_time_us).or(d.series_last_us).or(d.first_us).or(self.created_us)
    }
}

/// An object from a dump (`kubectl get -o json|yaml`, must-gather, a kspan recording).
#[derive(Debug, Clone)]
pub struct DumpRecord {
    pub cluster: Option<String>,
    pub state: ObjectState,
    /// When the snapshot was taken, where the file says (kspan's `# {"time":...}` comments).
    pub observed_us: Option<i64>,
}

#[derive(Debug, Clone)]
pub enum Record {
    Audit(Box<AuditRecord>),
    Event(Box<EventRecord>),
    Dump(Box<DumpRecord>),
}
