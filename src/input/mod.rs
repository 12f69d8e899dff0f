//! Bytes → records. Finds the files, decompresses, sniffs the format from the content,
//! splits it into pieces that decode independently, and decodes them.
//!
//! Nothing here knows about the store.

pub mod archive;
pub mod body;
pub mod decode;
mod gke;
#[cfg(feature = "parquet")]
mod parquet;
mod skim;
mod source;
pub(crate) mod split;
mod utf16;
mod yaml;

pub use decode::{Context, Decoded, Problem};
pub use source::{Fingerprint, InputFile, Origin, ReadOutcome, Scan, expand_paths, read_pieces, recycle, scan_file};

/// How a file's content is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON document a line (audit logs): split anywhere between lines, decoded in parallel.
    JsonLines,
    /// One JSON document, or several concatenated (`kubectl get -w -o json`), pretty-printed.
    JsonStream,
    /// YAML: one document or a `---` stream, with `#` comment lines.
    Yaml,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::JsonLines => "json-lines",
            Format::JsonStream => "json",
            Format::Yaml => "yaml",
        }
    }
}

/// A piece of one file that decodes on its own.
pub struct Piece {
    pub file: usize,
    pub first_line: u64,
    pub format: Format,
    pub data: Vec<u8>,
}

/// Decodes one piece into records, bodies and problems.
pub fn decode_piece(piece: &Piece) -> Decoded {
    let mut out = Decoded::default();
    match piece.format {
        Format::JsonLines => decode_lines(&piece.data, piece.first_line, &mut out),
        Format::JsonStream => decode_stream(&piece.data, piece.first_line, &mut out),
        Format::Yaml => yaml::decode_yaml(&piece.data, piece.first_line, &mut out),
    }
    out
}

fn decode_lines(data: &[u8], first_line: u64, out: &mut Decoded) {
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', data).chain((!data.ends_with(b"\n")).then_some(data.len()));
    for (line, end) in (first_line..).zip(ends) {
        let raw = &data[start..end];
        start = end + 1;
        let trimmed = raw.trim_ascii();
        if !trimmed.is_empty() {
            let ctx = Context::new(line, None);
            match std::str::from_utf8(trimmed) {
                Ok(json) => decode::decode_json(json, ctx, out),
                Err(e) => out.problems.push(Problem { line, reason: format!("invalid UTF-8: {e}") }),
            }
        }
    }
}

/// Line number (1-based, counted from `first_line`) of a byte offset.
fn line_at(data: &[u8], offset: usize, first_line: u64) -> u64 {
    first_line + memchr::memchr_iter(b'\n', &data[..offset.min(data.len())]).count() as u64
}

/// The byte offset of a 1-based line and column.
fn offset_of(data: &[u8], line: usize, column: usize) -> usize {
    let line_start =
        if line <= 1 { 0 } else { memchr::memchr_iter(b'\n', data).nth(line - 2).map_or(data.len(), |p| p + 1) };
    (line_start + column.saturating_sub(1)).min(data.len())
}

