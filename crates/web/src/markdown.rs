//! Markdown written by people (role and area pages) shown as HTML. Raw HTML in the text is
//! shown as text, and links go only to web, mail or in-site addresses, so a page cannot carry
//! script into the app.

use std::fmt;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

/// HTML made from Markdown by [`to_html`]: safe to place in a page as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Markup(String);

impl Markup {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Markup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a link may be followed from a page: web and mail addresses, and addresses within
/// the site.
fn safe_link(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || lower.starts_with('#')
        || (lower.starts_with('/') && !lower.starts_with("//"))
        || !lower.contains(':') && !lower.starts_with("//")
}

/// Markdown as HTML: headings, lists, emphasis, links, tables, footnotes and code; raw HTML
/// shown as the text it is; images shown as links to them.
pub(crate) fn to_html(text: &str) -> Markup {
    if text.trim().is_empty() {
        return Markup::default();
    }
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_DEFINITION_LIST;
    let events = Parser::new_ext(text, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        // An image becomes a link to it: a page never loads what a text points at.
        Event::Start(
            Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }
            | Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            },
        ) => Event::Start(Tag::Link {
            link_type,
            dest_url: if safe_link(&dest_url) {
                dest_url
            } else {
                CowStr::Borrowed("#")
            },
            title,
            id,
        }),
        Event::End(pulldown_cmark::TagEnd::Image) => Event::End(pulldown_cmark::TagEnd::Link),
        other => other,
    });
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    Markup(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_emphasis_and_links_become_html() {
        let html = to_html("- **Run the hubs**\n  - nested [guide](https://example.org/g)\n");
        assert_eq!(
            html.to_string(),
            "<ul>\n<li><strong>Run the hubs</strong>\n<ul>\n<li>nested <a href=\"https://example.org/g\">guide</a></li>\n</ul>\n</li>\n</ul>\n"
        );
    }

    #[test]
    fn raw_html_and_script_links_are_shown_as_text_or_dropped() {
        let html = to_html(
            "<script>alert(1)</script>\n\nA [link](javascript:alert(1)) and <b onclick=x>bold</b> ![i](data:x)",
        )
        .to_string();
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("<b "), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert!(!html.contains("<img"), "{html}");
    }

    #[test]
    fn empty_text_gives_no_markup() {
        assert!(to_html("  \n").is_empty());
    }
}
