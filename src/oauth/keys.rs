//! Ed25519 signing keys for `QUIRE_JWT_ALG=EdDSA` (SPEC §11): generated from the CSPRNG,
//! kept as PKCS#8 PEM (RFC 8410), loaded into jsonwebtoken, published as a JWKS with an
//! RFC 7638 thumbprint as `kid`, rotated with overlap. No signature code of our own.

use chrono::NaiveDateTime;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, KeypairBytes};
use ed25519_dalek::SigningKey;
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm,
    OctetKeyPairParameters, OctetKeyPairType, PublicKeyUse, ThumbprintHash,
};
use jsonwebtoken::{DecodingKey, EncodingKey};
use rand::RngCore;

pub const ALG: &str = "EdDSA";

/// A key as stored: `private_pem` is a PKCS#8 `PRIVATE KEY` document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    pub kid: String,
    pub private_pem: String,
    pub created_at: NaiveDateTime,
    /// Set when a newer key took over signing; the key still verifies until
    /// `retired_at` + the access-token lifetime.
    pub retired_at: Option<NaiveDateTime>,
}

/// A fresh key: 32 bytes from the OS-seeded CSPRNG are an Ed25519 secret (RFC 8032 §5.1.5).
pub fn generate(now: NaiveDateTime) -> anyhow::Result<StoredKey> {
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let signing = SigningKey::from_bytes(&secret);
    // The RFC 8410 one-key form (no public key inside), which jsonwebtoken also expects
    // when it derives a JWK from an encoding key.
    let doc = KeypairBytes {
        secret_key: signing.to_bytes(),
        public_key: None,
    }
    .to_pkcs8_pem(Default::default())?;
    let jwk = public_jwk(&signing, None);
    Ok(StoredKey {
        kid: thumbprint(&jwk)?,
        private_pem: doc.to_string(),
        created_at: now,
        retired_at: None,
    })
}

/// A key ready for jsonwebtoken.
pub struct LoadedKey {
    pub kid: String,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    pub jwk: Jwk,
}

/// Parses a stored key; the `kid` is recomputed and must match what was stored.
pub fn load(stored: &StoredKey) -> anyhow::Result<LoadedKey> {
    let signing = SigningKey::from_pkcs8_pem(&stored.private_pem)
        .map_err(|e| anyhow::anyhow!("signing key {}: {e}", stored.kid))?;
    let der = signing.to_pkcs8_der()?;
    let jwk = public_jwk(&signing, Some(stored.kid.clone()));
    anyhow::ensure!(
        thumbprint(&jwk)? == stored.kid,
        "signing key {}: kid does not match the key",
        stored.kid
    );
    Ok(LoadedKey {
        kid: stored.kid.clone(),
        encoding: EncodingKey::from_ed_der(der.as_bytes()),
        decoding: DecodingKey::from_ed_der(signing.verifying_key().as_bytes()),
        jwk,
    })
}

fn public_jwk(signing: &SigningKey, kid: Option<String>) -> Jwk {
    use base64::Engine;
    Jwk {
        common: CommonParameters {
            public_key_use: Some(PublicKeyUse::Signature),
            key_algorithm: Some(KeyAlgorithm::EdDSA),
            key_id: kid,
            ..Default::default()
        },
        algorithm: AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
            key_type: OctetKeyPairType::OctetKeyPair,
            curve: EllipticCurve::Ed25519,
            x: base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(signing.verifying_key().as_bytes()),
        }),
    }
}

/// RFC 7638 SHA-256 thumbprint: stable for the key, so every instance derives the same.
fn thumbprint(jwk: &Jwk) -> anyhow::Result<String> {
    Ok(jwk.thumbprint(ThumbprintHash::SHA256)?)
}

/// Which key signs and which keys are published (and accepted) at `now`.
#[derive(Debug, PartialEq, Eq)]
pub struct KeyChoice<'a> {
    pub signing: Option<&'a StoredKey>,
    pub published: Vec<&'a StoredKey>,
}

/// Rotation: the newest unretired key signs; a retired key stays published until every
/// token it signed has expired (`retired_at` + `token_ttl_secs`), so verifiers that fetch
/// the JWKS never see a live token with an unknown `kid`. Newest first.
pub fn choose(keys: &[StoredKey], now: NaiveDateTime, token_ttl_secs: i64) -> KeyChoice<'_> {
    let mut live: Vec<&StoredKey> = keys
        .iter()
        .filter(|k| match k.retired_at {
            None => true,
            Some(at) => now < at + chrono::Duration::seconds(token_ttl_secs),
        })
        .collect();
    live.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.kid.cmp(&a.kid)));
    let signing = live.iter().copied().find(|k| k.retired_at.is_none());
    KeyChoice {
        signing,
        published: live,
    }
}

