//! A table of text cells, written as aligned plain text, CSV or JSON.

use std::fmt;
use std::io::Write;
use std::str::FromStr;

/// How a table is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Aligned columns for a terminal.
    #[default]
    Table,
    /// RFC 4180 CSV with a header row.
    Csv,
    /// A JSON array of objects keyed by column name.
    Json,
    /// An Excel workbook (one sheet).
    Xlsx,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "table" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "xlsx" => Ok(Format::Xlsx),
            _ => Err(format!(
                "unknown format {s:?}: expected table, csv, json or xlsx"
            )),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Xlsx => "xlsx",
        })
    }
}

/// Rows of cells under named columns; `None` is an empty (unknown) cell, written as an empty
/// CSV field and a JSON `null`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot write: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

impl Table {
    pub fn new<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Self {
        Self {
            columns: columns.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing trailing cells are empty, extra cells are an error of the caller
    /// and are cut off.
    pub fn push(&mut self, cells: impl IntoIterator<Item = Option<String>>) {
        let mut row: Vec<Option<String>> = cells.into_iter().take(self.columns.len()).collect();
        row.resize(self.columns.len(), None);
        self.rows.push(row);
    }

    pub fn write(&self, format: Format, out: &mut dyn Write) -> Result<(), WriteError> {
        match format {
            Format::Table => self.write_text(out),
            Format::Csv => self.write_csv(out),
            Format::Json => self.write_json(out),
            Format::Xlsx => {
                out.write_all(&crate::xlsx::workbook(&[("data", self)])?)?;
                Ok(())
            }
        }
    }

    fn write_text(&self, out: &mut dyn Write) -> Result<(), WriteError> {
        let cell = |c: &Option<String>| -> String {
            c.as_deref().unwrap_or("").replace(['\n', '\r', '\t'], " ")
        };
        let mut widths: Vec<usize> = self.columns.iter().map(|c| c.chars().count()).collect();
        for row in &self.rows {
            for (width, c) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell(c).chars().count());
            }
        }
        let line = |cells: Vec<String>| -> String {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| {
                    // Padded by hand: a format width is limited to 65,535 characters.
                    let mut c = c.clone();
                    c.extend(std::iter::repeat_n(
                        ' ',
                        w.saturating_sub(c.chars().count()),
                    ));
                    c
                })
                .collect();
            padded.join("  ").trim_end().to_owned()
        };
        writeln!(out, "{}", line(self.columns.clone()))?;
        for row in &self.rows {
            writeln!(out, "{}", line(row.iter().map(cell).collect()))?;
        }
        Ok(())
    }

    fn write_csv(&self, out: &mut dyn Write) -> Result<(), WriteError> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(self.columns.iter().map(|c| inert(c).into_owned()))?;
        for row in &self.rows {
            writer.write_record(
                row.iter()
                    .map(|c| inert(c.as_deref().unwrap_or("")).into_owned()),
            )?;
        }
        writer.flush()?;
        Ok(())
    }

    fn write_json(&self, out: &mut dyn Write) -> Result<(), WriteError> {
        let objects: Vec<serde_json::Map<String, serde_json::Value>> = self
            .rows
            .iter()
            .map(|row| {
                self.columns
                    .iter()
                    .zip(row)
                    .map(|(k, v)| {
                        let value = v
                            .clone()
                            .map_or(serde_json::Value::Null, serde_json::Value::String);
                        (k.clone(), value)
                    })
                    .collect()
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &objects)?;
        writeln!(out)?;
        Ok(())
    }
}

/// A cell as a spreadsheet will not run it: text that starts like a formula (`=`, `+`, `-`,
/// `@`, tab or carriage return) gets a leading `'`, which spreadsheets show as text. Numbers
/// such as `-1200` or `+5` are left as they are: they are not formulas, and a quote would
/// turn them into text.
pub fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_number(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

fn is_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|b| *b == b'.').count() <= 1
        && digits.bytes().any(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut table = Table::new(["id", "name", "amount"]);
        table.push([
            Some("1".into()),
            Some("BIDS, \"premier\"".into()),
            Some("45000.00".into()),
        ]);
        table.push([Some("22".into()), Some("AWI".into()), None]);
        table
    }

    fn written(format: Format) -> String {
        let mut out = Vec::new();
        sample().write(format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_tables_align_their_columns() {
        assert_eq!(
            written(Format::Table),
            "id  name             amount\n1   BIDS, \"premier\"  45000.00\n22  AWI\n"
        );
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_leaves_unknowns_empty() {
        assert_eq!(
            written(Format::Csv),
            "id,name,amount\n1,\"BIDS, \"\"premier\"\"\",45000.00\n22,AWI,\n"
        );
    }

    #[test]
    fn json_is_an_array_of_objects_with_nulls_for_unknowns() {
        let value: serde_json::Value = serde_json::from_str(&written(Format::Json)).unwrap();
        assert_eq!(
            value,
            serde_json::json!([
                {"id": "1", "name": "BIDS, \"premier\"", "amount": "45000.00"},
                {"id": "22", "name": "AWI", "amount": null}
            ])
        );
    }

    #[test]
    fn csv_cells_that_start_like_formulas_are_written_as_text() {
        let mut table = Table::new(["=cmd", "note"]);
        for cell in [
            "=HYPERLINK(\"http://x.example\")",
            "+1+2",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "-1200",
            "+5",
            "-0.25",
            "plain",
            "a=b",
        ] {
            table.push([Some(cell.to_owned()), Some("n".to_owned())]);
        }
        let mut out = Vec::new();
        table.write(Format::Csv, &mut out).unwrap();
        let mut reader = csv::Reader::from_reader(out.as_slice());
        assert_eq!(&reader.headers().unwrap()[0], "'=cmd");
        let first: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
        assert_eq!(
            first,
            [
                "'=HYPERLINK(\"http://x.example\")",
                "'+1+2",
                "'-2+3",
                "'@SUM(A1)",
                "'\tx",
                "'\rx",
                "-1200",
                "+5",
                "-0.25",
                "plain",
                "a=b"
            ]
        );
    }

    #[test]
    fn text_tables_pad_cells_longer_than_a_format_width_allows() {
        let mut table = Table::new(["name", "n"]);
        table.push([Some("x".repeat(70_000)), Some("1".into())]);
        table.push([Some("y".into()), Some("2".into())]);
        let mut out = Vec::new();
        table.write(Format::Table, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[2].chars().count(), 70_000 + 2 + 1);
        assert!(lines[2].starts_with("y   "));
    }

    #[test]
    fn formats_parse_by_name() {
        assert_eq!("CSV".parse::<Format>(), Ok(Format::Csv));
        assert_eq!("XLSX".parse::<Format>(), Ok(Format::Xlsx));
        assert!("xml".parse::<Format>().is_err());
    }
}
