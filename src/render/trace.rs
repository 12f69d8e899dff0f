//! A trace in the terminal: a tree of spans with box-drawing characters, each line with its
//! offset from the trace start, its duration and a bar on a shared time axis (a small Gantt
//! chart). Logs sit below their span; long ones are cut unless `--wide`.

use std::collections::HashMap;
use std::io::{self, Write};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{Style, duration_us};
use crate::model::time::Zone;
use crate::trace::{Log, LogKind, Span, SpanKind, Status, Trace};

/// How a trace is laid out.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Total columns.
    pub width: usize,
    /// Show every log line and whole lines, however wide.
    pub wide: bool,
    /// Spans and folded entries shown at most (0: all).
    pub limit: usize,
    /// The zone times are printed in.
    pub zone: Zone,
}

/// Entries each span shows at least, however many objects share `--limit`.
const MIN_ENTRIES_PER_SPAN: usize = 3;
/// Lines of one log shown without `--wide`.
const LOG_LINES: usize = 3;
const OFFSET_WIDTH: usize = 8;
const DURATION_WIDTH: usize = 6;

/// `+12.345s`, `+4m00.4s`, `+2h10m05`: always eight columns.
pub fn offset(us: i64) -> String {
    let us = us.max(0);
    let secs = us / 1_000_000;
    if secs < 100 {
        format!("+{:.3}s", us as f64 / 1e6)
    } else if secs < 600 {
        format!("+{}m{:04.1}s", secs / 60, (us % 60_000_000) as f64 / 1e6)
    } else if secs < 3600 {
        format!("+{}m{:02}s", secs / 60, secs % 60)
    } else if secs < 100 * 3600 {
        format!("+{}h{:02}m{:02}", secs / 3600, secs % 3600 / 60, secs % 60)
    } else {
        format!("+{}d{:02}h", secs / 86_400, secs % 86_400 / 3600)
    }
}

/// Cuts `text` to `width` columns, ending in `…` when cut.
fn cut(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// `deployment-controller update status` for
/// `system:serviceaccount:kube-system:deployment-controller update status`: controllers by
/// their own names, where columns are scarce.
fn shorten_user(text: &str) -> String {
    const ACCOUNT: &str = "system:serviceaccount:";
    match text.find(ACCOUNT) {
        Some(at) => {
            let rest = &text[at + ACCOUNT.len()..];
            let account = rest.split_once(':').map_or(rest, |(_namespace, account)| account);
            format!("{}{}", &text[..at], shorten_user(account))
        }
        None => text.to_owned(),
    }
}

fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}

struct Axis {
    start: i64,
    span: i64,
    cells: usize,
}

impl Axis {
    fn cell(&self, us: i64) -> usize {
        if self.span <= 0 {
            return 0;
        }
        let at = ((us - self.start) as f64 / self.span as f64 * self.cells as f64).floor() as usize;
        at.min(self.cells - 1)
    }

    fn bar(&self, span: &Span, style: Style) -> String {
        let (from, to) = (self.cell(span.start_us), self.cell(span.end_us));
        let glyph = match span.kind {
            SpanKind::Object => "━",
            SpanKind::Group => "─",
            SpanKind::Audit => "█",
            SpanKind::Event => "◆",
        };
        let body = if span.kind == SpanKind::Event { glyph.to_owned() } else { glyph.repeat(to - from + 1) };
        let painted = paint(style, span.status, span.focus, &body);
        format!("{}{painted}", " ".repeat(from))
    }

    fn mark(&self, us: i64, status: Status, style: Style) -> String {
        format!("{}{}", " ".repeat(self.cell(us)), paint(style, status, false, "•"))
    }
}

fn paint(style: Style, status: Status, focus: bool, text: &str) -> String {
    match status {
        Status::Error => style.red(text),
        Status::Warning => style.yellow(text),
        Status::Ok if focus => style.bold(text),
        Status::Ok => text.to_owned(),
    }
}

