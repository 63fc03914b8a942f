//! Limits on text that comes in from outside: a name, a note, a property, a cell of an
//! import. Text may hold tab and line breaks but no other control character (PostgreSQL
//! refuses NUL, and the rest only ever arrive by mistake or malice), and has a length that
//! every table, page and export can show.

/// The longest one-line value: a name, a title, a label, an email, a stage.
pub const MAX_NAME: usize = 300;
/// The longest text of all: a note, a description, a property, a cell of an import file.
pub const MAX_TEXT: usize = 10_000;

/// `Ok` when `text` has no control character but tab and line breaks and at most `max`
/// characters; else the reason, in words that name the character or the length.
pub fn check(text: &str, max: usize) -> Result<(), String> {
    if let Some((i, c)) = text
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(format!(
            "contains a control character (U+{:04X}) at character {}; only tab and line breaks are allowed",
            u32::from(c),
            i + 1
        ));
    }
    let length = text.chars().count();
    if length > max {
        return Err(format!("is {length} characters long; at most {max}"));
    }
    Ok(())
}

/// Checks each (field, text, limit) and returns the problems as (field, reason).
pub fn problems<'a>(
    fields: impl IntoIterator<Item = (&'static str, Option<&'a str>, usize)>,
) -> Vec<(&'static str, String)> {
    fields
        .into_iter()
        .filter_map(|(field, text, max)| {
            text.and_then(|t| check(t, max).err())
                .map(|reason| (field, reason))
        })
        .collect()
}

/// The identities of imported lines, in their order: each line's fields as text (joined by
/// the unit separator), and its order among the lines of its scope alike in every field, so a
/// file imported twice matches itself line for line.
pub fn numbered<S: Ord>(lines: impl IntoIterator<Item = (S, String)>) -> Vec<String> {
    let mut seen: std::collections::BTreeMap<(S, String), usize> = Default::default();
    lines
        .into_iter()
        .map(|(scope, fields)| {
            let identity_of = |n: usize| format!("{fields}\u{1f}{n}");
            let alike = seen.entry((scope, fields.clone())).or_insert(0);
            *alike += 1;
            identity_of(*alike - 1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_and_line_breaks_pass_other_control_characters_do_not() {
        assert_eq!(check("a\tb\r\nc", 10), Ok(()));
        assert_eq!(
            check("ab\u{0}", 10),
            Err("contains a control character (U+0000) at character 3; only tab and line breaks are allowed".into())
        );
        assert!(check("\u{1b}[31m", 10).is_err());
        assert!(check("\u{7f}", 10).is_err());
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert_eq!(check("ééé", 3), Ok(()));
        assert_eq!(
            check("éééé", 3),
            Err("is 4 characters long; at most 3".into())
        );
    }

    #[test]
    fn problems_name_each_field() {
        let long = "x".repeat(MAX_NAME + 1);
        assert_eq!(
            problems([
                ("name", Some(long.as_str()), MAX_NAME),
                ("notes", None, MAX_TEXT),
                ("website", Some("ok"), MAX_NAME),
            ]),
            [("name", "is 301 characters long; at most 300".to_owned())]
        );
    }
}
