//! Every reader of outside input, fed arbitrary bytes and almost-valid input (a valid file with
//! random mutations, random cells, CR/LF mixes, quotes, NULs, huge numbers, odd dates): none
//! may panic, every failure must say what is wrong (a non-empty message without raw control
//! characters; for CSV files a line inside the file), and whatever is read must keep the
//! reader's invariants. The configuration file's reader is fuzzed the same way in
//! crates/bearing/src/config.rs.
//!
//! `BEARING_FUZZ_CASES` sets the cases per reader (2000 when unset, so `cargo test` stays
//! quick; CI sets more). Nothing is written to disk: failures are not persisted, and proptest
//! prints the shrunk input instead.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::collections::HashSet;

use bearing_core::deal::DealFields;
use bearing_core::{EARLIEST_DATE, LATEST_DATE};
use bearing_formats::crm::{self, DealValue, RowError};
use bearing_formats::{cloud_costs, directory, invoice_ledger, myst, prometheus, usage};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;

/// Cases per reader.
fn cases() -> u32 {
    match std::env::var("BEARING_FUZZ_CASES") {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("BEARING_FUZZ_CASES={text:?} is not a number of cases")),
        Err(_) => 2000,
    }
}

/// No failure files; XorShift, not ChaCha, draws the inputs: in a debug build ChaCha took a
/// third of the time, and these inputs need no cryptographic randomness.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Building blocks shared by the readers.

/// Cells and fragments that readers trip on: quotes, separators, line breaks, NULs and other
/// control characters, byte-order marks, non-ASCII text, huge and odd numbers, odd dates.
const ODD: &[&str] = &[
    "",
    " ",
    "\"",
    "\"\"",
    "\"a,b\"",
    "a\"b",
    ",",
    ";",
    ":",
    "/",
    "\r",
    "\n",
    "\r\n",
    "\n\r",
    "\0",
    "a\0b",
    "\u{1b}[2J",
    "\u{feff}",
    "\t",
    "\u{7f}",
    "\u{85}",
    "\u{2028}",
    "é",
    "🦀",
    "\u{10ffff}",
    "\u{fffd}",
    "99999999999999999999999999",
    "-99999999999999999999",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "9007199254740993",
    "9007199254740992.0",
    "1e308",
    "1e309",
    "-1e309",
    "1e-400",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "+Inf",
    "-0",
    "-0.0",
    "0.0000001",
    "1.005",
    "12.345",
    "-1",
    "-0.01",
    "0x10",
    "1_000",
    "1,000",
    "$100",
    "100 USD",
    "١٢٣",
    "2025-02-30",
    "2025-02-29",
    "2024-02-29",
    "0000-00-00",
    "0000-01-01",
    "1899-12-31",
    "1900-01-01",
    "2199-12-31",
    "2200-01-01",
    "9999-12-31",
    "-001-01-01",
    "+2025-01-01",
    "2025-1-1",
    "2025-13-01",
    "2025-00-10",
    "2025-01-32",
    "2025-01-01T",
    "2025-01-01T00:00:00Z",
    "2025-01-01 12:00",
    "2025-01-01x",
    "2025-01-0é",
    "2025-01-01é",
    "2025-01-é1",
    "20250101",
    "01/02/2025",
    "2025-01-01T25:99",
    "２０２５-01-01",
    "@",
    "a@",
    "@b",
    "a@b@c",
    "bids:",
    ":billing-contact",
    "bids:alien",
    "two words",
];

/// Line breaks, for files that mix them.
const ENDINGS: [&str; 3] = ["\n", "\r\n", "\r"];

/// Lines in the reader's sense: LF, CRLF and a lone CR each end one; a last line without a
/// break counts too.
fn line_count(bytes: &[u8]) -> u64 {
    let mut lines = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                lines += 1;
                i += 1;
            }
            b'\r' | b'\n' => lines += 1,
            _ => {}
        }
        i += 1;
    }
    if bytes.last().is_some_and(|b| !matches!(b, b'\r' | b'\n')) {
        lines += 1;
    }
    lines
}

/// A message a person can read: some text, and no control characters but tab and line breaks
/// (which could garble or drive a terminal).
fn readable(message: &str) -> Result<(), TestCaseError> {
    prop_assert!(!message.trim().is_empty(), "an empty message");
    prop_assert!(
        !message
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')),
        "a control character in the message {message:?}"
    );
    Ok(())
}

/// Every error of a CSV reader names the file, a line inside it and what is wrong.
fn check_row_errors(file: &str, lines: u64, errors: &[RowError]) -> Result<(), TestCaseError> {
    let last = lines + 1;
    for e in errors {
        prop_assert_eq!(&e.file, file);
        prop_assert!(
            (1..=last).contains(&e.line),
            "line {} outside 1..={last}: {e}",
            e.line
        );
        readable(&e.message)?;
        prop_assert!(!e.to_string().is_empty());
    }
    Ok(())
}

/// A row read starts on a line of its own below the header, and no error names that line (a
/// row with a problem is not among the rows).
fn check_row_line(line: u64, lines: u64, errors: &[RowError]) -> Result<(), TestCaseError> {
    prop_assert!(
        (2..=lines).contains(&line),
        "a row read on line {line} of {lines}"
    );
    prop_assert!(
        !errors.iter().any(|e| e.line == line),
        "line {line} is read and refused: {errors:?}"
    );
    Ok(())
}

/// Text without control characters (but tab and line breaks) and at most `max` characters.
fn acceptable(text: &str, max: usize) -> Result<(), TestCaseError> {
    prop_assert!(
        bearing_core::text::check(text, max).is_ok(),
        "{text:?} is read, but Bearing refuses such text"
    );
    Ok(())
}

#[derive(Debug, Clone)]
enum Mutation {
    Insert(Index, u8),
    Replace(Index, u8),
    Delete(Index, usize),
    Token(Index, Index),
    Ending(Index, Index),
    Duplicate(Index, usize),
    Truncate(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Replace(i, b)),
        1 => (any::<Index>(), 1..16_usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        3 => (any::<Index>(), any::<Index>()).prop_map(|(i, t)| Mutation::Token(i, t)),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(i, e)| Mutation::Ending(i, e)),
        1 => (any::<Index>(), 1..200_usize).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
    ]
}

