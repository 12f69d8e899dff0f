//! Pathological Events: one reason and message about one object, repeated.

use std::collections::HashMap;

use anyhow::{Result, bail};

use super::{Finding, Settings, Spec, Status, object_arguments};
use crate::query::requests::wildcard;
use crate::store::Store;
use crate::store::analyze::EventTallies;

/// An `--allow` line: Events it matches are never pathological.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Allowed {
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub reason: Option<String>,
    pub message: Option<String>,
}

impl Allowed {
    /// Reads an allow-list: one matcher a line, `key=glob` pairs separated by spaces or tabs
    /// (keys `namespace`, `name`, `reason`, `message`; a `message` glob runs to the end of
    /// the line); `#` starts a comment.
    pub fn parse_list(text: &str) -> Result<Vec<Allowed>> {
        let mut list = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut allowed = Allowed::default();
            let mut rest = line;
            while !rest.is_empty() {
                let Some((key, after)) = rest.split_once('=') else {
                    bail!("line {}: {rest:?} is not key=glob", number + 1);
                };
                let key = key.trim();
                let (value, next) = if key == "message" {
                    (after, "")
                } else {
                    after.split_once(char::is_whitespace).unwrap_or((after, ""))
                };
                let slot = match key {
                    "namespace" => &mut allowed.namespace,
                    "name" => &mut allowed.name,
                    "reason" => &mut allowed.reason,
                    "message" => &mut allowed.message,
                    other => bail!("line {}: unknown key {other:?} (namespace, name, reason, message)", number + 1),
                };
                *slot = Some(value.trim().to_owned());
                rest = next.trim_start();
            }
            list.push(allowed);
        }
        Ok(list)
    }

    fn matches(&self, namespace: &str, name: &str, reason: &str, message: &str) -> bool {
        let field = |pattern: &Option<String>, value: &str| pattern.as_deref().is_none_or(|p| wildcard(p, value));
        field(&self.namespace, namespace)
            && field(&self.name, name)
            && field(&self.reason, reason)
            && field(&self.message, message)
    }
}

/// A message's trailing `(N times)`, which some tools append to repeated Events.
fn times_suffix(message: &str) -> Option<(&str, i64)> {
    let inner = message.trim_end().strip_suffix(" times)")?;
    let open = inner.rfind('(')?;
    let count = inner[open + 1..].trim().parse().ok()?;
    Some((inner[..open].trim_end(), count))
}

pub(super) fn pathological_events(
    store: &Store,
    settings: &Settings,
    spec: &Spec,
    tallies: &EventTallies,
) -> Result<Vec<Finding>> {
    let scope = &settings.scope;
    let limit = settings.threshold(spec, "repeats");
    // Groups over the limit: (object, reason, message) → (repeats, first, last). A message
    // that counts itself ("(22 times)") is a group of its own for each count: the most wins.
    let mut grouped: HashMap<(i64, String, String), (i64, i64, i64)> = HashMap::new();
    let mut candidates = tallies.objects_with_many_events(limit.max(0.0) as i64);
    if let Some(wanted) = &scope.objects {
        candidates.retain(|object| wanted.contains(object));
    }
    store.each_event_group(&scope.window, &candidates, &mut |group| {
        let message = group.message.unwrap_or_default();
        let (message, repeats, counted) = match times_suffix(&message) {
            Some((stripped, n)) => (stripped.to_owned(), n.max(group.repeats), true),
            None => (message, group.repeats, false),
        };
        if !counted && repeats as f64 <= limit {
            return;
        }
        let entry = grouped.entry((group.object_id, group.reason.unwrap_or_default(), message)).or_insert((
            0,
            group.first_us,
            group.last_us,
        ));
        entry.0 = if counted { entry.0.max(repeats) } else { entry.0 + repeats };
        entry.1 = entry.1.min(group.first_us);
        entry.2 = entry.2.max(group.last_us);
    })?;
    let mut findings = Vec::new();
    for ((object_id, reason, message), (repeats, first, last)) in grouped {
        if repeats as f64 <= limit {
            continue;
        }
        let Some(object) = store.object_by_id(object_id)? else { continue };
        if !scope.includes(&object) {
            continue;
        }
        if settings.allow.iter().any(|a| a.matches(&object.namespace, &object.name, &reason, &message)) {
            continue;
        }
        let display = object.display();
        findings.push(Finding {
            status: Status::Fail,
            subject: display.clone(),
            detail: format!("{reason} {repeats} times: {message}"),
            count: repeats as u64,
            first_us: Some(first),
            last_us: Some(last),
            example: None,
            object: Some(display.clone()),
            rollout: None,
            command: format!("kelemetry-cli trace {}", object_arguments(&display)),
        });
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_read_globs_and_messages_to_the_end_of_the_line() {
        let list = Allowed::parse_list(
            "# kubelet noise\nnamespace=kube-system reason=BackOff\nreason=FailedMount message=MountVolume.SetUp failed for *\n",
        )
        .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].message.as_deref(), Some("MountVolume.SetUp failed for *"));
        assert!(list[0].matches("kube-system", "x", "BackOff", "anything"));
        assert!(!list[0].matches("shop", "x", "BackOff", "anything"));
        assert!(list[1].matches("shop", "web", "FailedMount", "MountVolume.SetUp failed for volume \"a\""));
        assert!(Allowed::parse_list("colour=red").unwrap_err().to_string().contains("unknown key"));
        assert!(Allowed::parse_list("reason").unwrap_err().to_string().contains("not key=glob"));
    }

    #[test]
    fn times_suffixes_count_repeats() {
        assert_eq!(
            times_suffix("Back-off restarting failed container (53 times)"),
            Some(("Back-off restarting failed container", 53))
        );
        assert_eq!(times_suffix("Pulled image"), None);
    }
}
