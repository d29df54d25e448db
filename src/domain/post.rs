//! Post and comment fields: titles, slugs, bodies.

use serde::Deserialize;

use super::{string_schema, string_type, text};

/// A post title: 1–200 characters after trimming, no control or bidirectional characters.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Title(String);

impl Title {
    pub const MAX: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, String> {
        text::one_line(raw, Self::MAX).map(Self)
    }
}

string_type!(Title, string_schema(1, Title::MAX, None, None));

/// A post body: at most 100,000 characters, not only whitespace; of the control characters
/// only tab and line breaks. Kept exactly as sent.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct PostText(String);

impl PostText {
    pub const MAX: usize = 100_000;

    pub fn parse(raw: &str) -> Result<Self, String> {
        text::multi_line(raw, Self::MAX).map(Self)
    }
}

string_type!(PostText, string_schema(1, PostText::MAX, None, None));

/// A comment body: the rule of a post body, at most 10,000 characters.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct CommentText(String);

impl CommentText {
    pub const MAX: usize = 10_000;

    pub fn parse(raw: &str) -> Result<Self, String> {
        text::multi_line(raw, Self::MAX).map(Self)
    }
}

string_type!(CommentText, string_schema(1, CommentText::MAX, None, None));

/// A slug: 1–80 of `[a-z0-9-]`, no leading, trailing or double hyphen.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Slug(String);

impl Slug {
    pub const MAX: usize = 80;
    /// The rule below as a regular expression, for the OpenAPI document.
    pub const PATTERN: &'static str = "^[a-z0-9]+(-[a-z0-9]+)*$";

    pub fn parse(raw: &str) -> Result<Self, String> {
        let ok = !raw.is_empty()
            && raw.len() <= Self::MAX
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !raw.starts_with('-')
            && !raw.ends_with('-')
            && !raw.contains("--");
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(format!(
                "use 1 to {} lowercase letters, digits and single hyphens",
                Self::MAX
            ))
        }
    }
}

string_type!(Slug, string_schema(1, Slug::MAX, Some(Slug::PATTERN), None));

/// The slug a title suggests: letters and digits transliterated to ASCII (so "Ünïcode"
/// keeps its letters as "unicode" and "Съешь" becomes "sesh"), every other run of
/// characters one hyphen. Symbols are not spelled out ("✓" is not "ok"): a slug names the
/// words of its title.
pub fn slugify(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            // A letter's spelling may carry marks ("ъ" is "'"): only its letters count.
            let spelled = deunicode::deunicode_char(c).unwrap_or("");
            out.extend(
                spelled
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_lowercase()),
            );
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 72 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "post".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Hello, World!"), "hello-world");
        assert_eq!(slugify("  Ünïcode — only ✓ "), "unicode-only");
        assert_eq!(slugify("Crème brûlée"), "creme-brulee");
        assert_eq!(slugify("Съешь же ещё"), "sesh-zhe-eshchio");
        assert_eq!(slugify("✓✓✓"), "post");
        assert_eq!(slugify("!!!"), "post");
        assert_eq!(slugify("'; DROP TABLE posts; --"), "drop-table-posts");
        assert!(Slug::parse(&slugify(&"long title ".repeat(30))).is_ok());
        assert!(Slug::parse(&slugify(&"北京 ".repeat(60))).is_ok());
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "é"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn titles_and_bodies() {
        assert_eq!(Title::parse("  Hi ").unwrap().as_str(), "Hi");
        assert!(Title::parse("").is_err());
        assert!(Title::parse("a\u{7}b").is_err());
        assert!(Title::parse(&"x".repeat(201)).is_err());
        assert!(Title::parse(&"é".repeat(200)).is_ok());
        assert!(PostText::parse("").is_err());
        assert!(PostText::parse(" \n ").is_err());
        assert!(PostText::parse("a\0b").is_err());
        assert!(PostText::parse("multi\nline").is_ok());
        assert!(PostText::parse("bell\u{7}").is_err());
        assert!(Title::parse("a\u{202e}b").is_err());
        assert!(CommentText::parse(&"é".repeat(10_000)).is_ok());
        assert!(CommentText::parse(&"x".repeat(10_001)).is_err());
    }

    #[test]
    fn the_schema_carries_the_rule() {
        use utoipa::openapi::{schema::Schema, RefOr};
        let RefOr::T(Schema::Object(slug)) = <Slug as utoipa::PartialSchema>::schema() else {
            panic!("slug schema");
        };
        assert_eq!(slug.max_length, Some(Slug::MAX));
        assert_eq!(slug.pattern.as_deref(), Some(Slug::PATTERN));
    }
}