struct Printer<'a> {
    out: &'a mut dyn Write,
    style: Style,
    layout: Layout,
    axis: Axis,
    name_width: usize,
    children: HashMap<&'a str, Vec<&'a Span>>,
    /// Spans and folded entries printed, against `--limit`.
    shown: usize,
    /// Entries (requests, Events) shown per span at most: `--limit` shared by the objects
    /// (no bound with `--wide` or `--limit 0`).
    per_span: usize,
    cut_spans: HashMap<SpanKind, usize>,
    cut_logs: usize,
}

impl<'a> Printer<'a> {
    fn full(&self) -> bool {
        self.layout.limit > 0 && self.shown >= self.layout.limit
    }

    /// One row: offset, duration, the tree prefix and a text (painted by `status`), a bar.
    #[allow(clippy::too_many_arguments)]
    fn line(
        &mut self,
        offset: &str,
        duration: &str,
        prefix: &str,
        text: &str,
        status: Status,
        focus: bool,
        bar: &str,
    ) -> io::Result<()> {
        let full = format!("{prefix}{text}");
        let shown = if self.layout.wide { full } else { cut(&full, self.name_width) };
        let split = if shown.is_char_boundary(prefix.len()) { prefix.len().min(shown.len()) } else { 0 };
        let (tree, rest) = shown.split_at(split);
        let padding = " ".repeat(self.name_width.saturating_sub(shown.width()));
        // Painted after cutting, so that escape codes never count as columns.
        let line = format!(
            "{} {duration:>DURATION_WIDTH$} {tree}{}{padding} {bar}",
            self.style.dim(&format!("{offset:>OFFSET_WIDTH$}")),
            paint(self.style, status, focus, rest),
        );
        writeln!(self.out, "{}", line.trim_end())
    }

    fn span(&mut self, span: &'a Span, prefix: &str, branch: &str, start_us: i64) -> io::Result<()> {
        if self.full() {
            self.skip(span);
            return Ok(());
        }
        self.shown += 1;
        let name = if self.layout.wide { span.name.clone() } else { shorten_user(&span.name) };
        let name = if span.focus { format!("{name} ◀") } else { name };
        let dated = !span.time_unknown;
        let duration = if span.kind == SpanKind::Event || !dated {
            String::new()
        } else {
            duration_us(span.end_us - span.start_us)
        };
        let bar = if dated { self.axis.bar(span, self.style) } else { String::new() };
        let at = if dated { offset(span.start_us - start_us) } else { "?".to_owned() };
        let name = if dated { name } else { format!("{name} (time unknown)") };
        self.line(&at, &duration, &format!("{prefix}{branch}"), &name, span.status, span.focus, &bar)?;

        let below = match branch {
            "" => prefix.to_owned(),
            "└─ " => format!("{prefix}   "),
            _ => format!("{prefix}│  "),
        };
        // Each span shows at most `per_span` entries, so that a big tree shows all its objects
        // rather than the first object's thousand Events.
        let (mut entries, mut cut) = (0, 0);
        let mut kids = Vec::new();
        for child in self.children.get(span.id.as_str()).cloned().unwrap_or_default() {
            if child.kind != SpanKind::Object && entries >= self.per_span {
                self.skip(child);
                cut += 1;
                continue;
            }
            entries += usize::from(child.kind != SpanKind::Object);
            kids.push(child);
        }
        let log_prefix = if kids.is_empty() { format!("{below}  ") } else { format!("{below}│ ") };
        for log in &span.logs {
            if log.kind == LogKind::Entry && entries >= self.per_span {
                self.cut_logs += 1;
                cut += 1;
                continue;
            }
            entries += usize::from(log.kind == LogKind::Entry);
            self.log(log, &log_prefix, start_us)?;
        }
        if cut > 0 && !self.full() {
            self.line(
                "",
                "",
                &log_prefix,
                &format!("… {cut} more entries here (--limit 0 shows all)"),
                Status::Ok,
                false,
                "",
            )?;
        }
        for (i, child) in kids.iter().enumerate() {
            let branch = if i + 1 == kids.len() { "└─ " } else { "├─ " };
            self.span(child, &below, branch, start_us)?;
        }
        Ok(())
    }

