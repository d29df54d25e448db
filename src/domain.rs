//! Parsed values: a `Username` or `Email` exists only if it passed validation.

use validator::ValidateEmail;

/// Lowercase letters, digits, `.`, `_`, `-`; 2–32 characters, starting with a letter or digit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let ok_chars = raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
        let first_ok = raw
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !(2..=32).contains(&raw.len()) {
            return Err("must be 2 to 32 characters".into());
        }
        if !ok_chars || !first_ok {
            return Err(
                "use lowercase letters, digits, '.', '_' or '-', starting with a letter or digit"
                    .into(),
            );
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.len() > 254 || !trimmed.validate_email() {
            return Err("must be a valid email address".into());
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 1–100 characters, no control characters; surrounding spaces are dropped.
pub fn parse_display_name(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 100 {
        return Err("must be 1 to 100 characters".into());
    }
    if trimmed.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        for ok in ["admin", "al", "user0007", "mary.jane", "o_k-1"] {
            assert!(Username::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "a",
            "",
            "Admin",
            "has space",
            ".dot",
            "x".repeat(33).as_str(),
            "émile",
            "a\u{0}b",
        ] {
            assert!(Username::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn emails() {
        assert!(Email::parse("a@example.com").is_ok());
        for bad in ["", "no-at", "a@", "@b", "a b@c.d"] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn display_names() {
        assert_eq!(parse_display_name("  Ada  ").unwrap(), "Ada");
        assert!(parse_display_name("   ").is_err());
        assert!(parse_display_name("a\nb").is_err());
    }
}

/// A post title: 1–200 characters after trimming, no control characters.
pub fn parse_title(raw: &str) -> Result<String, String> {
    let t = raw.trim();
    if t.is_empty() || t.chars().count() > 200 {
        return Err("must be 1 to 200 characters".into());
    }
    if t.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(t.to_owned())
}

/// A post or comment body: at most 100,000 characters; NUL refused (PostgreSQL cannot
/// store it in text, and no writer means it).
pub fn parse_body(raw: &str, allow_empty: bool) -> Result<String, String> {
    if !allow_empty && raw.trim().is_empty() {
        return Err("must not be empty".into());
    }
    if raw.chars().count() > 100_000 {
        return Err("must be at most 100000 characters".into());
    }
    if raw.contains('\0') {
        return Err("must not contain NUL characters".into());
    }
    Ok(raw.to_owned())
}

/// A slug: 1–80 of `[a-z0-9-]`, no leading, trailing or double hyphen.
pub fn parse_slug(raw: &str) -> Result<String, String> {
    let ok = !raw.is_empty()
        && raw.len() <= 80
        && raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !raw.starts_with('-')
        && !raw.ends_with('-')
        && !raw.contains("--");
    if ok {
        Ok(raw.to_owned())
    } else {
        Err("use 1 to 80 lowercase letters, digits and single hyphens".into())
    }
}

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
mod post_field_tests {
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
        assert!(parse_slug(&slugify(&"long title ".repeat(30))).is_ok());
        assert!(parse_slug(&slugify(&"北京 ".repeat(60))).is_ok());
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "é"] {
            assert!(parse_slug(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn titles_and_bodies() {
        assert_eq!(parse_title("  Hi ").unwrap(), "Hi");
        assert!(parse_title("").is_err());
        assert!(parse_title("a\u{7}b").is_err());
        assert!(parse_title(&"x".repeat(201)).is_err());
        assert!(parse_body("", false).is_err());
        assert!(parse_body("a\0b", false).is_err());
        assert!(parse_body("multi\nline", false).is_ok());
    }
}