/// The `/.well-known/jwks.json` document (`{"keys": []}` under HS256).
pub fn jwks(published: &[LoadedKey]) -> JwkSet {
    JwkSet {
        keys: published.iter().map(|k| k.jwk.clone()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{decode, decode_header, encode, Algorithm, Header, Validation};
    use serde_json::json;

    fn at(secs: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn a_generated_key_is_pkcs8_pem_with_a_thumbprint_kid() {
        let key = generate(at(0)).unwrap();
        assert!(key.private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert_eq!(key.kid.len(), 43);
        let loaded = load(&key).unwrap();
        assert_eq!(loaded.kid, key.kid);
        assert_ne!(generate(at(0)).unwrap().kid, key.kid);
    }

    #[test]
    fn a_tampered_kid_is_refused() {
        let mut key = generate(at(0)).unwrap();
        key.kid = "other".into();
        assert!(load(&key).is_err());
    }

    #[test]
    fn the_jwks_document_has_the_okp_fields() {
        let loaded = load(&generate(at(0)).unwrap()).unwrap();
        let doc = serde_json::to_value(jwks(std::slice::from_ref(&loaded))).unwrap();
        let k = &doc["keys"][0];
        assert_eq!(k["kty"], "OKP");
        assert_eq!(k["crv"], "Ed25519");
        assert_eq!(k["alg"], "EdDSA");
        assert_eq!(k["use"], "sig");
        assert_eq!(k["kid"], loaded.kid.as_str());
        assert_eq!(k["x"].as_str().unwrap().len(), 43);
        assert!(k.get("d").is_none(), "no private part is published");
        assert_eq!(
            serde_json::to_value(jwks(&[])).unwrap(),
            json!({"keys": []})
        );
    }

    #[test]
    fn a_token_signed_with_kid_and_at_jwt_verifies_with_the_published_key() {
        let loaded = load(&generate(at(0)).unwrap()).unwrap();
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some("at+jwt".into());
        header.kid = Some(loaded.kid.clone());
        let claims = json!({"sub": "7", "exp": 4_000_000_000i64, "scope": "posts:read"});
        let token = encode(&header, &claims, &loaded.encoding).unwrap();

        // A verifier that has only the JWKS document.
        let doc: JwkSet =
            serde_json::from_str(&serde_json::to_string(&jwks(&[loaded])).unwrap()).unwrap();
        let head = decode_header(&token).unwrap();
        assert_eq!(head.typ.as_deref(), Some("at+jwt"));
        let jwk = doc.find(head.kid.as_deref().unwrap()).unwrap();
        let key = DecodingKey::from_jwk(jwk).unwrap();
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_required_spec_claims(&["exp"]);
        let back = decode::<serde_json::Value>(&token, &key, &validation).unwrap();
        assert_eq!(back.claims["sub"], "7");
        // The key loaded from storage verifies too.
        let other = load(&generate(at(0)).unwrap()).unwrap();
        assert!(decode::<serde_json::Value>(&token, &other.decoding, &validation).is_err());
    }

    #[test]
    fn an_hs256_token_is_refused_where_eddsa_is_pinned() {
        let loaded = load(&generate(at(0)).unwrap()).unwrap();
        let claims = json!({"sub": "7", "exp": 4_000_000_000i64});
        let hs = encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"x"),
        )
        .unwrap();
        let validation = Validation::new(Algorithm::EdDSA);
        assert!(decode::<serde_json::Value>(&hs, &loaded.decoding, &validation).is_err());
    }

    fn key(kid: &str, created: i64, retired: Option<i64>) -> StoredKey {
        StoredKey {
            kid: kid.into(),
            private_pem: String::new(),
            created_at: at(created),
            retired_at: retired.map(at),
        }
    }

    #[test]
    fn rotation_signs_with_the_newest_and_publishes_the_old_until_its_tokens_expire() {
        let keys = [key("old", 0, Some(1_000)), key("new", 1_000, None)];
        let ttl = 900;
        let during = choose(&keys, at(1_500), ttl);
        assert_eq!(during.signing.unwrap().kid, "new");
        let kids: Vec<&str> = during.published.iter().map(|k| k.kid.as_str()).collect();
        assert_eq!(kids, ["new", "old"]);
        let after = choose(&keys, at(1_900), ttl);
        let kids: Vec<&str> = after.published.iter().map(|k| k.kid.as_str()).collect();
        assert_eq!(kids, ["new"]);
    }

    #[test]
    fn a_newer_unretired_key_takes_over_from_the_next_start() {
        // `quire keys rotate` adds a key; instances pick the newest at start.
        let keys = [key("a", 0, None), key("b", 10, None)];
        let choice = choose(&keys, at(20), 900);
        assert_eq!(choice.signing.unwrap().kid, "b");
        assert_eq!(choice.published.len(), 2);
        assert_eq!(
            choose(&[], at(0), 900),
            KeyChoice {
                signing: None,
                published: vec![]
            }
        );
    }
}
