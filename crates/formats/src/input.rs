//! Reading a CSV import file the same way for every importer (deals, organizations, contacts,
//! usage): the header checked once (a required column missing, a column twice), every cell
//! checked once (no control characters but tab and line breaks, no cell longer than
//! [`bearing_core::text::MAX_TEXT`]), and every row given the line it starts on, counted the
//! same for LF, CRLF and CR files and for quoted cells that hold line breaks.

use std::io::Read;

use crate::crm::RowError;

/// A file's header and its rows, with every problem the reading found.
#[derive(Debug)]
pub(crate) struct CsvInput {
    /// Column names, trimmed, without a byte-order mark (lowercased when asked).
    pub headers: Vec<String>,
    /// Each readable row whose cells are all acceptable, with the line it starts on.
    pub rows: Vec<(u64, csv::StringRecord)>,
    /// Unreadable rows and unacceptable cells.
    pub errors: Vec<RowError>,
}

/// How the header is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Header<'a> {
    /// Column names compare in lower case.
    pub lowercase: bool,
    /// Columns the file must have.
    pub required: &'a [&'a str],
}

/// Where each line of a file starts, so that a byte offset gives its line.
struct Lines(Vec<usize>);

impl Lines {
    fn of(bytes: &[u8]) -> Self {
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    starts.push(i + 2);
                    i += 2;
                    continue;
                }
                b'\r' | b'\n' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        Lines(starts)
    }

    /// The 1-based line of the record that the reader says starts at `offset`. The reader may
    /// place a record's start on the line break that ends the line before it, so line breaks
    /// at the offset are skipped first.
    fn line_of(&self, bytes: &[u8], offset: u64) -> u64 {
        let mut at = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        let line = self.0.partition_point(|&start| start <= at);
        u64::try_from(line.max(1)).unwrap_or(u64::MAX)
    }
}

/// What is wrong with a cell's text, if anything.
fn cell_problem(text: &str) -> Option<String> {
    bearing_core::text::check(text, bearing_core::text::MAX_TEXT).err()
}

/// Reads the whole file. A problem with the header (unreadable, a required column missing, a
/// column twice) is the only error returned; rows are not read then.
pub(crate) fn read(file: &str, mut input: impl Read, header: Header<'_>) -> CsvInput {
    let error = |line: u64, column: &str, value: &str, message: String| RowError {
        file: file.to_owned(),
        line,
        column: column.to_owned(),
        value: value.to_owned(),
        message,
    };
    let failed = |errors: Vec<RowError>| CsvInput {
        headers: Vec::new(),
        rows: Vec::new(),
        errors,
    };
    let mut bytes = Vec::new();
    if let Err(e) = input.read_to_end(&mut bytes) {
        return failed(vec![error(0, "", "", format!("cannot read the file: {e}"))]);
    }
    let lines = Lines::of(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(bytes.as_slice());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|c| {
                let c = c.trim().trim_start_matches('\u{feff}');
                if header.lowercase {
                    c.to_lowercase()
                } else {
                    c.to_owned()
                }
            })
            .collect(),
        Err(e) => {
            return failed(vec![error(
                1,
                "",
                "",
                format!("cannot read the header: {}", reason(&e)),
            )]);
        }
    };
    let mut errors: Vec<RowError> = Vec::new();
    for (i, name) in headers.iter().enumerate() {
        if let Some(problem) = cell_problem(name) {
            errors.push(error(1, "", name, format!("column {}: {problem}", i + 1)));
        }
    }
    for required in header.required {
        if !headers.iter().any(|h| h == required) {
            errors.push(error(
                1,
                required,
                "",
                format!("the file has no {required} column"),
            ));
        }
    }
    for (i, name) in headers.iter().enumerate() {
        // A name with a problem is refused above; repeating it raw would put its control
        // characters in the message.
        if cell_problem(name).is_some() {
            continue;
        }
        if let Some(first) = headers[..i].iter().position(|h| h == name) {
            errors.push(error(
                1,
                name,
                name,
                format!(
                    "column {name} appears twice (columns {} and {})",
                    first + 1,
                    i + 1
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return failed(errors);
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_of(&bytes, p.byte()));
                errors.push(error(
                    line,
                    "",
                    "",
                    format!("unreadable row: {}", reason(&e)),
                ));
                continue;
            }
        };
        let line = record
            .position()
            .map_or(0, |p| lines.line_of(&bytes, p.byte()));
        let before = errors.len();
        for (column, cell) in headers.iter().zip(record.iter()) {
            if let Some(problem) = cell_problem(cell) {
                errors.push(error(line, column, &shortened(cell), problem));
            }
        }
        if errors.len() == before {
            rows.push((line, record));
        }
    }
    CsvInput {
        headers,
        rows,
        errors,
    }
}

/// A reader's error in words, without the position it repeats (the line is said apart).
fn reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "the file is not UTF-8 text".to_owned(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} cells where the header has {expected_len}"),
        _ => e.to_string(),
    }
}

