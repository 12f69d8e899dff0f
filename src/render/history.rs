//! The history of an object, one write a line with its changes below.

use std::io::{self, Write};

use super::{Style, duration_us};
use crate::model::http::status_text;
use crate::model::time::format_micros;
use crate::query::chain::{Chain, EntryKind, Note};
use crate::trace::words;

pub fn write(out: &mut dyn Write, chain: &Chain, verbose: bool, blame: bool, style: Style) -> io::Result<()> {
    let object = &chain.object;
    writeln!(
        out,
        "{}  uid {}  cluster {}",
        style.bold(&object.display()),
        object.uid.as_deref().unwrap_or("unknown"),
        object.cluster
    )?;
    let writes = chain.entries.iter().filter(|e| e.kind == EntryKind::Write).count();
    let failed = chain.entries.iter().filter(|e| e.kind == EntryKind::Failed).count();
    writeln!(out, "{writes} writes, {failed} failed, window: {}", chain.window.describe())?;
    if chain.entries.is_empty() {
        writeln!(out, "no writes in the window")?;
        return Ok(());
    }
    for entry in &chain.entries {
        let rv = match (&entry.base_rv, &entry.new_rv) {
            (Some(base), Some(new)) => format!("{base}→{new}"),
            (None, Some(new)) => new.clone(),
            (Some(base), None) => format!("{base}→?"),
            (None, None) => "-".to_owned(),
        };
        let (what, result) = match &entry.request {
            Some(r) => (
                format!("{} {}", r.verb, r.subresource.as_deref().unwrap_or("")).trim_end().to_owned(),
                r.code.map_or_else(|| "no response".to_owned(), |c| format!("{c} {}", status_text(c))),
            ),
            None if entry.kind == EntryKind::Gap => ("gap".to_owned(), String::new()),
            None => ("dump".to_owned(), String::new()),
        };
        let result = if entry.kind == EntryKind::Failed { style.red(&result) } else { result };
        let line = format!(
            "{}  {:<14} {:<26} {:<16} {}",
            entry.time_us.map_or_else(|| format!("{:<27}", "time unknown"), format_micros),
            rv,
            entry.component.as_deref().unwrap_or(""),
            what,
            result
        );
        writeln!(out, "{}", if entry.kind == EntryKind::Gap { style.yellow(&line) } else { line })?;
        let created = entry.notes.contains(&Note::Created);
        for note in &entry.notes {
            writeln!(out, "    {}", style.dim(&words::note(note)))?;
        }
        // A create lists every field it set: worth it only when blaming a field.
        if !created || blame {
            for change in entry.visible_changes(verbose) {
                writeln!(out, "    {}", change.describe())?;
            }
        }
        if let Some(held) = entry.held_us {
            let until = if entry.still_held { ", to the end of the data" } else { "" };
            writeln!(out, "    {}", style.dim(&format!("held for {}{until}", duration_us(held))))?;
        }
    }
    Ok(())
}
