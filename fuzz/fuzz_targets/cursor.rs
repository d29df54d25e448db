//! Keyset pagination cursors (`?cursor=` of every list route).
//!
//! Properties checked:
//! - `decode(kind, raw)` on arbitrary text answers `Ok` or a 400, never panics; an accepted
//!   cursor carries a positive id, re-encodes to a cursor with the same id, and is
//!   accepted for one kind only;
//! - for an arbitrary `i64`, `encode` then `decode` gives the id back when it is positive
//!   (a real row id) and is refused otherwise; `next` hands out such a cursor.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quire::routes::api::cursor::{decode, encode, limit, next};

/// Every kind passed to `cursor::encode`/`cursor::next` in src/routes: posts, users,
/// audit events, comments.
const KINDS: [char; 4] = ['p', 'u', 'a', 'c'];

fuzz_target!(|data: &[u8]| {
    if let Some(bytes) = data.get(..8) {
        check_round_trip(i64::from_le_bytes(bytes.try_into().unwrap()));
    }
    if let Ok(raw) = std::str::from_utf8(data) {
        check_decode(raw);
        if let Ok(n) = limit(Some(raw)) {
            assert!((1..=100).contains(&n), "limit {raw:?} -> {n}");
        }
    }
});

fn check_decode(raw: &str) {
    let accepted: Vec<(char, i64)> = KINDS
        .iter()
        .filter_map(|&kind| match decode(kind, raw) {
            Ok(id) => Some((kind, id)),
            Err(e) => {
                assert_eq!(e.code(), "bad_request", "{raw:?}: {e}");
                None
            }
        })
        .collect();
    assert!(accepted.len() <= 1, "{raw:?} accepted as {accepted:?}");
    for (kind, id) in accepted {
        assert!(id > 0, "{raw:?} decoded to {id}");
        assert_eq!(decode(kind, &encode(kind, id)).ok(), Some(id), "{raw:?}");
    }
}

fn check_round_trip(id: i64) {
    for kind in KINDS {
        let cursor = encode(kind, id);
        assert!(
            cursor
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{cursor:?} is not URL-safe"
        );
        let back = decode(kind, &cursor).ok();
        assert_eq!(back, (id > 0).then_some(id), "{kind}{id} -> {cursor:?}");
        if id > 0 {
            assert_eq!(next(kind, 5, 5, Some(id)), Some(cursor));
            assert_eq!(next(kind, 4, 5, Some(id)), None);
        }
    }
}
