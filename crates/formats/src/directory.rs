//! Organizations and contacts from CSV, read with the same rules as the deal export: every
//! problem named by file, line, column and value; unknown columns kept as properties.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use bearing_core::contact::{ContactFields, ContactLabel, parse_email};
use bearing_core::organization::{OrganizationFields, OrganizationKind, OrganizationName};

use crate::crm::RowError;

/// One row of an import file, parsed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Row<T> {
    pub line: u64,
    /// What the row is matched by: an organization's name, a contact's email.
    pub key: String,
    pub fields: T,
    /// Which of the entity's columns the file has: only those change on an update.
    pub columns: Vec<String>,
    pub properties: BTreeMap<String, String>,
}

struct Cells<'a> {
    headers: &'a [String],
    record: &'a csv::StringRecord,
}

impl Cells<'_> {
    fn get(&self, column: &str) -> Option<&str> {
        self.headers
            .iter()
            .position(|h| h == column)
            .and_then(|i| self.record.get(i))
            .map(str::trim)
    }

    fn text(&self, column: &str) -> Option<String> {
        self.get(column)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }
}

/// Reads a CSV with a header, handing each row to `parse`; collects every problem.
fn read<T>(
    file: &str,
    input: impl Read,
    known: &[&str],
    required: &[&str],
    mut parse: impl FnMut(&Cells<'_>, &mut dyn FnMut(&str, &str, String)) -> Option<(String, T)>,
) -> (Vec<Row<T>>, Vec<RowError>) {
    let error = |line: u64, column: &str, value: &str, message: String| RowError {
        file: file.to_owned(),
        line,
        column: column.to_owned(),
        value: crate::input::shortened(value),
        message,
    };
    let crate::input::CsvInput {
        headers,
        rows: records,
        mut errors,
    } = crate::input::read(
        file,
        input,
        crate::input::Header {
            lowercase: true,
            required,
        },
    );
    if headers.is_empty() {
        return (Vec::new(), errors);
    }
    let columns: Vec<String> = headers
        .iter()
        .filter(|h| known.contains(&h.as_str()))
        .cloned()
        .collect();
    let mut rows = Vec::new();
    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    for (line, record) in records {
        let cells = Cells {
            headers: &headers,
            record: &record,
        };
        let before = errors.len();
        let parsed = parse(&cells, &mut |column, value, message| {
            errors.push(error(line, column, value, message))
        });
        let properties: BTreeMap<String, String> = headers
            .iter()
            .zip(record.iter())
            .filter(|(h, _)| !known.contains(&h.as_str()))
            .map(|(h, v)| (h.clone(), v.to_owned()))
            .collect();
        let Some((key, fields)) = parsed else {
            continue;
        };
        if let Some(first) = first_line_of.get(&key) {
            errors.push(error(
                line,
                required[0],
                &key,
                format!("duplicate: line {first} has it too"),
            ));
            continue;
        }
        first_line_of.insert(key.clone(), line);
        if errors.len() > before {
            continue;
        }
        rows.push(Row {
            line,
            key,
            fields,
            columns: columns.clone(),
            properties,
        });
    }
    (rows, errors)
}

pub const ORGANIZATION_COLUMNS: [&str; 7] = [
    "name",
    "long_name",
    "kind",
    "website",
    "github_org",
    "notes",
    "tags",
];

/// Organizations, matched by their one-word name.
pub fn read_organizations(
    file: &str,
    input: impl Read,
) -> (Vec<Row<OrganizationFields>>, Vec<RowError>) {
    read(
        file,
        input,
        &ORGANIZATION_COLUMNS,
        &["name"],
        |cells, fail| {
            let raw = cells.get("name").unwrap_or_default();
            let name = match OrganizationName::parse(raw) {
                Ok(name) => name,
                Err(e) => {
                    fail("name", raw, e.reason);
                    return None;
                }
            };
            let kind = match cells.text("kind") {
                None => OrganizationKind::Community,
                Some(k) => match k.parse::<OrganizationKind>() {
                    Ok(kind) => kind,
                    Err(e) => {
                        fail("kind", &k, e.reason);
                        OrganizationKind::Other
                    }
                },
            };
            let fields = OrganizationFields {
                name: name.clone(),
                long_name: cells.text("long_name"),
                kind,
                website: cells.text("website"),
                github_org: cells.text("github_org"),
                notes: cells.text("notes"),
                tags: cells
                    .get("tags")
                    .unwrap_or_default()
                    .split(';')
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty())
                    .collect(),
            };
            Some((name.to_string(), fields))
        },
    )
}

pub const CONTACT_COLUMNS: [&str; 8] = [
    "name",
    "email",
    "github",
    "organizations",
    "strategic",
    "coverage",
    "notes",
    "label",
];