/// `seed` with a few random changes.
fn mutate(seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for m in mutations {
        let at = |i: &Index, bytes: &Vec<u8>| i.index(bytes.len() + 1);
        match m {
            Mutation::Insert(i, b) => {
                let at = at(i, &bytes);
                bytes.insert(at, *b);
            }
            Mutation::Replace(i, b) => {
                if !bytes.is_empty() {
                    let at = i.index(bytes.len());
                    bytes[at] = *b;
                }
            }
            Mutation::Delete(i, n) => {
                let at = at(i, &bytes);
                let end = (at + n).min(bytes.len());
                bytes.drain(at..end);
            }
            Mutation::Token(i, t) => {
                let at = at(i, &bytes);
                let token = ODD[t.index(ODD.len())].as_bytes();
                bytes.splice(at..at, token.iter().copied());
            }
            Mutation::Ending(i, e) => {
                // The next line break from a random place becomes another kind of break.
                let from = at(i, &bytes);
                if let Some(offset) = bytes[from..]
                    .iter()
                    .position(|b| matches!(b, b'\r' | b'\n'))
                {
                    let start = from + offset;
                    let end = if bytes[start..].starts_with(b"\r\n") {
                        start + 2
                    } else {
                        start + 1
                    };
                    let ending = ENDINGS[e.index(ENDINGS.len())].as_bytes();
                    bytes.splice(start..end, ending.iter().copied());
                }
            }
            Mutation::Duplicate(i, n) => {
                let at = at(i, &bytes);
                let end = (at + n).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
            }
            Mutation::Truncate(i) => {
                let at = at(i, &bytes);
                bytes.truncate(at);
            }
        }
    }
    bytes
}

/// A column of a CSV layout and values that are valid in it.
type Column = (&'static str, &'static [&'static str]);

/// A cell of a generated file.
#[derive(Debug, Clone)]
enum Cell {
    /// One of the column's valid values.
    Valid(Index),
    /// One of the [`ODD`] fragments.
    Odd(Index),
    /// A valid value with an odd fragment inside it.
    Spliced(Index, Index, Index),
    /// Any characters at all.
    Any(String),
    /// A run of letters this long: names and texts have limits.
    Long(usize),
}

/// How a cell is written.
#[derive(Debug, Clone, Copy)]
enum Quoting {
    /// As it is, even if it holds a separator, a quote or a line break.
    Raw,
    /// In quotes, quotes inside doubled: what a CSV writer does.
    Quoted,
    /// Opened with a quote that is never closed properly.
    Unbalanced,
}

fn cell() -> impl Strategy<Value = (Cell, Quoting)> {
    let cell = prop_oneof![
        40 => any::<Index>().prop_map(Cell::Valid),
        3 => any::<Index>().prop_map(Cell::Odd),
        2 => (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(v, o, at)| Cell::Spliced(v, o, at)),
        1 => vec(any::<char>(), 0..12).prop_map(|c| Cell::Any(c.into_iter().collect())),
        1 => prop_oneof![
            4 => prop_oneof![Just(64_usize), Just(65), Just(300), Just(301)],
            1 => prop_oneof![Just(10_000_usize), Just(10_001)],
        ]
        .prop_map(Cell::Long),
    ];
    let quoting = prop_oneof![
        40 => Just(Quoting::Raw),
        12 => Just(Quoting::Quoted),
        1 => Just(Quoting::Unbalanced),
    ];
    (cell, quoting)
}

/// Header names that are not quite a column's name.
const ODD_HEADERS: &[&str] = &[
    "",
    " ",
    "\u{feff}id",
    "ID",
    "Name",
    " name ",
    "EMAIL",
    "Cluster",
    "a\0b",
    "hs_mrr",
    "segment",
    "date",
    "users",
    "hub",
    "\"",
];

/// A file in a layout: a header of some of its columns (shuffled, maybe an odd one among them,
/// maybe in other letter case), then rows of cells, mostly valid, with mixed line breaks.
#[derive(Debug, Clone)]
struct Grid {
    header: Vec<usize>,
    odd_header: Option<(Index, Index)>,
    header_case: u8,
    rows: Vec<Vec<(Cell, Quoting)>>,
    base_ending: Index,
    endings: Vec<Option<Index>>,
    final_break: bool,
}

/// The columns of one of the reader's `layouts` (by name), or any of its columns.
fn header(
    columns: &'static [Column],
    layouts: &'static [&'static [&'static str]],
) -> impl Strategy<Value = Vec<usize>> {
    let all: Vec<usize> = (0..columns.len()).collect();
    let layouts: Vec<Vec<usize>> = layouts
        .iter()
        .map(|names| {
            names
                .iter()
                .map(|n| columns.iter().position(|(c, _)| c == n).expect("a column"))
                .collect()
        })
        .collect();
    prop_oneof![
        4 => proptest::sample::select(layouts).prop_shuffle(),
        1 => proptest::sample::subsequence(all, 0..=columns.len()).prop_shuffle(),
    ]
}

fn grid(
    columns: &'static [Column],
    layouts: &'static [&'static [&'static str]],
) -> impl Strategy<Value = Grid> {
    (
        header(columns, layouts),
        proptest::option::weighted(0.1, (any::<Index>(), any::<Index>())),
        any::<u8>(),
    )
        .prop_flat_map(|(header, odd_header, header_case)| {
            let width = header.len() + usize::from(odd_header.is_some());
            let row = prop_oneof![
                12 => vec(cell(), width..=width),
                1 => vec(cell(), 0..=width + 2),
            ];
            (
                Just(header),
                Just(odd_header),
                Just(header_case),
                vec(row, 0..8),
                any::<Index>(),
                vec(proptest::option::weighted(0.1, any::<Index>()), 9),
                any::<bool>(),
            )
        })
        .prop_map(
            |(header, odd_header, header_case, rows, base_ending, endings, final_break)| Grid {
                header,
                odd_header,
                header_case,
                rows,
                base_ending,
                endings,
                final_break,
            },
        )
}

/// Generic values for columns outside the layout.
const OTHER_VALUES: &[&str] = &["", "x", "1250.0", "research", "a;b", "2025-01-01"];

fn render_cell(cell: &Cell, quoting: Quoting, valid: &[&str]) -> String {
    let valid = if valid.is_empty() {
        OTHER_VALUES
    } else {
        valid
    };
    let text = match cell {
        Cell::Valid(i) => valid[i.index(valid.len())].to_owned(),
        Cell::Odd(i) => ODD[i.index(ODD.len())].to_owned(),
        Cell::Spliced(v, o, at) => {
            let mut text = valid[v.index(valid.len())].to_owned();
            let boundaries: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            let at = boundaries[at.index(boundaries.len())];
            text.insert_str(at, ODD[o.index(ODD.len())]);
            text
        }
        Cell::Any(text) => text.clone(),
        Cell::Long(n) => "n".repeat(*n),
    };
    match quoting {
        Quoting::Raw => text,
        Quoting::Quoted => format!("\"{}\"", text.replace('"', "\"\"")),
        Quoting::Unbalanced => format!("\"{text}"),
    }
}

fn render(columns: &[Column], grid: &Grid) -> Vec<u8> {
    let mut names: Vec<(String, &[&str])> = grid
        .header
        .iter()
        .map(|&c| (columns[c].0.to_owned(), columns[c].1))
        .collect();
    if let Some((at, which)) = &grid.odd_header {
        let name = ODD_HEADERS[which.index(ODD_HEADERS.len())].to_owned();
        names.insert(at.index(names.len() + 1), (name, &[]));
    }
    for (name, _) in &mut names {
        match grid.header_case % 16 {
            0 => *name = name.to_uppercase(),
            1 => *name = format!(" {name} "),
            _ => {}
        }
    }
    if grid.header_case % 32 == 2
        && let Some((first, _)) = names.first_mut()
    {
        first.insert(0, '\u{feff}');
    }
    let base = ENDINGS[grid.base_ending.index(ENDINGS.len())];
    let ending = |line: usize| {
        grid.endings[line % grid.endings.len()]
            .as_ref()
            .map_or(base, |e| ENDINGS[e.index(ENDINGS.len())])
    };
    let mut text = names
        .iter()
        .map(|(n, _)| n.clone())
        .collect::<Vec<_>>()
        .join(",");
    for (i, row) in grid.rows.iter().enumerate() {
        text.push_str(ending(i));
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, (cell, quoting))| {
                let valid = names.get(c).map_or(&[][..], |(_, v)| v);
                render_cell(cell, *quoting, valid)
            })
            .collect();
        text.push_str(&cells.join(","));
    }
    if grid.final_break {
        text.push_str(ending(grid.rows.len()));
    }
    text.into_bytes()
}

/// Input for a CSV reader: arbitrary bytes, CSV-like text, a valid seed with mutations, or a
/// generated file in the reader's layout.
fn csv_input(
    columns: &'static [Column],
    layouts: &'static [&'static [&'static str]],
    seeds: &'static [&'static [u8]],
) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => vec(any::<u8>(), 0..600),
        1 => "[a-z0-9_,;:@.\"\r\n\t\0 é-]{0,300}".prop_map(String::into_bytes),
        3 => (any::<Index>(), vec(mutation(), 1..6))
            .prop_map(move |(seed, m)| mutate(seeds[seed.index(seeds.len())], &m)),
        4 => grid(columns, layouts).prop_map(move |g| render(columns, &g)),
        2 => (grid(columns, layouts), vec(mutation(), 1..4))
            .prop_map(move |(g, m)| mutate(&render(columns, &g), &m)),
    ]
}

