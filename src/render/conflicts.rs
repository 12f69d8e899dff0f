//! Conflict groups for a person: the summary first, then each race.

use std::io::{self, Write};

use super::{Style, Terminal, table};
use crate::model::time::{format_micros, format_seconds};
use crate::query::conflict::{Group, Report, Write as ConflictWrite};
use crate::store::read::RequestRow;

fn who(write: &ConflictWrite) -> String {
    let user = &write.request.user;
    if write.component == *user || user.starts_with("system:") {
        write.component.clone()
    } else {
        format!("{} ({})", write.component, write.request.user)
    }
}

pub fn write(out: &mut dyn Write, report: &Report, terminal: &Terminal) -> io::Result<()> {
    writeln!(out, "window: {}", report.window.describe())?;
    writeln!(
        out,
        "{} resourceVersion conflicts in {} groups ({} without a visible winner, {} approximate); {} other 409s",
        report.conflicts,
        report.groups_total,
        report.groups_without_winner,
        report.approximate_groups,
        report.other_409.len()
    )?;
    if report.conflicts > 0 {
        write_summary(out, report, terminal)?;
    }
    for group in &report.groups {
        writeln!(out)?;
        write_group(out, group, terminal.style)?;
    }
    if report.groups_total > report.groups.len() {
        writeln!(out, "\n{} more groups not shown (--limit 0 shows all)", report.groups_total - report.groups.len())?;
    }
    if !report.other_409.is_empty() {
        writeln!(out, "\n{}", terminal.style.bold("other 409s (not resourceVersion races)"))?;
        for (object, write) in &report.other_409 {
            writeln!(
                out,
                "  {}  {}  {} {}  {}",
                format_micros(write.request.received_us),
                object.display(),
                who(write),
                write.request.verb,
                write.request.reason.as_deref().unwrap_or("")
            )?;
        }
    }
    Ok(())
}

/// The objects with most conflicts, the pairs that collide most, conflicts over time.
fn write_summary(out: &mut dyn Write, report: &Report, terminal: &Terminal) -> io::Result<()> {
    let style = terminal.style;
    writeln!(out)?;
    let mut t = table::new(terminal, &[&style.bold("object"), "conflicts"]);
    for count in &report.top_objects {
        t.add_row(vec![count.name.clone(), count.count.to_string()]);
    }
    table::align_right(&mut t, &[1]);
    writeln!(out, "{t}\n")?;
    let mut t = table::new(terminal, &[&style.bold("winner ← loser"), "conflicts"]);
    for pair in &report.top_pairs {
        let winner = pair.winner.as_deref().unwrap_or("(no visible winner)");
        t.add_row(vec![format!("{winner} ← {}", pair.loser), pair.count.to_string()]);
    }
    table::align_right(&mut t, &[1]);
    writeln!(out, "{t}\n")?;
    let most = report.buckets.iter().map(|b| b.conflicts).max().unwrap_or(0).max(1);
    for bucket in &report.buckets {
        let bar = "█".repeat((bucket.conflicts * 40).div_ceil(most));
        writeln!(out, "{}  {:>5}  {bar}", format_seconds(bucket.start_us), bucket.conflicts)?;
    }
    Ok(())
}

/// One race: the object and the resourceVersion, the winner with its changes, the losers
/// with their retries.
fn write_group(out: &mut dyn Write, group: &Group, style: Style) -> io::Result<()> {
    let base = group.base_rv.as_deref().map_or_else(|| "unknown".to_owned(), str::to_owned);
    let approx = if group.approximate {
        style.yellow(" (approximate: grouped by time, the log has no base resourceVersion)")
    } else {
        String::new()
    };
    writeln!(out, "{}  raced on resourceVersion {base}{approx}", style.bold(&group.object.display()))?;
    match &group.winner {
        Some(winner) => {
            let r = &winner.request;
            writeln!(
                out,
                "  {} {}  {} {}{}  {}→{}",
                style.green("won "),
                format_micros(r.received_us),
                who(winner),
                r.verb,
                subresource(r),
                r.base_rv.as_deref().unwrap_or("?"),
                r.new_rv.as_deref().unwrap_or("?")
            )?;
            for change in &group.winner_changes {
                writeln!(out, "        {}", change.describe())?;
            }
        }
        None => writeln!(out, "  {}", style.yellow("no visible winner: the successful write is not in these logs"))?,
    }
    for loser in &group.losers {
        let r = &loser.write.request;
        writeln!(
            out,
            "  {} {}  {} {}{}",
            style.red("lost"),
            format_micros(r.received_us),
            who(&loser.write),
            r.verb,
            subresource(r)
        )?;
        match &loser.retry {
            Some(retry) => writeln!(
                out,
                "        retried {} → {} succeeded",
                format_micros(retry.request.received_us),
                retry.request.new_rv.as_deref().unwrap_or("?")
            )?,
            None => writeln!(out, "        {}", style.dim("no later successful write by the same writer"))?,
        }
    }
    Ok(())
}

/// ` status` after the verb, or nothing.
fn subresource(request: &RequestRow) -> String {
    request.subresource.as_deref().map(|s| format!(" {s}")).unwrap_or_default()
}
