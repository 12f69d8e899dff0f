//! The kind ↔ resource table for built-in Kubernetes APIs, and kubectl's short names.
//!
//! CRDs are not listed here: the store learns their kind ↔ resource pairs from the data
//! (an audit `objectRef.resource` next to the `kind` of its body).

/// One built-in API resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiResource {
    pub group: &'static str,
    pub resource: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub short_names: &'static [&'static str],
}

const fn r(
    group: &'static str,
    resource: &'static str,
    kind: &'static str,
    namespaced: bool,
    short_names: &'static [&'static str],
) -> ApiResource {
    ApiResource { group, resource, kind, namespaced, short_names }
}

/// Built-in resources (Kubernetes 1.31), with the short names `kubectl api-resources` prints.
pub const BUILTIN: &[ApiResource] = &[
    r("", "bindings", "Binding", true, &[]),
    r("", "componentstatuses", "ComponentStatus", false, &["cs"]),
    r("", "configmaps", "ConfigMap", true, &["cm"]),
    r("", "endpoints", "Endpoints", true, &["ep"]),
    r("", "events", "Event", true, &["ev"]),
    r("", "limitranges", "LimitRange", true, &["limits"]),
    r("", "namespaces", "Namespace", false, &["ns"]),
    r("", "nodes", "Node", false, &["no"]),
    r("", "persistentvolumeclaims", "PersistentVolumeClaim", true, &["pvc"]),
    r("", "persistentvolumes", "PersistentVolume", false, &["pv"]),
    r("", "pods", "Pod", true, &["po"]),
    r("", "podtemplates", "PodTemplate", true, &[]),
    r("", "replicationcontrollers", "ReplicationController", true, &["rc"]),
    r("", "resourcequotas", "ResourceQuota", true, &["quota"]),
    r("", "secrets", "Secret", true, &[]),
    r("", "serviceaccounts", "ServiceAccount", true, &["sa"]),
    r("", "services", "Service", true, &["svc"]),
    r("admissionregistration.k8s.io", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false, &[]),
    r("admissionregistration.k8s.io", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false, &[]),
    r("admissionregistration.k8s.io", "validatingadmissionpolicies", "ValidatingAdmissionPolicy", false, &[]),
    r(
        "admissionregistration.k8s.io",
        "validatingadmissionpolicybindings",
        "ValidatingAdmissionPolicyBinding",
        false,
        &[],
    ),
    r("apiextensions.k8s.io", "customresourcedefinitions", "CustomResourceDefinition", false, &["crd", "crds"]),
    r("apiregistration.k8s.io", "apiservices", "APIService", false, &[]),
    r("apps", "controllerrevisions", "ControllerRevision", true, &[]),
    r("apps", "daemonsets", "DaemonSet", true, &["ds"]),
    r("apps", "deployments", "Deployment", true, &["deploy"]),
    r("apps", "replicasets", "ReplicaSet", true, &["rs"]),
    r("apps", "statefulsets", "StatefulSet", true, &["sts"]),
    r("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview", false, &[]),
    r("authentication.k8s.io", "tokenreviews", "TokenReview", false, &[]),
    r("authorization.k8s.io", "localsubjectaccessreviews", "LocalSubjectAccessReview", true, &[]),
    r("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview", false, &[]),
    r("authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview", false, &[]),
    r("authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview", false, &[]),
    r("autoscaling", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, &["hpa"]),
    r("batch", "cronjobs", "CronJob", true, &["cj"]),
    r("batch", "jobs", "Job", true, &[]),
    r("certificates.k8s.io", "certificatesigningrequests", "CertificateSigningRequest", false, &["csr"]),
    r("coordination.k8s.io", "leases", "Lease", true, &[]),
    r("discovery.k8s.io", "endpointslices", "EndpointSlice", true, &[]),
    r("events.k8s.io", "events", "Event", true, &["ev"]),
    r("flowcontrol.apiserver.k8s.io", "flowschemas", "FlowSchema", false, &[]),
    r("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations", "PriorityLevelConfiguration", false, &[]),
    r("networking.k8s.io", "ingressclasses", "IngressClass", false, &[]),
    r("networking.k8s.io", "ingresses", "Ingress", true, &["ing"]),
    r("networking.k8s.io", "networkpolicies", "NetworkPolicy", true, &["netpol"]),
    r("node.k8s.io", "runtimeclasses", "RuntimeClass", false, &[]),
    r("policy", "poddisruptionbudgets", "PodDisruptionBudget", true, &["pdb"]),
    r("rbac.authorization.k8s.io", "clusterrolebindings", "ClusterRoleBinding", false, &[]),
    r("rbac.authorization.k8s.io", "clusterroles", "ClusterRole", false, &[]),
    r("rbac.authorization.k8s.io", "rolebindings", "RoleBinding", true, &[]),
    r("rbac.authorization.k8s.io", "roles", "Role", true, &[]),
    r("scheduling.k8s.io", "priorityclasses", "PriorityClass", false, &["pc"]),
    r("storage.k8s.io", "csidrivers", "CSIDriver", false, &[]),
    r("storage.k8s.io", "csinodes", "CSINode", false, &[]),
    r("storage.k8s.io", "csistoragecapacities", "CSIStorageCapacity", true, &[]),
    r("storage.k8s.io", "storageclasses", "StorageClass", false, &["sc"]),
    r("storage.k8s.io", "volumeattachments", "VolumeAttachment", false, &[]),
];

