//! TOTP second factor (SPEC §12): RFC 6238 codes through `totp-rs`, the secret sealed at
//! rest with AES-256-GCM, recovery codes and their hashes, and the enrolment QR code.
//!
//! Nothing here touches the database or HTTP: the flows live in `manage::twofactor` and
//! `routes::admin::twofactor`.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use totp_rs::{Builder, Secret, Totp};

use crate::error::AppError;

/// SPEC §12: SHA-1, six digits, 30-second steps; the step before and after are accepted.
pub const DIGITS: u8 = 6;
/// Seconds per step.
pub const STEP: u64 = 30;
/// How many recovery codes an enrolment shows.
pub const RECOVERY_CODES: usize = 10;
/// The name authenticator apps show beside the account.
const ISSUER: &str = "Quire";
/// 160-bit secrets, the length RFC 4226 recommends.
const SECRET_BYTES: usize = 20;
const NONCE_BYTES: usize = 12;

/// The key TOTP secrets are sealed with: derived from the server secret (the one the JWT
/// and session keys come from), domain-separated, so there is no second secret to keep and
/// a copy of the database alone does not reveal any secret.
pub fn derive_key(server_secret: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"quire totp secret key v1\0");
    hasher.update(server_secret.as_bytes());
    hasher.finalize().into()
}

/// A new random TOTP secret.
pub fn new_secret() -> Vec<u8> {
    let mut bytes = vec![0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// Seals `secret` for `user_id` (the user id is the associated data: a sealed secret
/// copied onto another account's row does not open). Stored as base64 of nonce ‖ ciphertext.
pub fn seal(key: &[u8; 32], user_id: i64, secret: &[u8]) -> Result<String, AppError> {
    let cipher = Aes256Gcm::new(key.into());
    let mut nonce = [0u8; NONCE_BYTES];
    rand::rng().fill_bytes(&mut nonce);
    let aad = user_id.to_be_bytes();
    let sealed = cipher
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: secret,
                aad: &aad,
            },
        )
        .map_err(|_| anyhow::anyhow!("sealing a TOTP secret failed"))?;
    let mut out = nonce.to_vec();
    out.extend(sealed);
    Ok(base64::engine::general_purpose::STANDARD.encode(out))
}

/// Opens what [`seal`] stored; an error when the key changed or the row was tampered with.
pub fn open(key: &[u8; 32], user_id: i64, sealed: &str) -> Result<Vec<u8>, AppError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(sealed)
        .map_err(|_| anyhow::anyhow!("a stored TOTP secret is not base64"))?;
    if bytes.len() <= NONCE_BYTES {
        return Err(anyhow::anyhow!("a stored TOTP secret is too short").into());
    }
    let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
    let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| anyhow::anyhow!("nonce"))?;
    let aad = user_id.to_be_bytes();
    Aes256Gcm::new(key.into())
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: sealed,
                aad: &aad,
            },
        )
        .map_err(|_| {
            anyhow::anyhow!("a stored TOTP secret does not open (was the server secret changed?)")
                .into()
        })
}

/// The TOTP of `secret` for the account named `username`.
pub fn totp(secret: &[u8], username: &str) -> Result<Totp, AppError> {
    // A colon would end the label's account part in the otpauth URI.
    let account: String = username.chars().filter(|c| *c != ':').collect();
    Builder::new()
        .with_digits(DIGITS)
        .with_step_duration(STEP)
        .with_skew(1)
        .with_secret(secret.to_vec())
        .with_issuer(Some(ISSUER))
        .with_account_name(account)
        .build()
        .map_err(|e| anyhow::anyhow!("building a TOTP: {e}").into())
}

/// The time step a code matches at `unix_now` (previous, current or next), if any.
pub fn matching_step(totp: &Totp, code: &str, unix_now: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    totp.check(&code, unix_now)
        .and_then(|step| i64::try_from(step).ok())
}

/// What an enrolment page shows: the base32 secret, the otpauth URI and its QR code.
pub struct Enrolment {
    pub secret_base32: String,
    pub uri: String,
    pub qr_svg: String,
}

/// The enrolment view of `secret`.
pub fn enrolment(secret: &[u8], username: &str) -> Result<Enrolment, AppError> {
    let totp = totp(secret, username)?;
    let uri = totp
        .to_url()
        .map_err(|e| anyhow::anyhow!("writing the otpauth URI: {e}"))?;
    Ok(Enrolment {
        secret_base32: Secret::from(secret.to_vec()).to_base32(),
        qr_svg: qr_svg(&uri)?,
        uri,
    })
}