/// A value short enough to repeat in an error message.
pub(crate) fn shortened(text: &str) -> String {
    const SHOWN: usize = 60;
    if text.chars().count() <= SHOWN {
        text.to_owned()
    } else {
        let head: String = text.chars().take(SHOWN).collect();
        format!("{head}…")
    }
}

/// Puts each `FIELD=Column` of `pairs` in its field's slot of `slots` (a field's name and
/// the column it is read from), or says what is wrong: an empty column, or a field that is
/// not one of them.
pub(crate) fn map_columns(
    pairs: &[(String, String)],
    slots: &mut [(&str, &mut String)],
) -> Result<(), String> {
    for (field, column) in pairs {
        let column = column.trim();
        if column.is_empty() {
            return Err(format!("the column for {field} is empty"));
        }
        match slots.iter_mut().find(|(name, _)| *name == field.trim()) {
            Some((_, slot)) => **slot = column.to_owned(),
            None => {
                let names: Vec<&str> = slots.iter().map(|(name, _)| *name).collect();
                return Err(format!(
                    "no field {:?}; fields: {}",
                    field.trim(),
                    names.join(", ")
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: Header<'static> = Header {
        lowercase: true,
        required: &["name"],
    };

    fn lines_of(text: &str) -> Vec<u64> {
        let input = read("f.csv", text.as_bytes(), HEADER);
        assert_eq!(input.errors, vec![]);
        input.rows.iter().map(|(line, _)| *line).collect()
    }

    #[test]
    fn rows_start_on_the_same_line_with_lf_crlf_and_cr() {
        for newline in ["\n", "\r\n", "\r"] {
            let text = ["name,n", "a,1", "b,2", "", "c,3", ""].join(newline);
            assert_eq!(lines_of(&text), [2, 3, 5], "{newline:?}");
        }
    }

    #[test]
    fn quoted_cells_with_line_breaks_count_their_lines() {
        for newline in ["\n", "\r\n"] {
            let text = ["name,n", "\"a", "still a\",1", "b,2", ""].join(newline);
            assert_eq!(lines_of(&text), [2, 4], "{newline:?}");
        }
    }

    #[test]
    fn an_unreadable_row_is_named_by_its_own_line_in_crlf_files_too() {
        for newline in ["\n", "\r\n"] {
            let text = ["name,n", "a,1", "b,2", "c,3,4", ""].join(newline);
            let input = read("f.csv", text.as_bytes(), HEADER);
            assert_eq!(input.errors.len(), 1);
            assert_eq!(input.errors[0].line, 4, "{newline:?}");
            assert_eq!(
                input.errors[0].message,
                "unreadable row: 3 cells where the header has 2"
            );
        }
    }

    #[test]
    fn control_characters_and_overlong_cells_are_refused_with_their_place() {
        let long = "x".repeat(bearing_core::text::MAX_TEXT + 1);
        let text = format!("name,n\r\na\u{0}b,1\r\nok,{long}\r\n");
        let input = read("f.csv", text.as_bytes(), HEADER);
        assert!(input.rows.is_empty());
        let said: Vec<String> = input.errors.iter().map(ToString::to_string).collect();
        assert_eq!(said.len(), 2);
        assert!(
            said[0].starts_with("f.csv:2: column name = \"a\\0b\": contains a control character"),
            "{}",
            said[0]
        );
        assert!(
            said[1].starts_with("f.csv:3: column n = \"xxx")
                && said[1].ends_with("is 10001 characters long; at most 10000"),
            "{}",
            said[1]
        );
    }

    #[test]
    fn a_column_twice_or_a_required_one_missing_is_refused_for_every_importer() {
        let input = read("f.csv", "Name,n,NAME\n".as_bytes(), HEADER);
        assert_eq!(
            input.errors[0].to_string(),
            "f.csv:1: column name = \"name\": column name appears twice (columns 1 and 3)"
        );
        let input = read("f.csv", "n\n1\n".as_bytes(), HEADER);
        assert_eq!(input.errors[0].message, "the file has no name column");
    }

    #[test]
    fn a_refused_column_name_twice_is_named_once_without_its_control_characters() {
        // Found by the fuzz suite (tests/fuzz.rs): the message repeated the raw NUL.
        let input = read("f.csv", "name,\0n,\0n\n".as_bytes(), HEADER);
        let messages: Vec<&str> = input.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages.iter().all(|m| m.starts_with("column ")
                && m.contains("contains a control character")
                && !m.contains('\0')),
            "{messages:?}"
        );
    }

    #[test]
    fn a_file_that_is_not_utf8_says_so() {
        let input = read("f.csv", &b"name\n\xff\xfe\n"[..], HEADER);
        assert_eq!(input.errors[0].line, 2);
        assert_eq!(
            input.errors[0].message,
            "unreadable row: the file is not UTF-8 text"
        );
    }
}
