//! Post bodies: CommonMark (with tables and strikethrough) to HTML, then through one
//! allow-list sanitizer (SPEC §10). Rendered when a post is written; the stored HTML is
//! what pages and the JSON `body_html` show, so reading a post never parses Markdown.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};
use pulldown_cmark::{Options, Parser};

/// Bumped whenever [`render`]'s output for the same Markdown may change (a new allow-list,
/// a parser upgrade that matters): stored renderings older than this are rendered again.
pub const RENDER_VERSION: i32 = 1;

const TAGS: &[&str] = &[
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "em",
    "strong",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "img",
    "hr",
    "br",
];

/// The allow-list of SPEC §10, built once. Everything not named here is dropped; the
/// content of `script` and `style` goes with the tag (other unknown tags keep their text).
static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let attributes: HashMap<&str, HashSet<&str>> = HashMap::from([
        ("a", HashSet::from(["href", "title"])),
        ("img", HashSet::from(["src", "alt", "title"])),
        ("ol", HashSet::from(["start"])),
        ("code", HashSet::from(["class"])),
        ("th", HashSet::from(["style"])),
        ("td", HashSet::from(["style"])),
    ]);
    let mut builder = Builder::empty();
    builder
        .tags(TAGS.iter().copied().collect())
        .clean_content_tags(HashSet::from(["script", "style"]))
        .tag_attributes(attributes)
        .generic_attributes(HashSet::new())
        .tag_attribute_values(HashMap::new())
        .set_tag_attribute_values(HashMap::new())
        .allowed_classes(HashMap::new())
        // `data` only for images: the filter below narrows every scheme per element.
        .url_schemes(HashSet::from(["http", "https", "mailto", "data"]))
        .url_relative(UrlRelative::PassThrough)
        .link_rel(Some("nofollow noopener"))
        .strip_comments(true)
        .attribute_filter(filter_attribute);
    builder
});

/// Renders a post body to sanitized HTML.
pub fn render(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut raw, Parser::new_ext(markdown, options));
    SANITIZER.clean(&raw).to_string()
}

/// Per-element rules the plain allow-list cannot say. ammonia has already removed URLs whose
/// scheme is not in `url_schemes` (after decoding entities and parsing like a browser, so
/// `JaVaScRiPt:`, `java&#x09;script:` and leading blanks are caught there).
fn filter_attribute<'a>(element: &str, attribute: &str, value: &'a str) -> Option<Cow<'a, str>> {
    let keep = match (element, attribute) {
        ("a", "href") => !has_scheme(value, "data"),
        ("img", "src") => {
            !has_scheme(value, "mailto") && (!has_scheme(value, "data") || is_raster_data(value))
        }
        // pulldown-cmark writes column alignment as a style; only those three survive.
        ("th" | "td", "style") => matches!(
            value,
            "text-align: left" | "text-align: center" | "text-align: right"
        ),
        ("code", "class") => is_language_class(value),
        ("ol", "start") => value.len() <= 9 && value.bytes().all(|b| b.is_ascii_digit()),
        _ => true,
    };
    keep.then_some(Cow::Borrowed(value))
}

fn has_scheme(url: &str, scheme: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| u.scheme() == scheme)
}

/// `data:image/*` except SVG: an SVG document may carry script, and a raster image cannot.
fn is_raster_data(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    let media = parsed.path().split([';', ',']).next().unwrap_or("");
    let media = media.trim().to_ascii_lowercase();
    media.starts_with("image/") && !media.starts_with("image/svg")
}

/// A fenced code block's info string (`language-rust`), nothing else: it is only a hook for
/// styling, never a way to add arbitrary classes.
fn is_language_class(value: &str) -> bool {
    value.strip_prefix("language-").is_some_and(|lang| {
        !lang.is_empty()
            && lang.len() <= 32
            && lang
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'#' | b'_'))
    })
}

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;
