//! Where a JSON or YAML text may be cut into pieces that decode on their own: between
//! documents, and between the elements of a top-level `items` list (`kubectl get events -A
//! -o json|yaml` of a big cluster is one document of hundreds of megabytes). Pieces then
//! decode in parallel and memory stays flat.
//!
//! A JSON piece cut inside `items` is made whole again: it gets `{"items":[` in front (the
//! cut element separator blanked) and `]}` behind, which decodes exactly like the elements
//! did inside the original List. A YAML one gets an `items:` line in front. Line numbers stay
//! those of the file.

/// Finds cuts in a text and makes pieces whole again.
pub trait Cutter {
    /// Scans `buf` from where the last call stopped.
    fn scan(&mut self, buf: &[u8]);
    /// Takes the last cut, if any: its offset and whether it falls inside `items`. Offsets
    /// scanned so far move back by that much, as the caller drops the bytes before it.
    fn take(&mut self) -> Option<(usize, bool)>;
    /// A piece of `chunk`, and how many lines were put in front of it.
    fn piece(&self, chunk: &[u8], starts_in_items: bool, ends_in_items: bool) -> (Vec<u8>, u64);
}

/// A scanner over the bytes of a JSON text, remembering the last place a cut may be made.
#[derive(Debug, Default)]
pub struct JsonCuts {
    /// Bytes scanned so far (an offset into the caller's buffer).
    scanned: usize,
    depth: u32,
    in_string: bool,
    escaped: bool,
    string_start: usize,
    /// The last string closed at depth 1, and whether a `:` made it a key.
    last_string: Vec<u8>,
    key: Vec<u8>,
    /// Inside the `items` array of a top-level object.
    in_items: bool,
    /// The last cut: where, and whether it falls inside `items`.
    last: Option<(usize, bool)>,
    /// The text is not JSON as expected: stop cutting, the decoder will say what is wrong.
    broken: bool,
}

impl Cutter for JsonCuts {
    fn scan(&mut self, buf: &[u8]) {
        if self.broken {
            return;
        }
        let mut i = self.scanned;
        while i < buf.len() {
            if self.in_string && !self.escaped {
                // Strings are most of the text: jump to the next quote or backslash.
                match memchr::memchr2(b'"', b'\\', &buf[i..]) {
                    Some(skip) => i += skip,
                    None => break,
                }
            }
            let at = i;
            let b = buf[at];
            i += 1;
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                    if self.depth == 1 {
                        self.last_string.clear();
                        self.last_string.extend_from_slice(&buf[self.string_start..at]);
                    }
                }
                continue;
            }
            match b {
                b'"' => {
                    self.in_string = true;
                    self.string_start = at + 1;
                }
                b':' if self.depth == 1 => self.key = std::mem::take(&mut self.last_string),
                b'{' | b'[' => {
                    if b == b'[' && self.depth == 1 && self.key == b"items" {
                        self.in_items = true;
                    }
                    self.depth += 1;
                }
                b'}' | b']' => {
                    let Some(depth) = self.depth.checked_sub(1) else {
                        // Scanned this far: a cut found before stays valid.
                        self.broken = true;
                        self.scanned = i;
                        return;
                    };
                    self.depth = depth;
                    if depth == 1 && self.in_items {
                        self.in_items = false;
                    } else if depth == 2 && self.in_items && b == b'}' {
                        self.last = Some((at + 1, true));
                    } else if depth == 0 {
                        self.key.clear();
                        self.last = Some((at + 1, false));
                    }
                }
                _ => {}
            }
        }
        self.scanned = buf.len();
    }

    fn take(&mut self) -> Option<(usize, bool)> {
        let cut = self.last.take()?;
        self.scanned -= cut.0;
        // A string may have opened after the cut.
        self.string_start = self.string_start.saturating_sub(cut.0);
        Some(cut)
    }

    fn piece(&self, chunk: &[u8], starts_in_items: bool, ends_in_items: bool) -> (Vec<u8>, u64) {
        let mut data = Vec::with_capacity(chunk.len() + 16);
        if starts_in_items {
            data.extend_from_slice(b"{\"items\":[");
            // The separator before the first element: blanked, so that columns stay put.
            let comma = chunk.iter().position(|b| !b.is_ascii_whitespace()).filter(|&p| chunk[p] == b',');
            data.extend_from_slice(chunk);
            if let Some(p) = comma {
                data[10 + p] = b' ';
            }
        } else {
            data.extend_from_slice(chunk);
        }
        if ends_in_items {
            data.extend_from_slice(b"]}");
        }
        (data, 0)
    }
}

