//! Short names for the writers behind requests: `deployment-controller`, `kubelet@node-1`,
//! `kubectl`, as an operator would name them.

/// The component behind a request, from its user and user agent.
pub fn component_name(user: &str, user_agent: Option<&str>) -> String {
    // Controllers with their own service accounts (kube-controller-manager's default).
    if let Some(account) = user.strip_prefix("system:serviceaccount:") {
        let name = account.rsplit(':').next().unwrap_or(account);
        return name.to_owned();
    }
    if let Some(node) = user.strip_prefix("system:node:") {
        return format!("kubelet@{node}");
    }
    if let Some(agent) = user_agent {
        // `binary/version (os/arch) kubernetes/commit[/controller]`
        let binary = agent.split('/').next().unwrap_or(agent).trim();
        let is_controller_manager = binary.ends_with("controller-manager");
        if let Some(controller) = agent
            .split_once(" kubernetes/")
            .filter(|_| is_controller_manager)
            .and_then(|(_, rest)| rest.split_once('/'))
            .map(|(_, controller)| controller.trim())
            .filter(|c| !c.is_empty() && !c.contains(' '))
        {
            return controller.rsplit(':').next().unwrap_or(controller).to_owned();
        }
        if matches!(
            binary,
            "kubectl" | "kubelet" | "kube-scheduler" | "kube-controller-manager" | "kube-proxy" | "helm"
        ) {
            return binary.to_owned();
        }
    }
    match user.strip_prefix("system:") {
        Some(system) if !system.contains(':') => system.to_owned(),
        _ => user.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_components_as_operators_do() {
        assert_eq!(
            component_name("system:serviceaccount:kube-system:deployment-controller", None),
            "deployment-controller"
        );
        assert_eq!(
            component_name("system:node:node-1", Some("kubelet/v1.29.0 (linux/amd64) kubernetes/abc")),
            "kubelet@node-1"
        );
        assert_eq!(component_name("alice", Some("kubectl/v1.28.2 (linux/amd64) kubernetes/89a4ea3")), "kubectl");
        assert_eq!(
            component_name(
                "system:kube-scheduler",
                Some("kube-scheduler/v1.29.0 (linux/amd64) kubernetes/abc/scheduler")
            ),
            "kube-scheduler"
        );
        assert_eq!(
            component_name("system:kube-scheduler", Some("kube-scheduler/v1.29.0 (linux/amd64) kubernetes/abc")),
            "kube-scheduler"
        );
        assert_eq!(
            component_name(
                "system:kube-controller-manager",
                Some("kube-controller-manager/v1.29.0 (linux/amd64) kubernetes/abc/leader-election")
            ),
            "leader-election"
        );
        assert_eq!(component_name("system:apiserver", None), "apiserver");
        assert_eq!(component_name("bob", None), "bob");
    }
}
