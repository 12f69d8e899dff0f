//! Tables for a person, drawn with comfy-table after a fitting pass of our own: on a
//! terminal (or with `COLUMNS` set) a table fits the width by dropping optional columns and
//! shortening long names with `…`, never by splitting a word over lines; what goes to a pipe
//! keeps whole lines. No line ends in spaces.

use std::{fmt, io};

use comfy_table::{CellAlignment, ContentArrangement, LineStyle, TableStyle};
use unicode_width::UnicodeWidthStr;

use super::Terminal;

/// Header underlined, no other rules: dense and easy to scan.
const LOOK: TableStyle = TableStyle::new().header_separator(LineStyle::none().fill('─').junction('─'));

/// Spaces between columns.
const GAP: u16 = 3;

/// The narrowest a shortened column gets.
const MIN_SHORTENED: usize = 12;

/// How narrow names get before optional columns are dropped to make room.
const COMFORTABLE: usize = 20;

/// How a column gives way when the table is too wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Always shown, whole.
    Keep,
    /// Always shown; long values are shortened with `…` (names).
    Shorten,
    /// Dropped when the table is too wide, lowest rank first.
    Optional(u8),
    /// Shown only with `-o wide`.
    Wide,
}

/// What the user asked to see of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    pub wide: bool,
    pub headers: bool,
}

impl Default for View {
    fn default() -> View {
        View { wide: false, headers: true }
    }
}

struct Column {
    header: String,
    right: bool,
    fit: Fit,
}

/// A table in the tool's look; [`fmt::Display`] draws it.
pub struct Table {
    columns: Vec<Column>,
    rows: Vec<Vec<String>>,
    /// The width to fit, if any.
    limit: Option<usize>,
    view: View,
}

/// A table with these column headers, every column kept whole until told otherwise.
pub fn new(terminal: &Terminal, header: &[&str]) -> Table {
    Table {
        columns: header.iter().map(|h| Column { header: (*h).to_owned(), right: false, fit: Fit::Keep }).collect(),
        rows: Vec::new(),
        limit: terminal.table_width,
        view: View::default(),
    }
}

/// Right-aligns the given columns (counts, sizes, times).
pub fn align_right(table: &mut Table, columns: &[usize]) {
    for &index in columns {
        if let Some(column) = table.columns.get_mut(index) {
            column.right = true;
        }
    }
}

/// A two-column table of labels and values, without headers.
pub fn key_values(terminal: &Terminal, rows: &[(&str, String)]) -> Table {
    let mut table = new(terminal, &["", ""]).fit(1, Fit::Shorten);
    table.view.headers = false;
    for (key, value) in rows {
        table.add_row(vec![(*key).to_owned(), value.clone()]);
    }
    table
}

impl Table {
    pub fn fit(mut self, column: usize, fit: Fit) -> Table {
        if let Some(column) = self.columns.get_mut(column) {
            column.fit = fit;
        }
        self
    }

    pub fn view(mut self, view: View) -> Table {
        self.view = view;
        self
    }

