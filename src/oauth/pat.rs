//! Personal access tokens (SPEC §11): `qpat_` + 32 random bytes in base62, stored as a
//! SHA-256 hash (the hash is the indexed lookup key), with a required expiry of 1–366 days
//! and scopes within the creating request's effective permissions.

use chrono::{Duration, NaiveDateTime};
use rand::RngCore;

use subtle::ConstantTimeEq;

use super::hash_secret;
use crate::authz::permission::check_in_catalog;
use crate::authz::PermissionSet;

/// Every PAT starts with this, so scanners (and Quire's bearer path) tell it from a JWT.
pub const PREFIX: &str = "qpat_";
/// Each 16-byte half of the secret is written as a base62 number of exactly this width
/// (62^22 > 2^128), so every token has the same length.
const HALF_LEN: usize = 22;
/// The length of a whole token.
pub const TOKEN_LEN: usize = PREFIX.len() + 2 * HALF_LEN;
pub const MIN_DAYS: i64 = 1;
pub const MAX_DAYS: i64 = 366;

/// A freshly minted token: `token` is shown once, `hash` is what is stored.
pub struct NewPat {
    pub token: String,
    pub hash: String,
}

/// Draws 32 bytes from the thread's OS-seeded CSPRNG and writes them after [`PREFIX`].
pub fn generate() -> NewPat {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let (hi, lo) = bytes.split_at(16);
    let half = |b: &[u8]| {
        let n = u128::from_be_bytes(b.try_into().expect("16 bytes"));
        format!("{:0>HALF_LEN$}", base62::encode(n))
    };
    let token = format!("{PREFIX}{}{}", half(hi), half(lo));
    let hash = hash_secret(&token);
    NewPat { token, hash }
}

/// Is `presented` shaped like a PAT (prefix, length, two base62 halves that fit 128
/// bits)? Only such strings are looked up; anything else is not a PAT at all.
pub fn is_well_formed(presented: &str) -> bool {
    let Some(body) = presented.strip_prefix(PREFIX) else {
        return false;
    };
    body.len() == 2 * HALF_LEN
        && body.bytes().all(|b| b.is_ascii_alphanumeric())
        && base62::decode(&body[..HALF_LEN]).is_ok()
        && base62::decode(&body[HALF_LEN..]).is_ok()
}

/// The hash to look a presented token up by, or `None` if it is not a PAT.
pub fn lookup_hash(presented: &str) -> Option<String> {
    is_well_formed(presented).then(|| hash_secret(presented))
}

/// Confirms a row found by the hash from [`lookup_hash`], in constant time, without
/// hashing the token again: the row's index already matched this hash, so this guards only
/// against a database that compared the text loosely.
pub fn matches_stored(lookup_hash: &str, stored_hash: &str) -> bool {
    lookup_hash.as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

/// Why a creation request is refused: scopes are RFC 6749 `invalid_scope` (400), the rest
/// are field errors (422).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatError {
    InvalidScope(Vec<String>),
    Field {
        field: &'static str,
        message: String,
    },
}

/// A creation request that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPat {
    pub name: String,
    /// Catalog names, in catalog order.
    pub scopes: Vec<String>,
    pub expires_at: NaiveDateTime,
}

/// 1–100 characters, no control or bidirectional characters (the display-name rule).
pub fn check_name(raw: &str) -> Result<String, PatError> {
    crate::domain::parse_display_name(raw).map_err(|message| PatError::Field {
        field: "name",
        message,
    })
}

/// The expiry is required and lies 1–366 days ahead of `now`.
pub fn expiry(now: NaiveDateTime, days: i64) -> Result<NaiveDateTime, PatError> {
    if !(MIN_DAYS..=MAX_DAYS).contains(&days) {
        return Err(PatError::Field {
            field: "expires_in_days",
            message: format!("must be {MIN_DAYS} to {MAX_DAYS}"),
        });
    }
    Ok(now + Duration::days(days))
}

