//! YAML: single documents, `List`s and `---` streams with `#` comment lines between
//! documents. Each document is converted to JSON and decoded like any JSON document.

use super::decode::{self, Context, Decoded, Problem};
use super::skim;
use crate::model::time::parse_micros;

/// A kspan recording writes `# {"time":"...","style":"event"}` before each document:
/// that time is when the snapshot was taken.
fn comment_time(comment: &str) -> Option<i64> {
    #[derive(serde::Deserialize)]
    struct Stamp {
        time: String,
    }
    let json = comment.trim_start_matches('#').trim();
    serde_json::from_str::<Stamp>(json).ok().and_then(|s| parse_micros(&s.time))
}

pub fn decode_yaml(data: &[u8], first_line: u64, out: &mut Decoded) {
    let text = match std::str::from_utf8(data) {
        Ok(text) => text,
        Err(e) => {
            out.problems.push(Problem { line: first_line, reason: format!("invalid UTF-8: {e}") });
            return;
        }
    };
    let mut doc = String::new();
    let mut doc_line = first_line;
    let mut observed_us = None;
    for (line_no, line) in (first_line..).zip(text.lines()) {
        let is_separator = line == "---" || line.starts_with("--- ") || line == "...";
        if is_separator {
            decode_document(&doc, Context::new(doc_line, observed_us), out);
            doc.clear();
            observed_us = None;
            doc_line = line_no + 1;
        } else if doc.trim().is_empty() && line.starts_with('#') {
            // A comment before a document's content: keep its time, skip it.
            observed_us = comment_time(line).or(observed_us);
            doc_line = line_no + 1;
        } else {
            if doc.trim().is_empty() && line.trim().is_empty() {
                doc_line = line_no + 1;
            }
            doc.push_str(line);
            doc.push('\n');
        }
    }
    decode_document(&doc, Context::new(doc_line, observed_us), out);
}

fn decode_document(doc: &str, ctx: Context, out: &mut Decoded) {
    if doc.trim().is_empty() {
        return;
    }
    use serde_json::Value;
    if flow_nests_deeper(doc, skim::MAX_DEPTH) {
        // The YAML parser takes quadratic time on deep flow collections: refuse them unread.
        let reason = format!("a document nested more than {} levels deep", skim::MAX_DEPTH);
        out.problems.push(Problem { line: ctx.line, reason });
        return;
    }
    // Text that is not JSON is read as YAML, where a line of plain text is a valid document:
    // a string. Say so, rather than that a JSON object was expected.
    let scalar = |found: &str| format!("neither JSON nor a YAML object: found {found}");
    let reason = match serde_norway::from_str::<Value>(doc) {
        Ok(Value::Null) => return,
        Ok(Value::String(_)) => scalar("plain text"),
        Ok(Value::Number(_)) => scalar("a number"),
        Ok(Value::Bool(_)) => scalar("a boolean"),
        Ok(value) => return decode::decode_json(&value.to_string(), ctx, out),
        Err(e) => format!("YAML: {e}"),
    };
    out.problems.push(Problem { line: ctx.line, reason });
}

/// Whether flow collections (`[`, `{`) nest deeper than `limit`, outside quoted scalars
/// and comments. Block nesting needs indentation, so its depth is bounded by line length.
fn flow_nests_deeper(doc: &str, limit: usize) -> bool {
    enum In {
        Plain,
        Quoted(u8),
        Comment,
    }
    let (mut depth, mut state, mut previous, mut escaped) = (0usize, In::Plain, b'\n', false);
    for &b in doc.as_bytes() {
        match state {
            In::Comment if b == b'\n' => state = In::Plain,
            In::Comment => {}
            In::Quoted(_) if escaped => escaped = false,
            In::Quoted(b'"') if b == b'\\' => escaped = true,
            In::Quoted(quote) if b == quote => state = In::Plain,
            In::Quoted(_) => {}
            In::Plain => {
                let after_space = matches!(previous, b' ' | b'\t' | b'\n');
                match b {
                    // Outside flow collections a bracket inside a plain scalar is text.
                    b'[' | b'{' if depth > 0 || after_space => {
                        depth += 1;
                        if depth > limit {
                            return true;
                        }
                    }
                    b']' | b'}' => depth = depth.saturating_sub(1),
                    b'"' | b'\'' if after_space || matches!(previous, b'[' | b'{' | b',') => state = In::Quoted(b),
                    b'#' if after_space => state = In::Comment,
                    _ => {}
                }
            }
        }
        previous = b;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Record;

    #[test]
    fn streams_with_comments_keep_times_and_lines() {
        let text = "# {\"time\":\"2021-05-19T09:42:58.640117041Z\",\"style\":\"initial\"}\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\n  uid: p1\n  resourceVersion: \"5\"\n---\n# comment\nkind: [broken\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: shop\n";
        let mut out = Decoded::default();
        decode_yaml(text.as_bytes(), 1, &mut out);
        assert_eq!(out.records.len(), 2, "{:?}", out.problems);
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].line, 11);
        let Record::Dump(pod) = &out.records[0] else { panic!() };
        assert_eq!(pod.observed_us, Some(1_621_417_378_640_117));
        assert_eq!(&*pod.state.object.resource, "pods");
    }

    #[test]
    fn plain_text_is_reported_as_such() {
        let mut out = Decoded::default();
        decode_yaml(b"I0101 12:00:00 started\n---\n42\n---\ntrue\n", 1, &mut out);
        let problems: Vec<(u64, &str)> = out.problems.iter().map(|p| (p.line, p.reason.as_str())).collect();
        assert_eq!(
            problems,
            [
                (1, "neither JSON nor a YAML object: found plain text"),
                (3, "neither JSON nor a YAML object: found a number"),
                (5, "neither JSON nor a YAML object: found a boolean"),
            ]
        );
    }

    #[test]
    fn deep_flow_collections_are_refused_unparsed() {
        let deep = |n: usize| format!("a: {}{}\n", "[".repeat(n), "]".repeat(n));
        assert!(!flow_nests_deeper(&deep(100), 100));
        assert!(flow_nests_deeper(&deep(101), 100));
        assert!(flow_nests_deeper(&deep(100_000), 100));
        // Brackets in quoted scalars and comments are text.
        let quoted = format!("a: \"{0}\\\"{0}\"\nb: '{0}'\nc: 1 # {0}\nd: don't{0}", "[".repeat(200));
        assert!(!flow_nests_deeper(&quoted, 100), "{quoted}");
        let mut out = Decoded::default();
        decode_yaml(deep(100_000).as_bytes(), 1, &mut out);
        assert_eq!(out.problems[0].reason, "a document nested more than 100 levels deep");
    }
}