    pub fn add_row(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// The columns shown and how wide each is: wide-only ones out unless asked for; then,
    /// until the table fits, names shortened to a width that reads, optional columns out,
    /// names shortened further.
    fn layout(&self) -> Vec<(usize, usize)> {
        let natural = |index: usize| {
            let header = if self.view.headers { self.columns[index].header.width() } else { 0 };
            self.rows.iter().filter_map(|row| row.get(index)).map(|cell| cell.width()).fold(header, usize::max)
        };
        let mut shown: Vec<(usize, usize)> = (0..self.columns.len())
            .filter(|&i| self.view.wide || self.columns[i].fit != Fit::Wide)
            .map(|i| (i, natural(i)))
            .collect();
        // `-o wide` asked for every column, whole, as kubectl's does.
        let Some(limit) = self.limit.filter(|_| !self.view.wide) else { return shown };
        let total = |shown: &[(usize, usize)]| {
            shown.iter().map(|(_, w)| w).sum::<usize>() + usize::from(GAP) * shown.len().saturating_sub(1)
        };
        // Long names give way first, to a width that still reads; then optional columns go;
        // then the names shorten further.
        let excess = total(&shown).saturating_sub(limit);
        self.shorten(&mut shown, excess, COMFORTABLE);
        while total(&shown) > limit {
            let optional = shown
                .iter()
                .enumerate()
                .filter_map(|(at, (i, _))| match self.columns[*i].fit {
                    Fit::Optional(rank) => Some((rank, at)),
                    _ => None,
                })
                .min();
            match optional {
                Some((_, at)) => {
                    shown.remove(at);
                }
                None => break,
            }
        }
        // Dropping columns may have made more room than needed: names get it back.
        let natural_shown: Vec<(usize, usize)> = shown.iter().map(|&(i, _)| (i, natural(i))).collect();
        shown = natural_shown;
        let excess = total(&shown).saturating_sub(limit);
        self.shorten(&mut shown, excess, MIN_SHORTENED);
        shown
    }

    /// Takes `excess` columns from the shortenable ones, widest first, none below `floor`.
    fn shorten(&self, shown: &mut [(usize, usize)], mut excess: usize, floor: usize) {
        let shortenable: Vec<usize> =
            (0..shown.len()).filter(|&at| self.columns[shown[at].0].fit == Fit::Shorten).collect();
        while excess > 0 {
            let Some(&widest) = shortenable.iter().filter(|&&at| shown[at].1 > floor).max_by_key(|&&at| shown[at].1)
            else {
                break;
            };
            // Down to the next widest, so that the long columns end up about as wide.
            let next = shortenable.iter().filter(|&&at| at != widest).map(|&at| shown[at].1).max().unwrap_or(0);
            let to = next.clamp(floor, shown[widest].1 - 1);
            let cut = excess.min(shown[widest].1 - to);
            shown[widest].1 -= cut;
            excess -= cut;
        }
    }
}

/// `text` in at most `width` columns: when it is longer, its middle becomes `…`, keeping the
/// start and the end, which tell names apart (`system:serv…ment-controller`,
/// `web-7d4b…-x2kqz`).
pub fn shorten(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let char_width = |c: &char| unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
    let room = width.saturating_sub(1);
    let mut head = String::new();
    let mut used = 0;
    for c in text.chars() {
        if used + char_width(&c) > room / 2 {
            break;
        }
        used += char_width(&c);
        head.push(c);
    }
    let mut tail: Vec<char> = Vec::new();
    for c in text.chars().rev() {
        if used + char_width(&c) > room {
            break;
        }
        used += char_width(&c);
        tail.push(c);
    }
    head.push('…');
    head.extend(tail.into_iter().rev());
    head
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let layout = self.layout();
        let mut table = comfy_table::Table::new();
        table.load_style(if self.view.headers { LOOK } else { TableStyle::new() });
        table.force_no_tty().set_content_arrangement(ContentArrangement::Disabled);
        let cells = |values: &dyn Fn(usize) -> String| -> Vec<String> {
            layout.iter().map(|&(i, width)| shorten(&values(i), width)).collect()
        };
        if self.view.headers {
            table.set_header(cells(&|i| self.columns[i].header.clone()));
        }
        for row in &self.rows {
            table.add_row(cells(&|i| row.get(i).cloned().unwrap_or_default()));
        }
        let last = layout.len().saturating_sub(1);
        for (at, column) in table.column_iter_mut().enumerate() {
            // Under a header line comfy-table keeps a column of its own between cells.
            let gap = if self.view.headers { GAP - 1 } else { GAP };
            column.set_padding((0, if at == last { 0 } else { gap }));
            if self.columns[layout[at].0].right {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
        let drawn = table.to_string();
        let mut lines = drawn.lines().map(str::trim_end).peekable();
        while let Some(line) = lines.next() {
            f.write_str(line)?;
            if lines.peek().is_some() {
                f.write_str("\n")?;
            }
        }
        Ok(())
    }
}

/// How many rows a [`Stream`] reads before it fixes its columns.
const STREAM_SAMPLE: usize = 200;

/// A table printed as its rows come, for listings too long to hold: the first rows fix the
/// columns and their widths as [`Table`] would lay them out, and it looks the same; later
/// rows are cut to those widths (`…`) where they are wider.
pub struct Stream {
    table: Table,
    layout: Option<Vec<(usize, usize)>>,
}

impl Table {
    /// This table, streamed.
    pub fn stream(self) -> Stream {
        Stream { table: self, layout: None }
    }
}

impl Stream {
    pub fn push(&mut self, out: &mut dyn io::Write, row: Vec<String>) -> io::Result<()> {
        match &self.layout {
            Some(layout) => writeln!(out, "{}", self.table.line(layout, &row)),
            None => {
                self.table.rows.push(row);
                if self.table.rows.len() >= STREAM_SAMPLE { self.flush(out) } else { Ok(()) }
            }
        }
    }

    /// Prints what is held: the header and the first rows.
    fn flush(&mut self, out: &mut dyn io::Write) -> io::Result<()> {
        let layout = self.table.layout();
        if self.table.view.headers {
            let header: Vec<String> = self.table.columns.iter().map(|c| c.header.clone()).collect();
            let line = self.table.line(&layout, &header);
            let width =
                layout.iter().map(|(_, w)| w).sum::<usize>() + usize::from(GAP) * layout.len().saturating_sub(1);
            writeln!(out, "{line}\n{}", "─".repeat(width))?;
        }
        for row in std::mem::take(&mut self.table.rows) {
            writeln!(out, "{}", self.table.line(&layout, &row))?;
        }
        self.layout = Some(layout);
        Ok(())
    }

    /// Prints the rest; a table that got no rows prints nothing.
    pub fn finish(&mut self, out: &mut dyn io::Write) -> io::Result<()> {
        if self.layout.is_none() && !self.table.rows.is_empty() {
            self.flush(out)?;
        }
        Ok(())
    }
}

impl Table {
    /// One row in the columns of `layout`, as [`fmt::Display`] draws it.
    fn line(&self, layout: &[(usize, usize)], row: &[String]) -> String {
        let mut line = String::new();
        for (at, &(i, width)) in layout.iter().enumerate() {
            let cell = shorten(row.get(i).map_or("", String::as_str), width);
            let pad = " ".repeat(width.saturating_sub(cell.width()));
            if at > 0 {
                line.push_str(&" ".repeat(usize::from(GAP)));
            }
            if self.columns[i].right {
                line.push_str(&pad);
                line.push_str(&cell);
            } else {
                line.push_str(&cell);
                line.push_str(&pad);
            }
        }
        line.trim_end().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Style;

    fn terminal(width: Option<usize>) -> Terminal {
        Terminal {
            style: Style { color: false },
            stderr_tty: false,
            width: 100,
            table_width: width,
            zone: Default::default(),
        }
    }

    fn sample(width: Option<usize>, view: View) -> String {
        let mut t = new(&terminal(width), &["kind", "name", "uid", "age", "requests"])
            .fit(1, Fit::Shorten)
            .fit(2, Fit::Wide)
            .fit(3, Fit::Optional(1))
            .view(view);
        t.add_row(vec![
            "Pod".into(),
            "web-7d4b9c8f6d-x2kqz-with-a-very-long-name".into(),
            "d0000000-0000-4000-8000-000000000003".into(),
            "5m".into(),
            "3".into(),
        ]);
        t.add_row(vec!["Deployment".into(), "web".into(), "d1".into(), "2d".into(), "12".into()]);
        align_right(&mut t, &[4]);
        t.to_string()
    }

    #[test]
    fn tables_fit_by_dropping_and_shortening_never_wrapping() {
        let whole = sample(None, View::default());
        assert_eq!(
            whole,
            "kind         name                                         age   requests\n\
             ────────────────────────────────────────────────────────────────────────\n\
             Pod          web-7d4b9c8f6d-x2kqz-with-a-very-long-name   5m           3\n\
             Deployment   web                                          2d          12"
        );
        let narrow = sample(Some(40), View::default());
        assert_eq!(
            narrow,
            "kind         name               requests\n\
             ────────────────────────────────────────\n\
             Pod          web-7d4…ong-name          3\n\
             Deployment   web                      12"
        );
        assert!(narrow.lines().all(|l| l.width() <= 40));
        let wide = sample(Some(200), View { wide: true, headers: false });
        assert_eq!(wide.lines().count(), 2);
        assert!(wide.contains("d0000000-0000-4000-8000-000000000003"));
        assert!(whole.lines().chain(narrow.lines()).chain(wide.lines()).all(|l| !l.ends_with(' ')));
    }
}

#[cfg(test)]
mod stream_tests {
    use super::*;
    use crate::render::Style;

    fn table(width: Option<usize>, headers: bool) -> Table {
        let terminal = Terminal {
            style: Style { color: false },
            stderr_tty: false,
            width: 100,
            table_width: width,
            zone: Default::default(),
        };
        let mut t = new(&terminal, &["time", "user", "code"]).fit(1, Fit::Shorten).view(View { wide: false, headers });
        align_right(&mut t, &[2]);
        t
    }

    fn rows(n: usize) -> Vec<Vec<String>> {
        (0..n).map(|i| vec![format!("10:00:{:02}", i % 60), format!("user-{i}"), "200".into()]).collect()
    }

    #[test]
    fn a_stream_looks_like_the_table_and_later_rows_keep_the_widths() {
        for headers in [true, false] {
            let mut whole = table(Some(40), headers);
            let mut stream = table(Some(40), headers).stream();
            let mut out = Vec::new();
            for row in rows(3) {
                whole.add_row(row.clone());
                stream.push(&mut out, row).unwrap();
            }
            assert!(out.is_empty(), "held until the sample is read");
            stream.finish(&mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), format!("{whole}\n"));
        }
        let mut stream = table(Some(40), true).stream();
        let mut out = Vec::new();
        for row in rows(STREAM_SAMPLE) {
            stream.push(&mut out, row).unwrap();
        }
        stream
            .push(&mut out, vec!["10:01:00".into(), "a-user-whose-name-is-far-too-long".into(), "409".into()])
            .unwrap();
        stream.finish(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), STREAM_SAMPLE + 3);
        assert_eq!(text.lines().last().unwrap(), "10:01:00   a-u…long    409");
        assert_eq!(text.lines().nth(1).unwrap().chars().count(), text.lines().nth(2).unwrap().chars().count());
    }
}
