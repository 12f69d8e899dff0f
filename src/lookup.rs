//! Finding the object a user means, with kubectl's forms, and saying clearly when there is
//! none or more than one.

use anyhow::Result;
use rusqlite::Connection;

use crate::model::selector::{KindQuery, Selector, distance};
use crate::store::read::{self, ObjectRow};

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

pub fn find(conn: &Connection, wanted: &Wanted) -> Result<Found> {
    let name = wanted.selector.map(|s| s.name.as_str());
    let kind = wanted.selector.and_then(|s| s.kind.as_ref());
    let query = read::ObjectQuery {
        name,
        namespace: wanted.namespace,
        cluster: wanted.cluster,
        uid: wanted.uid,
        resource: kind.and_then(|k| k.builtin).map(|r| (r.resource, r.group)),
        ..Default::default()
    };
    let mut matches: Vec<ObjectRow> =
        read::objects(conn, &query)?.into_iter().filter(|o| kind_matches(kind, o)).collect();
    // Owners known only from ownerReferences (no kind resolved yet) stay findable by uid.
    Ok(match matches.len() {
        1 => Found::One(Box::new(matches.remove(0))),
        0 => {
            let mut names = read::object_names(conn)?;
            let target = name.unwrap_or_default();
            names.sort_by_key(|n| (distance(target, n), n.clone()));
            names.retain(|n| distance(target, n) <= target.len().max(3) / 2 + 1 || n.contains(target));
            names.truncate(5);
            Found::None { closest: names }
        }
        _ => Found::Many(matches),
    })
}
