//! Everything a person or a script sees: tables, the history and conflict reports, the
//! trace's Gantt tree, the progress bar, and every JSON document (the views of
//! [`json`], the trace formats of [`export`]). Renderers take values from the layers below,
//! never SQL, and never look at the terminal themselves: [`Terminal`] says what it is.

pub mod analyze;
pub mod conflicts;
pub mod export;
pub mod history;
pub mod html;
pub mod ingest;
pub mod json;
pub mod objects;
pub mod otlp;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod perfetto;
pub mod progress;
pub mod raw;
pub mod requests;
pub mod stats;
pub mod table;
pub mod trace;

/// What output goes to, looked at once per run.
#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    pub style: Style,
    /// The progress bar draws only on a terminal.
    pub stderr_tty: bool,
    /// Columns: the terminal's, else `COLUMNS`, else 100 (the trace's Gantt fills them).
    pub width: usize,
    /// The width tables fit: the terminal's, or `COLUMNS` when set; none for a pipe or a
    /// file, which keep whole lines (grep wants them).
    pub table_width: Option<usize>,
    /// The zone times are printed in (`--local`).
    pub zone: crate::model::time::Zone,
}

/// Whether to colour, and the few styles the tool uses.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
    }

    pub fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    pub fn red(&self, text: &str) -> String {
        self.paint("31", text)
    }

    pub fn yellow(&self, text: &str) -> String {
        self.paint("33", text)
    }

    pub fn green(&self, text: &str) -> String {
        self.paint("32", text)
    }
}

/// Human sizes: `1.5 MB`, `340 B` (decimal units, as throughput figures use).
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 { format!("{n} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// Durations as people read them: `850ms`, `12.3s`, `4m05s`, `2h10m`, `3d4h`.
pub fn duration_us(us: i64) -> String {
    let us = us.max(0);
    if us < 1_000 {
        return format!("{us}µs");
    }
    if us < 1_000_000 {
        return format!("{}ms", us / 1_000);
    }
    let secs = us / 1_000_000;
    if secs < 60 {
        return format!("{:.1}s", us as f64 / 1e6);
    }
    if secs < 3600 {
        return format!("{}m{:02}s", secs / 60, secs % 60);
    }
    if secs < 86_400 {
        return format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60);
    }
    format!("{}d{}h", secs / 86_400, (secs % 86_400) / 3600)
}

/// Text in XML or HTML: the five characters that need it escaped, and no control characters.
pub(crate) fn markup(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c if c.is_control() && !matches!(c, '\n' | '\t') => escaped.push('\u{fffd}'),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_units() {
        assert_eq!(bytes(340), "340 B");
        assert_eq!(bytes(1_500_000), "1.5 MB");
        assert_eq!(duration_us(850), "850µs");
        assert_eq!(duration_us(12_300_000), "12.3s");
        assert_eq!(duration_us(245_000_000), "4m05s");
        assert_eq!(duration_us(7_800_000_000), "2h10m");
    }
}
