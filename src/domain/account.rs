//! Account fields: usernames, emails, display names.

use serde::Deserialize;
use utoipa::openapi::schema::{KnownFormat, SchemaFormat};

use super::{string_schema, string_type, text};

/// Lowercase letters, digits, `.`, `_`, `-`; 2–32 characters, starting with a letter or digit
/// (ASCII only, so no control or bidirectional character can be part of one; role names
/// follow the same ASCII rule in `authz::roles::is_valid_role_name`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Username(String);

impl Username {
    pub const MIN: usize = 2;
    pub const MAX: usize = 32;
    /// The rule below as a regular expression, for the OpenAPI document.
    pub const PATTERN: &'static str = "^[a-z0-9][a-z0-9._-]{1,31}$";

    pub fn parse(raw: &str) -> Result<Self, String> {
        let ok_chars = raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
        let first_ok = raw
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !(Self::MIN..=Self::MAX).contains(&raw.len()) {
            return Err(format!("must be {} to {} characters", Self::MIN, Self::MAX));
        }
        if !ok_chars || !first_ok {
            return Err(
                "use lowercase letters, digits, '.', '_' or '-', starting with a letter or digit"
                    .into(),
            );
        }
        Ok(Self(raw.to_owned()))
    }

    /// Names people may not take for themselves (SPEC H3): they read as the system, the
    /// operator or the first administrator. Only the command line and start-up create them.
    pub fn is_reserved(&self) -> bool {
        RESERVED_USERNAMES.contains(&self.0.as_str())
    }
}

string_type!(
    Username,
    string_schema(Username::MIN, Username::MAX, Some(Username::PATTERN), None)
);

/// See [`Username::is_reserved`].
pub const RESERVED_USERNAMES: [&str; 5] = ["admin", "root", "system", "cli", "anonymous"];

/// An email address as the HTML standard's `<input type=email>` accepts one: a local part
/// of letters, digits and ``.!#$%&'*+/=?^_`{|}~-``, `@`, and dot-separated domain labels of
/// letters, digits and inner hyphens (at most 63 each). Surrounding spaces are dropped.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Email(String);

impl Email {
    /// RFC 5321's limit on a forward path.
    pub const MAX: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.len() > Self::MAX || !is_html_email(trimmed) {
            return Err("must be a valid email address".into());
        }
        Ok(Self(trimmed.to_owned()))
    }
}

string_type!(
    Email,
    string_schema(
        3,
        Email::MAX,
        None,
        Some(SchemaFormat::KnownFormat(KnownFormat::Email))
    )
);

fn is_html_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c));
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    local_ok && domain.split('.').all(label_ok)
}

/// 1–100 characters, no control or bidirectional characters; surrounding spaces are
/// dropped.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, String> {
        text::one_line(raw, Self::MAX).map(Self)
    }
}

string_type!(DisplayName, string_schema(1, DisplayName::MAX, None, None));

/// [`DisplayName::parse`], as text.
pub fn parse_display_name(raw: &str) -> Result<String, String> {
    DisplayName::parse(raw).map(DisplayName::into_inner)
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
    fn reserved_usernames() {
        for name in RESERVED_USERNAMES {
            assert!(Username::parse(name).unwrap().is_reserved(), "{name}");
        }
        for name in ["admins", "root2", "ada", "cli-user"] {
            assert!(!Username::parse(name).unwrap().is_reserved(), "{name}");
        }
    }

    #[test]
    fn emails() {
        for ok in [
            "a@example.com",
            " o.k+tag@sub.example-1.org ",
            "a@localhost",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok:?}");
        }
        for bad in [
            "", "no-at", "a@", "@b", "a b@c.d", "a@b@c", "a@-b.c", "a@b..c", "é@x.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn display_names() {
        assert_eq!(parse_display_name("  Ada  ").unwrap(), "Ada");
        assert!(parse_display_name("   ").is_err());
        assert!(parse_display_name("a\nb").is_err());
        assert!(parse_display_name("Ada \u{202e}nimda").is_err());
        assert!(parse_display_name("\u{2066}Ada\u{2069}").is_err());
        // Right-to-left scripts themselves are fine.
        assert!(parse_display_name("עדה").is_ok());
    }

    #[test]
    fn bodies_deserialize_through_the_rules() {
        let name: Username = serde_json::from_str(r#""ada""#).unwrap();
        assert_eq!(name.as_str(), "ada");
        let err = serde_json::from_str::<Username>(r#""A""#).unwrap_err();
        assert!(err.is_data(), "{err}");
    }
}
