//! The CRM's deal export (CSV): one row per deal, keyed by the CRM's id.
//!
//! Reading validates every row before anything is used: the result is either every row,
//! parsed, or every problem found, each naming the file, line, column and value. Columns that
//! Bearing has no field for are kept as extra properties, so nothing in the file is dropped.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Read;

use bearing_core::deal::{DealFields, RevenueType};
use bearing_core::pipeline::Probability;
use bearing_core::{Currency, Date, Money, ParseError};

/// The columns Bearing reads into deal fields; every other column becomes a property.
pub const KNOWN_COLUMNS: [&str; 13] = [
    "id",
    "dealname",
    "revenue_type",
    "amount",
    "closedate",
    "pipeline",
    "dealstage",
    "contract_start_date",
    "contract_end_date",
    "target_start_date",
    "target_end_date",
    "hs_deal_stage_probability",
    "amount_collected",
];

const REQUIRED_COLUMNS: [&str; 3] = ["id", "dealname", "dealstage"];

/// The pipeline of rows whose file has no `pipeline` column or an empty cell.
pub const DEFAULT_PIPELINE: &str = "Membership Sales";

/// One problem in an import file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    pub file: String,
    /// 1-based line in the file; the header is line 1.
    pub line: u64,
    pub column: String,
    pub value: String,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column.is_empty() {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(
                f,
                "{}:{}: column {} = {:?}: {}",
                self.file, self.line, self.column, self.value, self.message
            )
        }
    }
}

/// A value from the file for one deal field; a column absent from the file sets nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum DealValue {
    Name(String),
    RevenueType(Option<RevenueType>),
    Amount(Option<i64>),
    CloseDate(Option<Date>),
    Pipeline(String),
    Stage(String),
    ContractStart(Option<Date>),
    ContractEnd(Option<Date>),
    TargetStart(Option<Date>),
    TargetEnd(Option<Date>),
    Probability(Option<Probability>),
    Collected(Option<i64>),
}

impl DealValue {
    /// Sets this value on `fields`.
    pub fn apply(&self, fields: &mut DealFields) {
        match self.clone() {
            DealValue::Name(v) => fields.name = v,
            DealValue::RevenueType(v) => fields.revenue_type = v,
            DealValue::Amount(v) => fields.amount_minor = v,
            DealValue::CloseDate(v) => fields.close_date = v,
            DealValue::Pipeline(v) => fields.pipeline = v,
            DealValue::Stage(v) => fields.stage = v,
            DealValue::ContractStart(v) => fields.contract_start = v,
            DealValue::ContractEnd(v) => fields.contract_end = v,
            DealValue::TargetStart(v) => fields.target_start = v,
            DealValue::TargetEnd(v) => fields.target_end = v,
            DealValue::Probability(v) => fields.probability = v,
            DealValue::Collected(v) => fields.collected_minor = v,
        }
    }

    /// The file's column this value came from.
    pub fn column(&self) -> &'static str {
        match self {
            DealValue::Name(_) => "dealname",
            DealValue::RevenueType(_) => "revenue_type",
            DealValue::Amount(_) => "amount",
            DealValue::CloseDate(_) => "closedate",
            DealValue::Pipeline(_) => "pipeline",
            DealValue::Stage(_) => "dealstage",
            DealValue::ContractStart(_) => "contract_start_date",
            DealValue::ContractEnd(_) => "contract_end_date",
            DealValue::TargetStart(_) => "target_start_date",
            DealValue::TargetEnd(_) => "target_end_date",
            DealValue::Probability(_) => "hs_deal_stage_probability",
            DealValue::Collected(_) => "amount_collected",
        }
    }
}

/// One row of the export.
#[derive(Debug, Clone, PartialEq)]
pub struct CrmDeal {
    pub line: u64,
    pub crm_id: String,
    pub values: Vec<DealValue>,
    /// The cells of columns without a deal field, by column name.
    pub properties: BTreeMap<String, String>,
}

impl CrmDeal {
    pub fn stage(&self) -> &str {
        self.values
            .iter()
            .find_map(|v| match v {
                DealValue::Stage(s) => Some(s.as_str()),
                _ => None,
            })
            .unwrap_or_default()
    }

