//! What a user names an object by: `KIND/NAME` with kubectl's kind forms, a namespace,
//! a cluster, or a uid.

use anyhow::{Result, bail};

use super::kinds;

/// A kind as the user wrote it, resolved where the built-in table knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindQuery {
    pub word: String,
    /// The built-in resource, when the word names one.
    pub builtin: Option<&'static kinds::ApiResource>,
}

impl KindQuery {
    pub fn parse(word: &str) -> KindQuery {
        KindQuery { word: word.to_owned(), builtin: kinds::lookup(word) }
    }

    /// Whether an object of this kind, resource and group is what the user meant. CRDs
    /// match by kind, resource (plural) or `resource.group`, case-insensitively.
    pub fn matches(&self, kind: &str, resource: &str, group: &str) -> bool {
        if let Some(builtin) = self.builtin {
            return builtin.resource == resource && builtin.group == group;
        }
        let word = self.word.to_ascii_lowercase();
        let (name, word_group) = word.split_once('.').map_or((word.as_str(), None), |(n, g)| (n, Some(g)));
        let named = kind.eq_ignore_ascii_case(name) || resource == name || resource.strip_suffix('s') == Some(name);
        named && word_group.is_none_or(|g| g == group)
    }
}

/// `KIND/NAME` (a bare `NAME` matches any kind).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub kind: Option<KindQuery>,
    pub name: String,
}

impl Selector {
    pub fn parse(text: &str) -> Result<Selector> {
        match text.split_once('/') {
            Some((kind, name)) if !kind.is_empty() && !name.is_empty() && !name.contains('/') => {
                Ok(Selector { kind: Some(KindQuery::parse(kind)), name: name.to_owned() })
            }
            None if !text.is_empty() => Ok(Selector { kind: None, name: text.to_owned() }),
            _ => bail!("{text:?}: expected KIND/NAME, like deployment/web or pod/web-7d4b9c8f6d-x2kqz"),
        }
    }
}

/// A label selector as kubectl takes it (`-l app=web,tier!=db,env in (prod,staging),!canary`):
/// every requirement must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSelector(Vec<Requirement>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    Absent(String),
}

impl LabelSelector {
    pub fn parse(text: &str) -> Result<LabelSelector> {
        let mut requirements = Vec::new();
        for term in split_terms(text) {
            let term = term.trim();
            let requirement = if let Some(key) = term.strip_prefix('!') {
                Requirement::Absent(label_key(key)?)
            } else if let Some((key, value)) = term.split_once("!=") {
                Requirement::NotIn(label_key(key)?, vec![value.trim().to_owned()])
            } else if let Some((key, value)) = term.split_once("==").or_else(|| term.split_once('=')) {
                Requirement::In(label_key(key)?, vec![value.trim().to_owned()])
            } else if let Some((key, values)) = set_term(term, " notin ") {
                Requirement::NotIn(label_key(key)?, values)
            } else if let Some((key, values)) = set_term(term, " in ") {
                Requirement::In(label_key(key)?, values)
            } else {
                Requirement::Exists(label_key(term)?)
            };
            requirements.push(requirement);
        }
        Ok(LabelSelector(requirements))
    }

    /// Whether labels (key → value) satisfy every requirement.
    pub fn matches(&self, label: impl Fn(&str) -> Option<String>) -> bool {
        self.0.iter().all(|requirement| match requirement {
            Requirement::In(key, values) => label(key).is_some_and(|v| values.contains(&v)),
            Requirement::NotIn(key, values) => label(key).is_none_or(|v| !values.contains(&v)),
            Requirement::Exists(key) => label(key).is_some(),
            Requirement::Absent(key) => label(key).is_none(),
        })
    }
}

/// The terms of a selector: split at commas outside parentheses.
fn split_terms(text: &str) -> Vec<&str> {
    let (mut terms, mut depth, mut start) = (Vec::new(), 0, 0);
    for (at, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                terms.push(&text[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    terms.push(&text[start..]);
    terms
}

/// `key in (a,b)` with `op` = ` in `: the key and the values.
fn set_term<'t>(term: &'t str, op: &str) -> Option<(&'t str, Vec<String>)> {
    let (key, values) = term.split_once(op)?;
    let values = values.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some((key, values.split(',').map(|v| v.trim().to_owned()).collect()))
}

fn label_key(key: &str) -> Result<String> {
    let key = key.trim();
    if key.is_empty() || key.contains(|c: char| c.is_whitespace() || "=!(),".contains(c)) {
        bail!("{key:?} is not a label key: expected a selector like app=web,tier!=db,env in (prod,staging),!canary");
    }
    Ok(key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_take_kubectl_forms() {
        let s = Selector::parse("deploy/web").unwrap();
        assert_eq!(s.name, "web");
        assert!(s.kind.as_ref().unwrap().matches("Deployment", "deployments", "apps"));
        assert!(!s.kind.unwrap().matches("ReplicaSet", "replicasets", "apps"));
        let crd = KindQuery::parse("widgets.example.com");
        assert!(crd.matches("Widget", "widgets", "example.com"));
        assert!(!crd.matches("Widget", "widgets", "other.io"));
        assert!(KindQuery::parse("Widget").matches("Widget", "widgets", "example.com"));
        assert!(Selector::parse("deploy/").is_err());
        assert_eq!(Selector::parse("web").unwrap().kind, None);
    }

    #[test]
    fn label_selectors_take_kubectl_forms() {
        let labels = |pairs: &'static [(&str, &str)]| {
            move |key: &str| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| (*v).to_owned())
        };
        let web = labels(&[("app", "web"), ("env", "prod")]);
        for (selector, expected) in [
            ("app=web", true),
            ("app==web,env=prod", true),
            ("app!=web", false),
            ("app!=db", true),
            ("env in (prod, staging)", true),
            ("env notin (prod)", false),
            ("env in (dev),app=web", false),
            ("app", true),
            ("!canary", true),
            ("!app", false),
            ("tier!=db", true),
        ] {
            assert_eq!(LabelSelector::parse(selector).unwrap().matches(web), expected, "{selector}");
        }
        assert!(LabelSelector::parse("app=web,").is_err());
        assert!(LabelSelector::parse("a b").is_err());
    }
}
