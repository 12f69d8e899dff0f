//! Synthetic, reproducible control-plane logs at any scale, for benchmarks and tests.
//!
//! ```text
//! cargo run --release --example synth -- --out DIR [--size 1G | --deployments N] [--seed S] [--noise N]
//!     [--request-received PERCENT] [--first-replicas N] [--read-bodies] [--gzip [--gzip-level 1-9]]
//! ```
//! `--read-bodies` logs the background reads at RequestResponse, with what they return (a
//! get its object, a list a List of 20): the repetitive bodies that make real
//! RequestResponse logs compress 15:1 and more. `--gzip-level` defaults to 1 (fast); rotated
//! logs are mostly at gzip's default, 6.
//! `--request-received` is the share of requests also logged at stage RequestReceived
//! (default 5): 100 is what the apiserver writes under a policy without `omitStages`.
//! `--first-replicas` sizes Deployment `app-0` (its two ReplicaSets then own 2N Pods): the
//! trace benchmark's subject.
//! `--noise` scales the background traffic (reads, leases at Metadata level). Real audit
//! logs are dominated by it: the default 3 makes about 83% of the events reads and
//! heartbeats; `--noise 1` (63%) is a write-heavy worst case for ingest.
//! Writes `DIR/audit.log` (or `audit.log.gz`): kube-apiserver audit events as JSON Lines,
//! and `DIR/events.json`: a `kubectl get events -o json` List. The simulated cluster runs
//! Deployment rollouts the way the controllers do them: kubectl creates and patches the
//! Deployment, the deployment controller creates ReplicaSets and updates status (racing
//! itself into 409 Conflicts), the ReplicaSet controller creates and deletes Pods, the
//! scheduler binds them, kubelets patch their status; a federation controller flips
//! `spec.minReadySeconds` to 3600 and back; a ConfigMap create hits AlreadyExists; some
//! Deployments are deleted and some of those created again under the same name (a new
//! object); leader election, node leases and reads at Metadata level make the noise real
//! logs are full of.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use flate2::Compression;
use flate2::write::GzEncoder;

/// splitmix64: small, fast, and the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            (b >> 48) & 0x3fff | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    fn suffix(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        (0..len).map(|_| ALPHABET[self.below(ALPHABET.len() as u64) as usize] as char).collect()
    }
}

fn timestamp(us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .unwrap_or_default()
}

fn seconds(us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

struct Actor {
    user: String,
    agent: String,
    ip: &'static str,
}

fn controller(name: &str) -> Actor {
    Actor {
        user: format!("system:serviceaccount:kube-system:{name}"),
        agent: format!(
            "kube-controller-manager/v1.29.2 (linux/amd64) kubernetes/4b8e819/system:serviceaccount:kube-system:{name}"
        ),
        ip: "10.0.0.2",
    }
}

fn kubectl(user: &str) -> Actor {
    Actor {
        user: user.to_owned(),
        agent: "kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819".into(),
        ip: "192.168.7.15",
    }
}

fn scheduler() -> Actor {
    Actor {
        user: "system:kube-scheduler".into(),
        agent: "kube-scheduler/v1.29.2 (linux/amd64) kubernetes/4b8e819/scheduler".into(),
        ip: "10.0.0.2",
    }
}

fn kubelet(node: &str) -> Actor {
    Actor {
        user: format!("system:node:{node}"),
        agent: "kubelet/v1.29.2 (linux/amd64) kubernetes/4b8e819".into(),
        ip: "10.0.1.10",
    }
}

fn federation() -> Actor {
    Actor {
        user: "system:serviceaccount:kube-federation-system:kubefed-controller".into(),
        agent: "kubefed-controller-manager/v0.10.0 (linux/amd64) kubefed/v0.10.0".into(),
        ip: "10.0.9.4",
    }
}

/// One audit event being written.
struct Request<'a> {
    actor: &'a Actor,
    verb: &'a str,
    resource: &'a str,
    group: &'a str,
    namespace: &'a str,
    name: &'a str,
    uid: Option<&'a str>,
    subresource: Option<&'a str>,
    code: u16,
    reason: Option<&'a str>,
    message: Option<&'a str>,
    base_rv: Option<&'a str>,
    level: &'a str,
    request_object: Option<&'a str>,
    response_object: Option<&'a str>,
}

impl<'a> Request<'a> {
    fn new(actor: &'a Actor, verb: &'a str, resource: &'a str, namespace: &'a str, name: &'a str) -> Request<'a> {
        Request {
            actor,
            verb,
            resource,
            group: "",
            namespace,
            name,
            uid: None,
            subresource: None,
            code: 200,
            reason: None,
            message: None,
            base_rv: None,
            level: "Metadata",
            request_object: None,
            response_object: None,
        }
    }
}

/// The object an Event is about.
struct About<'a> {
    kind: &'a str,
    api_version: &'a str,
    namespace: &'a str,
    name: &'a str,
    uid: &'a str,
}

