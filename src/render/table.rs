//! Tables for a person, drawn with comfy-table.

use comfy_table::{CellAlignment, ContentArrangement, LineStyle, Table, TableStyle, presets};

use super::Terminal;

/// Header underlined, no other rules: dense and easy to scan.
const LOOK: TableStyle = TableStyle::new().header_separator(LineStyle::none().fill('─').junction('─'));

/// A table in the tool's look. Numeric columns are right-aligned by the caller.
pub fn new(terminal: &Terminal, header: &[&str]) -> Table {
    let mut table = Table::new();
    table.load_style(LOOK).set_header(header.iter().copied());
    fit(&mut table, terminal);
    table
}

/// Fit a terminal; never wrap what goes to a pipe or a file (grep wants whole lines).
fn fit(table: &mut Table, terminal: &Terminal) {
    if terminal.stdout_tty {
        table
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(terminal.width.min(usize::from(u16::MAX)) as u16);
    } else {
        table.force_no_tty().set_content_arrangement(ContentArrangement::Disabled);
    }
}

/// Right-aligns the given columns (counts, sizes, times).
pub fn align_right(table: &mut Table, columns: &[usize]) {
    for &index in columns {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// A two-column table of labels and values.
pub fn key_values(terminal: &Terminal, rows: &[(&str, String)]) -> Table {
    let mut table = Table::new();
    table.load_style(presets::NOTHING);
    fit(&mut table, terminal);
    for (key, value) in rows {
        table.add_row(vec![key.to_string(), value.clone()]);
    }
    table
}
