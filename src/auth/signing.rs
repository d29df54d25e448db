//! The Ed25519 key ring of `QUIRE_JWT_ALG=EdDSA` (SPEC §11): the key this instance signs
//! with (chosen at start, so a rotation takes effect at each instance's next start) and the
//! other published keys, which it accepts and publishes while they are live.
//!
//! The other keys are re-read from the database now and then ([`KeyRing::refresh`], driven
//! by [`super::key_store`]): after
//! `quire keys rotate`, an instance that has restarted signs with the new key while one
//! that has not yet still must accept those tokens, and a retired key drops out once every
//! token it signed has expired.

use std::sync::{Arc, RwLock};

use chrono::NaiveDateTime;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, EncodingKey};

use crate::oauth::keys::{self, LoadedKey, StoredKey};

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