/// A scanner over the lines of a YAML text: cuts before a `---` line, and before a `- `
/// line of a top-level `items:` sequence (Go's YAML writes those at column 0).
#[derive(Debug, Default)]
pub struct YamlCuts {
    /// Bytes scanned so far: always the start of a line.
    scanned: usize,
    in_items: bool,
    /// An item of the current `items:` has begun.
    item_seen: bool,
    last: Option<(usize, bool)>,
}

impl Cutter for YamlCuts {
    fn scan(&mut self, buf: &[u8]) {
        while let Some(end) = memchr::memchr(b'\n', &buf[self.scanned..]) {
            let start = self.scanned;
            let line = &buf[start..start + end];
            self.scanned = start + end + 1;
            let separator = line == b"---" || line.starts_with(b"--- ") || line == b"...";
            if separator {
                self.in_items = false;
                if start > 0 {
                    self.last = Some((start, false));
                }
            } else if line.starts_with(b"- ") || line == b"-" {
                // Between two items: a piece never ends with an empty `items:`.
                if self.in_items && self.item_seen {
                    self.last = Some((start, true));
                }
                self.item_seen = self.in_items;
            } else if line.trim_ascii_end() == b"items:" {
                self.in_items = true;
                self.item_seen = false;
            } else if line.first().is_some_and(|b| !b.is_ascii_whitespace() && *b != b'#') {
                // Another top-level key: the sequence is over.
                self.in_items = false;
            }
        }
    }

    fn take(&mut self) -> Option<(usize, bool)> {
        let cut = self.last.take()?;
        self.scanned -= cut.0;
        Some(cut)
    }

