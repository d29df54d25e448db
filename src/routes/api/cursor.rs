//! Opaque keyset cursors: base64url of a kind letter and the last id seen.

use base64::Engine;

use crate::error::AppError;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The cursor after `id` in a list of `kind` (`'p'` posts, `'a'` audit events, …).
pub fn encode(kind: char, id: i64) -> String {
    B64.encode(format!("{kind}{id}"))
}

/// The id a cursor of `kind` carries; anything else is a 400.
pub fn decode(kind: char, raw: &str) -> Result<i64, AppError> {
    B64.decode(raw)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix(kind).and_then(|n| n.parse().ok()))
        .filter(|n: &i64| *n > 0)
        .ok_or_else(|| {
            AppError::BadRequest("bad query: the cursor is not one this server issued".into())
        })
}

/// `limit` of a list query: 1–100, default 20.
pub fn limit(raw: Option<&str>) -> Result<i64, AppError> {
    match raw {
        None => Ok(20),
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| AppError::field("limit", "must be a whole number from 1 to 100")),
    }
}

/// The next cursor when the page is full.
pub fn next(kind: char, page_len: usize, limit: i64, last_id: Option<i64>) -> Option<String> {
    (page_len as i64 == limit)
        .then_some(last_id)
        .flatten()
        .map(|id| encode(kind, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejection() {
        assert_eq!(decode('p', &encode('p', 42)).unwrap(), 42);
        for bad in [
            "",
            "%%%",
            "cDA",
            &encode('a', 5),
            &B64.encode("p-3"),
            &B64.encode("pxyz"),
        ] {
            assert!(decode('p', bad).is_err(), "{bad:?}");
        }
        assert!(
            limit(Some("0")).is_err() && limit(Some("101")).is_err() && limit(Some("x")).is_err()
        );
        assert_eq!(limit(None).unwrap(), 20);
        assert_eq!(next('p', 2, 2, Some(9)), Some(encode('p', 9)));
        assert_eq!(next('p', 1, 2, Some(9)), None);
    }
}
