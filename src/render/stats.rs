//! `stats` for a person: the overview, then one table per breakdown, then the files.

use std::io::{self, Write};

use super::table::{Fit, View};
use super::{Terminal, bytes, duration_us, table};
use crate::model::time::Zone;
use crate::store::stats::{Count, Stats};

fn span(stats: &Stats, zone: Zone) -> String {
    match (stats.first_us, stats.last_us) {
        (Some(first), Some(last)) => {
            format!("{} → {} ({})", zone.short(first), zone.short(last), duration_us(last - first))
        }
        _ => "empty".to_owned(),
    }
}

pub fn write(out: &mut dyn Write, stats: &Stats, location: &str, terminal: &Terminal, view: View) -> io::Result<()> {
    let overview = [
        ("store", format!("{location} (schema {})", stats.schema_version)),
        ("time span", span(stats, terminal.zone)),
        ("clusters", stats.clusters.join(", ")),
        ("files", stats.files.len().to_string()),
        ("requests", format!("{} ({} incomplete)", stats.requests, stats.incomplete_requests)),
        ("Kubernetes Events", stats.events.to_string()),
        ("objects", format!("{} ({} owner links, {} states)", stats.objects, stats.owner_links, stats.object_states)),
        ("409 Conflict", stats.conflicts.to_string()),
        ("409 AlreadyExists", stats.already_exists.to_string()),
    ];
    writeln!(out, "{}", table::key_values(terminal, &overview))?;
    let sections: [(&str, &[Count]); 6] = [
        ("verb", &stats.by_verb),
        ("code", &stats.by_code),
        ("resource", &stats.by_resource),
        ("user", &stats.by_user),
        ("top writers", &stats.top_writers),
        ("objects by kind", &stats.objects_by_kind),
    ];
    for (title, counts) in sections.into_iter().filter(|(_, counts)| !counts.is_empty()) {
        writeln!(out)?;
        let mut t = table::new(terminal, &[title, "count"]).fit(0, Fit::Shorten).view(view);
        for count in counts {
            let name = if count.name.is_empty() { "(none)".to_owned() } else { count.name.clone() };
            t.add_row(vec![name, count.count.to_string()]);
        }
        table::align_right(&mut t, &[1]);
        writeln!(out, "{t}")?;
    }
    if !stats.files.is_empty() {
        writeln!(out)?;
        write_files(out, stats, terminal, view)?;
    }
    Ok(())
}

fn write_files(out: &mut dyn Write, stats: &Stats, terminal: &Terminal, view: View) -> io::Result<()> {
    let mut t = table::new(terminal, &["file", "format", "size", "lines", "records", "bad"])
        .fit(0, Fit::Shorten)
        .fit(1, Fit::Optional(2))
        .fit(3, Fit::Optional(1))
        .view(view);
    for file in &stats.files {
        let format = format!("{}{}", file.format.as_deref().unwrap_or("-"), if file.gzip { "+gzip" } else { "" });
        let bad = if file.truncated.is_some() {
            format!("{} (truncated)", file.bad_records)
        } else {
            file.bad_records.to_string()
        };
        t.add_row(vec![
            file.path.clone(),
            format,
            bytes(file.size as u64),
            file.lines.to_string(),
            file.records.to_string(),
            bad,
        ]);
    }
    table::align_right(&mut t, &[2, 3, 4, 5]);
    writeln!(out, "{t}")
}
