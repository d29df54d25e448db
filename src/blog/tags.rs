//! Tag rules of SPEC §10: 0–10 per post; each name lowercased, then 1–32 characters
//! matching `^[a-z0-9]+(-[a-z0-9]+)*$`; duplicates collapse (first occurrence keeps its place).

use std::fmt;

pub const MAX_TAGS_PER_POST: usize = 10;
pub const MAX_TAG_LEN: usize = 32;

/// A tag name that passed the rules; safe in a URL path (`/t/{tag}`) as it is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag(String);

/// Why a tag list was refused; the message names the rule (the caller answers 422 naming
/// `tags`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TagError {
    #[error("at most {MAX_TAGS_PER_POST} tags per post")]
    TooMany,
    #[error("tag must be 1 to {MAX_TAG_LEN} characters")]
    Length,
    #[error("tag {0:?} may hold only a-z, 0-9 and single hyphens between them")]
    Characters(String),
}

impl Tag {
    /// Lowercases (Unicode-aware, so `É` is refused as `é`, never folded to `e`), then checks.
    pub fn parse(raw: &str) -> Result<Self, TagError> {
        let name = raw.to_lowercase();
        if name.is_empty() || name.len() > MAX_TAG_LEN {
            return Err(TagError::Length);
        }
        let well_formed = name.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        if !well_formed {
            return Err(TagError::Characters(name));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Tag {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Parses a post's tag list. The count limit applies after duplicates collapse, so
/// `["a", "A", ...]` counts once.
pub fn parse_tags<S: AsRef<str>>(raw: &[S]) -> Result<Vec<Tag>, TagError> {
    let mut tags: Vec<Tag> = Vec::with_capacity(raw.len().min(MAX_TAGS_PER_POST));
    for name in raw {
        let tag = Tag::parse(name.as_ref())?;
        if !tags.contains(&tag) {
            if tags.len() == MAX_TAGS_PER_POST {
                return Err(TagError::TooMany);
            }
            tags.push(tag);
        }
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(raw: &[&str]) -> Vec<String> {
        parse_tags(raw)
            .unwrap()
            .into_iter()
            .map(|t| t.to_string())
            .collect()
    }

    #[test]
    fn names_are_lowercased() {
        assert_eq!(names(&["Rust", "WEB-dev"]), ["rust", "web-dev"]);
    }

    #[test]
    fn valid_names_pass() {
        for ok in ["a", "rust", "web-dev", "a1-b2-c3", "2026", &"x".repeat(32)] {
            assert_eq!(Tag::parse(ok).unwrap().as_str(), ok, "{ok}");
        }
    }

    #[test]
    fn hyphens_only_between_letters_or_digits() {
        for bad in [
            "-a",
            "a-",
            "a--b",
            "-",
            "a_b",
            "a b",
            "a.b",
            "a/b",
            "é",
            "ünï",
            "a\u{0}",
            "a\u{202e}",
        ] {
            assert!(
                matches!(Tag::parse(bad), Err(TagError::Characters(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn length_is_one_to_thirty_two() {
        assert_eq!(Tag::parse(""), Err(TagError::Length));
        assert_eq!(Tag::parse(&"x".repeat(33)), Err(TagError::Length));
    }

    #[test]
    fn non_ascii_is_refused_not_transliterated() {
        assert!(Tag::parse("Ünïcode").is_err());
        // Kelvin sign lowercases to ASCII `k`: still a valid name after lowercasing.
        assert_eq!(Tag::parse("\u{212A}").unwrap().as_str(), "k");
    }

    #[test]
    fn duplicates_collapse_keeping_first_order() {
        assert_eq!(names(&["b", "A", "B", "a", "c"]), ["b", "a", "c"]);
    }

    #[test]
    fn empty_list_is_no_tags() {
        assert!(parse_tags::<&str>(&[]).unwrap().is_empty());
    }

    #[test]
    fn at_most_ten_distinct_tags() {
        let ten: Vec<String> = (0..10).map(|i| format!("t{i}")).collect();
        assert_eq!(parse_tags(&ten).unwrap().len(), 10);
        let mut eleven = ten.clone();
        eleven.push("t10".into());
        assert_eq!(parse_tags(&eleven), Err(TagError::TooMany));
        let mut dup = ten;
        dup.push("T0".into());
        assert_eq!(parse_tags(&dup).unwrap().len(), 10);
    }
}