/// Contacts, matched by email. `organizations` holds `org:label` pairs separated by `;`.
pub fn read_contacts(file: &str, input: impl Read) -> (Vec<Row<ContactFields>>, Vec<RowError>) {
    read(
        file,
        input,
        &CONTACT_COLUMNS,
        &["email", "name"],
        |cells, fail| {
            let raw_email = cells.get("email").unwrap_or_default();
            let email = match parse_email(raw_email) {
                Ok(email) => email,
                Err(_) if raw_email.is_empty() => {
                    fail(
                        "email",
                        raw_email,
                        "contacts are matched by email: every row needs one".into(),
                    );
                    return None;
                }
                Err(e) => {
                    fail("email", raw_email, e.reason);
                    return None;
                }
            };
            let name = cells.text("name").unwrap_or_default();
            if name.is_empty() {
                fail("name", "", "every contact needs a name".into());
            }
            let strategic = match cells.text("strategic").map(|s| s.to_ascii_lowercase()) {
                None => false,
                Some(s) if matches!(s.as_str(), "true" | "yes" | "1" | "y") => true,
                Some(s) if matches!(s.as_str(), "false" | "no" | "0" | "n") => false,
                Some(s) => {
                    fail("strategic", &s, "expected true or false".into());
                    false
                }
            };
            let mut organizations = Vec::new();
            for part in cells
                .get("organizations")
                .unwrap_or_default()
                .split(';')
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                let (org, label) = part.split_once(':').unwrap_or((part, "other"));
                match (OrganizationName::parse(org), label.parse::<ContactLabel>()) {
                    (Ok(org), Ok(label)) => organizations.push((org, label)),
                    (Err(e), _) => fail("organizations", part, e.reason),
                    (_, Err(e)) => fail("organizations", part, e.reason),
                }
            }
            let fields = ContactFields {
                name,
                email: Some(email.clone()),
                github: cells.text("github"),
                strategic,
                coverage: cells
                    .get("coverage")
                    .unwrap_or_default()
                    .split(';')
                    .map(|c| c.trim().to_owned())
                    .filter(|c| !c.is_empty())
                    .collect(),
                notes: cells.text("notes"),
                organizations,
            };
            Some((email, fields))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organizations_read_with_defaults_and_properties() {
        let (rows, errors) = read_organizations(
            "orgs.csv",
            "name,long_name,kind,website,segment\nbids,Berkeley Institute for Data Science,partner,https://bids.example.org,research\ncal,,,,\n".as_bytes(),
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows[0].fields.kind, OrganizationKind::Partner);
        assert_eq!(rows[0].properties["segment"], "research");
        assert_eq!(
            (rows[1].line, rows[1].fields.kind),
            (3, OrganizationKind::Community)
        );
        assert_eq!(rows[0].columns, ["name", "long_name", "kind", "website"]);
    }

    #[test]
    fn organization_problems_name_line_column_and_value() {
        let (rows, errors) = read_organizations(
            "orgs.csv",
            "name,kind\nbids,alien\ntwo words,funder\nbids,partner\nok,funder\n".as_bytes(),
        );
        let found: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found[0].starts_with("orgs.csv:2: column kind = \"alien\""),
            "{}",
            found[0]
        );
        assert!(
            found[1].starts_with("orgs.csv:3: column name = \"two words\""),
            "{}",
            found[1]
        );
        assert!(
            found[2].starts_with("orgs.csv:4: column name = \"bids\": duplicate"),
            "{}",
            found[2]
        );
        assert_eq!(rows.len(), 1);
    }

    #[test]
    fn a_column_twice_is_refused_as_in_the_deal_export() {
        let (rows, errors) =
            read_organizations("orgs.csv", "name,kind,Name\nbids,funder,x\n".as_bytes());
        assert!(rows.is_empty());
        assert_eq!(
            errors[0].to_string(),
            "orgs.csv:1: column name = \"name\": column name appears twice (columns 1 and 3)"
        );
    }

    #[test]
    fn crlf_files_name_the_right_line() {
        let (_, errors) = read_organizations(
            "orgs.csv",
            "name,kind\r\nbids,funder\r\ncal,funder\r\nucb,alien\r\n".as_bytes(),
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 4);
    }

    #[test]
    fn contacts_are_keyed_by_email_and_link_organizations() {
        let (rows, errors) = read_contacts(
            "contacts.csv",
            "name,email,organizations,strategic,coverage\nAda Lovelace,Ada@Example.org,bids:billing contact; cal,yes,budget;renewals\nNo Mail,,bids,,\n".as_bytes(),
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].to_string(),
            "contacts.csv:3: column email = \"\": contacts are matched by email: every row needs one"
        );
        let ada = &rows[0];
        assert_eq!(ada.key, "ada@example.org");
        assert!(ada.fields.strategic);
        assert_eq!(ada.fields.coverage, ["budget", "renewals"]);
        assert_eq!(ada.fields.organizations.len(), 2);
        assert_eq!(ada.fields.organizations[0].1, ContactLabel::BillingContact);
        assert_eq!(ada.fields.organizations[1].1, ContactLabel::Other);
    }
}
