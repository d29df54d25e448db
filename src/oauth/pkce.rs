//! PKCE (RFC 7636), S256 only: `plain` would send the verifier itself through the browser.

use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Why a challenge or a verifier is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PkceError {
    /// No `code_challenge` was sent (Quire requires PKCE for every client).
    MissingChallenge,
    /// `code_challenge_method` is `plain` or unknown.
    UnsupportedMethod(String),
    /// The challenge is not 43 characters of base64url (a SHA-256 without padding).
    MalformedChallenge,
    /// The verifier breaks RFC 7636 §4.1 (43–128 characters of `[A-Za-z0-9-._~]`).
    MalformedVerifier,
}

impl PkceError {
    /// A description safe to send back as `error_description`.
    pub fn description(&self) -> String {
        match self {
            Self::MissingChallenge => "code_challenge is required (PKCE, S256)".into(),
            Self::UnsupportedMethod(m) => {
                format!("code_challenge_method `{m}` is not supported; use S256")
            }
            Self::MalformedChallenge => "code_challenge is not a base64url SHA-256".into(),
            Self::MalformedVerifier => {
                "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~".into()
            }
        }
    }
}

/// Checks the authorization request's PKCE parameters. The method may be omitted only if
/// it would default to `plain` (RFC 7636 §4.3), so omission is refused as well.
pub fn check_challenge(challenge: Option<&str>, method: Option<&str>) -> Result<String, PkceError> {
    let challenge = challenge
        .filter(|c| !c.is_empty())
        .ok_or(PkceError::MissingChallenge)?;
    match method {
        Some("S256") => {}
        Some(other) => return Err(PkceError::UnsupportedMethod(other.to_owned())),
        None => return Err(PkceError::UnsupportedMethod("plain".into())),
    }
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(challenge);
    match decoded {
        Ok(bytes) if bytes.len() == 32 && challenge.len() == 43 => Ok(challenge.to_owned()),
        _ => Err(PkceError::MalformedChallenge),
    }
}

/// RFC 7636 §4.1: `code-verifier = 43*128unreserved`.
pub fn check_verifier(verifier: &str) -> Result<(), PkceError> {
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    if (43..=128).contains(&verifier.len()) && verifier.bytes().all(unreserved) {
        Ok(())
    } else {
        Err(PkceError::MalformedVerifier)
    }
}

/// `BASE64URL(SHA256(ASCII(verifier)))` without padding (RFC 7636 §4.2).
pub fn s256_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Does `verifier` answer `challenge`? The comparison is constant-time.
pub fn verify(verifier: &str, challenge: &str) -> Result<bool, PkceError> {
    check_verifier(verifier)?;
    Ok(s256_challenge(verifier)
        .as_bytes()
        .ct_eq(challenge.as_bytes())
        .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7636 Appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn the_rfc_7636_appendix_b_vector_holds() {
        assert_eq!(s256_challenge(VERIFIER), CHALLENGE);
        assert_eq!(verify(VERIFIER, CHALLENGE), Ok(true));
    }

    #[test]
    fn a_wrong_verifier_does_not_verify() {
        let other = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj";
        assert_eq!(verify(other, CHALLENGE), Ok(false));
    }

    #[test]
    fn plain_and_missing_methods_are_refused() {
        assert_eq!(
            check_challenge(Some(CHALLENGE), Some("plain")),
            Err(PkceError::UnsupportedMethod("plain".into()))
        );
        assert!(matches!(
            check_challenge(Some(CHALLENGE), None),
            Err(PkceError::UnsupportedMethod(_))
        ));
        assert!(matches!(
            check_challenge(Some(CHALLENGE), Some("s256")),
            Err(PkceError::UnsupportedMethod(_))
        ));
        assert_eq!(
            check_challenge(None, Some("S256")),
            Err(PkceError::MissingChallenge)
        );
        assert_eq!(
            check_challenge(Some(""), Some("S256")),
            Err(PkceError::MissingChallenge)
        );
    }

    #[test]
    fn an_s256_challenge_must_be_a_base64url_digest() {
        assert_eq!(
            check_challenge(Some(CHALLENGE), Some("S256")).as_deref(),
            Ok(CHALLENGE)
        );
        for bad in [
            VERIFIER.trim_end_matches('k'),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM=",
            "short",
        ] {
            assert_eq!(
                check_challenge(Some(bad), Some("S256")),
                Err(PkceError::MalformedChallenge),
                "{bad}"
            );
        }
    }

    #[test]
    fn verifiers_follow_rfc_7636_section_4_1() {
        assert!(check_verifier(&"a".repeat(43)).is_ok());
        assert!(check_verifier(&"~._-Az09".repeat(16)).is_ok());
        for bad in [
            "a".repeat(42),
            "a".repeat(129),
            format!("{}+", "a".repeat(42)),
            format!("{} ", "a".repeat(43)),
            format!("{}é", "a".repeat(42)),
        ] {
            assert_eq!(
                check_verifier(&bad),
                Err(PkceError::MalformedVerifier),
                "{bad}"
            );
            assert_eq!(verify(&bad, CHALLENGE), Err(PkceError::MalformedVerifier));
        }
    }
}
