//! `quire keys rotate` (SPEC §11): adds an EdDSA signing key. Running instances keep
//! signing with the key they started with and take the new one at their next start; the
//! retired key keeps verifying (and stays in the JWKS) until its tokens have expired.

use super::serve::open_migrated;
use super::CliError;
use crate::config::{Config, JwtAlg};
use crate::db::queries::keys as key_q;
use crate::error::AppError;

/// Adds a key and retires the current ones; prints what happened, one line each.
pub fn rotate(config: &Config) -> Result<(), CliError> {
    let db = open_migrated(config)?;
    let key = crate::oauth::keys::generate(crate::db::now())?;
    let retired = key_q::rotate(&mut *db.get()?, &key).map_err(AppError::from)?;
    println!("keys: added signing key {}", key.kid);
    let ttl = chrono::Duration::from_std(config.access_token_ttl).unwrap_or_default();
    let until = crate::routes::api::views::rfc3339(key.created_at + ttl);
    for kid in retired {
        println!("keys: retired {kid}; it verifies tokens until {until}");
    }
    println!("keys: instances sign with the new key from their next start");
    if config.jwt_alg == JwtAlg::Hs256 {
        println!("keys: note: QUIRE_JWT_ALG is HS256, so no key is used until it is EdDSA");
    }
    Ok(())
}
