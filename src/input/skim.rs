//! Reading JSON that serde_json has already validated: splitting an object into its
//! members, picking one member out, reading a string. Nothing is validated a second time
//! and nothing is copied, which makes the second look at a body several times cheaper
//! than parsing it again. Text that is not well-formed gives `None`, never a panic.

use std::borrow::Cow;
use std::sync::LazyLock;

use memchr::memmem::Finder;

/// The members of a JSON object in their order: keys unescaped, values as raw text.
pub fn members(json: &str) -> Option<Vec<(Cow<'_, str>, &str)>> {
    let mut members = Vec::with_capacity(8);
    for_each_member(json, |key, value| {
        members.push((key, value));
        false
    })?;
    Some(members)
}

/// The first element of a JSON array as raw text, `Some(None)` for an empty array; the rest
/// of the array is not read.
pub fn first_element(json: &str) -> Option<Option<&str>> {
    let bytes = json.as_bytes();
    let at = skip_space(bytes, 0);
    if bytes.get(at) != Some(&b'[') {
        return None;
    }
    let at = skip_space(bytes, at + 1);
    if bytes.get(at) == Some(&b']') {
        return Some(None);
    }
    let end = value_end(bytes, at)?;
    Some(Some(json.get(at..end)?))
}

/// The elements of a JSON array as raw text.
pub fn elements(json: &str) -> Option<Vec<&str>> {
    let bytes = json.as_bytes();
    let mut at = skip_space(bytes, 0);
    if bytes.get(at) != Some(&b'[') {
        return None;
    }
    let mut elements = Vec::new();
    at = skip_space(bytes, at + 1);
    if bytes.get(at) == Some(&b']') {
        return Some(elements);
    }
    loop {
        let end = value_end(bytes, at)?;
        elements.push(json.get(at..end)?);
        at = skip_space(bytes, end);
        match bytes.get(at)? {
            b',' => at = skip_space(bytes, at + 1),
            b']' => return Some(elements),
            _ => return None,
        }
    }
}

/// The raw text of one member of a JSON object; the rest of the object is not read.
pub fn member<'a>(json: &'a str, key: &str) -> Option<&'a str> {
    let mut found = None;
    for_each_member(json, |k, value| {
        if k == key {
            found = Some(value);
        }
        found.is_some()
    })?;
    found
}

/// Why a JSON value is not the text a member should hold.
#[derive(Debug, PartialEq)]
pub enum NotText {
    /// A number, object, array or boolean.
    NotAString,
    /// A string whose escapes name no character (a lone surrogate such as `\ud800`).
    BadEscape(String),
}

impl NotText {
    /// The reason, after the member's name.
    pub fn describe(&self, key: &str) -> String {
        match self {
            NotText::NotAString => format!("`{key}` is not a string"),
            NotText::BadEscape(why) => format!("`{key}` is not valid text: {why}"),
        }
    }
}

/// A JSON string's text; `Ok(None)` for `null`, `Err` for any other kind of value.
pub fn string(raw: &str) -> Result<Option<Cow<'_, str>>, NotText> {
    match raw.as_bytes().first() {
        // Most strings hold no escape: their text is what the quotes enclose. (A quote inside
        // would be escaped: `raw` is valid JSON.)
        Some(b'"') if raw.len() >= 2 && raw.ends_with('"') && !raw.as_bytes().contains(&b'\\') => {
            Ok(Some(Cow::Borrowed(&raw[1..raw.len() - 1])))
        }
        Some(b'"') => {
            let (end, escaped) =
                string_end(raw.as_bytes(), 0).filter(|&(end, _)| end == raw.len()).ok_or(NotText::NotAString)?;
            unescape(raw, 0, end, escaped).map(Some)
        }
        _ if raw == "null" => Ok(None),
        _ => Err(NotText::NotAString),
    }
}

/// [`text`], saying why escapes failed.
fn unescape(json: &str, start: usize, end: usize, escaped: bool) -> Result<Cow<'_, str>, NotText> {
    if !escaped {
        return json.get(start + 1..end - 1).map(Cow::Borrowed).ok_or(NotText::NotAString);
    }
    match serde_json::from_str::<String>(json.get(start..end).ok_or(NotText::NotAString)?) {
        Ok(text) => Ok(Cow::Owned(text)),
        // serde_json calls a lone surrogate "unexpected end of hex escape".
        Err(_) if lone_surrogate(json.as_bytes().get(start..end).unwrap_or_default()) => {
            Err(NotText::BadEscape("a lone UTF-16 surrogate escape, which names no character".to_owned()))
        }
        // serde_json says where, in the string alone: the column is of no use to a reader.
        Err(e) => Err(NotText::BadEscape(e.to_string().split(" at line ").next().unwrap_or_default().to_owned())),
    }
}