/// Requested scopes must name the catalog and lie within `effective` (the creating
/// request's own effective permissions, so a narrowed token cannot mint a broader PAT).
/// Wildcards are expanded to the catalog names they cover, so the stored list says exactly
/// what the token can do and a later catalog never widens it. All offenders are named.
pub fn check_scopes(
    requested: &[String],
    effective: &PermissionSet,
    catalog: &[&str],
) -> Result<Vec<String>, PatError> {
    if requested.is_empty() {
        return Err(PatError::Field {
            field: "scopes",
            message: "must name at least one permission".into(),
        });
    }
    let bad: Vec<String> = requested
        .iter()
        .filter(|s| {
            check_in_catalog(s, catalog).is_err() || !effective.covers_in_catalog(s, catalog)
        })
        .cloned()
        .collect();
    if !bad.is_empty() {
        return Err(PatError::InvalidScope(bad));
    }
    Ok(PermissionSet::from_grants(requested).expand(catalog))
}

/// All the creation rules at once.
pub fn validate(
    name: &str,
    scopes: &[String],
    expires_in_days: i64,
    effective: &PermissionSet,
    catalog: &[&str],
    now: NaiveDateTime,
) -> Result<ValidPat, PatError> {
    Ok(ValidPat {
        name: check_name(name)?,
        expires_at: expiry(now, expires_in_days)?,
        scopes: check_scopes(scopes, effective, catalog)?,
    })
}

/// A stored token authorizes only before its expiry and while not revoked (the owner's
/// state is checked by the caller, like for JWTs).
pub fn is_live(expires_at: NaiveDateTime, revoked: bool, now: NaiveDateTime) -> bool {
    !revoked && now < expires_at
}