impl<'a> About<'a> {
    fn deployment(d: &'a Deployment) -> About<'a> {
        About { kind: "Deployment", api_version: "apps/v1", namespace: &d.namespace, name: &d.name, uid: &d.uid }
    }

    fn replicaset(d: &'a Deployment, rs: &'a ReplicaSet) -> About<'a> {
        About { kind: "ReplicaSet", api_version: "apps/v1", namespace: &d.namespace, name: &rs.name, uid: &rs.uid }
    }

    fn pod(d: &'a Deployment, pod: &'a Pod) -> About<'a> {
        About { kind: "Pod", api_version: "v1", namespace: &d.namespace, name: &pod.name, uid: &pod.uid }
    }
}

struct Deployment {
    name: String,
    namespace: String,
    uid: String,
    rv: u64,
    generation: u64,
    replicas: u64,
    image: String,
    min_ready: u64,
    observed: u64,
    created: i64,
}

struct ReplicaSet {
    name: String,
    uid: String,
    rv: u64,
    replicas: u64,
    template_hash: String,
    image: String,
    created: i64,
}

struct Pod {
    name: String,
    uid: String,
    rv: u64,
    node: Option<String>,
    phase: &'static str,
    created: i64,
}

struct Sim {
    rng: Rng,
    now: i64,
    rv: u64,
    audit: Box<dyn Write>,
    /// `events.json`, a List written as the Events happen: its items, one a line.
    events: BufWriter<File>,
    events_written: u64,
    audit_bytes: u64,
    requests: u64,
    nodes: Vec<String>,
    noise_factor: usize,
    request_received_percent: u64,
    first_replicas: u64,
    read_bodies: bool,
}

/// What a read of `resource` returns for `name` in `namespace`: the same bytes each time
/// for the same object, as an unchanged object reads back.
fn read_object(resource: &str, namespace: &str, name: &str) -> String {
    let kind = match resource {
        "pods" => "Pod",
        "endpoints" => "Endpoints",
        "configmaps" => "ConfigMap",
        _ => "Service",
    };
    let id = namespace
        .bytes()
        .chain(name.bytes())
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!(
        r#"{{"kind":"{kind}","apiVersion":"v1","metadata":{{"name":"{name}","namespace":"{namespace}","uid":"5e1f0c3a-0000-4000-8000-{:012x}","resourceVersion":"{}","creationTimestamp":"2024-03-01T09:00:00Z","labels":{{"app.kubernetes.io/name":"{name}","app.kubernetes.io/part-of":"shop"}},"annotations":{{"owner":"team-platform@example.com"}}}},"data":{{"config.yaml":"listen: 0.0.0.0:8080\nlog_level: info\nupstreams:\n  - http://backend.{namespace}.svc:8080\n"}}}}"#,
        id & 0xffff_ffff_ffff,
        100 + id % 900,
    )
}

const MANAGED_FIELDS: &str = r#""managedFields":[{"manager":"kube-controller-manager","operation":"Update","apiVersion":"apps/v1","time":"2024-03-01T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:annotations":{".":{},"f:deployment.kubernetes.io/revision":{}}},"f:status":{"f:conditions":{".":{},"k:{\"type\":\"Available\"}":{".":{},"f:lastTransitionTime":{},"f:lastUpdateTime":{},"f:message":{},"f:reason":{},"f:status":{},"f:type":{}}},"f:observedGeneration":{},"f:replicas":{}}},"subresource":"status"}]"#;

impl Sim {
    fn tick(&mut self, max_ms: u64) -> i64 {
        self.now += 1_000 + self.rng.below(max_ms * 1_000) as i64;
        self.now
    }

    fn next_rv(&mut self) -> u64 {
        self.rv += 1 + self.rng.below(3);
        self.rv
    }

