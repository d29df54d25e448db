//! What every handler shares. A leaf below `auth`, `routes` and `startup`: it names only
//! the values it holds (configuration, pool, keys, caches), so the extractors in `auth` can
//! reach it without an import circle through the router.

use actix_web::cookie::Key;
use actix_web::web;
use sha2::{Digest, Sha512};

use crate::auth::cache::AuthzCache;
use crate::auth::jwt::JwtKeys;
use crate::auth::password::Verifier;
use crate::config::Config;
use crate::db::read_pin::ReadPin;
use crate::db::Db;

/// Shared by every handler.
pub struct AppState {
    pub config: Config,
    pub db: Db,
    pub jwt: JwtKeys,
    pub cache: AuthzCache,
    pub verifier: Verifier,
    session_key: Key,
    two_factor_key: [u8; 32],
    /// Held for its `Drop`: the SQLite read pin stops with the application.
    _read_pin: Option<ReadPin>,
}

/// Shorthand used by extractors and handlers.
pub type State = web::Data<AppState>;

impl AppState {
    pub fn new(config: Config, db: Db, jwt_secret: &str) -> Result<Self, anyhow::Error> {
        Ok(Self {
            jwt: crate::auth::key_store::jwt_keys(&config, &db, jwt_secret)?,
            cache: AuthzCache::new(),
            verifier: Verifier::new(config.bcrypt_cost)?,
            session_key: session_key(jwt_secret),
            two_factor_key: crate::auth::totp::derive_key(jwt_secret),
            _read_pin: ReadPin::start(&config.database_url)?,
            config,
            db,
        })
    }

    /// The key that signs and encrypts the session cookie.
    pub fn session_key(&self) -> &Key {
        &self.session_key
    }

    /// The key TOTP secrets are sealed with at rest (SPEC §12).
    pub fn two_factor_key(&self) -> &[u8; 32] {
        &self.two_factor_key
    }
}

/// The cookie key is derived from the JWT secret (domain-separated), so every instance on
/// one database signs and reads the same sessions without a second secret to manage.
fn session_key(secret: &str) -> Key {
    let mut hasher = Sha512::new();
    hasher.update(b"quire session cookie key v1\0");
    hasher.update(secret.as_bytes());
    Key::from(&hasher.finalize())
}