/// The text of the string quoted in `json[start..end]`, borrowed unless it holds escapes.
fn text(json: &str, start: usize, end: usize, escaped: bool) -> Option<Cow<'_, str>> {
    unescape(json, start, end, escaped).ok()
}

/// Calls `visit` with each member of an object until it returns true. `None` when `json`
/// is not an object.
pub fn for_each_member<'a>(json: &'a str, mut visit: impl FnMut(Cow<'a, str>, &'a str) -> bool) -> Option<()> {
    let bytes = json.as_bytes();
    let mut at = skip_space(bytes, 0);
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    at = skip_space(bytes, at + 1);
    if bytes.get(at) == Some(&b'}') {
        return Some(());
    }
    loop {
        if bytes.get(at) != Some(&b'"') {
            return None;
        }
        let (key_end, escaped) = string_end(bytes, at)?;
        let key = text(json, at, key_end, escaped)?;
        at = skip_space(bytes, key_end);
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        let start = skip_space(bytes, at + 1);
        let end = value_end(bytes, start)?;
        if visit(key, json.get(start..end)?) {
            return Some(());
        }
        at = skip_space(bytes, end);
        match bytes.get(at)? {
            b',' => at = skip_space(bytes, at + 1),
            b'}' => return Some(()),
            _ => return None,
        }
    }
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// Where the string opening at `at` ends, just past its closing quote, and whether it
/// holds escapes.
fn string_end(bytes: &[u8], at: usize) -> Option<(usize, bool)> {
    let mut from = at + 1;
    let mut escaped = false;
    loop {
        let found = from + memchr::memchr2(b'"', b'\\', bytes.get(from..)?)?;
        if bytes[found] == b'"' {
            return Some((found + 1, escaped));
        }
        escaped = true;
        from = found + 2;
    }
}

/// Where the value starting at `at` ends.
fn value_end(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at)? {
        b'"' => string_end(bytes, at).map(|(end, _)| end),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut at = at;
            loop {
                match bytes.get(at)? {
                    b'"' => at = string_end(bytes, at)?.0,
                    b'{' | b'[' => {
                        depth += 1;
                        at += 1;
                    }
                    b'}' | b']' => {
                        depth -= 1;
                        at += 1;
                        if depth == 0 {
                            return Some(at);
                        }
                    }
                    _ => at += 1,
                }
            }
        }
        _ => {
            let len = bytes[at..]
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace())
                .unwrap_or(bytes.len() - at);
            (len > 0).then_some(at + len)
        }
    }
}

/// How deep a stored body may nest. No Kubernetes object comes near (a Pod is about ten
/// levels), and serde_json, which reads stored bodies back, stops at 128.
pub const MAX_DEPTH: usize = 100;

/// A body as it will read back: nested at most [`MAX_DEPTH`] levels, with each lone UTF-16
/// surrogate escape (`\ud800`, which JSON's grammar allows but no reader accepts) replaced
/// by U+FFFD. `json` is valid JSON.
pub fn readable(json: String) -> Result<String, String> {
    let bytes = json.as_bytes();
    // Most bodies open fewer brackets than the limit, strings included, and hold no `\u`
    // escape: they read back as they are, without a walk through their structure.
    if memchr::memchr2_iter(b'{', b'[', bytes).count() <= MAX_DEPTH && !may_hold_unicode_escape(bytes) {
        return Ok(json);
    }
    let (mut depth, mut at) = (0usize, 0);
    let mut lone = Vec::new();
    while at < bytes.len() {
        match bytes[at] {
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(format!("a body nested more than {MAX_DEPTH} levels deep"));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                at += 1;
                while let Some(found) = memchr::memchr2(b'"', b'\\', &bytes[at..]) {
                    at += found;
                    if bytes[at] == b'"' {
                        break;
                    }
                    at += match surrogate(bytes, at) {
                        Some(Surrogate::Pair) => 12,
                        Some(Surrogate::Lone) => {
                            lone.push(at);
                            6
                        }
                        None => 2,
                    };
                }
            }
            _ => {}
        }
        at += 1;
    }
    if lone.is_empty() {
        return Ok(json);
    }
    let mut fixed = String::with_capacity(json.len());
    let mut from = 0;
    for at in lone {
        fixed.push_str(&json[from..at]);
        fixed.push_str("\\ufffd");
        from = at + 6;
    }
    fixed.push_str(&json[from..]);
    Ok(fixed)
}

/// Whether JSON text may hold a `\u` escape (it may also be an escaped backslash before a
/// `u`): text without one spells every character as itself.
pub fn may_hold_unicode_escape(json: &[u8]) -> bool {
    // Built once: building a searcher costs more than a search of a few hundred bytes.
    static UNICODE_ESCAPE: LazyLock<Finder> = LazyLock::new(|| Finder::new("\\u"));
    UNICODE_ESCAPE.find(json).is_some()
}

