//! The ownership graph around one object: its controller ancestors and what they own.
//!
//! Edges come from `ownerReferences` with `controller: true`. Objects the store knows only
//! from Metadata-level logs have no body, so no ownerReferences: for them the edge is
//! inferred from the names controllers generate (`<deployment>-<pod-template-hash>`,
//! `<replicaset>-<5 random>`, `<statefulset>-<ordinal>`, `<cronjob>-<scheduled minute>`)
//! and marked as such.

use std::collections::{HashMap, HashSet};

use anyhow::Result;
use petgraph::Direction;
use petgraph::graphmap::DiGraphMap;
use serde::Serialize;

use crate::store::Store;
use crate::store::read::{ObjectQuery, ObjectRow, OwnerLink};

/// How an object hangs below its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// An ownerReference with `controller: true`.
    Controller,
    /// Guessed from the names controllers generate (no body, so no ownerReferences).
    Inferred,
    /// A Kelemetry `kelemetry.kubewharf.io/parent-link` annotation.
    Annotation,
}

/// Which relatives of the requested object a trace follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// From the top-most controller ancestor down through everything it owns.
    Full,
    /// The object and its controller ancestors only.
    Ancestors,
    /// The object and what it owns, below it.
    Children,
    /// The object alone.
    Object,
}

/// Objects linked by ownership, rooted at `root`.
#[derive(Debug)]
pub struct Ownership {
    pub root: i64,
    pub focus: i64,
    pub objects: HashMap<i64, ObjectRow>,
    /// owner → owned.
    graph: DiGraphMap<i64, Link, std::hash::RandomState>,
    /// Owners named by ownerReferences without `controller: true`: shown as links.
    pub other_owners: HashMap<i64, Vec<ObjectRow>>,
}

impl Ownership {
    pub fn parent(&self, id: i64) -> Option<(i64, Link)> {
        self.graph.edges_directed(id, Direction::Incoming).next().map(|(owner, _, link)| (owner, *link))
    }

    /// What an object owns, oldest first.
    pub fn children(&self, id: i64) -> Vec<i64> {
        let mut children: Vec<i64> = self.graph.neighbors_directed(id, Direction::Outgoing).collect();
        children.sort_by_key(|c| {
            let o = &self.objects[c];
            (o.created_us.or(o.first_seen_us), o.first_seen_us, o.name.clone(), *c)
        });
        children
    }
}

/// Guards against ownerReference cycles in broken data.
const MAX_DEPTH: usize = 32;