    /// Counts a span (and what it holds) that `--limit` keeps from being shown.
    fn skip(&mut self, span: &'a Span) {
        *self.cut_spans.entry(span.kind).or_default() += 1;
        self.cut_logs += span.logs.iter().filter(|l| l.kind == LogKind::Entry).count();
        for child in self.children.get(span.id.as_str()).cloned().unwrap_or_default() {
            self.skip(child);
        }
    }

    fn log(&mut self, log: &Log, prefix: &str, start_us: i64) -> io::Result<()> {
        let indent = if log.kind.is_plain() {
            String::new()
        } else {
            if log.kind == LogKind::Snapshot {
                self.line("", "", prefix, &format!("• {}", log.event), log.status, false, "")?;
            } else {
                if log.kind == LogKind::Entry {
                    if self.full() {
                        self.cut_logs += 1;
                        return Ok(());
                    }
                    self.shown += 1;
                }
                let mark = self.axis.mark(log.time_us, log.status, self.style);
                let at = offset(log.time_us - start_us);
                let event = if self.layout.wide { log.event.clone() } else { shorten_user(&log.event) };
                self.line(&at, "", prefix, &format!("• {event}"), log.status, false, &mark)?;
            }
            "    ".to_owned()
        };
        let mut lines: Vec<String> = log.lines.iter().map(|l| format!("{indent}{l}")).collect();
        let total = lines.len();
        if !self.layout.wide && total > LOG_LINES {
            lines.truncate(LOG_LINES - 1);
            lines.push(format!("{indent}… {} more (--wide shows all)", total - (LOG_LINES - 1)));
        }
        for line in lines {
            self.line("", "", prefix, &line, log.status, false, "")?;
        }
        Ok(())
    }
}

pub fn write(out: &mut dyn Write, trace: &Trace, layout: Layout, style: Style) -> io::Result<()> {
    let zone = layout.zone;
    write_header(out, trace, layout, style)?;
    let (Some(start), Some(end)) = (trace.start_us(), trace.end_us()) else {
        return writeln!(out, "time unknown: no record dates these objects (-o json lists them)");
    };
    writeln!(out, "{} → {} ({})", zone.short(start), zone.short(end), duration_us(end - start))?;
    let bar_cells = if layout.width >= 120 { layout.width / 3 } else { (layout.width / 4).max(12) };
    let fixed = OFFSET_WIDTH + 1 + DURATION_WIDTH + 1 + 1 + bar_cells;
    let name_width = layout.width.saturating_sub(fixed).max(20);
    let objects = trace.spans.iter().filter(|s| s.kind == SpanKind::Object).count();
    let mut children: HashMap<&str, Vec<&Span>> = HashMap::new();
    for span in &trace.spans {
        if let Some(parent) = &span.parent {
            children.entry(parent.as_str()).or_default().push(span);
        }
    }
    let mut printer = Printer {
        out,
        style,
        layout,
        axis: Axis { start, span: end - start, cells: bar_cells },
        name_width,
        children,
        shown: 0,
        per_span: match layout.limit {
            _ if layout.wide => usize::MAX,
            0 => usize::MAX,
            limit => (limit / objects.max(1)).max(MIN_ENTRIES_PER_SPAN),
        },
        cut_spans: HashMap::new(),
        cut_logs: 0,
    };
    let axis_label = axis_label(start, end, bar_cells, zone);
    let header =
        format!("{:>OFFSET_WIDTH$} {:>DURATION_WIDTH$} {} {axis_label}", "OFFSET", "DUR", pad("SPAN", name_width));
    writeln!(printer.out, "{}", style.dim(header.trim_end()))?;
    for span in trace.spans.iter().filter(|s| s.parent.is_none()) {
        printer.span(span, "", "", start)?;
    }
    printer.write_cut_summary()
}

