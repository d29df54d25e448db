//! Apps without passwords (SPEC §11): the pure building blocks of personal access tokens,
//! the authorization code flow with PKCE, signing keys and discovery. Nothing here touches
//! actix or the database; handlers and `db::queries` wire them in.

pub mod client;
pub mod codes;
pub mod keys;
pub mod metadata;
pub mod pat;
pub mod pkce;
pub mod redirect_uri;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The stored form of a random secret (PAT, authorization code): its SHA-256, in hex.
/// The secrets carry 256 bits of entropy, so a fast hash is enough (no salt, no stretching),
/// and the hash doubles as the indexed lookup key.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Does `secret` hash to `stored`? Compared in constant time, so a row found by its hash is
/// confirmed without a timing signal.
pub fn secret_matches(secret: &str, stored: &str) -> bool {
    hash_secret(secret)
        .as_bytes()
        .ct_eq(stored.as_bytes())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_matches_its_own_hash_only() {
        let stored = hash_secret("abc");
        assert_eq!(stored.len(), 64);
        assert!(secret_matches("abc", &stored));
        assert!(!secret_matches("abd", &stored));
        assert!(!secret_matches("abc", ""));
    }
}
