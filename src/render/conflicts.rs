//! Conflict groups for a person: the summary first, then each race.

use std::io::{self, Write};

use super::table::{Fit, View};
use super::{Terminal, table};
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

pub fn write(out: &mut dyn Write, report: &Report, terminal: &Terminal, view: View) -> io::Result<()> {
    writeln!(out, "window: {}", report.window.describe_in(terminal.zone))?;
    writeln!(
        out,
        "{} resourceVersion conflicts in {} groups, {} other 409s",
        report.conflicts,
        report.groups_total,
        report.other_409.len()
    )?;
    if report.groups_total > 0 {
        writeln!(
            out,
            "({} groups without a visible winner, {} approximate)",
            report.groups_without_winner, report.approximate_groups
        )?;
    }
    if report.conflicts > 0 {
        write_summary(out, report, terminal, view)?;
    }
    for group in &report.groups {
        writeln!(out)?;
        write_group(out, group, terminal)?;
    }
    if report.groups_total > report.groups.len() {
        writeln!(out, "\n{} more groups not shown (--limit 0 shows all)", report.groups_total - report.groups.len())?;
    }
    if !report.other_409.is_empty() {
        writeln!(out, "\nother 409s (not resourceVersion races)")?;
        let mut t = table::new(terminal, &["time", "object", "writer", "verb", "reason"])
            .fit(1, Fit::Shorten)
            .fit(2, Fit::Shorten)
            .view(view);
        for (object, write) in &report.other_409 {
            t.add_row(vec![
                terminal.zone.short(write.request.received_us),
                object.display(),
                who(write),
                write.request.verb.clone(),
                write.request.reason.clone().unwrap_or_default(),
            ]);
        }
        writeln!(out, "{t}")?;
    }
    Ok(())
}

/// The objects with most conflicts, the pairs that collide most, conflicts over time.
fn write_summary(out: &mut dyn Write, report: &Report, terminal: &Terminal, view: View) -> io::Result<()> {
    writeln!(out)?;
    let mut t = table::new(terminal, &["object", "conflicts"]).fit(0, Fit::Shorten).view(view);
    for count in &report.top_objects {
        t.add_row(vec![count.name.clone(), count.count.to_string()]);
    }
    table::align_right(&mut t, &[1]);
    writeln!(out, "{t}\n")?;
    let mut t = table::new(terminal, &["winner ← loser", "conflicts"]).fit(0, Fit::Shorten).view(view);
    for pair in &report.top_pairs {
        let winner = pair.winner.as_deref().unwrap_or("(no visible winner)");
        t.add_row(vec![format!("{winner} ← {}", pair.loser), pair.count.to_string()]);
    }
    table::align_right(&mut t, &[1]);
    writeln!(out, "{t}\n")?;
    let most = report.buckets.iter().map(|b| b.conflicts).max().unwrap_or(0).max(1);
    for bucket in &report.buckets {
        let bar = "█".repeat((bucket.conflicts * 40).div_ceil(most));
        let line = format!("{}  {:>5}  {bar}", terminal.zone.seconds(bucket.start_us), bucket.conflicts);
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// One race: the object and the resourceVersion, the winner with its changes, the losers
/// with their retries.
fn write_group(out: &mut dyn Write, group: &Group, terminal: &Terminal) -> io::Result<()> {
    let (style, zone) = (terminal.style, terminal.zone);
    let base = group.base_rv.as_deref().map_or_else(|| "unknown".to_owned(), str::to_owned);
    writeln!(out, "{}  raced on resourceVersion {base}", style.bold(&group.object.display()))?;
    if group.approximate {
        writeln!(out, "  {}", style.yellow("approximate: grouped by time, the log has no base resourceVersion"))?;
    }
    match &group.winner {
        Some(winner) => {
            let r = &winner.request;
            writeln!(
                out,
                "  {} {}  {} {}{}  {}→{}",
                style.green("won "),
                zone.short(r.received_us),
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
            zone.short(r.received_us),
            who(&loser.write),
            r.verb,
            subresource(r)
        )?;
        match &loser.retry {
            Some(retry) => writeln!(
                out,
                "        retried {} → {} succeeded",
                zone.short(retry.request.received_us),
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
