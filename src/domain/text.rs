//! The character rules every text input follows (SPEC H12), in one place.

/// C0 control characters and DEL: never part of text a person means to send, and
/// PostgreSQL cannot even store NUL in a text column. Tab, newline and carriage return
/// are allowed in multi-line text ([`MULTILINE_FIELDS`]) only.
pub fn is_refused_control(c: char, multiline: bool) -> bool {
    let control = c <= '\u{1f}' || c == '\u{7f}';
    control && !(multiline && matches!(c, '\t' | '\n' | '\r'))
}

/// The fields of JSON bodies and forms that hold multi-line text: post and comment
/// bodies, role descriptions, review notes, and the redirect URIs of `/admin/clients`'
/// form (one per line; each URI itself is then refused any control character,
/// `oauth::redirect_uri::check_one`).
pub const MULTILINE_FIELDS: &[&str] = &["body", "description", "note", "redirect_uris"];

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

/// One line of text (a title, a display name): surrounding spaces dropped, then 1 to `max`
/// characters, no control or bidirectional characters.
pub(super) fn one_line(raw: &str, max: usize) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.chars().count() > max {
        return Err(format!("must be 1 to {max} characters"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    check_bidi(trimmed)?;
    Ok(trimmed.to_owned())
}

/// Multi-line text (a post or comment body), kept exactly as sent: not only whitespace, at
/// most `max` characters, of the control characters only tab and line breaks.
pub(super) fn multi_line(raw: &str, max: usize) -> Result<String, String> {
    if raw.trim().is_empty() {
        return Err("must not be empty".into());
    }
    if raw.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    check_controls("body", raw)?;
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

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