/// The title (the root, and the object asked for when it is not the root) and the facts:
/// arrangement, scope, counts, what was hidden or filtered, as many a line as fit.
fn write_header(out: &mut dyn Write, trace: &Trace, layout: Layout, style: Style) -> io::Result<()> {
    let root = trace.spans.iter().find(|s| s.parent.is_none());
    let focus = trace.spans.iter().find(|s| s.focus);
    let c = trace.counts;
    if let Some(root) = root {
        let mut title = format!("{} {}", style.bold("trace"), style.bold(&root.name));
        if let Some(focus) = focus.filter(|f| f.id != root.id) {
            title.push_str(&format!("  (requested: {})", focus.object));
        }
        writeln!(out, "{title}")?;
    }
    let mut facts = vec![
        format!("pipeline {}", name_of(&trace.arrangement)),
        format!("scope {}", name_of(&trace.scope)),
        plural(c.objects, "object"),
        plural(c.requests, "request"),
        plural(c.events, "Event"),
    ];
    if c.hidden_noise > 0 {
        facts.push(format!("{} hidden as noise (--all)", plural(c.hidden_noise, "read or heartbeat")));
    }
    if c.filtered > 0 {
        facts.push(format!("{} filtered out", c.filtered));
    }
    let mut line = String::new();
    for fact in facts {
        if !line.is_empty() && line.width() + 3 + fact.width() > layout.width {
            writeln!(out, "{line}")?;
            line.clear();
        }
        if !line.is_empty() {
            line.push_str(" · ");
        }
        line.push_str(&fact);
    }
    writeln!(out, "{line}")
}

impl Printer<'_> {
    /// What `--limit` kept from being shown, if anything.
    fn write_cut_summary(&mut self) -> io::Result<()> {
        let cut: usize = self.cut_spans.values().sum();
        if cut == 0 && self.cut_logs == 0 {
            return Ok(());
        }
        let mut parts = Vec::new();
        for (kind, noun) in [
            (SpanKind::Object, "objects"),
            (SpanKind::Audit, "requests"),
            (SpanKind::Event, "Events"),
            (SpanKind::Group, "groups"),
        ] {
            if let Some(n) = self.cut_spans.get(&kind).filter(|n| **n > 0) {
                parts.push(format!("{n} {noun}"));
            }
        }
        if self.cut_logs > 0 {
            parts.push(format!("{} logged entries", self.cut_logs));
        }
        writeln!(
            self.out,
            "… {} not shown (--limit {}); --limit 0 shows all, -o json holds everything",
            parts.join(", "),
            self.layout.limit
        )
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

fn name_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// `09:00:00 ··· 09:04:00`: the axis ends, as wide as the bars.
fn axis_label(start: i64, end: i64, cells: usize, zone: Zone) -> String {
    let clock = |us: i64| zone.clock(us);
    let (left, right) = (clock(start), clock(end));
    if cells < left.len() + right.len() + 2 {
        return "TIME".to_owned();
    }
    format!("{left}{}{right}", " ".repeat(cells - left.len() - right.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_keep_eight_columns() {
        assert_eq!(offset(0), "+0.000s");
        assert_eq!(offset(12_345_000), "+12.345s");
        assert_eq!(offset(240_410_000), "+4m00.4s");
        assert_eq!(offset(630_000_000), "+10m30s");
        assert_eq!(offset(7_805_000_000), "+2h10m05");
        assert_eq!(cut("deployments demo/web", 10), "deploymen…");
        assert_eq!(
            shorten_user("system:serviceaccount:kube-system:deployment-controller update status (Conflict)"),
            "deployment-controller update status (Conflict)"
        );
        assert_eq!(shorten_user("alice patch"), "alice patch");
        assert_eq!(
            shorten_user("pod/web-x: system:serviceaccount:kube-system:replicaset-controller create"),
            "pod/web-x: replicaset-controller create"
        );
    }
}
