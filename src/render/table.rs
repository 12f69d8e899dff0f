//! Tables for a person, drawn with comfy-table.

use comfy_table::{CellAlignment, ContentArrangement, LineStyle, Table, TableStyle, presets};

/// Header underlined, no other rules: dense and easy to scan.
const LOOK: TableStyle = TableStyle::new().header_separator(LineStyle::none().fill('─').junction('─'));

/// A table in the tool's look. Numeric columns are right-aligned by the caller.
pub fn new(header: &[&str]) -> Table {
    let mut table = Table::new();
    table.load_style(LOOK).set_content_arrangement(ContentArrangement::Dynamic).set_header(header.iter().copied());
    // Fit a terminal; never wrap what goes to a pipe or a file (grep wants whole lines).
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        table.force_no_tty().set_content_arrangement(ContentArrangement::Disabled);
    }
    table
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
pub fn key_values(rows: &[(&str, String)]) -> Table {
    let mut table = Table::new();
    table.load_style(presets::NOTHING).set_content_arrangement(ContentArrangement::Dynamic);
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        table.force_no_tty().set_content_arrangement(ContentArrangement::Disabled);
    }
    for (key, value) in rows {
        table.add_row(vec![key.to_string(), value.clone()]);
    }
    table
}