    fn write_request(&mut self, r: &Request) -> io::Result<()> {
        let received = self.now;
        let latency = 800 + self.rng.below(25_000) as i64;
        let audit_id = self.rng.uuid();
        let mut uri = String::from(if r.group.is_empty() { "/api/v1" } else { "/apis/" });
        if !r.group.is_empty() {
            let _ = write!(uri, "{}/v1", r.group);
        }
        if !r.namespace.is_empty() {
            let _ = write!(uri, "/namespaces/{}", r.namespace);
        }
        let _ = write!(uri, "/{}", r.resource);
        if !r.name.is_empty() && r.verb != "create" || r.subresource.is_some() {
            let _ = write!(uri, "/{}", r.name);
        }
        if let Some(sub) = r.subresource {
            let _ = write!(uri, "/{sub}");
        }
        if r.verb == "watch" {
            uri.push_str("?allowWatchBookmarks=true&resourceVersion=1&timeout=7m3s&watch=true");
        }
        let mut object_ref = format!(r#""resource":"{}""#, r.resource);
        if !r.namespace.is_empty() {
            let _ = write!(object_ref, r#","namespace":"{}""#, r.namespace);
        }
        if !r.name.is_empty() {
            let _ = write!(object_ref, r#","name":"{}""#, r.name);
        }
        if let Some(uid) = r.uid {
            let _ = write!(object_ref, r#","uid":"{uid}""#);
        }
        if !r.group.is_empty() {
            let _ = write!(object_ref, r#","apiGroup":"{}""#, r.group);
        }
        let _ = write!(object_ref, r#","apiVersion":"v1""#);
        if let Some(rv) = r.base_rv {
            let _ = write!(object_ref, r#","resourceVersion":"{rv}""#);
        }
        if let Some(sub) = r.subresource {
            let _ = write!(object_ref, r#","subresource":"{sub}""#);
        }
        let mut status = format!(r#""metadata":{{}},"code":{}"#, r.code);
        if let Some(reason) = r.reason {
            let _ = write!(status, r#","status":"Failure","reason":"{reason}""#);
        }
        if let Some(message) = r.message {
            let _ = write!(status, r#","message":{}"#, serde_json::to_string(message).unwrap_or_default());
        }
        let groups = if r.actor.user.starts_with("system:serviceaccount:") {
            r#"["system:serviceaccounts","system:serviceaccounts:kube-system","system:authenticated"]"#
        } else if r.actor.user.starts_with("system:node:") {
            r#"["system:nodes","system:authenticated"]"#
        } else {
            r#"["system:authenticated"]"#
        };
        let prefix = |stage: &str, level: &str, this: &mut Sim| {
            format!(
                r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"{level}","auditID":"{audit_id}","stage":"{stage}","requestURI":"{uri}","verb":"{}","user":{{"username":"{}","uid":"{}","groups":{groups}}},"sourceIPs":["{}"],"userAgent":"{}","objectRef":{{{object_ref}}}"#,
                r.verb,
                r.actor.user,
                this.rng.uuid(),
                r.actor.ip,
                r.actor.agent
            )
        };
        // Some policies log RequestReceived too: the same auditID at two stages.
        if self.rng.chance(self.request_received_percent) {
            let mut line = prefix("RequestReceived", r.level, self);
            let _ = write!(line, r#","requestReceivedTimestamp":"{0}","stageTimestamp":"{0}"}}"#, timestamp(received));
            line.push('\n');
            self.emit(&line)?;
        }
        let mut line = prefix("ResponseComplete", r.level, self);
        let _ = write!(line, r#","responseStatus":{{{status}}}"#);
        if let Some(body) = r.request_object.filter(|_| r.level != "Metadata") {
            let _ = write!(line, r#","requestObject":{body}"#);
        }
        if let Some(body) = r.response_object.filter(|_| r.level == "RequestResponse") {
            let _ = write!(line, r#","responseObject":{body}"#);
        }
        let decision = if r.code == 403 { "forbid" } else { "allow" };
        let _ = write!(
            line,
            r#","requestReceivedTimestamp":"{}","stageTimestamp":"{}","annotations":{{"authorization.k8s.io/decision":"{decision}","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding \"system:controller\" of ClusterRole \"system:controller\" to User \"{}\""}}}}"#,
            timestamp(received),
            timestamp(received + latency),
            r.actor.user.replace('"', "")
        );
        line.push('\n');
        self.requests += 1;
        self.emit(&line)
    }

    fn emit(&mut self, line: &str) -> io::Result<()> {
        self.audit_bytes += line.len() as u64;
        self.audit.write_all(line.as_bytes())
    }

    fn event(&mut self, about: About, reason: &str, message: &str, source: &str, host: Option<&str>) -> io::Result<()> {
        let About { kind, api_version, namespace, name, uid } = about;
        let event_uid = self.rng.uuid();
        let rv = self.next_rv();
        let when = self.now;
        let host = host.map(|h| format!(r#","host":"{h}""#)).unwrap_or_default();
        let event_name = format!("{name}.{:016x}", self.rng.next());
        // The scheduler writes events.k8s.io Events: eventTime only, no first/lastTimestamp.
        let times = if source == "default-scheduler" {
            format!(
                r#""eventTime":"{}","firstTimestamp":null,"lastTimestamp":null,"count":null,"reportingComponent":"default-scheduler","reportingInstance":"default-scheduler-master-1","action":"Binding""#,
                timestamp(when)
            )
        } else {
            format!(
                r#""firstTimestamp":"{0}","lastTimestamp":"{0}","count":1,"eventTime":null,"reportingComponent":"","reportingInstance":"""#,
                seconds(when)
            )
        };
        let separator = if self.events_written == 0 { "" } else { "," };
        self.events_written += 1;
        writeln!(
            self.events,
            r#"{separator}{{"apiVersion":"v1","kind":"Event","metadata":{{"name":"{event_name}","namespace":"{namespace}","uid":"{event_uid}","resourceVersion":"{rv}","creationTimestamp":"{}"}},"involvedObject":{{"kind":"{kind}","namespace":"{namespace}","name":"{name}","uid":"{uid}","apiVersion":"{api_version}"}},"reason":"{reason}","message":{},"source":{{"component":"{source}"{host}}},"type":"Normal",{times}}}"#,
            seconds(when),
            serde_json::to_string(message).unwrap_or_default()
        )
    }

    fn deployment_json(&self, d: &Deployment, status: bool) -> String {
        let status = if status {
            format!(
                r#","status":{{"observedGeneration":{},"replicas":{1},"updatedReplicas":{1},"readyReplicas":{1},"availableReplicas":{1},"conditions":[{{"type":"Available","status":"True","lastUpdateTime":"{2}","lastTransitionTime":"{2}","reason":"MinimumReplicasAvailable","message":"Deployment has minimum availability."}},{{"type":"Progressing","status":"True","lastUpdateTime":"{2}","lastTransitionTime":"{2}","reason":"NewReplicaSetAvailable","message":"ReplicaSet has successfully progressed."}}]}}"#,
                d.observed,
                d.replicas,
                seconds(self.now)
            )
        } else {
            String::new()
        };
        format!(
            r#"{{"kind":"Deployment","apiVersion":"apps/v1","metadata":{{"name":"{}","namespace":"{}","uid":"{}","resourceVersion":"{}","generation":{},"creationTimestamp":"{}","labels":{{"app.kubernetes.io/name":"{0}"}},"annotations":{{"deployment.kubernetes.io/revision":"1"}},{MANAGED_FIELDS}}},"spec":{{"replicas":{},"selector":{{"matchLabels":{{"app.kubernetes.io/name":"{0}"}}}},"template":{{"metadata":{{"labels":{{"app.kubernetes.io/name":"{0}"}}}},"spec":{{"containers":[{{"name":"web","image":"{}","ports":[{{"containerPort":8080,"protocol":"TCP"}}],"resources":{{"requests":{{"cpu":"100m","memory":"128Mi"}}}},"env":[{{"name":"LOG_LEVEL","value":"info"}}],"terminationMessagePath":"/dev/termination-log","imagePullPolicy":"IfNotPresent"}}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","schedulerName":"default-scheduler"}}}},"strategy":{{"type":"RollingUpdate","rollingUpdate":{{"maxUnavailable":"25%","maxSurge":"25%"}}}},"minReadySeconds":{},"revisionHistoryLimit":10,"progressDeadlineSeconds":600}}{status}}}"#,
            d.name,
            d.namespace,
            d.uid,
            d.rv,
            d.generation,
            seconds(d.created),
            d.replicas,
            d.image,
            d.min_ready
        )
    }

    fn replicaset_json(&self, d: &Deployment, rs: &ReplicaSet) -> String {
        format!(
            r#"{{"kind":"ReplicaSet","apiVersion":"apps/v1","metadata":{{"name":"{}","namespace":"{}","uid":"{}","resourceVersion":"{}","generation":1,"creationTimestamp":"{}","labels":{{"app.kubernetes.io/name":"{}","pod-template-hash":"{}"}},"ownerReferences":[{{"apiVersion":"apps/v1","kind":"Deployment","name":"{5}","uid":"{}","controller":true,"blockOwnerDeletion":true}}]}},"spec":{{"replicas":{},"selector":{{"matchLabels":{{"app.kubernetes.io/name":"{5}","pod-template-hash":"{6}"}}}},"template":{{"spec":{{"containers":[{{"name":"web","image":"{}"}}]}}}}}},"status":{{"replicas":{8},"fullyLabeledReplicas":{8},"readyReplicas":{8},"availableReplicas":{8},"observedGeneration":1}}}}"#,
            rs.name,
            d.namespace,
            rs.uid,
            rs.rv,
            seconds(rs.created),
            d.name,
            rs.template_hash,
            d.uid,
            rs.replicas,
            rs.image,
        )
    }

    fn pod_json(&self, d: &Deployment, rs: &ReplicaSet, pod: &Pod) -> String {
        let node = pod.node.as_ref().map(|n| format!(r#","nodeName":"{n}""#)).unwrap_or_default();
        let status = if pod.phase == "Running" {
            format!(
                r#"{{"phase":"Running","conditions":[{{"type":"Ready","status":"True","lastTransitionTime":"{0}"}},{{"type":"ContainersReady","status":"True","lastTransitionTime":"{0}"}}],"hostIP":"10.0.1.10","podIP":"10.244.{1}.{2}","startTime":"{0}","containerStatuses":[{{"name":"web","ready":true,"restartCount":0,"image":"{3}","state":{{"running":{{"startedAt":"{0}"}}}}}}]}}"#,
                seconds(self.now),
                self.rng.0 % 250,
                (self.rng.0 >> 8) % 250,
                rs.image
            )
        } else {
            r#"{"phase":"Pending","qosClass":"Burstable"}"#.to_owned()
        };
        format!(
            r#"{{"kind":"Pod","apiVersion":"v1","metadata":{{"name":"{}","generateName":"{}-","namespace":"{}","uid":"{}","resourceVersion":"{}","creationTimestamp":"{}","labels":{{"app.kubernetes.io/name":"{}","pod-template-hash":"{}"}},"ownerReferences":[{{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"{1}","uid":"{}","controller":true,"blockOwnerDeletion":true}}]}},"spec":{{"containers":[{{"name":"web","image":"{}","ports":[{{"containerPort":8080,"protocol":"TCP"}}]}}],"restartPolicy":"Always","schedulerName":"default-scheduler"{node}}},"status":{status}}}"#,
            pod.name,
            rs.name,
            d.namespace,
            pod.uid,
            pod.rv,
            seconds(pod.created),
            d.name,
            rs.template_hash,
            rs.uid,
            rs.image,
        )
    }

    /// Background traffic: leader election, node heartbeats, reads. `count` is scaled by
    /// `--noise`.
    fn noise(&mut self, count: usize) -> io::Result<()> {
        for _ in 0..count * self.noise_factor {
            self.tick(40);
            match self.rng.below(10) {
                0..=2 => {
                    let (actor, name) = if self.rng.chance(50) {
                        (controller("leader-election"), "kube-controller-manager")
                    } else {
                        (scheduler(), "kube-scheduler")
                    };
                    let rv = self.next_rv().to_string();
                    let lease = format!(
                        r#"{{"kind":"Lease","apiVersion":"coordination.k8s.io/v1","metadata":{{"name":"{name}","namespace":"kube-system","uid":"0f5c2b7e-0000-4000-8000-{:012x}","resourceVersion":"{rv}"}},"spec":{{"holderIdentity":"master-1_{name}","leaseDurationSeconds":15,"acquireTime":"2024-03-01T09:00:00.000000Z","renewTime":"{}","leaseTransitions":3}}}}"#,
                        name.len(),
                        timestamp(self.now)
                    );
                    let mut r = Request::new(&actor, "update", "leases", "kube-system", name);
                    r.group = "coordination.k8s.io";
                    r.level = "RequestResponse";
                    r.request_object = Some(&lease);
                    r.response_object = Some(&lease);
                    self.write_request(&r)?;
                }
                3..=4 => {
                    let node = self.nodes[self.rng.below(self.nodes.len() as u64) as usize].clone();
                    let actor = kubelet(&node);
                    let mut r = Request::new(&actor, "update", "leases", "kube-node-lease", &node);
                    r.group = "coordination.k8s.io";
                    self.write_request(&r)?;
                }
                5..=7 => {
                    let actor = controller(
                        ["replicaset-controller", "deployment-controller", "endpoint-controller"]
                            [self.rng.below(3) as usize],
                    );
                    let resource = ["pods", "endpoints", "configmaps", "services"][self.rng.below(4) as usize];
                    let verb = if self.rng.chance(70) { "get" } else { "list" };
                    let namespace = format!("team-{}", self.rng.below(10));
                    let name = if verb == "get" { format!("svc-{}", self.rng.below(100)) } else { String::new() };
                    let mut r = Request::new(&actor, verb, resource, &namespace, &name);
                    if verb == "get" && self.rng.chance(30) {
                        r.code = 404;
                        r.reason = Some("NotFound");
                        r.message = Some("not found");
                    }
                    let body;
                    if self.read_bodies && r.code == 200 {
                        body = if verb == "get" {
                            read_object(resource, &namespace, &name)
                        } else {
                            let items: Vec<String> =
                                (0..20).map(|i| read_object(resource, &namespace, &format!("svc-{i}"))).collect();
                            format!(
                                r#"{{"kind":"List","apiVersion":"v1","metadata":{{"resourceVersion":"{}"}},"items":[{}]}}"#,
                                self.rv,
                                items.join(",")
                            )
                        };
                        r.level = "RequestResponse";
                        r.response_object = Some(&body);
                    }
                    self.write_request(&r)?;
                }
                _ => {
                    let actor = kubectl("oncall@example.com");
                    let namespace = format!("team-{}", self.rng.below(10));
                    let mut r = Request::new(&actor, "watch", "pods", &namespace, "");
                    if self.rng.chance(20) {
                        r.code = 403;
                        r.reason = Some("Forbidden");
                        r.message =
                            Some("pods is forbidden: User \"oncall@example.com\" cannot watch resource \"pods\"");
                    }
                    self.write_request(&r)?;
                }
            }
        }
        Ok(())
    }

    fn create_pods(&mut self, d: &Deployment, rs: &ReplicaSet, count: u64, pods: &mut Vec<Pod>) -> io::Result<()> {
        let rsc = controller("replicaset-controller");
        for _ in 0..count {
            self.tick(30);
            let rv = self.next_rv();
            let mut pod = Pod {
                name: format!("{}-{}", rs.name, self.rng.suffix(5)),
                uid: self.rng.uuid(),
                rv,
                node: None,
                phase: "Pending",
                created: self.now,
            };
            let body = self.pod_json(d, rs, &pod);
            let mut r = Request::new(&rsc, "create", "pods", &d.namespace, "");
            r.code = 201;
            r.level = "RequestResponse";
            r.request_object = Some(&body);
            r.response_object = Some(&body);
            self.write_request(&r)?;
            self.event(
                About::replicaset(d, rs),
                "SuccessfulCreate",
                &format!("Created pod: {}", pod.name),
                "replicaset-controller",
                None,
            )?;
            // The scheduler binds it.
            self.tick(20);
            let node = self.nodes[self.rng.below(self.nodes.len() as u64) as usize].clone();
            let binding = format!(
                r#"{{"kind":"Binding","apiVersion":"v1","metadata":{{"name":"{}","namespace":"{}","uid":"{}"}},"target":{{"kind":"Node","name":"{node}"}}}}"#,
                pod.name, d.namespace, pod.uid
            );
            let sched = scheduler();
            let mut r = Request::new(&sched, "create", "pods", &d.namespace, &pod.name);
            r.subresource = Some("binding");
            r.uid = Some(&pod.uid);
            r.code = 201;
            r.level = "Request";
            r.request_object = Some(&binding);
            self.write_request(&r)?;
            pod.rv = self.next_rv();
            pod.node = Some(node.clone());
            self.event(
                About::pod(d, &pod),
                "Scheduled",
                &format!("Successfully assigned {}/{} to {node}", d.namespace, pod.name),
                "default-scheduler",
                None,
            )?;
            // The kubelet starts it and reports status.
            for (reason, message) in [
                ("Pulling", format!("Pulling image \"{}\"", rs.image)),
                ("Pulled", format!("Successfully pulled image \"{}\" in 1.2s", rs.image)),
                ("Created", "Created container web".to_owned()),
                ("Started", "Started container web".to_owned()),
            ] {
                self.tick(400);
                self.event(About::pod(d, &pod), reason, &message, "kubelet", Some(&node))?;
            }
            let base = pod.rv.to_string();
            pod.rv = self.next_rv();
            pod.phase = "Running";
            let body = self.pod_json(d, rs, &pod);
            let patch = r#"{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}"#;
            let actor = kubelet(&node);
            let mut r = Request::new(&actor, "patch", "pods", &d.namespace, &pod.name);
            r.subresource = Some("status");
            r.uid = Some(&pod.uid);
            r.level = "RequestResponse";
            r.request_object = Some(patch);
            r.response_object = Some(&body);
            let _ = base;
            self.write_request(&r)?;
            pods.push(pod);
        }
        Ok(())
    }

    /// The deployment controller updates status; half the time a second worker raced it
    /// from the same resourceVersion and gets a 409, then retries from the fresh one.
    fn deployment_status(&mut self, d: &mut Deployment) -> io::Result<()> {
        let dc = controller("deployment-controller");
        self.tick(50);
        d.observed = d.generation;
        let racing = self.rng.chance(40);
        let base = self.write_status(d, &dc)?;
        if racing {
            for _ in 0..1 + self.rng.below(2) {
                self.tick(5);
                let stale = self.deployment_json(d, true).replacen(
                    &format!(r#""resourceVersion":"{}""#, d.rv),
                    &format!(r#""resourceVersion":"{base}""#),
                    1,
                );
                let message = format!(
                    "Operation cannot be fulfilled on deployments.apps \"{}\": the object has been modified; please apply your changes to the latest version and try again",
                    d.name
                );
                let mut r = Request::new(&dc, "update", "deployments", &d.namespace, &d.name);
                r.group = "apps";
                r.subresource = Some("status");
                r.uid = Some(&d.uid);
                r.base_rv = Some(&base);
                r.code = 409;
                r.reason = Some("Conflict");
                r.message = Some(&message);
                r.level = "RequestResponse";
                r.request_object = Some(&stale);
                self.write_request(&r)?;
            }
            // The retry, from the fresh resourceVersion.
            self.tick(10);
            self.write_status(d, &dc)?;
        }
        Ok(())
    }

    /// A successful status update from the current resourceVersion; returns that base.
    fn write_status(&mut self, d: &mut Deployment, actor: &Actor) -> io::Result<String> {
        let base = d.rv.to_string();
        // The request carries the resourceVersion it is based on; the response the new one.
        let request = self.deployment_json(d, true);
        d.rv = self.next_rv();
        let body = self.deployment_json(d, true);
        let mut r = Request::new(actor, "update", "deployments", &d.namespace, &d.name);
        r.group = "apps";
        r.subresource = Some("status");
        r.uid = Some(&d.uid);
        r.base_rv = Some(&base);
        r.level = "RequestResponse";
        r.request_object = Some(&request);
        r.response_object = Some(&body);
        self.write_request(&r)?;
        Ok(base)
    }

    fn new_replicaset(&mut self, d: &Deployment) -> io::Result<ReplicaSet> {
        self.tick(20);
        let hash = self.rng.suffix(10);
        let rs = ReplicaSet {
            name: format!("{}-{hash}", d.name),
            uid: self.rng.uuid(),
            rv: self.next_rv(),
            replicas: d.replicas,
            template_hash: hash,
            image: d.image.clone(),
            created: self.now,
        };
        let body = self.replicaset_json(d, &rs);
        let dc = controller("deployment-controller");
        let mut r = Request::new(&dc, "create", "replicasets", &d.namespace, "");
        r.group = "apps";
        r.code = 201;
        r.level = "RequestResponse";
        r.request_object = Some(&body);
        r.response_object = Some(&body);
        self.write_request(&r)?;
        self.event(
            About::deployment(d),
            "ScalingReplicaSet",
            &format!("Scaled up replica set {} to {}", rs.name, d.replicas),
            "deployment-controller",
            None,
        )?;
        Ok(rs)
    }

    fn patch_deployment(&mut self, d: &mut Deployment, actor: &Actor, patch: &str) -> io::Result<()> {
        self.tick(200);
        d.rv = self.next_rv();
        let body = self.deployment_json(d, true);
        let mut r = Request::new(actor, "patch", "deployments", &d.namespace, &d.name);
        r.group = "apps";
        r.uid = Some(&d.uid);
        r.level = "RequestResponse";
        r.request_object = Some(patch);
        r.response_object = Some(&body);
        self.write_request(&r)
    }

    fn scale_replicaset(&mut self, d: &Deployment, rs: &mut ReplicaSet, replicas: u64) -> io::Result<()> {
        self.tick(30);
        let base = rs.rv.to_string();
        rs.replicas = replicas;
        let request = self.replicaset_json(d, rs);
        rs.rv = self.next_rv();
        let body = self.replicaset_json(d, rs);
        let dc = controller("deployment-controller");
        let mut r = Request::new(&dc, "update", "replicasets", &d.namespace, &rs.name);
        r.group = "apps";
        r.uid = Some(&rs.uid);
        r.base_rv = Some(&base);
        r.level = "RequestResponse";
        r.request_object = Some(&request);
        r.response_object = Some(&body);
        self.write_request(&r)?;
        let verb = if replicas == 0 { "down" } else { "up" };
        self.event(
            About::deployment(d),
            "ScalingReplicaSet",
            &format!("Scaled {verb} replica set {} to {replicas}", rs.name),
            "deployment-controller",
            None,
        )?;
        Ok(())
    }

    fn delete_pods(&mut self, d: &Deployment, rs: &ReplicaSet, pods: Vec<Pod>) -> io::Result<()> {
        let rsc = controller("replicaset-controller");
        for mut pod in pods {
            self.tick(30);
            pod.rv = self.next_rv();
            let body = self.pod_json(d, rs, &pod).replacen(
                r#""creationTimestamp""#,
                &format!(
                    r#""deletionTimestamp":"{}","deletionGracePeriodSeconds":30,"creationTimestamp""#,
                    seconds(self.now)
                ),
                1,
            );
            let mut r = Request::new(&rsc, "delete", "pods", &d.namespace, &pod.name);
            r.uid = Some(&pod.uid);
            r.level = "RequestResponse";
            r.response_object = Some(&body);
            self.write_request(&r)?;
            self.event(
                About::replicaset(d, rs),
                "SuccessfulDelete",
                &format!("Deleted pod: {}", pod.name),
                "replicaset-controller",
                None,
            )?;
            let node = pod.node.clone();
            self.event(About::pod(d, &pod), "Killing", "Stopping container web", "kubelet", node.as_deref())?;
        }
        Ok(())
    }

    /// kubectl creating a Deployment: the body goes in and comes back as created.
    fn create_deployment(&mut self, d: &Deployment, by: &Actor) -> io::Result<()> {
        let body = self.deployment_json(d, false);
        let mut r = Request::new(by, "create", "deployments", &d.namespace, "");
        r.group = "apps";
        r.code = 201;
        r.level = "RequestResponse";
        r.request_object = Some(&body);
        r.response_object = Some(&body);
        self.write_request(&r)
    }

    /// One Deployment's life: create, roll out, flip a field, roll out again, maybe delete.
    fn deployment(&mut self, index: u64) -> io::Result<()> {
        let namespace = format!("team-{}", index % 10);
        let mut d = Deployment {
            name: format!("app-{index}"),
            namespace: namespace.clone(),
            uid: self.rng.uuid(),
            rv: self.next_rv(),
            generation: 1,
            replicas: if index == 0 { self.first_replicas } else { 2 + self.rng.below(3) },
            image: "registry.example.com/web:1.25".into(),
            min_ready: 10,
            observed: 0,
            created: self.tick(100),
        };
        let alice = kubectl("alice@example.com");
        self.create_deployment(&d, &alice)?;
        let mut rs = self.new_replicaset(&d)?;
        self.deployment_status(&mut d)?;
        let mut pods = Vec::new();
        let replicas = d.replicas;
        self.create_pods(&d, &rs, replicas, &mut pods)?;
        self.noise(20)?;

        // A federation controller sets minReadySeconds to 3600 for a while.
        if self.rng.chance(30) {
            let fed = federation();
            d.generation += 1;
            d.min_ready = 3600;
            self.patch_deployment(&mut d, &fed, r#"{"spec":{"minReadySeconds":3600}}"#)?;
            self.noise(10)?;
            d.generation += 1;
            d.min_ready = 10;
            self.patch_deployment(&mut d, &alice, r#"{"spec":{"minReadySeconds":10}}"#)?;
        }

        // A ConfigMap create that already exists.
        if self.rng.chance(10) {
            self.tick(50);
            let name = format!("{}-config", d.name);
            let message = format!("configmaps \"{name}\" already exists");
            let mut r = Request::new(&alice, "create", "configmaps", &namespace, &name);
            r.code = 409;
            r.reason = Some("AlreadyExists");
            r.message = Some(&message);
            self.write_request(&r)?;
        }

        // Roll out a new image.
        d.generation += 1;
        d.image = "registry.example.com/web:1.26".into();
        self.patch_deployment(
            &mut d,
            &alice,
            r#"{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"registry.example.com/web:1.26"}]}}}}"#,
        )?;
        let mut new_rs = self.new_replicaset(&d)?;
        let mut new_pods = Vec::new();
        let replicas = d.replicas;
        self.create_pods(&d, &new_rs, replicas, &mut new_pods)?;
        self.scale_replicaset(&d, &mut rs, 0)?;
        self.delete_pods(&d, &rs, pods)?;
        self.deployment_status(&mut d)?;
        new_rs.replicas = d.replicas;
        self.noise(20)?;

        // Some are torn down at the end: the delete carries the final snapshot.
        if self.rng.chance(20) {
            self.tick(100);
            d.rv = self.next_rv();
            let body = self.deployment_json(&d, true);
            let mut r = Request::new(&alice, "delete", "deployments", &namespace, &d.name);
            r.group = "apps";
            r.uid = Some(&d.uid);
            r.level = "RequestResponse";
            r.response_object = Some(&body);
            self.write_request(&r)?;
            // Half come back under the same name: a new object, with a new uid.
            if self.rng.chance(50) {
                d.uid = self.rng.uuid();
                d.rv = self.next_rv();
                d.generation = 1;
                d.observed = 0;
                d.created = self.tick(100);
                self.create_deployment(&d, &alice)?;
            }
        }
        Ok(())
    }
}

fn parse_size(text: &str) -> Option<u64> {
    let (digits, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let n: u64 = digits.parse().ok()?;
    let factor = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" => 1 << 10,
        "M" | "MB" => 1 << 20,
        "G" | "GB" => 1 << 30,
        _ => return None,
    };
    Some(n * factor)
}

fn main() -> io::Result<()> {
    let mut out = PathBuf::from("synth");
    let mut size = None;
    let mut deployments = None;
    let mut seed = 42;
    let mut gzip = false;
    let mut noise_factor = 3;
    let mut request_received_percent = 5;
    let mut first_replicas = 2;
    let mut read_bodies = false;
    let mut gzip_level = 1;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_default();
        match arg.as_str() {
            "--out" => out = PathBuf::from(value()),
            "--size" => size = parse_size(&value()),
            "--deployments" => deployments = value().parse().ok(),
            "--seed" => seed = value().parse().unwrap_or(42),
            "--gzip" => gzip = true,
            "--noise" => noise_factor = value().parse().unwrap_or(3),
            "--request-received" => request_received_percent = value().parse().unwrap_or(5),
            "--first-replicas" => first_replicas = value().parse().unwrap_or(2),
            "--read-bodies" => read_bodies = true,
            "--gzip-level" => gzip_level = value().parse().unwrap_or(1),
            _ => {
                eprintln!(
                    "usage: synth --out DIR [--size 1G | --deployments N] [--seed S] [--noise N] [--request-received PERCENT] [--first-replicas N] [--read-bodies] [--gzip [--gzip-level 1-9]]"
                );
                std::process::exit(2);
            }
        }
    }
    std::fs::create_dir_all(&out)?;
    let audit_path = out.join(if gzip { "audit.log.gz" } else { "audit.log" });
    let file = BufWriter::with_capacity(1 << 20, File::create(&audit_path)?);
    let audit: Box<dyn Write> =
        if gzip { Box::new(GzEncoder::new(file, Compression::new(gzip_level))) } else { Box::new(file) };
    let mut events = BufWriter::new(File::create(out.join("events.json"))?);
    writeln!(
        events,
        "{{\"apiVersion\":\"v1\",\"kind\":\"List\",\"metadata\":{{\"resourceVersion\":\"\"}},\"items\":["
    )?;
    let mut sim = Sim {
        rng: Rng(seed),
        now: 1_709_287_200_000_000, // 2024-03-01T10:00:00Z
        rv: 1000,
        audit,
        events,
        events_written: 0,
        audit_bytes: 0,
        requests: 0,
        nodes: (1..=8).map(|i| format!("node-{i}")).collect(),
        noise_factor,
        request_received_percent,
        first_replicas,
        read_bodies,
    };
    let limit = deployments.unwrap_or(if size.is_some() { u64::MAX } else { 20 });
    let mut index = 0;
    while index < limit && size.is_none_or(|s| sim.audit_bytes < s) {
        sim.deployment(index)?;
        index += 1;
    }
    sim.audit.flush()?;
    drop(sim.audit);
    writeln!(sim.events, "]}}")?;
    sim.events.flush()?;
    eprintln!(
        "synth: {index} deployments, {} audit events ({:.1} MB uncompressed) in {}, {} Events in {}",
        sim.requests,
        sim.audit_bytes as f64 / 1e6,
        audit_path.display(),
        sim.events_written,
        out.join("events.json").display()
    );
    Ok(())
}
