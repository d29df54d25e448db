//! The bearer path of every API request: the `Authorization` header value, then the JWT
//! verifier (HS256 pinned, `exp`/`iss`/`aud` checked).
//!
//! Each input is used three ways:
//! 1. as the raw header value: `bearer_token` answers a token or `invalid_token`, and the
//!    token (and the raw input) goes through `verify` and `verify_ignoring_expiry`;
//! 2. as the claims JSON of a token signed with the right secret, so the verifier's claim
//!    handling is reached past the signature check;
//! 3. split at the first newline, as header JSON and claims JSON, signed the same way.
//!
//! Properties checked: nothing panics; errors are `invalid_token`; an accepted token was
//! issued by `quire` for `quire-api`, has not expired, names HS256 in its header, and is
//! also accepted when expiry is ignored.
#![no_main]

use std::sync::OnceLock;

use actix_web::http::header::HeaderValue;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey};
use libfuzzer_sys::fuzz_target;
use quire::auth::jwt::JwtKeys;
use quire::auth::principal::bearer_token;

/// A fixed test secret (32 bytes, as `QUIRE_JWT_SECRET` requires); never used elsewhere.
const SECRET: &str = "fuzz-secret-fuzz-secret-fuzz-sec";
const ISSUER: &str = "quire";
const AUDIENCE: &str = "quire-api";
const HEADER: &str = r#"{"alg":"HS256","typ":"at+jwt"}"#;

fn keys() -> &'static JwtKeys {
    static KEYS: OnceLock<JwtKeys> = OnceLock::new();
    KEYS.get_or_init(|| JwtKeys::new(SECRET, ISSUER, AUDIENCE))
}

fuzz_target!(|data: &[u8]| {
    check_header_value(data);
    check_signed(HEADER.as_bytes(), data);
    if let Some(at) = data.iter().position(|&b| b == b'\n') {
        check_signed(&data[..at], &data[at + 1..]);
    }
});

fn check_header_value(data: &[u8]) {
    if let Ok(raw) = std::str::from_utf8(data) {
        check_verify(raw);
    }
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };
    match bearer_token(&value) {
        Ok(token) => {
            assert!(!token.is_empty(), "{value:?}: empty token");
            assert_eq!(token, token.trim(), "{value:?}: untrimmed token");
            let scheme = value.to_str().unwrap().trim().split(' ').next().unwrap();
            assert!(scheme.eq_ignore_ascii_case("bearer"), "{value:?}");
            check_verify(token);
        }
        Err(e) => assert_eq!(e.code(), "invalid_token", "{value:?}: {e}"),
    }
}

/// A token whose signature is right whatever the header and claims say.
fn check_signed(header: &[u8], claims: &[u8]) {
    let message = format!("{}.{}", B64.encode(header), B64.encode(claims));
    let key = EncodingKey::from_secret(SECRET.as_bytes());
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::HS256)
        .expect("HS256 signs any message");
    check_verify(&format!("{message}.{signature}"));
}

fn check_verify(token: &str) {
    // Read before verifying, so a token expiring during the call cannot fail the check.
    let now = unix_now();
    let lenient = keys().verify_ignoring_expiry(token);
    let Ok(claims) = keys().verify(token) else {
        return;
    };
    assert_eq!(claims.iss, ISSUER, "{token:?}");
    assert_eq!(claims.aud, AUDIENCE, "{token:?}");
    assert!(claims.exp >= now, "{token:?}: expired token accepted");
    let header = jsonwebtoken::decode_header(token).expect("an accepted token has a header");
    assert_eq!(header.alg, Algorithm::HS256, "{token:?}");
    assert_eq!(lenient.as_ref(), Some(&*claims), "{token:?}");
    let _ = claims.user_id();
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
