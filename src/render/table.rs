//! Tables for a person, drawn with comfy-table after a fitting pass of our own: on a
//! terminal (or with `COLUMNS` set) a table fits the width by dropping optional columns and
//! shortening long names with `…`, never by splitting a word over lines; what goes to a pipe
//! keeps whole lines. No line ends in spaces.

use std::fmt;

use comfy_table::{CellAlignment, ContentArrangement, LineStyle, TableStyle};
use unicode_width::UnicodeWidthStr;

use super::Terminal;

/// Header underlined, no other rules: dense and easy to scan.
const LOOK: TableStyle = TableStyle::new().header_separator(LineStyle::none().fill('─').junction('─'));

/// Spaces between columns.
const GAP: u16 = 3;

/// The narrowest a shortened column gets.
const MIN_SHORTENED: usize = 12;

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

    /// The columns shown and how wide each is: wide-only ones out unless asked for, then
    /// optional ones out and names shortened until the table fits.
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
        let excess = total(&shown).saturating_sub(limit);
        let shortenable: Vec<usize> =
            (0..shown.len()).filter(|&at| self.columns[shown[at].0].fit == Fit::Shorten).collect();
        let mut excess = excess;
        // Take from the widest shortenable column first, down to MIN_SHORTENED.
        while excess > 0 {
            let Some(&widest) =
                shortenable.iter().filter(|&&at| shown[at].1 > MIN_SHORTENED).max_by_key(|&&at| shown[at].1)
            else {
                break;
            };
            let cut = excess.min(shown[widest].1 - MIN_SHORTENED);
            shown[widest].1 -= cut;
            excess -= cut;
        }
        shown
    }
}

/// `text` in at most `width` columns, its end replaced by `…` when it is longer.
pub fn shorten(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
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
             Pod          web-7d4b9c8f6d-…          3\n\
             Deployment   web                      12"
        );
        assert!(narrow.lines().all(|l| l.width() <= 40));
        let wide = sample(Some(200), View { wide: true, headers: false });
        assert_eq!(wide.lines().count(), 2);
        assert!(wide.contains("d0000000-0000-4000-8000-000000000003"));
        assert!(whole.lines().chain(narrow.lines()).chain(wide.lines()).all(|l| !l.ends_with(' ')));
    }
}
