//! Access tokens: RFC 9068-style JWTs signed with HS256, or with EdDSA under a `kid`
//! ([`KeyRing`], SPEC §11). Verification pins the algorithm and checks signature, `exp`,
//! `iss` and `aud`; revocation and the account are checked by the caller against the
//! database-backed cache.
//!
//! A client sends the same token with every request until it expires, so tokens that
//! verified are remembered, by their SHA-256, with their claims: the next request with the
//! same bytes skips the base64, the HMAC and the JSON (about a tenth of a read's CPU) and
//! only has its expiry checked again. Nothing about a token can change while its bytes stay
//! the same except expiry, and revocation, which is never cached here. The key is a digest,
//! so no token bytes are ever compared.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::signing::KeyRing;

/// Bounds the verified tokens kept (about 0.5 KiB each); the map is emptied when full.
const MAX_VERIFIED: usize = 4_096;

/// The claims Quire issues and accepts.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user id, as a string (RFC 7519 `sub` is a string).
    pub sub: String,
    pub username: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// Space-separated scopes (RFC 9068 §2.2.3).
    pub scope: String,
    pub client_id: String,
    /// The refresh-token family the token was issued from: revoking the family refuses
    /// the token too (SPEC H10). Absent on tokens of no family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fam: Option<String>,
}

impl Claims {
    pub fn user_id(&self) -> Option<i64> {
        self.sub.parse().ok()
    }
}

/// What signs and verifies.
enum Keys {
    Secret {
        encoding: EncodingKey,
        decoding: DecodingKey,
    },
    // Boxed: one value per process, and the HS256 variant stays small.
    Ring(Box<KeyRing>),
}

/// Keys and the pinned validation rules, built once at start.
pub struct JwtKeys {
    keys: Keys,
    validation: Validation,
    issuer: String,
    audience: String,
    verified: RwLock<HashMap<[u8; 32], Arc<Claims>>>,
}

impl JwtKeys {
    /// HS256 with the shared secret.
    pub fn new(secret: &str, issuer: &str, audience: &str) -> Self {
        let keys = Keys::Secret {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
        };
        Self::with(keys, Algorithm::HS256, issuer, audience)
    }

    /// EdDSA with the ring's signing key, verifying against its live keys.
    pub fn eddsa(ring: KeyRing, issuer: &str, audience: &str) -> Self {
        Self::with(
            Keys::Ring(Box::new(ring)),
            Algorithm::EdDSA,
            issuer,
            audience,
        )
    }

    fn with(keys: Keys, alg: Algorithm, issuer: &str, audience: &str) -> Self {
        // Only `alg`: a token whose header names any other algorithm (`none`, RS256 with
        // the secret as a "public key", HS256 under EdDSA…) is rejected before its
        // signature is used.
        let mut validation = Validation::new(alg);
        validation.algorithms = vec![alg];
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 0;
        validation.validate_exp = true;
        Self {
            keys,
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            verified: RwLock::default(),
        }
    }

    /// The EdDSA key ring (`None` under HS256).
    pub fn ring(&self) -> Option<&KeyRing> {
        match &self.keys {
            Keys::Ring(ring) => Some(ring),
            Keys::Secret { .. } => None,
        }
    }

    /// The public keys for `/.well-known/jwks.json`: none under HS256 (a shared secret is
    /// never published).
    pub fn jwks(&self) -> JwkSet {
        match &self.keys {
            Keys::Ring(ring) => ring.jwks(crate::db::now()),
            Keys::Secret { .. } => JwkSet { keys: Vec::new() },
        }
    }

    /// Signs an access token for the user with these scopes; returns (token, claims).
    pub fn issue(
        &self,
        user_id: i64,
        username: &str,
        scope: &str,
        ttl_secs: i64,
    ) -> Result<(String, Claims), anyhow::Error> {
        self.issue_in_family(user_id, username, scope, ttl_secs, None)
    }

