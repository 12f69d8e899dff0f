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

/// kubectl-style glob: `*` any run, `?` one character.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Edit distance, for "did you mean" suggestions.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb)).min(row[j] + 1).min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
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
    fn globs_and_distances() {
        assert!(glob_match("web-*", "web-7d4b9c8f6d-x2kqz"));
        assert!(glob_match("*-x2kqz", "web-7d4b9c8f6d-x2kqz"));
        assert!(glob_match("w?b", "web"));
        assert!(!glob_match("api-*", "web-1"));
        assert_eq!(distance("web", "wbe"), 2);
        assert_eq!(distance("api", "apis"), 1);
    }
}