/// The QR code of `data` as an inline `<svg>` element (without the XML declaration).
fn qr_svg(data: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::new(data.as_bytes())
        .map_err(|e| anyhow::anyhow!("encoding the QR code: {e}"))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    Ok(svg
        .find("<svg")
        .map_or(svg.as_str(), |at| &svg[at..])
        .to_owned())
}

/// Ten new recovery codes to show once, with the hashes to store (the same order).
pub fn new_recovery_codes_with_hashes() -> (Vec<String>, Vec<String>) {
    let codes = new_recovery_codes();
    // Every code made here is well formed, so each has its hash.
    let hashes = codes.iter().filter_map(|c| recovery_hash(c)).collect();
    (codes, hashes)
}

/// Ten new recovery codes, each 80 random bits written as four groups of five hex digits.
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rand::rng().fill_bytes(&mut bytes);
            let hex = hex::encode(bytes);
            let groups: Vec<&str> = (0..4).map(|i| &hex[i * 5..i * 5 + 5]).collect();
            groups.join("-")
        })
        .collect()
}

/// What is stored of a recovery code: the SHA-256 of its digits, as typed in any case and
/// with or without the dashes. A plain hash suffices: the codes are random, not chosen.
pub fn recovery_hash(code: &str) -> Option<String> {
    let digits: String = code
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    let well_formed = digits.len() == 20 && digits.bytes().all(|b| b.is_ascii_hexdigit());
    well_formed.then(|| hex::encode(Sha256::digest(digits.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 column (8 digits, the seed "12345678901234567890").
    #[test]
    fn rfc6238_test_vectors() {
        let totp = Builder::new()
            .with_digits(8)
            .with_step_duration(30)
            .with_skew(0)
            .with_secret(b"12345678901234567890".to_vec())
            .with_account_name("rfc")
            .build()
            .unwrap();
        let vectors = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (time, code) in vectors {
            assert_eq!(totp.generate(time).to_string(), code, "t={time}");
            assert_eq!(totp.check(code, time), Some(time / 30), "check at t={time}");
        }
    }

    #[test]
    fn previous_current_and_next_steps_match_and_no_others() {
        let secret = new_secret();
        let t = totp(&secret, "ada").unwrap();
        let now: u64 = 1_800_000_015;
        for (offset, ok) in [
            (-60i64, false),
            (-30, true),
            (0, true),
            (30, true),
            (60, false),
        ] {
            let at = now.checked_add_signed(offset).unwrap();
            let code = t.generate(at).to_string();
            let expected = ok.then(|| i64::try_from(at / STEP).unwrap());
            // A code of a neighbouring step could coincide with another one; not with 10^6.
            assert_eq!(matching_step(&t, &code, now), expected, "offset {offset}");
        }
        assert_eq!(matching_step(&t, "abcdef", now), None);
    }

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_user() {
        let key = derive_key("a server secret of at least thirty-two bytes");
        let other = derive_key("another server secret of thirty-two bytes");
        let sealed = seal(&key, 7, b"secret bytes").unwrap();
        assert_eq!(open(&key, 7, &sealed).unwrap(), b"secret bytes");
        assert!(open(&key, 8, &sealed).is_err());
        assert!(open(&other, 7, &sealed).is_err());
        assert_ne!(
            sealed,
            seal(&key, 7, b"secret bytes").unwrap(),
            "fresh nonce"
        );
    }

    #[test]
    fn recovery_codes_hash_as_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let code = &codes[0];
        assert_eq!(code.len(), 23);
        let hash = recovery_hash(code).unwrap();
        assert_eq!(recovery_hash(&code.to_uppercase()), Some(hash.clone()));
        assert_eq!(recovery_hash(&code.replace('-', "")), Some(hash));
        assert_eq!(recovery_hash("123456"), None);
    }

    #[test]
    fn enrolment_shows_uri_secret_and_svg() {
        let e = enrolment(&new_secret(), "ada").unwrap();
        assert!(e.uri.starts_with("otpauth://totp/"), "{}", e.uri);
        assert!(e.uri.contains(&e.secret_base32));
        assert!(e.qr_svg.starts_with("<svg"));
    }
}