    fn piece(&self, chunk: &[u8], starts_in_items: bool, _ends_in_items: bool) -> (Vec<u8>, u64) {
        if !starts_in_items {
            return (chunk.to_vec(), 0);
        }
        let mut data = Vec::with_capacity(chunk.len() + 7);
        data.extend_from_slice(b"items:\n");
        data.extend_from_slice(chunk);
        (data, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Format, Piece, decode_piece};
    use crate::model::Record;

    /// Cuts `text` wherever allowed once `size` bytes are waiting, as `read_pieces` does.
    fn split_with(cuts: &mut dyn Cutter, text: &str, size: usize) -> Vec<(u64, Vec<u8>)> {
        let bytes = text.as_bytes();
        let mut pieces = Vec::new();
        let (mut start, mut line, mut in_items) = (0, 1, false);
        let mut end = 0;
        let mut push = |line: u64, (data, added): (Vec<u8>, u64)| pieces.push((line - added, data));
        while end < bytes.len() {
            end = (end + size).min(bytes.len());
            cuts.scan(&bytes[start..end]);
            if let Some((cut, inside)) = cuts.take() {
                let chunk = &bytes[start..start + cut];
                push(line, cuts.piece(chunk, in_items, inside));
                line += chunk.iter().filter(|b| **b == b'\n').count() as u64;
                start += cut;
                in_items = inside;
            }
        }
        if !bytes[start..].iter().all(u8::is_ascii_whitespace) {
            push(line, cuts.piece(&bytes[start..], in_items, false));
        }
        pieces
    }

    fn split(text: &str, size: usize) -> Vec<(u64, Vec<u8>)> {
        split_with(&mut JsonCuts::default(), text, size)
    }

    fn event(name: &str) -> String {
        format!(
            "    {{\n      \"kind\": \"Event\", \"apiVersion\": \"v1\",\n      \"metadata\": {{\"name\": \"{name}\", \"namespace\": \"shop\", \"uid\": \"{name}\", \"resourceVersion\": \"1\"}},\n      \"involvedObject\": {{\"kind\": \"Pod\", \"name\": \"web\", \"namespace\": \"shop\"}},\n      \"reason\": \"Started\", \"message\": \"a \\\"quoted\\\" {{ and [ inside\",\n      \"lastTimestamp\": \"2024-01-01T00:00:00Z\"\n    }}"
        )
    }

    fn names(pieces: &[(u64, Vec<u8>)]) -> (Vec<String>, Vec<String>) {
        names_in(Format::JsonStream, pieces)
    }

    /// The names of the Events the pieces decode to, and the problems, `line: reason`.
    fn names_in(format: Format, pieces: &[(u64, Vec<u8>)]) -> (Vec<String>, Vec<String>) {
        let mut names = Vec::new();
        let mut problems = Vec::new();
        for (line, data) in pieces {
            let out = decode_piece(&Piece { file: 0, first_line: *line, format, data: data.clone() });
            for record in out.records {
                if let Record::Event(e) = record {
                    names.push(e.details.name.clone());
                }
            }
            problems.extend(out.problems.iter().map(|p| format!("{}: {}", p.line, p.reason)));
        }
        (names, problems)
    }

    #[test]
    fn a_big_list_splits_between_items_and_decodes_the_same() {
        let items: Vec<String> = (0..40).map(|i| event(&format!("e{i}"))).collect();
        let text = format!(
            "{{\n  \"apiVersion\": \"v1\",\n  \"items\": [\n{}\n  ],\n  \"kind\": \"List\",\n  \"metadata\": {{\"resourceVersion\": \"\"}}\n}}\n",
            items.join(",\n")
        );
        let whole = names(&split(&text, usize::MAX));
        let pieces = split(&text, 1000);
        assert!(pieces.len() > 10, "{} pieces", pieces.len());
        assert_eq!(names(&pieces), whole);
        // Scans that stop anywhere, inside strings and right after a backslash too.
        for size in [1, 7, 13] {
            assert_eq!(names(&split(&text, size)), whole, "scanning {size} bytes at a time");
        }
        assert_eq!(whole.0.len(), 40);
        assert!(whole.1.is_empty(), "{:?}", whole.1);
        // Each piece starts on the line of its first byte in the file: that of the `,` after
        // the element before (elements are 7 lines from line 4).
        for (line, data) in &pieces[1..] {
            let first = String::from_utf8_lossy(data);
            let name = first.split("\"name\": \"").nth(1).unwrap().split('"').next().unwrap().to_owned();
            let n: u64 = name[1..].parse().unwrap();
            assert!((3 + n * 7..=4 + n * 7).contains(line), "{name} at line {line}");
        }
    }

    #[test]
    fn concatenated_documents_split_between_documents_only() {
        let docs: Vec<String> = (0..10).map(|i| event(&format!("d{i}"))).collect();
        let text = docs.join("\n");
        let pieces = split(&text, 300);
        assert_eq!(pieces.len(), 10);
        assert_eq!(names(&pieces).0, (0..10).map(|i| format!("d{i}")).collect::<Vec<_>>());
        // `items` deeper down is not a List's.
        let nested = format!("{{\"kind\": \"Other\", \"spec\": {{\"items\": [{}, {}]}}}}", event("x"), event("y"));
        let mut cuts = JsonCuts::default();
        cuts.scan(nested.as_bytes());
        assert_eq!(cuts.take(), Some((nested.len(), false)));
    }

    #[test]
    fn broken_text_is_left_whole_for_the_decoder_to_report() {
        let mut cuts = JsonCuts::default();
        cuts.scan(b"}\n{\"a\": 1}");
        assert_eq!(cuts.take(), None);
    }

    #[test]
    fn a_big_yaml_list_and_a_yaml_stream_split_and_decode_the_same() {
        let event = |i: usize| {
            let time = if i == 30 { "yesterday".to_owned() } else { "2024-01-01T00:00:00Z".to_owned() };
            format!(
                "- apiVersion: v1\n  kind: Event\n  metadata:\n    name: e{i}\n    namespace: shop\n    uid: u{i}\n    resourceVersion: \"1\"\n  involvedObject:\n    kind: Pod\n    name: web\n    namespace: shop\n  reason: Started\n  message: |\n    - not an item\n    items:\n  lastTimestamp: \"{time}\"\n"
            )
        };
        let items: String = (0..40).map(event).collect();
        let list = format!("apiVersion: v1\nitems:\n{items}kind: List\nmetadata:\n  resourceVersion: \"\"\n");
        let whole = names_in(Format::Yaml, &split_with(&mut YamlCuts::default(), &list, usize::MAX));
        assert_eq!(whole.0.len(), 39);
        assert_eq!(whole.1.len(), 1, "the item with a bad time: {:?}", whole.1);
        for size in [1, 100, 1000] {
            let pieces = split_with(&mut YamlCuts::default(), &list, size);
            assert!(pieces.len() > 1);
            let (names, problems) = names_in(Format::Yaml, &pieces);
            assert_eq!(names, whole.0, "scanning {size} bytes at a time");
            assert_eq!(problems.len(), 1, "{problems:?}");
        }
        // A `---` stream with kspan time comments: cut before each separator.
        let stream: String = (0..5)
            .map(|i| {
                format!(
                    "---\n# {{\"time\":\"2021-05-19T09:42:58Z\"}}\n{}",
                    event(i).replacen("- ", "", 1).replace("\n  ", "\n")
                )
            })
            .collect();
        let pieces = split_with(&mut YamlCuts::default(), &stream, 50);
        assert_eq!(pieces.len(), 5);
        assert_eq!(names_in(Format::Yaml, &pieces).0, ["e0", "e1", "e2", "e3", "e4"]);
    }
}