// ---------------------------------------------------------------------------------------------
// The CRM's deal export.

const DATES: &[&str] = &[
    "2025-07-01",
    "2026-06-30",
    "2025-07-15T00:00:00Z",
    "2025-07-15 00:00",
    "",
    "1900-01-01",
    "2199-12-31",
];
const AMOUNTS: &[&str] = &["15000.0", "45000", "0", "0.07", "", "1.5", " 100 "];

const DEAL_COLUMNS: &[Column] = &[
    (
        "id",
        &["1", "2", "86221242068", "202096783060", "x-1", " 7 "],
    ),
    (
        "dealname",
        &[
            "AWI CIROH 2025-2026 Extension",
            "BIDS 2025",
            "Prospect",
            "Two\nlines",
            "Ünïcode ✓",
            "a, b",
            "say \"hi\"",
        ],
    ),
    (
        "revenue_type",
        &[
            "membership-general",
            "membership-premier",
            "project",
            "gift",
            "",
        ],
    ),
    ("amount", AMOUNTS),
    ("closedate", DATES),
    ("pipeline", &["Membership Sales", "", "Other pipeline"]),
    ("dealstage", &["Closed Won", "Proposal", "Enrichment"]),
    ("contract_start_date", DATES),
    ("contract_end_date", DATES),
    ("target_start_date", DATES),
    ("target_end_date", DATES),
    (
        "hs_deal_stage_probability",
        &["0", "1", "1.0", "0.5", "0.2999999999999999", ""],
    ),
    ("amount_collected", AMOUNTS),
    ("hs_mrr", &["1250.0", ""]),
    ("hs_arr", &["15000.0", ""]),
    ("hs_projected_amount", &["7499.999999999998", ""]),
];

const DEAL_LAYOUTS: &[&[&str]] = &[
    &bearing_formats::crm::EXPORT_COLUMNS,
    &["id", "dealname", "dealstage", "amount", "closedate"],
];

const SAMPLE_DEALS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/sample_deals.csv"
));

