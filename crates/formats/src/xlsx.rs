//! Excel workbooks: one sheet per table, so the spreadsheet tabs the team maintains by hand
//! can be retired. Numbers are written as numbers (except identifiers), everything else as
//! text; the header row is bold and frozen.

use rust_xlsxwriter::{Format, Workbook};

use crate::table::{Table, WriteError};

/// Columns that hold identifiers: text, even when they look like numbers.
fn is_identifier(column: &str) -> bool {
    matches!(column, "id" | "crm_id" | "deal" | "key")
}

/// A workbook with a sheet for each (name, table); sheet names are cut to Excel's 31
/// characters.
pub fn workbook(sheets: &[(&str, &Table)]) -> Result<Vec<u8>, WriteError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for (name, table) in sheets {
        let sheet = book.add_worksheet();
        let title: String = name
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        sheet.set_name(if title.is_empty() { "sheet" } else { &title })?;
        for (c, column) in table.columns.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, column, &bold)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = (r + 1) as u32;
            for (c, cell) in row.iter().enumerate() {
                let Some(text) = cell else { continue };
                let number = text.parse::<f64>().ok().filter(|n| n.is_finite());
                match number {
                    Some(n) if !is_identifier(&table.columns[c]) => {
                        sheet.write_number(r, c as u16, n)?
                    }
                    _ => sheet.write_string(r, c as u16, text)?,
                };
            }
        }
        sheet.set_freeze_panes(1, 0)?;
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workbook_is_a_zip_with_a_sheet_per_table() {
        let mut a = Table::new(["id", "name", "2026-03"]);
        a.push([
            Some("86221242058".into()),
            Some("EarthScope".into()),
            Some("16406".into()),
        ]);
        let b = Table::new(["metric", "value"]);
        let bytes = workbook(&[("deal-months", &a), ("health", &b)]).unwrap();
        assert_eq!(&bytes[..2], b"PK", "xlsx files are zip archives");
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("xl/worksheets/sheet2.xml"));
        assert!(!text.contains("xl/worksheets/sheet3.xml"));
    }
}