/// Concatenated JSON documents. After a syntax error, decoding resumes at the next line
/// that starts a document, so one broken document does not cost the rest of the file.
fn decode_stream(data: &[u8], first_line: u64, out: &mut Decoded) {
    let mut pos = 0;
    while pos < data.len() {
        let mut stream = serde_json::Deserializer::from_slice(&data[pos..]).into_iter::<&serde_json::value::RawValue>();
        let mut resume = None;
        for item in stream.by_ref() {
            match item {
                Ok(raw) => {
                    let start = raw.get().as_ptr() as usize - data.as_ptr() as usize;
                    let ctx = Context::new(line_at(data, start, first_line), None);
                    decode::decode_json(raw.get(), ctx, out);
                }
                Err(e) => {
                    let line = line_at(data, pos, first_line) + e.line().saturating_sub(1) as u64;
                    let at = pos + offset_of(&data[pos..], e.line(), e.column());
                    let reason = e.to_string();
                    out.problems.push(Problem { line, reason });
                    resume = Some(at);
                    break;
                }
            }
        }
        let Some(error_at) = resume else { break };
        // Skip to the next line that opens a document.
        let next = data[error_at..].windows(2).position(|w| w == b"\n{" || w == b"\n[").map(|p| error_at + p + 1);
        match next {
            Some(next) if next > pos => pos = next,
            _ => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Record;

    fn decode(format: Format, text: &str) -> Decoded {
        decode_piece(&Piece { file: 0, first_line: 1, format, data: text.as_bytes().to_vec() })
    }

    /// Audit events as JSON Lines, a `get` each, with the members each of `members` adds.
    fn audit_lines(members: &[&str]) -> String {
        let line = |members: &str| {
            format!(
                "{{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"verb\":\"get\",\"requestReceivedTimestamp\":\"2024-01-01T00:00:00Z\",{members}}}\n"
            )
        };
        members.iter().map(|m| line(m)).collect()
    }

    #[test]
    fn json_lines_report_bad_lines_and_keep_the_rest() {
        let out = decode(
            Format::JsonLines,
            "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"verb\":\"get\",\"requestReceivedTimestamp\":\"2024-01-01T00:00:00Z\"}\nnot json\n\n{\"kind\": 0}\n",
        );
        assert_eq!(out.records.len(), 1);
        let lines: Vec<u64> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![2, 4]);
        assert!(out.problems[1].reason.contains("`kind` is not a string"), "{:?}", out.problems);
    }

    #[test]
    fn namespaces_have_no_namespace_whatever_the_object_ref_says() {
        let out = decode(
            Format::JsonLines,
            "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"verb\":\"delete\",\"objectRef\":{\"resource\":\"namespaces\",\"namespace\":\"foo\",\"name\":\"foo\",\"apiVersion\":\"v1\"},\"requestReceivedTimestamp\":\"2024-01-01T00:00:00Z\"}\n",
        );
        let Record::Audit(audit) = &out.records[0] else { panic!("{:?}", out.problems) };
        let target = audit.target.as_ref().unwrap();
        assert_eq!((&*target.kind, &*target.namespace, target.name.as_str()), ("Namespace", "", "foo"));
    }

    #[test]
    fn audit_members_of_the_wrong_type_are_reported() {
        let text = audit_lines(&[
            r#""user":"alice""#,
            r#""user":{"username":7}"#,
            r#""responseStatus":{"code":"OK"}"#,
            r#""responseStatus":{"metadata":{},"code":"409"}"#,
            r#""objectRef":{"resource":"pods","name":["web"]}"#,
            r#""sourceIPs":"10.0.0.1""#,
            r#""objectRef":{"resource":"pods","name":"web\ud800"}"#,
            r#""user":{"groups":["a"],"username":"al\u0069ce"},"impersonatedUser":null,"responseStatus":{"code":200,"reason":null},"sourceIPs":[]"#,
        ]);
        let out = decode(Format::JsonLines, &text);
        let reasons: Vec<&str> = out.problems.iter().map(|p| p.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "`user` is not an object",
                "user: `username` is not a string",
                "responseStatus: `code` is not an integer",
                "responseStatus: `code` is not an integer",
                "objectRef: `name` is not a string",
                "`sourceIPs` is not an array",
                "objectRef: `name` is not valid text: a lone UTF-16 surrogate escape, which names no character",
            ]
        );
        let Record::Audit(audit) = &out.records[0] else { panic!() };
        assert_eq!((&*audit.user, audit.code, audit.source_ip.is_none()), ("alice", Some(200), true));
    }

    #[test]
    fn user_groups_are_joined_for_each_request() {
        let text = audit_lines(&[
            r#""user":{"username":"a","groups":["system:masters","system:authenticated"]}"#,
            r#""user":{"username":"b","groups":["system:masters","system:authenticated"]}"#,
            r#""user":{"username":"c","groups":["system:authenticated"]}"#,
            r#""user":{"username":"d","groups":[7]}"#,
            r#""user":{"username":"e","groups":"system:masters"}"#,
            r#""user":{"username":"f","groups":[]}"#,
            r#""user":{"username":"g","groups":null}"#,
            r#""user":{"username":"h","groups":["system:masters","system:authenticated"]}"#,
        ]);
        let out = decode(Format::JsonLines, &text);
        let reasons: Vec<(u64, &str)> = out.problems.iter().map(|p| (p.line, p.reason.as_str())).collect();
        assert_eq!(reasons, [(4, "`user.groups` is not a string"), (5, "`user.groups` is not an array")]);
        let groups: Vec<(&str, Option<&str>)> = out
            .records
            .iter()
            .map(|r| match r {
                Record::Audit(audit) => (&*audit.user, audit.groups.as_deref()),
                _ => panic!("{r:?}"),
            })
            .collect();
        let masters = Some("system:masters,system:authenticated");
        assert_eq!(
            groups,
            [
                ("a", masters),
                ("b", masters),
                ("c", Some("system:authenticated")),
                ("f", None),
                ("g", None),
                ("h", masters)
            ]
        );
    }

    #[test]
    fn pod_security_violations_are_read_however_the_annotation_is_spelled() {
        let text = audit_lines(&[
            r#""annotations":{"authorization.k8s.io/decision":"allow","pod-security.kubernetes.io/audit-violations":"would violate"}"#,
            // A name escaped into `\u` form is the same name.
            r#""annotations":{"authorization.k8s.io/reason":"RBAC: \"x\"","pod\u002dsecurity.kubernetes.io/audit-violations":"escaped"}"#,
            r#""annotations":{"authorization.k8s.io/reason":"RBAC: allowed by \"x\""}"#,
            r#""annotations":{"pod-security.kubernetes.io/enforce-policy":"restricted:latest"}"#,
            r#""annotations":null"#,
            r#""annotations":"allow""#,
        ]);
        let out = decode(Format::JsonLines, &text);
        let reasons: Vec<&str> = out.problems.iter().map(|p| p.reason.as_str()).collect();
        assert_eq!(reasons, ["`annotations` is not an object"]);
        let violations: Vec<Option<&str>> = out
            .records
            .iter()
            .map(|r| match r {
                Record::Audit(audit) => audit.pod_security_violations.as_deref(),
                _ => panic!("{r:?}"),
            })
            .collect();
        assert_eq!(violations, [Some("would violate"), Some("escaped"), None, None, None]);
    }

    #[test]
    fn an_audit_event_without_auditid_is_named_as_such() {
        let out = decode(
            Format::JsonLines,
            "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"stage\":\"ResponseComplete\",\"verb\":\"get\"}\n",
        );
        assert_eq!(out.problems[0].reason, "an audit event without auditID");
    }

    #[test]
    fn arrays_of_records_and_non_objects() {
        let out = decode(
            Format::JsonStream,
            "[{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"verb\":\"get\",\"requestReceivedTimestamp\":\"2024-01-01T00:00:00Z\"}, 7]\n\"garbage\"\n",
        );
        assert_eq!(out.records.len(), 1);
        let reasons: Vec<&str> = out.problems.iter().map(|p| p.reason.as_str()).collect();
        assert_eq!(reasons, ["[1]: expected a JSON object, found a number", "expected a JSON object, found a string"]);
    }

    #[test]
    fn concatenated_pretty_documents_resume_after_a_broken_one() {
        let event = |name: &str| {
            format!(
                "{{\n  \"kind\": \"Event\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {{\"name\": \"{name}\", \"namespace\": \"shop\", \"uid\": \"{name}\", \"resourceVersion\": \"1\"}},\n  \"involvedObject\": {{\"kind\": \"Pod\", \"name\": \"web\", \"namespace\": \"shop\"}},\n  \"reason\": \"Started\",\n  \"lastTimestamp\": \"2024-01-01T00:00:00Z\"\n}}\n"
            )
        };
        let text = format!("{}{{\n  \"kind\": \"Event\",\n  broken\n}}\n{}", event("a"), event("b"));
        let out = decode(Format::JsonStream, &text);
        assert_eq!(out.records.len(), 2, "{:?}", out.problems);
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].line, 11);
        let Record::Event(second) = &out.records[1] else { panic!() };
        assert_eq!(second.details.name, "b");
    }
}
