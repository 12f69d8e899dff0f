//! Finding the object a user means, with kubectl's forms, and saying clearly when there is
//! none or more than one.

use anyhow::Result;

use crate::model::kinds;
use crate::model::selector::{KindQuery, Selector};
use crate::store::Store;
use crate::store::read::{ObjectQuery, ObjectRow};

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
            let mut names = store.object_names()?;
            let target = name.unwrap_or_default();
            let distance = |n: &str| strsim::levenshtein(target, n);
            names.sort_by_key(|n| (distance(n), n.clone()));
            names.retain(|n| distance(n) <= target.len().max(3) / 2 + 1 || n.contains(target));
            names.truncate(5);
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