    /// [`Self::issue`] for a token issued from refresh-token family `family`.
    pub fn issue_in_family(
        &self,
        user_id: i64,
        username: &str,
        scope: &str,
        ttl_secs: i64,
        family: Option<&str>,
    ) -> Result<(String, Claims), anyhow::Error> {
        self.issue_for_client(user_id, username, scope, ttl_secs, family, None)
    }

    /// [`Self::issue_in_family`] for a token an app obtained (the code flow): its
    /// `client_id` claim names the app (RFC 9068 §2.2); `None` is Quire itself.
    pub fn issue_for_client(
        &self,
        user_id: i64,
        username: &str,
        scope: &str,
        ttl_secs: i64,
        family: Option<&str>,
        client_id: Option<&str>,
    ) -> Result<(String, Claims), anyhow::Error> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: user_id.to_string(),
            username: username.to_owned(),
            iat: now,
            exp: now + ttl_secs,
            jti: uuid::Uuid::new_v4().to_string(),
            scope: scope.to_owned(),
            client_id: client_id.unwrap_or("quire").to_owned(),
            fam: family.map(str::to_owned),
        };
        let mut header = Header::new(self.validation.algorithms[0]);
        header.typ = Some("at+jwt".into());
        let encoding = match &self.keys {
            Keys::Secret { encoding, .. } => encoding,
            Keys::Ring(ring) => {
                header.kid = Some(ring.kid().to_owned());
                ring.encoding()
            }
        };
        Ok((encode(&header, &claims, encoding)?, claims))
    }

    /// Verifies signature, algorithm, `exp`, `iss`, `aud`; the error text is safe to show.
    /// A token that verified before and has not expired is recognised by its digest.
    pub fn verify(&self, token: &str) -> Result<Arc<Claims>, String> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = chrono::Utc::now().timestamp();
        let known = self
            .verified
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&digest)
            .cloned();
        // Expiry as `decode` checks it with no leeway: expired once `exp` is in the past.
        if let Some(claims) = known.filter(|c| c.exp >= now) {
            return Ok(claims);
        }
        let claims = Arc::new(self.verify_uncached(token)?);
        let mut verified = self.verified.write().unwrap_or_else(|p| p.into_inner());
        if verified.len() >= MAX_VERIFIED {
            verified.clear();
        }
        verified.insert(digest, claims.clone());
        Ok(claims)
    }

    /// [`Self::verify`] without the memory of verified tokens: every step, every time.
    pub fn verify_uncached(&self, token: &str) -> Result<Claims, String> {
        self.decode(token, &self.validation)
    }

    /// The key for `token`: the secret, or the live ring key its `kid` names. The header's
    /// algorithm is checked first, so a token of another algorithm never reaches a key.
    fn decoding_key(&self, token: &str) -> Result<std::borrow::Cow<'_, DecodingKey>, String> {
        match &self.keys {
            Keys::Secret { decoding, .. } => Ok(std::borrow::Cow::Borrowed(decoding)),
            Keys::Ring(ring) => {
                let header =
                    decode_header(token).map_err(|_| "the token is malformed".to_owned())?;
                if header.alg != Algorithm::EdDSA {
                    return Err("the token's algorithm is not accepted".into());
                }
                header
                    .kid
                    .and_then(|kid| ring.decoding(&kid, crate::db::now()))
                    .map(std::borrow::Cow::Owned)
                    .ok_or_else(|| "the token's signing key is not known".into())
            }
        }
    }

    fn decode(&self, token: &str, validation: &Validation) -> Result<Claims, String> {
        let key = self.decoding_key(token)?;
        decode::<Claims>(token, &key, validation)
            .map(|data| data.claims)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                match e.kind() {
                    ErrorKind::ExpiredSignature => "the token has expired",
                    ErrorKind::InvalidSignature => "the signature does not match",
                    ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                        "the token's algorithm is not accepted"
                    }
                    ErrorKind::InvalidIssuer => "the token was issued by someone else",
                    ErrorKind::InvalidAudience => "the token is for another audience",
                    ErrorKind::MissingRequiredClaim(_) => "the token lacks a required claim",
                    _ => "the token is malformed",
                }
                .to_owned()
            })
    }

    /// Verifies the signature only (not `exp`): used to recognise the caller's own, possibly
    /// expired, access token at the revocation endpoint.
    pub fn verify_ignoring_expiry(&self, token: &str) -> Option<Claims> {
        let mut validation = self.validation.clone();
        validation.validate_exp = false;
        self.decode(token, &validation).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn issued_tokens_verify() {
        let keys = JwtKeys::new(SECRET, "quire", "quire-api");
        let (token, claims) = keys.issue(7, "ada", "posts:read", 60).unwrap();
        let back = keys.verify(&token).unwrap();
        assert_eq!(*back, claims);
        // Again, now from the verified tokens.
        assert_eq!(*keys.verify(&token).unwrap(), claims);
        assert_eq!(back.user_id(), Some(7));
    }

    #[test]
    fn the_family_travels_in_the_token() {
        let keys = JwtKeys::new(SECRET, "quire", "quire-api");
        let (token, _) = keys
            .issue_in_family(7, "ada", "posts:read", 60, Some("fam-1"))
            .unwrap();
        assert_eq!(keys.verify(&token).unwrap().fam.as_deref(), Some("fam-1"));
        let (plain, _) = keys.issue(7, "ada", "posts:read", 60).unwrap();
        assert_eq!(keys.verify(&plain).unwrap().fam, None);
    }

    #[test]
    fn wrong_issuer_audience_secret_and_expiry_are_rejected() {
        let keys = JwtKeys::new(SECRET, "quire", "quire-api");
        let other_iss = JwtKeys::new(SECRET, "evil", "quire-api");
        let other_aud = JwtKeys::new(SECRET, "quire", "other");
        let other_key = JwtKeys::new("another-secret-another-secret-xx", "quire", "quire-api");
        for (name, issuer) in [
            ("iss", &other_iss),
            ("aud", &other_aud),
            ("key", &other_key),
        ] {
            let (token, _) = issuer.issue(1, "a", "", 60).unwrap();
            assert!(keys.verify(&token).is_err(), "{name}");
        }
        let (expired, _) = keys.issue(1, "a", "", -1).unwrap();
        assert_eq!(keys.verify(&expired).unwrap_err(), "the token has expired");
        assert!(keys.verify_ignoring_expiry(&expired).is_some());
    }

    #[test]
    fn a_remembered_token_still_expires() {
        let keys = JwtKeys::new(SECRET, "quire", "quire-api");
        let (token, _) = keys.issue(1, "a", "posts:read", 1).unwrap();
        assert!(keys.verify(&token).is_ok());
        assert!(
            keys.verify(&token).is_ok(),
            "served from the verified tokens"
        );
        std::thread::sleep(std::time::Duration::from_millis(2_100));
        assert_eq!(keys.verify(&token).unwrap_err(), "the token has expired");
    }

    #[test]
    fn remembering_a_token_never_admits_a_different_one() {
        let keys = JwtKeys::new(SECRET, "quire", "quire-api");
        let (token, _) = keys.issue(1, "a", "posts:read", 60).unwrap();
        assert!(keys.verify(&token).is_ok());
        let mut tampered = token.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        assert!(keys.verify(&tampered).is_err());
        assert!(keys.verify(&format!("{token} ")).is_err());
    }

    #[test]
    fn other_algorithms_are_rejected() {
        let keys = JwtKeys::new(SECRET, "quire", "quire-api");
        let (token, claims) = keys.issue(1, "a", "", 60).unwrap();
        let hs512 = encode(
            &Header::new(Algorithm::HS512),
            &claims,
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap();
        assert!(keys.verify(&hs512).is_err());
        // alg: none, unsigned.
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let payload = token.split('.').nth(1).unwrap();
        let none = format!(
            "{}.{}.",
            b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
            payload
        );
        assert!(keys.verify(&none).is_err());
    }
}