/// Follows ownership from `focus` as `scope` says; `depth` limits the links followed up from
/// the object and down below it.
pub fn load(store: &Store, focus: ObjectRow, scope: Scope, depth: Option<usize>) -> Result<Ownership> {
    let limit = depth.unwrap_or(MAX_DEPTH).min(MAX_DEPTH);
    let mut walker = Walker { store, seen: HashSet::from([focus.id]) };
    let focus_id = focus.id;
    let mut ownership = Ownership {
        root: focus_id,
        focus: focus_id,
        objects: HashMap::from([(focus_id, focus)]),
        graph: DiGraphMap::default(),
        other_owners: HashMap::new(),
    };
    ownership.graph.add_node(focus_id);

    let mut levels_up = 0;
    if matches!(scope, Scope::Full | Scope::Ancestors) {
        while levels_up < limit {
            let child = ownership.objects[&ownership.root].clone();
            let Some((parent, link)) = walker.parent(&child)? else { break };
            if !walker.seen.insert(parent.id) {
                break;
            }
            ownership.graph.add_edge(parent.id, child.id, link);
            ownership.root = parent.id;
            ownership.objects.insert(parent.id, parent);
            levels_up += 1;
        }
    }
    let (start, down) = match scope {
        Scope::Full => (ownership.root, levels_up + limit),
        Scope::Children => (focus_id, limit),
        Scope::Ancestors | Scope::Object => (focus_id, 0),
    };
    // The way up is walked again on the way down: those objects are expanded, not re-added.
    let mut expanded = HashSet::from([start]);
    let mut level = vec![start];
    for _ in 0..down {
        let mut next = Vec::new();
        for id in level {
            let owner = ownership.objects[&id].clone();
            for (child, link) in walker.children(&owner)? {
                let child_id = child.id;
                if walker.seen.insert(child_id) {
                    ownership.graph.add_edge(id, child_id, link);
                    ownership.objects.insert(child_id, child);
                } else if ownership.parent(child_id).is_none_or(|(parent, _)| parent != id) {
                    continue;
                }
                if expanded.insert(child_id) {
                    next.push(child_id);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        level = next;
    }
    let ids: Vec<i64> = ownership.objects.keys().copied().collect();
    for (id, links) in store.other_owners_of(&ids)? {
        let others: Vec<ObjectRow> =
            links.iter().filter_map(|l| store.object_by_id(l.owner_id).transpose()).collect::<Result<_>>()?;
        ownership.other_owners.insert(id, others);
    }
    Ok(ownership)
}

struct Walker<'c> {
    store: &'c Store,
    seen: HashSet<i64>,
}

impl Walker<'_> {
    /// Whether the store knows nothing of the object's ownerReferences (`links`, as stored):
    /// none recorded and no body that could have had some (Metadata-level logs only), so that
    /// names are all there is to go by.
    fn owners_unknown(&self, object: &ObjectRow, links: &[OwnerLink]) -> Result<bool> {
        Ok(links.is_empty() && !self.store.has_body(object.id)?)
    }

    fn parent(&self, object: &ObjectRow) -> Result<Option<(ObjectRow, Link)>> {
        let links = self.store.owners_of(object.id)?;
        if let Some(link) = links.iter().find(|l| l.controller) {
            let kind = if link.parent_link { Link::Annotation } else { Link::Controller };
            return Ok(self.store.object_by_id(link.owner_id)?.map(|o| (o, kind)));
        }
        if !self.owners_unknown(object, &links)? {
            return Ok(None);
        }
        Ok(self.inferred_parent(object)?.map(|o| (o, Link::Inferred)))
    }

    /// The object a generated name points to, in the incarnation alive when this one appeared.
    fn inferred_parent(&self, object: &ObjectRow) -> Result<Option<ObjectRow>> {
        let born = object.created_us.or(object.first_seen_us).unwrap_or(i64::MAX);
        for rule in NAME_RULES.iter().filter(|r| r.child == (object.api_group.as_str(), object.resource.as_str())) {
            let Some(prefix) = rule.parent_name(&object.name) else { continue };
            let resources = [rule.parent.1.to_owned()];
            let query = ObjectQuery {
                name: Some(prefix),
                namespace: Some(&object.namespace),
                cluster: Some(&object.cluster),
                resources: &resources,
                group: Some(rule.parent.0),
                ..Default::default()
            };
            let candidates = self.store.objects(&query)?;
            let alive = candidates
                .iter()
                .filter(|p| p.created_us.or(p.first_seen_us).is_some_and(|t| t <= born))
                .max_by_key(|p| p.created_us.or(p.first_seen_us));
            if let Some(parent) = alive.or(candidates.first()) {
                return Ok(Some(parent.clone()));
            }
        }
        Ok(None)
    }

    fn children(&self, owner: &ObjectRow) -> Result<Vec<(ObjectRow, Link)>> {
        let mut children = Vec::new();
        for link in self.store.owned_by(owner.id)?.into_iter().filter(|l| l.controller) {
            if let Some(child) = self.store.object_by_id(link.object_id)? {
                children.push((child, if link.parent_link { Link::Annotation } else { Link::Controller }));
            }
        }
        let parent = (owner.api_group.as_str(), owner.resource.as_str());
        let prefix = format!("{}-", owner.name);
        for rule in NAME_RULES.iter().filter(|r| r.parent == parent) {
            let resources = [rule.child.1.to_owned()];
            let query = ObjectQuery {
                name_prefix: Some(&prefix),
                namespace: Some(&owner.namespace),
                cluster: Some(&owner.cluster),
                resources: &resources,
                group: Some(rule.child.0),
                ..Default::default()
            };
            for candidate in self.store.objects(&query)? {
                if rule.parent_name(&candidate.name) == Some(owner.name.as_str())
                    && self.owners_unknown(&candidate, &self.store.owners_of(candidate.id)?)?
                    && self.inferred_parent(&candidate)?.is_some_and(|p| p.id == owner.id)
                {
                    children.push((candidate, Link::Inferred));
                }
            }
        }
        Ok(children)
    }
}

/// How a controller names what it creates: `<parent name>-<suffix>`.
struct NameRule {
    /// (API group, resource) of the owned object.
    child: (&'static str, &'static str),
    parent: (&'static str, &'static str),
    suffix: fn(&str) -> bool,
}

impl NameRule {
    fn parent_name<'n>(&self, name: &'n str) -> Option<&'n str> {
        name.rsplit_once('-').filter(|(prefix, suffix)| !prefix.is_empty() && (self.suffix)(suffix)).map(|(p, _)| p)
    }
}

