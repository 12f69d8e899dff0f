//! What an ingest did: the summary table, and the one line a query with `-i` says.

use std::io::{self, Write};

use super::{Terminal, bytes, table};
use crate::ingest::{FileStatus, Report};

pub fn write(out: &mut dyn Write, report: &Report, location: &str, terminal: &Terminal) -> io::Result<()> {
    let style = terminal.style;
    let count = |status: FileStatus| report.files.iter().filter(|f| f.status == status).count();
    let unreadable = count(FileStatus::Unreadable) + report.unreadable_paths.len();
    let secs = report.elapsed.as_secs_f64();
    let w = &report.written;
    let mut files = format!(
        "{} ingested, {} already ingested, {unreadable} unreadable",
        report.files_ingested(),
        count(FileStatus::AlreadyIngested)
    );
    let repeated = count(FileStatus::Repeated);
    if repeated > 0 {
        files.push_str(&format!(", {repeated} repeating another file's bytes"));
    }
    let mut rows = vec![("files", files)];
    let not_data = report.skipped();
    if !not_data.is_empty() {
        let reasons: Vec<String> = not_data.iter().map(|(reason, n)| format!("{n} {reason}")).collect();
        let total: usize = not_data.iter().map(|(_, n)| n).sum();
        rows.push(("files skipped", format!("{total} ({})", reasons.join(", "))));
    }
    rows.extend([
        ("lines", report.lines.to_string()),
        (
            "audit events",
            format!(
                "{} → {} new requests ({} stages merged{})",
                w.audit_events,
                w.requests_added,
                w.stages_merged,
                match w.audit_ids_reused {
                    0 => String::new(),
                    n => format!(", {n} auditIDs reused by another request"),
                }
            ),
        ),
        ("Kubernetes Events", events_line(w)),
        ("objects from dumps", w.objects_dumped.to_string()),
        ("objects", format!("{} new", w.objects_added)),
        ("object states", format!("{} new", w.object_states_added)),
        ("owner links", format!("{} new", w.owner_links_added)),
        ("duplicates skipped", w.duplicates_skipped.to_string()),
    ]);
    let bad = report.bad_records.to_string();
    rows.push(("bad records", if report.bad_records > 0 { style.red(&bad) } else { bad }));
    if !report.repaired_indexes.is_empty() {
        let repaired = format!(
            "rebuilt {} indexes an interrupted ingest left missing ({})",
            report.repaired_indexes.len(),
            report.repaired_indexes.join(", ")
        );
        rows.push(("store repaired", style.yellow(&repaired)));
    }
    if report.aborted {
        rows.push(("result", style.red("--strict: stopped at the first bad record, nothing kept")));
    }
    let rate = |n: u64| bytes((n as f64 / secs.max(1e-9)) as u64);
    rows.push((
        "elapsed",
        format!("{secs:.2}s, {}/s of input ({}/s decompressed)", rate(report.input_bytes), rate(report.decoded_bytes)),
    ));
    rows.push(("store", location.to_owned()));
    writeln!(out, "{}", table::key_values(terminal, &rows))
}

/// `5302 → 5300 new (12 about no one object, kept on their namespace)`.
fn events_line(w: &crate::store::WriteSummary) -> String {
    let mut line = format!("{} → {} new", w.events, w.events_added);
    if w.events_without_object > 0 {
        line.push_str(&format!(" ({} about no one object, kept on their namespace)", w.events_without_object));
    }
    line
}

/// `ingested 2 files in 0.01s: 14 new requests, 5 new Events, 0 bad records`.
pub fn one_line(report: &Report) -> String {
    let w = &report.written;
    format!(
        "ingested {} in {:.2}s: {} new requests, {} new Events, {} bad records",
        match report.files_ingested() {
            1 => "1 file".to_owned(),
            n => format!("{n} files"),
        },
        report.elapsed.as_secs_f64(),
        w.requests_added,
        w.events_added,
        report.bad_records
    )
}
