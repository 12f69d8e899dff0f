//! The history of an object, one write a line with its changes below.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use super::table::shorten;
use super::{Terminal, duration_us};
use crate::model::http::status_text;
use crate::query::chain::{Chain, EntryKind, Note};
use crate::trace::words;

pub fn write(out: &mut dyn Write, chain: &Chain, verbose: bool, blame: bool, terminal: &Terminal) -> io::Result<()> {
    let style = terminal.style;
    let object = &chain.object;
    writeln!(out, "{}", style.bold(&object.display()))?;
    writeln!(out, "uid {}  cluster {}", object.uid.as_deref().unwrap_or("unknown"), object.cluster)?;
    let writes = chain.entries.iter().filter(|e| e.kind == EntryKind::Write).count();
    let failed = chain.entries.iter().filter(|e| e.kind == EntryKind::Failed).count();
    writeln!(out, "{writes} writes, {failed} failed, window: {}", chain.window.describe_in(terminal.zone))?;
    if chain.entries.is_empty() {
        writeln!(out, "no writes in the window")?;
        return Ok(());
    }
    // Each entry's columns first, so that each column is as wide as its widest cell.
    let lines: Vec<[String; 5]> = chain
        .entries
        .iter()
        .map(|entry| {
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
            let time = entry.time_us.map_or_else(|| "time unknown".to_owned(), |t| terminal.zone.short(t));
            [time, rv, entry.component.clone().unwrap_or_default(), what, result]
        })
        .collect();
    let width = |column: usize| lines.iter().map(|l| l[column].width()).max().unwrap_or(0);
    let mut widths = [width(0), width(1), width(2), width(3), width(4)];
    // Too wide for the terminal: the writer's name gives way, shortened with `…`.
    if let Some(limit) = terminal.table_width {
        let excess = (widths.iter().sum::<usize>() + 2 * 4).saturating_sub(limit);
        widths[2] -= excess.min(widths[2].saturating_sub(12));
    }
    for (entry, [time, rv, component, what, result]) in chain.entries.iter().zip(lines) {
        let component = shorten(&component, widths[2]);
        let result = if entry.kind == EntryKind::Failed { style.red(&result) } else { result };
        let line = format!(
            "{time:<w0$}  {rv:<w1$}  {component:<w2$}  {what:<w3$}  {result}",
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
        let line = line.trim_end();
        writeln!(out, "{}", if entry.kind == EntryKind::Gap { style.yellow(line) } else { line.to_owned() })?;
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
