//! The token keys as the database keeps them (SPEC §11): the first EdDSA key made at
//! start, the ring loaded from `signing_keys`, and re-reading it while the server runs.

use crate::config::{Config, JwtAlg};
use crate::db::queries::keys as key_q;
use crate::db::{Db, DbConn};
use crate::error::AppError;
use crate::oauth::keys;

use super::jwt::JwtKeys;
use super::signing::KeyRing;

/// Start-up (`cli::serve::prepare`): under EdDSA, makes the first key unless one exists.
/// Safe when several instances start together on one database: exactly one key is made.
pub fn ensure_signing_key(conn: &mut DbConn, config: &Config) -> Result<(), AppError> {
    if config.jwt_alg == JwtAlg::EdDsa
        && key_q::insert_if_none(conn, || {
            Ok::<_, AppError>(keys::generate(crate::db::now())?)
        })?
    {
        tracing::info!("made the first EdDSA signing key");
    }
    Ok(())
}

/// The token keys for `config`: the secret under HS256, the key ring from the database
/// under EdDSA.
pub fn jwt_keys(config: &Config, db: &Db, secret: &str) -> anyhow::Result<JwtKeys> {
    let (issuer, audience) = (&config.issuer, &config.audience);
    match config.jwt_alg {
        JwtAlg::Hs256 => Ok(JwtKeys::new(secret, issuer, audience)),
        JwtAlg::EdDsa => {
            let stored = key_q::list_keys(&mut *db.get()?)?;
            let ttl = config.access_token_ttl.as_secs() as i64;
            let ring = KeyRing::start(&stored, crate::db::now(), ttl)?;
            Ok(JwtKeys::eddsa(ring, issuer, audience))
        }
    }
}

/// Re-reads the keys every half minute while the server runs (EdDSA only).
pub async fn refresh_periodically(jwt: &JwtKeys, db: &Db) {
    if jwt.ring().is_none() {
        return;
    }
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(30));
    loop {
        ticks.tick().await;
        if let Err(e) = refresh(jwt, db).await {
            tracing::warn!(error = %e, "could not re-read the signing keys");
        }
    }
}

/// Re-reads the keys now (also before the JWKS is served, so it is current).
pub async fn refresh(jwt: &JwtKeys, db: &Db) -> Result<(), AppError> {
    let Some(ring) = jwt.ring() else {
        return Ok(());
    };
    let stored = db.run(|conn| Ok(key_q::list_keys(conn)?)).await?;
    ring.refresh(&stored, crate::db::now())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;
    use keys::StoredKey;

    fn at(secs: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0)
            .unwrap()
            .naive_utc()
    }

    fn eddsa(stored: &[StoredKey]) -> JwtKeys {
        let ring = KeyRing::start(stored, crate::db::now(), 900).unwrap();
        JwtKeys::eddsa(ring, "https://blog.example", "quire-api")
    }

    #[test]
    fn eddsa_tokens_carry_kid_and_type_and_verify() {
        let key = keys::generate(at(0)).unwrap();
        let jwt = eddsa(std::slice::from_ref(&key));
        let (token, claims) = jwt.issue(7, "ada", "posts:read", 60).unwrap();
        let header = decode_header_of(&token);
        assert_eq!(header.alg, jsonwebtoken::Algorithm::EdDSA);
        assert_eq!(header.kid.as_deref(), Some(key.kid.as_str()));
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        assert_eq!(*jwt.verify(&token).unwrap(), claims);
        assert!(jwt.verify_ignoring_expiry(&token).is_some());
        assert_eq!(jwt.jwks().keys.len(), 1);
    }

    fn decode_header_of(token: &str) -> jsonwebtoken::Header {
        jsonwebtoken::decode_header(token).unwrap()
    }

    #[test]
    fn hs256_and_unknown_keys_are_refused_under_eddsa() {
        let jwt = eddsa(&[keys::generate(at(0)).unwrap()]);
        let hs = JwtKeys::new(
            "0123456789abcdef0123456789abcdef",
            "https://blog.example",
            "quire-api",
        );
        let (token, _) = hs.issue(7, "ada", "", 60).unwrap();
        assert_eq!(
            jwt.verify(&token).unwrap_err(),
            "the token's algorithm is not accepted"
        );
        let stranger = eddsa(&[keys::generate(at(0)).unwrap()]);
        let (token, _) = stranger.issue(7, "ada", "", 60).unwrap();
        assert_eq!(
            jwt.verify(&token).unwrap_err(),
            "the token's signing key is not known"
        );
        assert!(hs.jwks().keys.is_empty());
    }

    #[test]
    fn a_retired_key_verifies_until_its_tokens_have_expired() {
        let now = crate::db::now();
        let mut old = keys::generate(now - chrono::Duration::seconds(100)).unwrap();
        let before = eddsa(std::slice::from_ref(&old));
        let (token, _) = before.issue(7, "ada", "", 60).unwrap();
        old.retired_at = Some(now - chrono::Duration::seconds(10));
        let new = keys::generate(now - chrono::Duration::seconds(10)).unwrap();
        let after = eddsa(&[old.clone(), new.clone()]);
        assert_eq!(after.ring().unwrap().kid(), new.kid);
        assert!(after.verify(&token).is_ok());
        assert_eq!(after.jwks().keys.len(), 2);
        // Once retired_at + the lifetime has passed, the old key is gone.
        old.retired_at = Some(now - chrono::Duration::seconds(901));
        after.ring().unwrap().refresh(&[old, new], now).unwrap();
        assert!(after.verify_uncached(&token).is_err());
        assert_eq!(after.jwks().keys.len(), 1);
    }
}