/// Whether a JSON string holds an escape of a lone surrogate.
fn lone_surrogate(quoted: &[u8]) -> bool {
    memchr::memchr_iter(b'\\', quoted).any(|at| matches!(surrogate(quoted, at), Some(Surrogate::Lone)))
}

enum Surrogate {
    Pair,
    Lone,
}

/// The surrogate escape at `bytes[at]` (a backslash), if it is one.
fn surrogate(bytes: &[u8], at: usize) -> Option<Surrogate> {
    let unit = |at: usize| {
        let escape = bytes.get(at..at + 6)?;
        if escape[1] != b'u' {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&escape[2..]).ok()?, 16).ok()
    };
    match unit(at)? {
        0xD800..=0xDBFF if unit(at + 6).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low)) => Some(Surrogate::Pair),
        0xD800..=0xDFFF => Some(Surrogate::Lone),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_objects_into_members() {
        let json = r#" { "a" : 1 , "b\"c":"x\\y", "d":{"e":[1,{"f":"}"}]}, "g":null,"h":-1.5e3,"i":[] } "#;
        let got = members(json).unwrap();
        let keys: Vec<&str> = got.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(keys, ["a", "b\"c", "d", "g", "h", "i"]);
        let values: Vec<&str> = got.iter().map(|(_, v)| *v).collect();
        assert_eq!(values, ["1", r#""x\\y""#, r#"{"e":[1,{"f":"}"}]}"#, "null", "-1.5e3", "[]"]);
        assert_eq!(member(json, "d"), Some(r#"{"e":[1,{"f":"}"}]}"#));
        assert_eq!(member(json, "z"), None);
        assert_eq!(members("{}").unwrap().len(), 0);
        assert_eq!(first_element(r#"[ {"b":[1]} ,3]"#), Some(Some(r#"{"b":[1]}"#)));
        assert_eq!(first_element(" [ ] "), Some(None));
        assert_eq!(first_element("{}"), None);
        // Pretty-printed, as dumps are.
        let pretty = "{\n  \"kind\": \"Pod\",\n  \"metadata\": {\n    \"name\": \"web\"\n  }\n}";
        assert_eq!(member(pretty, "metadata"), Some("{\n    \"name\": \"web\"\n  }"));
    }

    #[test]
    fn reads_strings() {
        assert_eq!(string(r#""plain""#), Ok(Some(Cow::Borrowed("plain"))));
        assert_eq!(string(r#""tab\there \u00e9""#).unwrap().unwrap(), "tab\there é");
        assert_eq!(string("null"), Ok(None));
        assert_eq!(string("12"), Err(NotText::NotAString));
        assert_eq!(
            string(r#""\ud800""#).unwrap_err().describe("name"),
            "`name` is not valid text: a lone UTF-16 surrogate escape, which names no character"
        );
    }

    #[test]
    fn broken_text_is_refused_without_panicking() {
        for broken in
            ["", "[1]", "{", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\" 1}", "{\"a\":\"x}", "{\"a\":{\"b\":1}", "{a:1}"]
        {
            assert!(members(broken).is_none(), "{broken:?}");
        }
        for broken in ["", "[", "[\"a", "[{\"a\":1"] {
            assert!(first_element(broken).is_none(), "{broken:?}");
        }
    }

    #[test]
    fn bodies_read_back() {
        let deep = format!("{}{}", "[".repeat(101), "]".repeat(101));
        assert_eq!(readable(deep).unwrap_err(), "a body nested more than 100 levels deep");
        let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(readable(ok.clone()).unwrap(), ok);
        // Many brackets, but shallow.
        let wide = format!("[{}]", vec!["{}"; 150].join(","));
        assert_eq!(readable(wide.clone()).unwrap(), wide);
        // Brackets in strings do not count; escaped quotes do not end a string.
        let text = format!(r#"{{"a":"{}\"{}"}}"#, "[".repeat(200), "{".repeat(200));
        assert_eq!(readable(text.clone()).unwrap(), text);
        assert_eq!(
            readable(r#"{"a":"x\ud800y","b":"\ud83d\ude00","c":"\udc00\\ud800","d":"\u00e9"}"#.to_owned()).unwrap(),
            r#"{"a":"x\ufffdy","b":"\ud83d\ude00","c":"\ufffd\\ud800","d":"\u00e9"}"#
        );
        let fixed = readable(r#"["\ud800"]"#.to_owned()).unwrap();
        assert_eq!(serde_json::from_str::<Vec<String>>(&fixed).unwrap(), ["\u{fffd}"]);
    }
}
