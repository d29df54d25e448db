//! The typed browser session: CSRF token, flash messages, safe redirects.

use actix_session::Session;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::error::AppError;

const CSRF_KEY: &str = "csrf";
const FLASH_KEY: &str = "flash";
/// The session's CSRF token, created on first use (synchronizer-token pattern).
pub fn csrf_token(session: &Session) -> String {
    if let Ok(Some(token)) = session.get::<String>(CSRF_KEY) {
        return token;
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let _ = session.insert(CSRF_KEY, &token);
    token
}

/// A form POST must carry the session's token; compared in constant time. A missing or
/// wrong token is 403 and the handler stops before changing anything.
pub fn check_csrf(session: &Session, presented: Option<&str>) -> Result<(), AppError> {
    if csrf_matches(session, presented) {
        Ok(())
    } else {
        Err(AppError::Forbidden {
            required: vec![],
            message:
                "the form's security token is missing or out of date; reload the page and try again"
                    .into(),
        })
    }
}

/// Whether `presented` is the session's token (constant time; false when either is absent).
pub fn csrf_matches(session: &Session, presented: Option<&str>) -> bool {
    let expected = session.get::<String>(CSRF_KEY).ok().flatten();
    match (expected, presented) {
        (Some(e), Some(p)) => bool::from(e.as_bytes().ct_eq(p.as_bytes())),
        _ => false,
    }
}

/// Forgets the CSRF token (after login or logout a new one is issued).
pub fn rotate_csrf(session: &Session) {
    session.remove(CSRF_KEY);
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Flash {
    /// `ok` or `error`.
    pub kind: String,
    pub text: String,
}

pub fn flash(session: &Session, kind: &str, text: impl Into<String>) {
    let mut all: Vec<Flash> = session.get(FLASH_KEY).ok().flatten().unwrap_or_default();
    all.push(Flash {
        kind: kind.to_owned(),
        text: text.into(),
    });
    let _ = session.insert(FLASH_KEY, all);
}

/// The pending messages, removed from the session.
pub fn take_flashes(session: &Session) -> Vec<Flash> {
    session
        .remove_as::<Vec<Flash>>(FLASH_KEY)
        .and_then(Result::ok)
        .unwrap_or_default()
}

/// Only local absolute paths may be redirected to after login (no `//host`, no scheme,
/// no backslash tricks, no control characters).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.contains('\\')
                && !n.chars().any(char::is_control)
                && n.len() <= 512 =>
        {
            n.to_owned()
        }
        _ => "/admin".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_accepts_only_local_paths() {
        for ok in ["/admin", "/admin/roles/editor?x=1", "/"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "admin",
            "",
            "/a\r\nSet-Cookie: x=1",
        ] {
            assert_eq!(safe_next(Some(bad)), "/admin", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/admin");
    }
}