fn check_deals(bytes: &[u8]) -> Result<(), TestCaseError> {
    let lines = line_count(bytes);
    let (deals, errors) = crm::read_deals("deals.csv", bytes);
    check_row_errors("deals.csv", lines, &errors)?;
    let mut ids = HashSet::new();
    for deal in &deals {
        check_row_line(deal.line, lines, &errors)?;
        prop_assert!(!deal.crm_id.is_empty(), "a deal without an id: {deal:?}");
        prop_assert_eq!(deal.crm_id.trim(), deal.crm_id.as_str());
        prop_assert!(ids.insert(deal.crm_id.clone()), "id {} twice", deal.crm_id);
        prop_assert!(!deal.stage().trim().is_empty(), "a deal without a stage");
        prop_assert!(
            !deal.pipeline().trim().is_empty(),
            "a deal without a pipeline"
        );
        let fields: DealFields = deal.new_fields();
        prop_assert!(
            !fields.name.trim().is_empty(),
            "a deal without a name: {deal:?}"
        );
        for text in [&fields.name, &fields.stage, &fields.pipeline] {
            acceptable(text, bearing_core::text::MAX_NAME)?;
        }
        for amount in [fields.amount_minor, fields.collected_minor]
            .into_iter()
            .flatten()
        {
            prop_assert!(amount >= 0, "a negative amount: {deal:?}");
        }
        for date in [
            fields.close_date,
            fields.contract_start,
            fields.contract_end,
            fields.target_start,
            fields.target_end,
        ]
        .into_iter()
        .flatten()
        {
            prop_assert!((EARLIEST_DATE..=LATEST_DATE).contains(&date), "date {date}");
        }
        for (start, end) in [
            (fields.contract_start, fields.contract_end),
            (fields.target_start, fields.target_end),
        ] {
            if let (Some(s), Some(e)) = (start, end) {
                prop_assert!(s <= e, "ends {e} before it starts {s}");
            }
        }
        if let Some(p) = fields.probability {
            prop_assert!((0.0..=1.0).contains(&p.get()), "probability {}", p.get());
        }
        for value in &deal.values {
            prop_assert!(!value.column().is_empty());
            if let DealValue::Name(name) = value {
                prop_assert!(!name.is_empty());
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Organizations and contacts.

const ORGANIZATION_COLUMNS: &[Column] = &[
    (
        "name",
        &["bids", "cal", "2i2c", "awi-ciroh", "a.b_c", " ucb "],
    ),
    (
        "long_name",
        &["Berkeley Institute for Data Science", "", "Ünï, \"x\""],
    ),
    (
        "kind",
        &[
            "partner",
            "funder",
            "community",
            "sponsor",
            "other",
            "",
            "Funder",
        ],
    ),
    ("website", &["https://bids.example.org", ""]),
    ("github_org", &["2i2c-org", ""]),
    ("notes", &["Two\nlines", "", "a, b"]),
    ("tags", &["a;b", "", " x ; ; y"]),
    ("segment", &["research", ""]),
];

const ORGANIZATION_LAYOUTS: &[&[&str]] = &[
    &bearing_formats::directory::ORGANIZATION_COLUMNS,
    &["name", "kind"],
];

const ORGANIZATIONS: &[u8] = b"name,long_name,kind,website,github_org,notes,tags,segment\n\
bids,Berkeley Institute for Data Science,partner,https://bids.example.org,,,a;b,research\n\
cal,\"California, \"\"Cal\"\"\",funder,,cal-org,\"Two\nlines\",,\n\
2i2c,,,,,,,\n";

fn check_organizations(bytes: &[u8]) -> Result<(), TestCaseError> {
    let lines = line_count(bytes);
    let (rows, errors) = directory::read_organizations("orgs.csv", bytes);
    check_row_errors("orgs.csv", lines, &errors)?;
    let mut keys = HashSet::new();
    for row in &rows {
        check_row_line(row.line, lines, &errors)?;
        prop_assert!(!row.key.is_empty(), "an organization without a name");
        prop_assert_eq!(&row.key, &row.fields.name.to_string());
        prop_assert!(
            bearing_core::organization::OrganizationName::parse(&row.key).is_ok(),
            "{:?} is not a name",
            row.key
        );
        prop_assert!(keys.insert(row.key.clone()), "{} twice", row.key);
        for tag in &row.fields.tags {
            prop_assert!(!tag.is_empty() && tag.trim() == tag, "tag {tag:?}");
        }
    }
    Ok(())
}

const CONTACT_COLUMNS: &[Column] = &[
    ("name", &["Ada Lovelace", "Grace Hopper", " Ünï "]),
    (
        "email",
        &[
            "ada@example.org",
            "Ada@Example.org",
            "g@x.io",
            " b@c.de ",
            "",
        ],
    ),
    ("github", &["ada", ""]),
    (
        "organizations",
        &[
            "bids:billing contact; cal",
            "bids",
            "cal:technical-contact",
            "",
            ";;",
        ],
    ),
    (
        "strategic",
        &["yes", "no", "true", "false", "1", "0", "Y", ""],
    ),
    ("coverage", &["budget;renewals", ""]),
    ("notes", &["", "Two\nlines"]),
    ("label", &["", "x"]),
];

const CONTACT_LAYOUTS: &[&[&str]] = &[
    &bearing_formats::directory::CONTACT_COLUMNS,
    &["name", "email", "organizations"],
];

const CONTACTS: &[u8] = b"name,email,organizations,strategic,coverage\r\n\
Ada Lovelace,Ada@Example.org,bids:billing contact; cal,yes,budget;renewals\r\n\
Grace Hopper,grace@example.org,,no,\r\n";

fn check_contacts(bytes: &[u8]) -> Result<(), TestCaseError> {
    let lines = line_count(bytes);
    let (rows, errors) = directory::read_contacts("contacts.csv", bytes);
    check_row_errors("contacts.csv", lines, &errors)?;
    let mut keys = HashSet::new();
    for row in &rows {
        check_row_line(row.line, lines, &errors)?;
        prop_assert!(
            row.key.contains('@') && row.key.trim() == row.key,
            "email {:?}",
            row.key
        );
        prop_assert_eq!(row.fields.email.as_deref(), Some(row.key.as_str()));
        prop_assert!(
            !row.fields.name.trim().is_empty(),
            "a contact without a name"
        );
        prop_assert!(keys.insert(row.key.clone()), "{} twice", row.key);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Usage samples.

const USAGE_COLUMNS: &[Column] = &[
    (
        "cluster",
        &["bids", "cal", "west", " east ", "2i2c", "Ünï", "a b"],
    ),
    (
        "date",
        &[
            "2026-01-03",
            "2026-01-04T00:00:00Z",
            "2026-01-05",
            "2026-01-06 00:00",
            "2026-02-28",
            "2024-02-29",
            "2025-12-31",
            "1900-01-01",
            "2199-12-31",
        ],
    ),
    (
        "unique_users",
        &[
            "41",
            "7.0",
            "0",
            "9223372036854775807",
            "9007199254740992.0",
            "1e3",
        ],
    ),
    ("hub", &["staging", "prod", "bids", "x", "y-z"]),
    ("users", &["3", "40.0", "0"]),
];

const USAGE_LAYOUTS: &[&[&str]] = &[
    &["cluster", "date", "unique_users"],
    &["date", "hub", "users", "cluster"],
];

const USAGE: &[u8] =
    b"cluster,date,unique_users\nbids,2026-01-03,41\ncal,2026-01-03T00:00:00Z,7.0\n";
const HUB_USAGE: &[u8] =
    b"date,hub,users,cluster\r\n2026-01-03,staging,3,bids\r\n2026-01-03,prod,40,bids\r\n";

fn check_usage(bytes: &[u8]) -> Result<(), TestCaseError> {
    let lines = line_count(bytes);
    match usage::read_samples("usage.csv", bytes) {
        Ok(rows) => {
            let mut seen = HashSet::new();
            for row in &rows {
                check_row_line(row.line, lines, &[])?;
                prop_assert!(row.users >= 0, "{row:?}");
                prop_assert!(!row.cluster.is_empty(), "{row:?}");
                acceptable(&row.cluster, bearing_core::text::MAX_NAME)?;
                if let Some(hub) = &row.hub {
                    prop_assert!(!hub.is_empty(), "{row:?}");
                    acceptable(hub, bearing_core::text::MAX_NAME)?;
                }
                prop_assert!((EARLIEST_DATE..=LATEST_DATE).contains(&row.date), "{row:?}");
                let unit = row.hub.clone().unwrap_or_else(|| row.cluster.clone());
                prop_assert!(seen.insert((unit, row.date)), "{row:?} twice");
            }
        }
        Err(errors) => {
            prop_assert!(!errors.is_empty(), "refused without a reason");
            check_row_errors("usage.csv", lines, &errors)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The sponsor's invoice export.

/// Valid values (the cells the grid makes odd, spliced or arbitrary are the invalid ones), and
/// numbers enough that a file seldom holds one twice.
const LEDGER_COLUMNS: &[Column] = &[
    (
        "InvoiceNumber",
        &[
            "INV-0101", "INV-0102", "INV-0103", "INV-0104", "INV-0105", "INV-0106", "INV-0107",
            "INV-0108", "INV-0109", "INV-0110", "INV-0111", "INV-0112", "INV-0113", "INV-0114",
            "INV-0115", "INV-0116", "INV-0117", "INV-0118", "INV-0119", "INV-0120", "INV-0121",
            "INV-0122", "INV-0123", "INV-0124", "INV-0125", "INV-0126", "INV-0127", "INV-0128",
            "INV-0129", "INV-0130", "INV-0131", "INV-0132", "INV-0133", "INV-0134", "INV-0135",
            "INV-0136", "INV-0137", "INV-0138", "INV-0139", "INV-0140",
        ],
    ),
    (
        "Contact",
        &[
            "Harbour University",
            "Lakeshore Lab",
            "Ünïcode ✓",
            "say \"hi\"",
            "a, b",
        ],
    ),
    ("Reference", &["deal 42", "", "42"]),
    (
        "Date",
        &[
            "2025-07-01",
            "2026-06-30",
            "2025-07-15T00:00:00Z",
            "2025-07-15",
            "2026-01-31",
        ],
    ),
    ("DueDate", &["2025-07-31", "2026-07-30", "", "2199-12-31"]),
    ("Total", &["30000.00", "12.50", "100", "30000.00", "250"]),
    ("AmountPaid", &["0", "0", "5", "", "12.50"]),
    (
        "Status",
        &[
            "PAID",
            "AUTHORISED",
            "draft",
            "VOIDED",
            "SUBMITTED",
            "AUTHORISED",
        ],
    ),
    ("Currency", &["USD", "", "EUR", "USD", "cad"]),
    ("PaymentDate", &["2025-08-01", "", "2026-07-01"]),
];

const LEDGER_LAYOUTS: &[&[&str]] = &[
    &["InvoiceNumber", "Contact", "Total", "Status"],
    &["Status", "InvoiceNumber", "AmountPaid", "Contact", "Total"],
    &[
        "InvoiceNumber",
        "Contact",
        "Reference",
        "Date",
        "DueDate",
        "Total",
        "AmountPaid",
        "Status",
    ],
    &[
        "Status",
        "Total",
        "Contact",
        "InvoiceNumber",
        "Currency",
        "PaymentDate",
        "Date",
    ],
];

const LEDGER: &[u8] = b"InvoiceNumber,Contact,Reference,Date,DueDate,Total,AmountPaid,Status\n\
INV-0101,Harbour University,42,2026-10-03T00:00:00,2026-11-02,30000.00,30000.00,PAID\n\
INV-0102,Lakeshore Lab,,2026-10-05,2026-11-04,1200.50,200.00,AUTHORISED\n";

fn check_ledger(bytes: &[u8]) -> Result<(), TestCaseError> {
    let lines = line_count(bytes);
    let (rows, errors) =
        invoice_ledger::read_invoices("ledger.csv", bytes, &invoice_ledger::Columns::default());
    check_row_errors("ledger.csv", lines, &errors)?;
    let mut seen = HashSet::new();
    for row in &rows {
        check_row_line(row.line, lines, &errors)?;
        prop_assert!(!row.number.is_empty() && !row.contact.is_empty(), "{row:?}");
        acceptable(&row.number, bearing_core::text::MAX_NAME)?;
        acceptable(&row.contact, bearing_core::text::MAX_NAME)?;
        prop_assert!(row.total_minor > 0, "{row:?}");
        prop_assert!((0..=row.total_minor).contains(&row.paid_minor), "{row:?}");
        for day in [row.issued_on, row.due_on, row.paid_on]
            .into_iter()
            .flatten()
        {
            prop_assert!((EARLIEST_DATE..=LATEST_DATE).contains(&day), "{row:?}");
        }
        prop_assert!(seen.insert(row.number.clone()), "{row:?} twice");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Cloud bills (FOCUS).

const FOCUS_COLUMNS: &[Column] = &[
    (
        "BillingPeriodStart",
        &[
            "2026-10-01T00:00:00Z",
            "2026-11-01",
            "2025-01-01",
            "2026-13-01",
            "",
        ],
    ),
    (
        "BillingAccountId",
        &["acct-1", "acct-2", "Ünïcode ✓", "a, b", ""],
    ),
    ("SubAccountId", &["proj-a", "", "say \"hi\""]),
    ("ServiceCategory", &["Compute", "Storage", ""]),
    (
        "BilledCost",
        &[
            "1234.567891",
            "0.0000005",
            "-12.5",
            "1.2E-3",
            "1e99",
            "ten",
            "",
        ],
    ),
    ("BillingCurrency", &["USD", "", "EUR", "dollars"]),
    (
        "Tags",
        &["{\"cluster\": \"hub-1\"}", "", "{\"n\": 4}", "[1]", "{"],
    ),
];

const FOCUS_LAYOUTS: &[&[&str]] = &[
    &["BillingPeriodStart", "BillingAccountId", "BilledCost"],
    &[
        "Tags",
        "BilledCost",
        "BillingAccountId",
        "BillingPeriodStart",
        "BillingCurrency",
    ],
    &[
        "BillingPeriodStart",
        "BillingAccountId",
        "SubAccountId",
        "ServiceCategory",
        "BilledCost",
        "BillingCurrency",
        "Tags",
    ],
];

const FOCUS: &[u8] = b"BillingPeriodStart,BillingAccountId,BilledCost,Tags\n\
2026-10-01T00:00:00Z,acct-1,1234.567891,\"{\"\"cluster\"\": \"\"hub-1\"\"}\"\n\
2026-11-01,acct-2,-12.5,\n";

fn check_focus(bytes: &[u8]) -> Result<(), TestCaseError> {
    let lines = line_count(bytes);
    let (rows, errors) =
        cloud_costs::read_costs("focus.csv", bytes, &cloud_costs::Columns::default());
    check_row_errors("focus.csv", lines, &errors)?;
    for row in &rows {
        check_row_line(row.line, lines, &errors)?;
        prop_assert!(!row.account.is_empty(), "{row:?}");
        acceptable(&row.account, bearing_core::text::MAX_NAME)?;
        for text in [&row.sub_account, &row.category].into_iter().flatten() {
            acceptable(text, bearing_core::text::MAX_NAME)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// MyST role pages.

const JOB_TITLES: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/roles/job-titles.md"
));
const PARTNERSHIPS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/roles/partnerships.md"
));

/// Lines of both kinds of page, and lines almost like them.
const MARKDOWN: &[&str] = &[
    "# Job Titles",
    "#",
    "# ",
    "## Engineer",
    "## Key goals",
    "## key GOALS",
    "## Organizational Context",
    "## Major areas of responsibility",
    "## Measures and definition of success",
    "## Current roles",
    "## Terminology and structure",
    "### Key goal",
    "### Responsibilities and Expectations",
    "### Responsibilities",
    "### Performance Measures",
    "### Salary rationale",
    "### Appendix: Similar titles",
    "### Comparable titles",
    "#### Deeper",
    "####### Seven",
    "#\tTab",
    "##",
    "## ",
    "Comparable titles:",
    "- Director",
    "* Manager",
    "+ **Leads**: Find them.",
    "+ **Leads**:",
    "+ odd **item",
    "+ ****: x",
    "+ ",
    "1. **Sustainability**: Keep going.",
    "12. twelfth",
    "1.",
    "99999999999999999999. huge",
    "  continued",
    "   ",
    "",
    ":::{note}",
    ":::",
    " ::: ",
    "Experimental; revisit by 2023-03.",
    "revisit in March 2024",
    "Revisit march 99999",
    "revisit december -32768",
    "revisit 0000-00",
    "revisit",
    "```",
    "```python",
    "Role",
    ": A focus.",
    "| Role | Person | Description |",
    "|---|---|---|",
    "|------|--------|-------------|",
    "| Lead | Ada | Leads |",
    "| a | b |",
    "|",
    "||||",
    "**",
    "**x**:",
    "é",
    "🦀 ## x",
    "\0",
    "\r",
    "\u{feff}# Title",
    "Text line.",
];

fn markdown_lines() -> impl Strategy<Value = String> {
    vec(
        (
            any::<Index>(),
            proptest::option::weighted(0.2, any::<Index>()),
            any::<Index>(),
        ),
        0..40,
    )
    .prop_map(|lines| {
        let mut page = String::new();
        for (line, odd, ending) in lines {
            page.push_str(MARKDOWN[line.index(MARKDOWN.len())]);
            if let Some(odd) = odd {
                page.push_str(ODD[odd.index(ODD.len())]);
            }
            page.push_str(ENDINGS[ending.index(ENDINGS.len())]);
        }
        page
    })
}

fn page_input() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => vec(any::<char>(), 0..400).prop_map(|c| c.into_iter().collect::<String>()),
        1 => "[#:|+*`\\-0-9. a-zA-Z{}\n\r\t]{0,400}",
        3 => markdown_lines(),
        2 => (any::<bool>(), vec(mutation(), 1..8)).prop_map(|(which, m)| {
            let seed = if which { JOB_TITLES } else { PARTNERSHIPS };
            String::from_utf8_lossy(&mutate(seed.as_bytes(), &m)).into_owned()
        }),
    ]
}

fn check_page(text: &str) {
    let page = myst::read(text);
    let written = myst::write(&page);
    let again = myst::read(&written);
    let _ = myst::write(&again);
    let _ = myst::equivalent(text, &written);
}

// ---------------------------------------------------------------------------------------------
// Prometheus range-query answers.

const LABEL_VALUES: &[&str] = &[
    "bids",
    "cal-staging",
    "cal/staging",
    "",
    " ",
    "/",
    "x/",
    "/y",
    "a/b/c",
    "a\0b",
    "line\nbreak",
    "\u{1b}[31mred",
    "é",
];

const POINT_VALUES: &[&str] = &[
    "41",
    "3.0",
    "0",
    "-0",
    "-2",
    "0.4",
    "0.5",
    "NaN",
    "+Inf",
    "-Inf",
    "1e12",
    "1e13",
    "1000000000000.4",
    "999999999999.6",
    "",
    "abc",
    " 1",
    "0x10",
];

const POINT_TIMES: &[f64] = &[
    1_767_225_600.0,
    1_767_312_000.0,
    1_767_225_600.5,
    0.0,
    -1.0,
    -2_208_988_800.0, // 1900-01-01
    -2_208_988_800.5,
    7_258_118_399.0, // 2199-12-31 23:59:59
    7_258_118_400.0, // 2200-01-01
    86_400.0e6,
    -86_400.0e6,
    86_400.0e6 + 86_400.0,
    1e300,
    -1e300,
    f64::MAX,
    f64::MIN_POSITIVE,
];

fn label_value() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop_oneof![Just("bids"), Just("cal"), Just("west-staging")].prop_map(str::to_owned),
        4 => any::<Index>().prop_map(|i| LABEL_VALUES[i.index(LABEL_VALUES.len())].to_owned()),
        1 => ".{0,8}",
        1 => prop_oneof![Just(300_usize), Just(301)].prop_map(|n| "n".repeat(n)),
    ]
}

fn json_time() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        80 => (1_600_000_000_i64..1_800_000_000).prop_map(|t| serde_json::json!(t)),
        8 => any::<Index>().prop_map(|i| serde_json::json!(POINT_TIMES[i.index(POINT_TIMES.len())])),
        4 => (-3_000_000_000_i64..8_000_000_000).prop_map(|t| serde_json::json!(t)),
        1 => any::<f64>().prop_map(|t| serde_json::json!(t)),
        1 => Just(serde_json::json!("1767225600")),
        1 => Just(serde_json::Value::Null),
    ]
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        80 => (0_u64..100_000).prop_map(|v| serde_json::json!(v.to_string())),
        8 => any::<Index>().prop_map(|i| serde_json::json!(POINT_VALUES[i.index(POINT_VALUES.len())])),
        2 => (0_u64..2_000_000_000_000).prop_map(|v| serde_json::json!(v.to_string())),
        1 => any::<f64>().prop_map(|v| serde_json::json!(v.to_string())),
        1 => Just(serde_json::json!(41)),
    ]
}

fn series() -> impl Strategy<Value = serde_json::Value> {
    (
        proptest::option::weighted(0.95, label_value()),
        btree_map(
            prop_oneof![
                Just("job".to_owned()),
                Just("cluster".to_owned()),
                Just(String::new()),
            ],
            label_value(),
            0..2,
        ),
        vec((json_time(), json_value()), 0..5),
        0_u8..80,
    )
        .prop_map(|(namespace, mut metric, points, shape)| {
            if let Some(namespace) = namespace {
                metric.insert("namespace".to_owned(), namespace);
            }
            let values: Vec<serde_json::Value> = points
                .into_iter()
                .map(|(t, v)| match shape {
                    0 => serde_json::json!([t]),
                    1 => serde_json::json!([t, v, v]),
                    2 => serde_json::json!({"t": t, "v": v}),
                    _ => serde_json::json!([t, v]),
                })
                .collect();
            match shape {
                3 => serde_json::json!({"metric": metric}),
                4 => serde_json::json!({"metric": metric, "value": values.first()}),
                5 => serde_json::json!({"values": values}),
                _ => serde_json::json!({"metric": metric, "values": values}),
            }
        })
}

fn answer() -> impl Strategy<Value = Vec<u8>> {
    (
        prop_oneof![
            16 => Just("success".to_owned()),
            1 => Just("error".to_owned()),
            1 => ".{0,6}",
        ],
        proptest::option::weighted(0.05, vec(label_value(), 0..3)),
        prop_oneof![
            16 => Just("matrix".to_owned()),
            1 => Just("vector".to_owned()),
            1 => ".{0,6}",
        ],
        vec(series(), 1..4),
        proptest::option::weighted(0.1, (label_value(), label_value())),
        0_u8..40,
    )
        .prop_map(|(status, warnings, result_type, result, error, shape)| {
            let mut answer = serde_json::json!({
                "status": status,
                "data": {"resultType": result_type, "result": result},
            });
            if let Some(warnings) = warnings {
                answer["warnings"] = serde_json::json!(warnings);
            }
            if let Some((kind, error)) = error {
                answer["errorType"] = serde_json::json!(kind);
                answer["error"] = serde_json::json!(error);
            }
            match shape {
                0 => answer["data"] = serde_json::Value::Null,
                1 => answer["data"]["result"] = serde_json::json!({}),
                2 => answer = serde_json::json!([answer]),
                _ => {}
            }
            serde_json::to_vec(&answer).unwrap()
        })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => vec(any::<u8>(), 0..400),
        1 => "[\\[\\]{}\":,0-9a-z.eE+ -]{0,200}".prop_map(String::into_bytes),
        8 => answer(),
        2 => (answer(), vec(mutation(), 1..4)).prop_map(|(a, m)| mutate(&a, &m)),
    ]
}

fn pull() -> impl Strategy<Value = prometheus::Pull> {
    (
        prop_oneof![
            16 => Just(prometheus::DEFAULT_LABEL.to_owned()),
            1 => Just("job".to_owned()),
            1 => Just(String::new()),
        ],
        proptest::option::weighted(0.3, label_value()),
        btree_map(label_value(), label_value(), 0..2),
    )
        .prop_map(|(label, cluster, names)| {
            let mut pull = prometheus::Pull::new(
                "http://127.0.0.1:9090",
                jiff::civil::date(2026, 1, 1),
                jiff::civil::date(2026, 1, 31),
            );
            pull.label = label;
            pull.cluster = cluster;
            pull.names = names;
            pull
        })
}

fn check_answer(pull: &prometheus::Pull, body: &[u8]) -> Result<(), TestCaseError> {
    match prometheus::parse_range(body).and_then(|series| prometheus::samples(pull, &series)) {
        Ok(rows) => {
            let mut seen = HashSet::new();
            for row in &rows {
                prop_assert!((0..=1_000_000_000_000).contains(&row.users), "{row:?}");
                prop_assert!(!row.cluster.is_empty(), "{row:?}");
                acceptable(&row.cluster, bearing_core::text::MAX_NAME)?;
                if let Some(hub) = &row.hub {
                    prop_assert!(!hub.is_empty(), "{row:?}");
                    acceptable(hub, bearing_core::text::MAX_NAME)?;
                }
                prop_assert!((EARLIEST_DATE..=LATEST_DATE).contains(&row.date), "{row:?}");
                prop_assert!(
                    seen.insert((row.cluster.clone(), row.hub.clone(), row.date)),
                    "{row:?} twice"
                );
            }
        }
        Err(message) => readable(&message)?,
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_deal_export_reader_never_panics_and_says_what_is_wrong(
        bytes in csv_input(DEAL_COLUMNS, DEAL_LAYOUTS, &[SAMPLE_DEALS]),
    ) {
        check_deals(&bytes)?;
    }

    #[test]
    fn the_organization_reader_never_panics_and_says_what_is_wrong(
        bytes in csv_input(ORGANIZATION_COLUMNS, ORGANIZATION_LAYOUTS, &[ORGANIZATIONS]),
    ) {
        check_organizations(&bytes)?;
    }

    #[test]
    fn the_contact_reader_never_panics_and_says_what_is_wrong(
        bytes in csv_input(CONTACT_COLUMNS, CONTACT_LAYOUTS, &[CONTACTS]),
    ) {
        check_contacts(&bytes)?;
    }

    #[test]
    fn the_usage_reader_never_panics_and_says_what_is_wrong(
        bytes in csv_input(USAGE_COLUMNS, USAGE_LAYOUTS, &[USAGE, HUB_USAGE]),
    ) {
        check_usage(&bytes)?;
    }

    #[test]
    fn the_invoice_ledger_reader_never_panics_and_says_what_is_wrong(
        bytes in csv_input(LEDGER_COLUMNS, LEDGER_LAYOUTS, &[LEDGER]),
    ) {
        check_ledger(&bytes)?;
    }

    #[test]
    fn the_cloud_bill_reader_never_panics_and_says_what_is_wrong(
        bytes in csv_input(FOCUS_COLUMNS, FOCUS_LAYOUTS, &[FOCUS]),
    ) {
        check_focus(&bytes)?;
    }

    #[test]
    fn role_pages_read_and_write_without_panicking(text in page_input()) {
        check_page(&text);
    }

    #[test]
    fn prometheus_answers_are_read_whole_or_refused_with_a_reason(
        pull in pull(),
        body in body(),
    ) {
        check_answer(&pull, &body)?;
    }
}

/// The seeds themselves are valid: otherwise the mutations would start from a refusal and
/// the success invariants would never be reached.
#[test]
fn the_seeds_read_whole() {
    let (deals, errors) = crm::read_deals("deals.csv", SAMPLE_DEALS);
    assert_eq!((deals.len(), errors), (8, vec![]));
    let (orgs, errors) = directory::read_organizations("orgs.csv", ORGANIZATIONS);
    assert_eq!((orgs.len(), errors), (3, vec![]));
    let (contacts, errors) = directory::read_contacts("contacts.csv", CONTACTS);
    assert_eq!((contacts.len(), errors), (2, vec![]));
    assert_eq!(usage::read_samples("u.csv", USAGE).unwrap().len(), 2);
    assert_eq!(usage::read_samples("u.csv", HUB_USAGE).unwrap().len(), 2);
    let series = prometheus::parse_range(
        br#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"namespace":"bids"},"values":[[1767225600,"41"]]}]}}"#,
    )
    .unwrap();
    let pull = prometheus::Pull::new(
        "http://127.0.0.1:9090",
        jiff::civil::date(2026, 1, 1),
        jiff::civil::date(2026, 1, 31),
    );
    assert_eq!(prometheus::samples(&pull, &series).unwrap().len(), 1);
    assert_eq!(line_count(b""), 0);
    assert_eq!(line_count(b"a\r\nb\rc\n"), 3);
    assert_eq!(line_count(b"a\n\nb"), 3);
}

/// The generated inputs reach both sides of every reader: some are read with rows, some are
/// refused. A generator that only ever produced refusals would never test what is read.
#[test]
fn the_inputs_reach_rows_and_refusals_of_every_reader() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    fn outcomes<T: std::fmt::Debug>(
        strategy: impl Strategy<Value = T>,
        read: impl Fn(&T) -> (usize, usize),
    ) -> (usize, usize) {
        let mut runner = TestRunner::deterministic();
        let (mut read_rows, mut refused) = (0, 0);
        for _ in 0..400 {
            let input = strategy.new_tree(&mut runner).unwrap().current();
            let (rows, errors) = read(&input);
            read_rows += usize::from(rows > 0);
            refused += usize::from(errors > 0);
        }
        (read_rows, refused)
    }
    let counts = [
        (
            "deals",
            outcomes(
                csv_input(DEAL_COLUMNS, DEAL_LAYOUTS, &[SAMPLE_DEALS]),
                |b| {
                    let (rows, errors) = crm::read_deals("d.csv", b.as_slice());
                    (rows.len(), errors.len())
                },
            ),
        ),
        (
            "organizations",
            outcomes(
                csv_input(ORGANIZATION_COLUMNS, ORGANIZATION_LAYOUTS, &[ORGANIZATIONS]),
                |b| {
                    let (rows, errors) = directory::read_organizations("o.csv", b.as_slice());
                    (rows.len(), errors.len())
                },
            ),
        ),
        (
            "contacts",
            outcomes(
                csv_input(CONTACT_COLUMNS, CONTACT_LAYOUTS, &[CONTACTS]),
                |b| {
                    let (rows, errors) = directory::read_contacts("c.csv", b.as_slice());
                    (rows.len(), errors.len())
                },
            ),
        ),
        (
            "usage",
            outcomes(
                csv_input(USAGE_COLUMNS, USAGE_LAYOUTS, &[USAGE, HUB_USAGE]),
                |b| match usage::read_samples("u.csv", b.as_slice()) {
                    Ok(rows) => (rows.len(), 0),
                    Err(errors) => (0, errors.len()),
                },
            ),
        ),
        (
            "invoice ledger",
            outcomes(csv_input(LEDGER_COLUMNS, LEDGER_LAYOUTS, &[LEDGER]), |b| {
                let (rows, errors) = invoice_ledger::read_invoices(
                    "l.csv",
                    b.as_slice(),
                    &invoice_ledger::Columns::default(),
                );
                (rows.len(), errors.len())
            }),
        ),
        (
            "prometheus",
            outcomes(
                (pull(), body()),
                |(pull, body)| match prometheus::parse_range(body)
                    .and_then(|s| prometheus::samples(pull, &s))
                {
                    Ok(rows) => (rows.len(), 0),
                    Err(_) => (0, 1),
                },
            ),
        ),
    ];
    eprintln!("of 400 inputs, (read with rows, refused): {counts:?}");
    for (reader, (rows, refused)) in counts {
        assert!(rows >= 25, "{reader}: only {rows} of 400 inputs read rows");
        assert!(
            refused >= 25,
            "{reader}: only {refused} of 400 inputs refused"
        );
    }
}
