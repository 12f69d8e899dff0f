//! What the fuzz targets run (`fuzz/fuzz_targets/*.rs` call these; a test replays each
//! target's corpus through them). Each takes any bytes, must not panic, and asserts the
//! properties that must hold whatever the input.

use crate::input::split::{Cutter, JsonCuts, YamlCuts};
use crate::input::{Format, InputFile, Origin, Piece, decode_piece, read_pieces};
use crate::model::selector::Selector;
use crate::model::time::{format_micros, must_gather_time, parse_micros};
use crate::query::diff;

/// A target: any bytes in, a panic when a property fails.
pub type Target = fn(&[u8]);

/// Every target, by the name of its file in `fuzz/fuzz_targets`.
pub const TARGETS: &[(&str, Target)] =
    &[("decode", decode), ("cutters", cutters), ("yaml", yaml), ("time", time), ("diff", diff), ("selector", selector)];

/// Any bytes, read as a named file is: decompressed, transcoded, sniffed, split, decoded.
pub fn decode(data: &[u8]) {
    let file = InputFile {
        display: "fuzz".to_owned(),
        origin: Origin::Memory(data.to_vec()),
        size: data.len() as u64,
        found: false,
        dump_time: None,
    };
    let mut pieces = Vec::new();
    let outcome = read_pieces(&file, 0, &|_| {}, &mut |piece| pieces.push(piece));
    assert_eq!(outcome.pieces, pieces.len());
    for piece in &pieces {
        let decoded = decode_piece(piece);
        let last_line = piece.first_line + outcome.lines;
        assert!(decoded.problems.iter().all(|p| p.line >= piece.first_line && p.line <= last_line));
    }
}

/// The cutters: scanning a text in two reads finds the cut one read finds, and a text that
/// decodes cleanly decodes to as many records, as cleanly, cut there into two pieces.
/// The first byte picks where the first read ends.
pub fn cutters(data: &[u8]) {
    let Some((&split, text)) = data.split_first() else { return };
    let first_read = text.len() * usize::from(split) / 255;
    for format in [Format::JsonStream, Format::Yaml] {
        let new_cutter = || -> Box<dyn Cutter> {
            match format {
                Format::Yaml => Box::new(YamlCuts::default()),
                _ => Box::new(JsonCuts::default()),
            }
        };
        let (mut whole, mut halves) = (new_cutter(), new_cutter());
        whole.scan(text);
        halves.scan(&text[..first_read]);
        halves.scan(text);
        let cut = whole.take();
        assert_eq!(cut, halves.take(), "{format:?}: reading in two found another cut");
        let Some((at, inside)) = cut else { continue };
        let decode = |data: Vec<u8>, first_line| decode_piece(&Piece { file: 0, first_line, format, data });
        let all = decode(text.to_vec(), 1);
        if !all.problems.is_empty() {
            continue;
        }
        let (head, head_lines) = whole.piece(&text[..at], false, inside);
        let line = 1 + memchr::memchr_iter(b'\n', &text[..at]).count() as u64;
        let (tail, tail_lines) = whole.piece(&text[at..], inside, false);
        let (head, tail) = (decode(head, 1 + head_lines), decode(tail, line.saturating_sub(tail_lines)));
        let problems: Vec<&str> = head.problems.iter().chain(&tail.problems).map(|p| p.reason.as_str()).collect();
        assert!(problems.is_empty(), "{format:?}: cut at {at} ({inside}): {problems:?}");
        assert_eq!(all.records.len(), head.records.len() + tail.records.len(), "{format:?}: cut at {at}");
    }
}

/// Any bytes as a YAML piece.
pub fn yaml(data: &[u8]) {
    decode_piece(&Piece { file: 0, first_line: 1, format: Format::Yaml, data: data.to_vec() });
}

/// Timestamps: what parses formats back to the same instant.
pub fn time(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some(micros) = parse_micros(text) {
        assert_eq!(parse_micros(&format_micros(micros)), Some(micros), "{text:?}");
    }
    must_gather_time(text);
}

/// The diff engine, on two JSON documents split at the first NUL: an object differs from
/// itself in nothing, and every change describes itself.
pub fn diff(data: &[u8]) {
    let Some(nul) = memchr::memchr(0, data) else { return };
    let parse = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).ok();
    let (Some(old), Some(new)) = (parse(&data[..nul]), parse(&data[nul + 1..])) else { return };
    assert!(diff::diff(&old, &old).is_empty());
    for change in diff::diff(&old, &new).iter().chain(&diff::created(&new)) {
        change.describe();
    }
}

/// `KIND/NAME` selectors.
pub fn selector(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Selector::parse(text);
    }
}