    pub fn pipeline(&self) -> &str {
        self.values
            .iter()
            .find_map(|v| match v {
                DealValue::Pipeline(p) => Some(p.as_str()),
                _ => None,
            })
            .unwrap_or(DEFAULT_PIPELINE)
    }

    /// A new deal with this row's values; fields the file does not have stay unknown.
    pub fn new_fields(&self) -> DealFields {
        let mut fields = DealFields::new("", DEFAULT_PIPELINE, "");
        for value in &self.values {
            value.apply(&mut fields);
        }
        fields
    }
}

/// The columns of the CRM's deal export, in its order.
pub const EXPORT_COLUMNS: [&str; 16] = [
    "id",
    "dealname",
    "revenue_type",
    "amount",
    "closedate",
    "pipeline",
    "dealstage",
    "contract_start_date",
    "contract_end_date",
    "hs_mrr",
    "hs_arr",
    "target_start_date",
    "target_end_date",
    "hs_deal_stage_probability",
    "hs_projected_amount",
    "amount_collected",
];

/// Writes deals in the export's layout (the columns of the sample export, in its order), so
/// generated data and round-trip tests speak the CRM's format. Properties fill the columns
/// Bearing has no field for.
pub fn write_deals(
    out: impl std::io::Write,
    deals: &[(String, DealFields, BTreeMap<String, String>)],
) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(EXPORT_COLUMNS)?;
    for (id, f, properties) in deals {
        let money = |minor: Option<i64>| {
            minor
                .map(|m| Money::from_minor(m, f.currency).decimal())
                .unwrap_or_default()
        };
        let date = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
        let property = |key: &str| properties.get(key).cloned().unwrap_or_default();
        writer.write_record([
            id.clone(),
            f.name.clone(),
            f.revenue_type
                .as_ref()
                .map(|t| t.to_string())
                .unwrap_or_default(),
            money(f.amount_minor),
            date(f.close_date),
            f.pipeline.clone(),
            f.stage.clone(),
            date(f.contract_start),
            date(f.contract_end),
            property("hs_mrr"),
            property("hs_arr"),
            date(f.target_start),
            date(f.target_end),
            f.probability
                .map(|p| p.get().to_string())
                .unwrap_or_default(),
            property("hs_projected_amount"),
            money(f.collected_minor),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

/// Reads a whole export: the rows that are valid on their own, and every problem found (a row
/// with a problem is not among the rows). Checks that need the database, such as whether a
/// stage exists, are the importer's.
pub fn read_deals(file: &str, input: impl Read) -> (Vec<CrmDeal>, Vec<RowError>) {
    let error = |line: u64, column: &str, value: &str, message: String| RowError {
        file: file.to_owned(),
        line,
        column: column.to_owned(),
        value: crate::input::shortened(value),
        message,
    };
    let crate::input::CsvInput {
        headers,
        rows,
        mut errors,
    } = crate::input::read(
        file,
        input,
        crate::input::Header {
            lowercase: false,
            required: &REQUIRED_COLUMNS,
        },
    );
    if headers.is_empty() {
        return (Vec::new(), errors);
    }

    let mut deals = Vec::new();
    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    for (line, record) in rows {
        let errors_before = errors.len();
        let mut deal = CrmDeal {
            line,
            crm_id: String::new(),
            values: Vec::new(),
            properties: BTreeMap::new(),
        };
        let mut dates: HashMap<&str, Date> = HashMap::new();
        for (column, raw) in headers.iter().zip(record.iter()) {
            let value = raw.trim();
            let mut fail = |message: String| errors.push(error(line, column, raw, message));
            // One-line values; every cell is already checked against the longer text limit.
            if matches!(column.as_str(), "dealname" | "pipeline" | "dealstage")
                && let Err(reason) = bearing_core::text::check(value, bearing_core::text::MAX_NAME)
            {
                fail(reason);
                continue;
            }
            let reason = |e: ParseError| e.reason;
            let date = |v: &str| -> Result<Option<Date>, String> {
                if v.is_empty() {
                    return Ok(None);
                }
                // The CRM writes dates, or midnight timestamps: the calendar date is what counts.
                let day = match v.get(10..11) {
                    Some("T") | Some(" ") => &v[..10],
                    _ => v,
                };
                bearing_core::parse_date(day).map(Some).map_err(reason)
            };
            let amount = |v: &str| -> Result<Option<i64>, String> {
                if v.is_empty() {
                    return Ok(None);
                }
                let money = Money::parse(v, Currency::USD).map_err(reason)?;
                if money.minor < 0 {
                    return Err("an amount cannot be negative".into());
                }
                Ok(Some(money.minor))
            };
            let parsed: Result<Option<DealValue>, String> = match column.as_str() {
                "id" => {
                    if value.is_empty() {
                        Err("every row needs the CRM's id".into())
                    } else {
                        deal.crm_id = value.to_owned();
                        Ok(None)
                    }
                }
                "dealname" if value.is_empty() => Err("every deal needs a name".into()),
                "dealname" => Ok(Some(DealValue::Name(value.to_owned()))),
                "revenue_type" if value.is_empty() => Ok(Some(DealValue::RevenueType(None))),
                "revenue_type" => RevenueType::parse(value)
                    .map(|t| Some(DealValue::RevenueType(Some(t))))
                    .map_err(reason),
                "amount" => amount(value).map(|a| Some(DealValue::Amount(a))),
                "amount_collected" => amount(value).map(|a| Some(DealValue::Collected(a))),
                "closedate" => date(value).map(|d| Some(DealValue::CloseDate(d))),
                "contract_start_date" => date(value).map(|d| {
                    d.inspect(|d| {
                        dates.insert("contract_start", *d);
                    });
                    Some(DealValue::ContractStart(d))
                }),
                "contract_end_date" => date(value).map(|d| {
                    d.inspect(|d| {
                        dates.insert("contract_end", *d);
                    });
                    Some(DealValue::ContractEnd(d))
                }),
                "target_start_date" => date(value).map(|d| {
                    d.inspect(|d| {
                        dates.insert("target_start", *d);
                    });
                    Some(DealValue::TargetStart(d))
                }),
                "target_end_date" => date(value).map(|d| {
                    d.inspect(|d| {
                        dates.insert("target_end", *d);
                    });
                    Some(DealValue::TargetEnd(d))
                }),
                "pipeline" if value.is_empty() => {
                    Ok(Some(DealValue::Pipeline(DEFAULT_PIPELINE.to_owned())))
                }
                "pipeline" => Ok(Some(DealValue::Pipeline(value.to_owned()))),
                "dealstage" if value.is_empty() => Err("every deal needs a stage".into()),
                "dealstage" => Ok(Some(DealValue::Stage(value.to_owned()))),
                // Empty is unknown, which falls back to the stage's default; it is not zero.
                "hs_deal_stage_probability" if value.is_empty() => {
                    Ok(Some(DealValue::Probability(None)))
                }
                "hs_deal_stage_probability" => Probability::parse(value)
                    .map(|p| Some(DealValue::Probability(Some(p))))
                    .map_err(reason),
                _ => {
                    deal.properties.insert(column.clone(), raw.to_owned());
                    Ok(None)
                }
            };
            match parsed {
                Ok(Some(v)) => deal.values.push(v),
                Ok(None) => {}
                Err(message) => fail(message),
            }
        }
        for (start, end, column) in [
            ("contract_start", "contract_end", "contract_end_date"),
            ("target_start", "target_end", "target_end_date"),
        ] {
            if let (Some(s), Some(e)) = (dates.get(start), dates.get(end))
                && e < s
            {
                errors.push(error(
                    line,
                    column,
                    &e.to_string(),
                    format!("ends {e}, before it starts {s}"),
                ));
            }
        }
        if !deal.crm_id.is_empty() {
            if let Some(first) = first_line_of.get(&deal.crm_id) {
                errors.push(error(
                    line,
                    "id",
                    &deal.crm_id,
                    format!("duplicate id: line {first} has it too"),
                ));
            } else {
                first_line_of.insert(deal.crm_id.clone(), line);
            }
        }
        if errors.len() == errors_before {
            deals.push(deal);
        }
    }
    (deals, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id,dealname,revenue_type,amount,closedate,pipeline,dealstage,contract_start_date,contract_end_date,hs_mrr,hs_arr,target_start_date,target_end_date,hs_deal_stage_probability,hs_projected_amount,amount_collected\n";

    fn read(body: &str) -> Result<Vec<CrmDeal>, Vec<RowError>> {
        match read_deals("deals.csv", format!("{HEADER}{body}").as_bytes()) {
            (rows, errors) if errors.is_empty() => Ok(rows),
            (_, errors) => Err(errors),
        }
    }

    #[test]
    fn reads_known_columns_into_fields_and_keeps_the_rest() {
        let deals = read("86221242068,AWI CIROH 2025-2026 Extension,membership-general,15000.0,2025-07-15,Membership Sales,Closed Won,2025-07-01,2026-06-30,1250.0,15000.0,,,1.0,15000.0,15000.0\n").unwrap();
        let deal = &deals[0];
        assert_eq!((deal.line, deal.crm_id.as_str()), (2, "86221242068"));
        let fields = deal.new_fields();
        assert_eq!(fields.name, "AWI CIROH 2025-2026 Extension");
        assert_eq!(fields.amount_minor, Some(1_500_000));
        assert_eq!(fields.collected_minor, Some(1_500_000));
        assert_eq!(
            fields.contract_end,
            bearing_core::parse_date("2026-06-30").ok()
        );
        assert_eq!(fields.target_start, None);
        assert_eq!(fields.probability.map(Probability::get), Some(1.0));
        assert_eq!(fields.stage, "Closed Won");
        assert_eq!(
            deal.properties,
            BTreeMap::from([
                ("hs_arr".to_owned(), "15000.0".to_owned()),
                ("hs_mrr".to_owned(), "1250.0".to_owned()),
                ("hs_projected_amount".to_owned(), "15000.0".to_owned()),
            ])
        );
    }

    #[test]
    fn empty_cells_are_unknown_not_zero() {
        let deals = read("1,Prospect,,,,,Enrichment,,,,,,,,,\n").unwrap();
        let fields = deals[0].new_fields();
        assert_eq!(
            (
                fields.amount_minor,
                fields.collected_minor,
                fields.probability
            ),
            (None, None, None)
        );
        assert_eq!(fields.pipeline, DEFAULT_PIPELINE);
    }

    #[test]
    fn every_bad_cell_is_named_by_file_line_column_and_value() {
        let errors = read(concat!(
            "1,Good,project,100,2025-01-01,Membership Sales,Proposal,,,,,,,0.5,,\n",
            "2,Bad amount,project,12.345,2025-01-01,Membership Sales,Proposal,,,,,,,,,\n",
            "3,Bad date,project,100,2025-02-30,Membership Sales,Proposal,,,,,,,,,\n",
            "1,Duplicate,project,100,,Membership Sales,Proposal,,,,,,,,,\n",
            "4,Backwards,project,100,,Membership Sales,Closed Won,2025-06-01,2025-05-31,,,,,,,\n",
            "5,Too likely,project,100,,Membership Sales,Proposal,,,,,,,1.5,,\n",
            ",No id,project,100,,Membership Sales,Proposal,,,,,,,,,\n",
        ))
        .unwrap_err();
        let found: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            [
                "deals.csv:3: column amount = \"12.345\": USD amounts have at most 2 decimal places",
                "deals.csv:4: column closedate = \"2025-02-30\": no such calendar date (expected YYYY-MM-DD)",
                "deals.csv:5: column id = \"1\": duplicate id: line 2 has it too",
                "deals.csv:6: column contract_end_date = \"2025-05-31\": ends 2025-05-31, before it starts 2025-06-01",
                "deals.csv:7: column hs_deal_stage_probability = \"1.5\": expected a number from 0 to 1",
                "deals.csv:8: column id = \"\": every row needs the CRM's id",
            ]
        );
    }

    #[test]
    fn crlf_exports_name_the_same_lines_as_lf_ones() {
        let body = concat!(
            "1,Good,project,100,2025-01-01,Membership Sales,Proposal,,,,,,,0.5,,\n",
            "2,\"Two\nlines\",project,100,2025-01-01,Membership Sales,Proposal,,,,,,,,,\n",
            "3,Bad date,project,100,2025-02-30,Membership Sales,Proposal,,,,,,,,,\n",
        );
        for newline in ["\n", "\r\n"] {
            let text = format!("{HEADER}{body}").replace('\n', newline);
            let (_, errors) = read_deals("deals.csv", text.as_bytes());
            assert_eq!(errors.len(), 1, "{newline:?}");
            assert_eq!(errors[0].line, 5, "{newline:?}");
        }
    }

    #[test]
    fn control_characters_overlong_names_and_far_dates_are_refused() {
        let long = "n".repeat(bearing_core::text::MAX_NAME + 1);
        let errors = read(&format!(
            "1,Nul\u{0}name,project,100,,Membership Sales,Proposal,,,,,,,,,\n\
             2,{long},project,100,,Membership Sales,Proposal,,,,,,,,,\n\
             3,Forever,project,100,,Membership Sales,Closed Won,2025-01-01,9999-12-31,,,,,,,\n"
        ))
        .unwrap_err();
        let found: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found[0].starts_with("deals.csv:2: column dealname = \"Nul\\0name\": contains a control character (U+0000)"),
            "{}",
            found[0]
        );
        assert!(
            found[1].starts_with("deals.csv:3: column dealname = \"nnnn")
                && found[1].ends_with("is 301 characters long; at most 300"),
            "{}",
            found[1]
        );
        assert_eq!(
            found[2],
            "deals.csv:4: column contract_end_date = \"9999-12-31\": outside the dates Bearing accepts (1900-01-01 to 2199-12-31)"
        );
    }

    #[test]
    fn written_exports_read_back_the_same() {
        let deals = read(concat!(
            "86221242070,BIDS 2025,membership-premier,45000.0,2025-08-22,Membership Sales,Closed Won,2025-08-01,2026-07-31,3750.0,45000.0,2025-08-01,2026-07-31,1.0,45000.0,45205.0\n",
            "202096783060,CAL ICOR 2027-2028,membership-premier,25000.0,2025-10-31,Membership Sales,Proposal,2027-07-01,2028-07-01,,,2027-07-01,2028-06-30,0.2999999999999999,7499.999999999998,\n",
        ))
        .unwrap();
        let rows: Vec<(String, DealFields, BTreeMap<String, String>)> = deals
            .iter()
            .map(|d| (d.crm_id.clone(), d.new_fields(), d.properties.clone()))
            .collect();
        let mut out = Vec::new();
        write_deals(&mut out, &rows).unwrap();
        let (again, errors) = read_deals("again.csv", out.as_slice());
        assert!(errors.is_empty(), "{errors:?}");
        let round: Vec<(String, DealFields, BTreeMap<String, String>)> = again
            .iter()
            .map(|d| (d.crm_id.clone(), d.new_fields(), d.properties.clone()))
            .collect();
        assert_eq!(round, rows);
    }

    #[test]
    fn a_file_without_the_key_columns_is_refused_at_its_header() {
        let (_, errors) = read_deals("x.csv", "name,amount\nA,1\n".as_bytes());
        assert_eq!(errors.len(), 3);
        assert_eq!(
            errors[0].to_string(),
            "x.csv:1: column id = \"\": the file has no id column"
        );
        let (rows, ragged) = read_deals(
            "x.csv",
            "id,dealname,dealstage\n1,A\n2,B,Outreach\n".as_bytes(),
        );
        assert_eq!(rows.len(), 1, "the good row is read; the ragged one is not");
        assert!(
            ragged[0].to_string().starts_with("x.csv:2: unreadable row"),
            "{}",
            ragged[0]
        );
    }

    #[test]
    fn the_sample_export_reads_whole() {
        // A copy of the organisation's sample export, kept in the repository.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/sample_deals.csv"
        );
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let (deals, errors) = read_deals("sample_deals.csv", bytes.as_slice());
        assert_eq!(errors, vec![]);
        assert_eq!(deals.len(), 8);
        assert!(
            deals
                .iter()
                .all(|d| !d.crm_id.is_empty() && !d.stage().is_empty())
        );
    }
}
