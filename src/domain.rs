//! Parsed values: a `Username` or `Email` exists only if it passed validation. And the
//! character rules every text input follows (SPEC H12), in one place.

use validator::ValidateEmail;

/// C0 control characters and DEL: never part of text a person means to send, and
/// PostgreSQL cannot even store NUL in a text column. Tab, newline and carriage return
/// are allowed in multi-line text ([`MULTILINE_FIELDS`]) only.
pub fn is_refused_control(c: char, multiline: bool) -> bool {
    let control = c <= '\u{1f}' || c == '\u{7f}';
    control && !(multiline && matches!(c, '\t' | '\n' | '\r'))
}

/// The fields of JSON bodies and forms that hold multi-line text: post and comment
/// bodies, role descriptions, review notes.
pub const MULTILINE_FIELDS: &[&str] = &["body", "description", "note"];

/// Does field `field` hold multi-line text?
pub fn is_multiline_field(field: &str) -> bool {
    MULTILINE_FIELDS.contains(&field)
}

/// Refuses C0 control characters (and DEL) in `value` of field `field`.
pub fn check_controls(field: &str, value: &str) -> Result<(), String> {
    let multiline = is_multiline_field(field);
    if value.chars().any(|c| is_refused_control(c, multiline)) {
        return Err(if multiline {
            "must not contain control characters other than tab and line breaks".into()
        } else {
            "must not contain control characters".into()
        });
    }
    Ok(())
}

/// Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069): they make a name
/// display as something else than it is ("Trojan Source").
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Refuses bidirectional controls in a name or title.
pub fn check_bidi(value: &str) -> Result<(), String> {
    if value.chars().any(is_bidi_control) {
        return Err("must not contain bidirectional control characters".into());
    }
    Ok(())
}

/// Lowercase letters, digits, `.`, `_`, `-`; 2–32 characters, starting with a letter or digit
/// (ASCII only, so no control or bidirectional character can be part of one; role names
/// follow the same ASCII rule in `authz::roles::is_valid_role_name`).
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

    /// Names people may not take for themselves (SPEC H3): they read as the system, the
    /// operator or the first administrator. Only the command line and start-up create them.
    pub fn is_reserved(&self) -> bool {
        RESERVED_USERNAMES.contains(&self.0.as_str())
    }
}

/// See [`Username::is_reserved`].
pub const RESERVED_USERNAMES: [&str; 5] = ["admin", "root", "system", "cli", "anonymous"];

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

/// 1–100 characters, no control or bidirectional characters; surrounding spaces are
/// dropped.
pub fn parse_display_name(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 100 {
        return Err("must be 1 to 100 characters".into());
    }
    if trimmed.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    check_bidi(trimmed)?;
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
        assert!(parse_display_name("Ada \u{202e}nimda").is_err());
        assert!(parse_display_name("\u{2066}Ada\u{2069}").is_err());
        // Right-to-left scripts themselves are fine.
        assert!(parse_display_name("עדה").is_ok());
    }

    #[test]
    fn control_characters() {
        for c in ('\u{0}'..='\u{1f}').chain(['\u{7f}']) {
            assert!(check_controls("title", &format!("a{c}b")).is_err(), "{c:?}");
            let in_body = check_controls("body", &format!("a{c}b"));
            assert_eq!(in_body.is_ok(), "\t\n\r".contains(c), "{c:?}");
        }
        for ok in ["plain", "é ✓ עדה", "a\u{80}b"] {
            assert!(check_controls("title", ok).is_ok(), "{ok:?}");
        }
        assert!(check_controls("description", "line\r\nline\ttab").is_ok());
        assert!(check_controls("note", "a\u{0}").is_err());
    }

    #[test]
    fn bidi_controls() {
        for c in ('\u{202a}'..='\u{202e}').chain('\u{2066}'..='\u{2069}') {
            assert!(check_bidi(&format!("a{c}b")).is_err(), "{c:?}");
        }
        for ok in ["\u{2029}", "\u{202f}", "\u{2065}", "\u{206a}", "abc"] {
            assert!(check_bidi(ok).is_ok(), "{ok:?}");
        }
    }
}

/// A post title: 1–200 characters after trimming, no control or bidirectional characters.
pub fn parse_title(raw: &str) -> Result<String, String> {
    let t = raw.trim();
    if t.is_empty() || t.chars().count() > 200 {
        return Err("must be 1 to 200 characters".into());
    }
    if t.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    check_bidi(t)?;
    Ok(t.to_owned())
}

/// A post or comment body: at most 100,000 characters; of the control characters only
/// tab and line breaks.
pub fn parse_body(raw: &str, allow_empty: bool) -> Result<String, String> {
    if !allow_empty && raw.trim().is_empty() {
        return Err("must not be empty".into());
    }
    if raw.chars().count() > 100_000 {
        return Err("must be at most 100000 characters".into());
    }
    check_controls("body", raw)?;
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
        assert!(parse_body("bell\u{7}", false).is_err());
        assert!(parse_title("a\u{202e}b").is_err());
    }
}