/// The characters of `generateName` suffixes and pod-template-hashes (no vowels, no 0/1/3).
const GENERATED: &str = "bcdfghjklmnpqrstvwxz2456789";

fn random_suffix(s: &str) -> bool {
    s.len() == 5 && s.chars().all(|c| GENERATED.contains(c))
}

/// pod-template-hash: a hash in the `generateName` alphabet (older clusters: decimal).
fn template_hash(s: &str) -> bool {
    (1..=10).contains(&s.len()) && s.chars().all(|c| GENERATED.contains(c) || c.is_ascii_digit())
}

fn number(s: &str) -> bool {
    !s.is_empty() && s.len() <= 12 && s.chars().all(|c| c.is_ascii_digit())
}

const NAME_RULES: &[NameRule] = &[
    NameRule { child: ("apps", "replicasets"), parent: ("apps", "deployments"), suffix: template_hash },
    NameRule { child: ("", "pods"), parent: ("apps", "replicasets"), suffix: random_suffix },
    NameRule { child: ("", "pods"), parent: ("apps", "daemonsets"), suffix: random_suffix },
    NameRule { child: ("", "pods"), parent: ("batch", "jobs"), suffix: random_suffix },
    NameRule { child: ("", "pods"), parent: ("apps", "statefulsets"), suffix: number },
    NameRule { child: ("batch", "jobs"), parent: ("batch", "cronjobs"), suffix: number },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn parent_names(child: (&str, &str), name: &str) -> Vec<(&'static str, String)> {
        NAME_RULES
            .iter()
            .filter(|r| r.child == child)
            .filter_map(|r| r.parent_name(name).map(|p| (r.parent.1, p.to_owned())))
            .collect()
    }

    #[test]
    fn generated_names_point_to_their_controllers() {
        assert_eq!(parent_names(("apps", "replicasets"), "web-5d9c7b8f4"), [("deployments", "web".to_owned())]);
        assert_eq!(
            parent_names(("apps", "replicasets"), "web-api-3123412342"),
            [("deployments", "web-api".to_owned())]
        );
        assert_eq!(
            parent_names(("", "pods"), "web-5d9c7b8f4-x2kqz"),
            [
                ("replicasets", "web-5d9c7b8f4".to_owned()),
                ("daemonsets", "web-5d9c7b8f4".to_owned()),
                ("jobs", "web-5d9c7b8f4".to_owned())
            ]
        );
        assert_eq!(parent_names(("", "pods"), "db-0"), [("statefulsets", "db".to_owned())]);
        assert_eq!(parent_names(("batch", "jobs"), "backup-28620480"), [("cronjobs", "backup".to_owned())]);
        // Vowels never appear in generated suffixes; a hand-made name is not guessed at.
        assert!(parent_names(("", "pods"), "my-nginx").is_empty());
        assert!(parent_names(("", "pods"), "standalone").is_empty());
    }
}
