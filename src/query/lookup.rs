//! Finding the object a user means, with kubectl's forms, and saying clearly when there is
//! none or more than one.

use std::collections::HashMap;

use anyhow::{Result, bail};
use serde_json::Value;

use crate::model::kinds;
use crate::model::selector::{KindQuery, Selector};
use crate::store::Store;
use crate::store::read::{Bodies, ObjectQuery, ObjectRow};

/// How a user named an object.
pub struct Wanted<'a> {
    pub selector: Option<&'a Selector>,
    pub namespace: Option<&'a str>,
    pub cluster: Option<&'a str>,
    pub uid: Option<&'a str>,
}

pub enum Found {
    One(Box<ObjectRow>),
    /// Nothing matched; the closest names, for a suggestion.
    None {
        closest: Vec<String>,
    },
    Many(Vec<ObjectRow>),
}

fn kind_matches(kind: Option<&KindQuery>, object: &ObjectRow) -> bool {
    kind.is_none_or(|k| k.matches(&object.kind, &object.resource, &object.api_group))
}

/// The plural resources (and group) a kind word may name, so that the store can use its
/// kind index: the built-in one, or for CRDs the word, kubectl's plural of it and what the
/// data taught. [`KindQuery::matches`] still decides.
pub fn kind_resources(store: &Store, kind: &KindQuery) -> Result<(Vec<String>, Option<String>)> {
    if let Some(builtin) = kind.builtin {
        return Ok((vec![builtin.resource.to_owned()], Some(builtin.group.to_owned())));
    }
    let word = kind.word.to_ascii_lowercase();
    let (name, group) = word.split_once('.').map_or((word.as_str(), None), |(n, g)| (n, Some(g.to_owned())));
    let mut resources = vec![name.to_owned(), kinds::guess_resource(name)];
    resources.extend(store.learned_resources(name)?);
    resources.sort();
    resources.dedup();
    Ok((resources, group))
}

/// The five candidates nearest by `distance` that `near` accepts, nearest first (ties in
/// alphabetical order): the suggestions of "no such kind" and "no such object".
fn closest(
    mut candidates: Vec<String>,
    distance: impl Fn(&str) -> usize,
    near: impl Fn(&str, usize) -> bool,
) -> Vec<String> {
    candidates.sort_by_cached_key(|c| (distance(c), c.clone()));
    candidates.dedup();
    candidates.retain(|c| near(c, distance(c)));
    candidates.truncate(5);
    candidates
}

/// `Err` with the closest kinds when a kind word names neither a built-in kind nor any kind
/// the store holds (a typo, rather than a kind with nothing in the window).
pub fn check_kind(store: &Store, kind: &KindQuery) -> Result<()> {
    if kind.builtin.is_some() {
        return Ok(());
    }
    let held = store.object_kinds()?;
    if held.iter().any(|(k, resource, group)| kind.matches(k, resource, group)) {
        return Ok(());
    }
    let word = kind.word.to_ascii_lowercase();
    let known: Vec<String> = kinds::BUILTIN
        .iter()
        .flat_map(|r| {
            [r.resource.to_owned(), r.kind.to_ascii_lowercase()]
                .into_iter()
                .chain(r.short_names.iter().map(|s| (*s).to_owned()))
        })
        .chain(held.iter().flat_map(|(k, resource, _)| [k.to_ascii_lowercase(), resource.clone()]))
        .collect();
    let known =
        closest(known, |k| strsim::damerau_levenshtein(&word, k), |_, distance| distance <= word.len().max(3) / 3 + 1);
    let hint = if known.is_empty() {
        "`kelemetry-cli stats` lists the kinds the store holds".to_owned()
    } else {
        format!("closest: {}", known.join(", "))
    };
    bail!("unknown kind {:?}: neither a built-in kind nor one the store holds; {hint}", kind.word)
}

/// Each object's labels in its latest known state (the last observed), for `-l`. An object
/// with no readable state has none.
pub fn latest_labels(store: &Store, objects: &[i64]) -> Result<HashMap<i64, serde_json::Map<String, Value>>> {
    let mut bodies = Bodies::new(store);
    let mut labels = HashMap::new();
    for (object, states) in store.states_of(objects)? {
        let latest = states.iter().max_by_key(|s| (s.observed_us, s.resource_version.parse::<u64>().ok()));
        let Some(latest) = latest else { continue };
        if let Ok(Value::Object(mut body)) = bodies.json(latest.body)?
            && let Some(Value::Object(metadata)) = body.remove("metadata")
            && let Some(Value::Object(found)) = metadata.get("labels")
        {
            labels.insert(object, found.clone());
        }
    }
    Ok(labels)
}

pub fn find(store: &Store, wanted: &Wanted) -> Result<Found> {
    let name = wanted.selector.map(|s| s.name.as_str());
    let kind = wanted.selector.and_then(|s| s.kind.as_ref());
    let (resources, group) = kind.map(|k| kind_resources(store, k)).transpose()?.unwrap_or_default();
    let query = ObjectQuery {
        name,
        namespace: wanted.namespace,
        cluster: wanted.cluster,
        uid: wanted.uid,
        resources: &resources,
        group: group.as_deref(),
        ..Default::default()
    };
    let mut matches: Vec<ObjectRow> = store.objects(&query)?.into_iter().filter(|o| kind_matches(kind, o)).collect();
    Ok(match matches.len() {
        1 => Found::One(Box::new(matches.remove(0))),
        0 => {
            let target = name.unwrap_or_default();
            let names = closest(
                store.object_names()?,
                |n| strsim::levenshtein(target, n),
                |n, distance| distance <= target.len().max(3) / 2 + 1 || n.contains(target),
            );
            Found::None { closest: names }
        }
        _ => Found::Many(matches),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::store_of;

    fn find_text(store: &Store, selector: &str, namespace: Option<&str>) -> String {
        let selector = Selector::parse(selector).unwrap();
        let wanted = Wanted { selector: Some(&selector), namespace, cluster: None, uid: None };
        match find(store, &wanted).unwrap() {
            Found::One(o) => format!("one {}", o.display()),
            Found::None { closest } => format!("none, closest {closest:?}"),
            Found::Many(many) => format!("{} matches", many.len()),
        }
    }

    #[test]
    fn objects_are_found_by_kubectl_forms_and_misses_suggest_names() {
        let store = store_of(&["sample"]);
        for form in ["deploy/web", "deployments/web", "Deployment/web", "deployment.apps/web", "web"] {
            assert_eq!(find_text(&store, form, None), "one deployments.apps shop/web", "{form}");
        }
        assert_eq!(
            find_text(&store, "deploy/web", Some("other")),
            r#"none, closest ["web", "web-db", "web-config", "web-7d4b9c8f6d", "web-7d4b9c8f6d-q8wzn"]"#
        );
        assert_eq!(
            find_text(&store, "po/web-7d4b9c8f6d-x2kq", None),
            r#"none, closest ["web-7d4b9c8f6d-x2kqz", "web-7d4b9c8f6d", "web-7d4b9c8f6d-q8wzn"]"#
        );
        // The same name twice, deleted and created again: two objects, the user must choose.
        let recreated = store_of(&["recreated"]);
        assert_eq!(find_text(&recreated, "cm/app", None), "2 matches");
    }
}
