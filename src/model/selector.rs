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
}