/// Groups that older clusters served the same objects under. The object is one object
/// whichever group a request used, so keys use the canonical group.
pub fn canonical_group<'a>(group: &'a str, resource: &str) -> &'a str {
    match (group, resource) {
        ("extensions", "deployments" | "replicasets" | "daemonsets") => "apps",
        ("extensions", "ingresses" | "networkpolicies") => "networking.k8s.io",
        ("events.k8s.io", "events") => "",
        _ => group,
    }
}

/// The group part of an `apiVersion` (`apps/v1` → `apps`, `v1` → ``).
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

/// The version part of an `apiVersion` (`apps/v1` → `v1`).
pub fn version_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or(api_version, |(_, version)| version)
}

pub fn by_resource(group: &str, resource: &str) -> Option<&'static ApiResource> {
    BUILTIN.iter().find(|r| r.resource == resource && r.group == group)
}

/// The built-in resource for a kind; `group` disambiguates where two groups share a kind.
pub fn by_kind(group: &str, kind: &str) -> Option<&'static ApiResource> {
    let group = canonical_group(group, "");
    BUILTIN.iter().find(|r| r.kind == kind && r.group == group).or_else(|| BUILTIN.iter().find(|r| r.kind == kind))
}

/// [`by_kind`] for kinds as operators sometimes write them, in another case (`deployment`).
pub fn by_kind_any_case(group: &str, kind: &str) -> Option<&'static ApiResource> {
    by_kind(group, kind).or_else(|| {
        let group = canonical_group(group, "");
        let same = |r: &&ApiResource| r.kind.eq_ignore_ascii_case(kind);
        BUILTIN.iter().filter(same).find(|r| r.group == group).or_else(|| BUILTIN.iter().find(same))
    })
}

/// kubectl's guess of a resource name for an unknown kind: lower case, plural.
pub fn guess_resource(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    if lower.is_empty() {
        String::new()
    } else if lower.ends_with('s') || lower.ends_with('x') || lower.ends_with("ch") || lower.ends_with("sh") {
        format!("{lower}es")
    } else if let Some(stem) = lower.strip_suffix('y').filter(|s| !s.ends_with(['a', 'e', 'i', 'o', 'u'])) {
        format!("{stem}ies")
    } else {
        format!("{lower}s")
    }
}

/// Resolves what a user typed for a kind (`deploy`, `deployments`, `Deployment`,
/// `deployment.apps`, `rs`) to a built-in resource.
pub fn lookup(word: &str) -> Option<&'static ApiResource> {
    let (name, group) = match word.split_once('.') {
        Some((name, group)) => (name, Some(group)),
        None => (word, None),
    };
    let name = name.to_ascii_lowercase();
    BUILTIN
        .iter()
        .filter(|r| group.is_none_or(|g| g == r.group || (g == "core" && r.group.is_empty())))
        // Prefer the core `events` over events.k8s.io when no group is given.
        .find(|r| r.resource == name || r.kind.eq_ignore_ascii_case(&name) || r.short_names.contains(&name.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_forms_resolve() {
        for word in ["deploy", "deployments", "Deployment", "deployment", "deployment.apps"] {
            assert_eq!(lookup(word).map(|r| r.resource), Some("deployments"), "{word}");
        }
        assert_eq!(lookup("rs").unwrap().kind, "ReplicaSet");
        assert_eq!(lookup("po").unwrap().resource, "pods");
        assert_eq!(lookup("ev").unwrap().group, "");
        assert_eq!(lookup("cj").unwrap().group, "batch");
        assert!(lookup("widgets").is_none());
    }

    #[test]
    fn plural_guesses_follow_kubectl() {
        assert_eq!(guess_resource("Widget"), "widgets");
        assert_eq!(guess_resource("NetworkPolicy"), "networkpolicies");
        assert_eq!(guess_resource("Ingress"), "ingresses");
        assert_eq!(guess_resource("Gateway"), "gateways");
    }

    #[test]
    fn legacy_groups_are_canonical() {
        assert_eq!(canonical_group("extensions", "deployments"), "apps");
        assert_eq!(canonical_group("events.k8s.io", "events"), "");
        assert_eq!(group_of("apps/v1"), "apps");
        assert_eq!(group_of("v1"), "");
        assert_eq!(version_of("apps/v1"), "v1");
    }
}