/// The token's effective permissions: its scopes ∩ the owner's current permissions.
pub fn effective(scopes: &[String], owner: &PermissionSet, catalog: &[&str]) -> Vec<String> {
    scopes
        .iter()
        .filter(|s| catalog.contains(&s.as_str()) && owner.allows(s))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::permission::CATALOG_NAMES;

    fn now() -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc()
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn tokens_have_the_prefix_a_fixed_length_and_differ() {
        let a = generate();
        let b = generate();
        assert!(a.token.starts_with("qpat_"));
        assert_eq!(a.token.len(), TOKEN_LEN);
        assert_eq!(TOKEN_LEN, 49);
        assert_ne!(a.token, b.token);
        assert!(is_well_formed(&a.token));
        assert_eq!(a.hash, hash_secret(&a.token));
        assert_ne!(a.hash, a.token);
    }

    #[test]
    fn the_stored_hash_finds_and_confirms_the_token() {
        let pat = generate();
        assert_eq!(lookup_hash(&pat.token).as_deref(), Some(pat.hash.as_str()));
        assert!(matches_stored(&hash_secret(&pat.token), &pat.hash));
        let other = generate();
        assert!(!matches_stored(&other.hash, &pat.hash));
        assert!(!matches_stored("", &pat.hash));
    }

    #[test]
    fn malformed_tokens_are_not_pats() {
        let good = generate().token;
        let overflow = format!("{PREFIX}{}{}", "z".repeat(22), "0".repeat(22));
        for bad in [
            "",
            "qpat_",
            "eyJhbGciOiJIUzI1NiJ9.e30.x",
            &good[..good.len() - 1],
            &format!("{good}a"),
            &good.replacen("qpat_", "qpaT_", 1),
            &format!("{}-{}", &good[..20], &good[21..]),
            &overflow,
        ] {
            assert!(!is_well_formed(bad), "{bad}");
            assert_eq!(lookup_hash(bad), None, "{bad}");
        }
    }

    #[test]
    fn expiry_is_required_within_one_to_366_days() {
        assert_eq!(expiry(now(), 1).unwrap(), now() + Duration::days(1));
        assert_eq!(expiry(now(), 366).unwrap(), now() + Duration::days(366));
        for bad in [0, -1, 367, i64::MAX] {
            assert!(
                matches!(
                    expiry(now(), bad),
                    Err(PatError::Field {
                        field: "expires_in_days",
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_token_is_live_until_it_expires_or_is_revoked() {
        let exp = now() + Duration::days(1);
        assert!(is_live(exp, false, now()));
        assert!(!is_live(exp, true, now()));
        assert!(!is_live(exp, false, exp));
        assert!(!is_live(exp, false, exp + Duration::seconds(1)));
    }

    #[test]
    fn names_are_one_to_a_hundred_clean_characters() {
        assert_eq!(check_name("  ci deploy ").unwrap(), "ci deploy");
        for bad in ["", "   ", &"x".repeat(101), "a\u{7}b", "a\u{202e}b"] {
            assert!(
                matches!(check_name(bad), Err(PatError::Field { field: "name", .. })),
                "{bad:?}"
            );
        }
        assert!(check_name(&"é".repeat(100)).is_ok());
    }

    #[test]
    fn scopes_must_lie_within_the_creating_requests_permissions() {
        let effective = PermissionSet::from_grants(["posts:*", "comments:read"]);
        let ok = check_scopes(
            &strings(&["posts:read", "comments:read"]),
            &effective,
            &CATALOG_NAMES,
        );
        assert_eq!(ok.unwrap(), strings(&["posts:read", "comments:read"]));
        let err = check_scopes(
            &strings(&["posts:read", "users:manage", "nope:x", "Bad"]),
            &effective,
            &CATALOG_NAMES,
        );
        assert_eq!(
            err,
            Err(PatError::InvalidScope(strings(&[
                "users:manage",
                "nope:x",
                "Bad"
            ])))
        );
    }

    #[test]
    fn a_narrowed_token_cannot_mint_a_broader_pat() {
        let narrowed = PermissionSet::from_grants(["posts:read"]);
        assert_eq!(
            check_scopes(&strings(&["posts:create"]), &narrowed, &CATALOG_NAMES),
            Err(PatError::InvalidScope(strings(&["posts:create"])))
        );
        assert_eq!(
            check_scopes(&strings(&["*"]), &narrowed, &CATALOG_NAMES),
            Err(PatError::InvalidScope(strings(&["*"])))
        );
    }

    #[test]
    fn wildcards_are_stored_expanded() {
        let admin = PermissionSet::from_grants(["*"]);
        let scopes = check_scopes(&strings(&["comments:*"]), &admin, &CATALOG_NAMES).unwrap();
        assert!(scopes.iter().all(|s| s.starts_with("comments:")));
        assert_eq!(scopes.len(), 5);
        let all = check_scopes(&strings(&["*"]), &admin, &CATALOG_NAMES).unwrap();
        assert_eq!(all.len(), CATALOG_NAMES.len());
    }

    #[test]
    fn an_empty_scope_list_is_a_field_error() {
        let admin = PermissionSet::from_grants(["*"]);
        assert!(matches!(
            check_scopes(&[], &admin, &CATALOG_NAMES),
            Err(PatError::Field {
                field: "scopes",
                ..
            })
        ));
    }

    #[test]
    fn effective_permissions_are_scopes_intersected_with_the_owner() {
        let scopes = strings(&["posts:read", "posts:create", "users:manage"]);
        let owner_now = PermissionSet::from_grants(["posts:read", "users:manage"]);
        assert_eq!(
            effective(&scopes, &owner_now, &CATALOG_NAMES),
            strings(&["posts:read", "users:manage"])
        );
        let demoted = PermissionSet::from_grants(["comments:read"]);
        assert!(effective(&scopes, &demoted, &CATALOG_NAMES).is_empty());
    }

    #[test]
    fn validate_checks_name_then_expiry_then_scopes() {
        let admin = PermissionSet::from_grants(["*"]);
        let ok = validate(
            "ci",
            &strings(&["posts:read"]),
            30,
            &admin,
            &CATALOG_NAMES,
            now(),
        )
        .unwrap();
        assert_eq!(ok.expires_at, now() + Duration::days(30));
        let bad = validate("", &strings(&["x"]), 0, &admin, &CATALOG_NAMES, now());
        assert!(matches!(bad, Err(PatError::Field { field: "name", .. })));
    }
}
