//! The Ed25519 key ring of `QUIRE_JWT_ALG=EdDSA` (SPEC §11): the key this instance signs
//! with (chosen at start, so a rotation takes effect at each instance's next start) and the
//! other published keys, which it accepts and publishes while they are live.
//!
//! The other keys are re-read from the database now and then ([`KeyRing::refresh`]): after
//! `quire keys rotate`, an instance that has restarted signs with the new key while one
//! that has not yet still must accept those tokens, and a retired key drops out once every
//! token it signed has expired.

use std::sync::{Arc, RwLock};

use chrono::NaiveDateTime;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, EncodingKey};

use crate::config::{Config, JwtAlg};
use crate::db::queries::keys as key_q;
use crate::db::{Db, DbConn};
use crate::error::AppError;
use crate::oauth::keys::{self, LoadedKey, StoredKey};

use super::jwt::JwtKeys;

/// A published key other than the signing one.
struct Other {
    key: Arc<LoadedKey>,
    /// When it stops verifying: `retired_at` + the access-token lifetime (`None`: unretired,
    /// a newer key another instance signs with).
    until: Option<NaiveDateTime>,
}

/// The signing key and the other keys that verify.
pub struct KeyRing {
    signing: LoadedKey,
    ttl_secs: i64,
    others: RwLock<Vec<Other>>,
}

impl KeyRing {
    /// The ring at start: the newest unretired key signs.
    pub fn start(stored: &[StoredKey], now: NaiveDateTime, ttl_secs: i64) -> anyhow::Result<Self> {
        let chosen = keys::choose(stored, now, ttl_secs);
        let signing = chosen
            .signing
            .ok_or_else(|| anyhow::anyhow!("no unretired signing key in signing_keys"))?;
        let ring = Self {
            signing: keys::load(signing)?,
            ttl_secs,
            others: RwLock::default(),
        };
        ring.refresh(stored, now)?;
        Ok(ring)
    }

    /// Replaces the other keys with those live in `stored` at `now`; keys already loaded
    /// are kept as they are.
    pub fn refresh(&self, stored: &[StoredKey], now: NaiveDateTime) -> anyhow::Result<()> {
        let chosen = keys::choose(stored, now, self.ttl_secs);
        let old = self.others.read().unwrap_or_else(|p| p.into_inner());
        let mut fresh = Vec::new();
        for s in chosen.published {
            if s.kid == self.signing.kid {
                continue;
            }
            let key = match old.iter().find(|o| o.key.kid == s.kid) {
                Some(o) => o.key.clone(),
                None => Arc::new(keys::load(s)?),
            };
            let until = s
                .retired_at
                .map(|at| at + chrono::Duration::seconds(self.ttl_secs));
            fresh.push(Other { key, until });
        }
        drop(old);
        *self.others.write().unwrap_or_else(|p| p.into_inner()) = fresh;
        Ok(())
    }

    /// The `kid` tokens are signed under.
    pub fn kid(&self) -> &str {
        &self.signing.kid
    }

    pub(super) fn encoding(&self) -> &EncodingKey {
        &self.signing.encoding
    }

    /// The key that verifies tokens naming `kid`, if it is live at `now`.
    pub(super) fn decoding(&self, kid: &str, now: NaiveDateTime) -> Option<DecodingKey> {
        if kid == self.signing.kid {
            return Some(self.signing.decoding.clone());
        }
        let others = self.others.read().unwrap_or_else(|p| p.into_inner());
        others
            .iter()
            .find(|o| o.key.kid == kid && o.until.is_none_or(|u| now < u))
            .map(|o| o.key.decoding.clone())
    }

    /// The JWKS at `now`: the signing key first, then the other live keys.
    pub fn jwks(&self, now: NaiveDateTime) -> JwkSet {
        let others = self.others.read().unwrap_or_else(|p| p.into_inner());
        let mut set = JwkSet {
            keys: vec![self.signing.jwk.clone()],
        };
        set.keys.extend(
            others
                .iter()
                .filter(|o| o.until.is_none_or(|u| now < u))
                .map(|o| o.key.jwk.clone()),
        );
        set
    }
}

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
pub async fn refresh_periodically(state: actix_web::web::Data<crate::state::AppState>) {
    if state.jwt.ring().is_none() {
        return;
    }
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(30));
    loop {
        ticks.tick().await;
        if let Err(e) = refresh(&state).await {
            tracing::warn!(error = %e, "could not re-read the signing keys");
        }
    }
}

/// Re-reads the keys now (also before the JWKS is served, so it is current).
pub async fn refresh(state: &crate::state::AppState) -> Result<(), AppError> {
    let Some(ring) = state.jwt.ring() else {
        return Ok(());
    };
    let stored = state.db.run(|conn| Ok(key_q::list_keys(conn)?)).await?;
    ring.refresh(&stored, crate::db::now())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
