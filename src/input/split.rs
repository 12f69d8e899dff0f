//! Where a JSON text (one big document, or several concatenated) may be cut into pieces
//! that decode on their own: between top-level documents, and between the elements of a
//! top-level object's `items` array (`kubectl get events -A -o json` of a big cluster is one
//! document of hundreds of megabytes). Pieces then decode in parallel and memory stays flat.
//!
//! A piece cut inside `items` is made whole again: it gets `{"items":[` in front (the cut
//! element separator blanked) and `]}` behind, which decodes exactly like the elements did
//! inside the original List. Line numbers stay those of the file.

/// A scanner over the bytes of a JSON text, remembering the last place a cut may be made.
#[derive(Debug, Default)]
pub struct Cuts {
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

impl Cuts {
    /// Scans `buf` from where the last call stopped.
    pub fn scan(&mut self, buf: &[u8]) {
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
                        self.broken = true;
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

    /// Takes the last cut, if any: its offset and whether it is inside `items`. Offsets
    /// scanned so far move back by that much, as the caller drops the bytes before it.
    pub fn take(&mut self) -> Option<(usize, bool)> {
        let cut = self.last.take()?;
        self.scanned -= cut.0;
        // A string may have opened after the cut.
        self.string_start = self.string_start.saturating_sub(cut.0);
        Some(cut)
    }
}

/// Makes a piece out of `chunk`: whole if it starts and ends outside `items`, otherwise
/// wrapped as described in the module documentation.
pub fn piece(chunk: &[u8], starts_in_items: bool, ends_in_items: bool) -> Vec<u8> {
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
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Format, Piece, decode_piece};
    use crate::model::Record;

    /// Cuts `text` wherever allowed once `size` bytes are waiting, as `read_pieces` does.
    fn split(text: &str, size: usize) -> Vec<(u64, Vec<u8>)> {
        let bytes = text.as_bytes();
        let mut cuts = Cuts::default();
        let mut pieces = Vec::new();
        let (mut start, mut line, mut in_items) = (0, 1, false);
        let mut end = 0;
        while end < bytes.len() {
            end = (end + size).min(bytes.len());
            cuts.scan(&bytes[start..end]);
            if let Some((cut, inside)) = cuts.take() {
                let chunk = &bytes[start..start + cut];
                pieces.push((line, piece(chunk, in_items, inside)));
                line += chunk.iter().filter(|b| **b == b'\n').count() as u64;
                start += cut;
                in_items = inside;
            }
        }
        if !bytes[start..].iter().all(u8::is_ascii_whitespace) {
            pieces.push((line, piece(&bytes[start..], in_items, false)));
        }
        pieces
    }

    fn event(name: &str) -> String {
        format!(
            "    {{\n      \"kind\": \"Event\", \"apiVersion\": \"v1\",\n      \"metadata\": {{\"name\": \"{name}\", \"namespace\": \"shop\", \"uid\": \"{name}\", \"resourceVersion\": \"1\"}},\n      \"involvedObject\": {{\"kind\": \"Pod\", \"name\": \"web\", \"namespace\": \"shop\"}},\n      \"reason\": \"Started\", \"message\": \"a \\\"quoted\\\" {{ and [ inside\",\n      \"lastTimestamp\": \"2024-01-01T00:00:00Z\"\n    }}"
        )
    }

    fn names(pieces: &[(u64, Vec<u8>)]) -> (Vec<String>, Vec<String>) {
        let mut names = Vec::new();
        let mut problems = Vec::new();
        for (line, data) in pieces {
            let out =
                decode_piece(&Piece { file: 0, first_line: *line, format: Format::JsonStream, data: data.clone() });
            for record in out.records {
                if let Record::Event(e) = record {
                    names.push(e.name.clone());
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
        let mut cuts = Cuts::default();
        cuts.scan(nested.as_bytes());
        assert_eq!(cuts.take(), Some((nested.len(), false)));
    }

    #[test]
    fn broken_text_is_left_whole_for_the_decoder_to_report() {
        let mut cuts = Cuts::default();
        cuts.scan(b"}\n{\"a\": 1}");
        assert_eq!(cuts.take(), None);
    }
}
