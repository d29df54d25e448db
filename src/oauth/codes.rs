//! Authorization codes (SPEC §11, RFC 6749 §4.1.2, §10.5): random, stored hashed, 60 s,
//! single use, bound to client, redirect URI and PKCE challenge. The exchange is decided
//! here over the stored record; the caller marks the code used whatever the decision (a
//! failed exchange uses it up too) and acts on [`Decision::Reused`].

use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use rand::RngCore;
use subtle::ConstantTimeEq;

use super::hash_secret;
use super::pkce;

pub const LIFETIME_SECS: i64 = 60;

/// A new code: `code` goes into the redirect, `hash` into the table.
pub struct NewCode {
    pub code: String,
    pub hash: String,
    pub expires_at: NaiveDateTime,
}

/// 32 bytes from the thread's OS-seeded CSPRNG, base64url.
pub fn generate(now: NaiveDateTime) -> NewCode {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let code = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_secret(&code);
    NewCode {
        code,
        hash,
        expires_at: now + Duration::seconds(LIFETIME_SECS),
    }
}

/// What is stored with a code.
#[derive(Debug, Clone)]
pub struct CodeRecord {
    pub client_id: String,
    /// The `redirect_uri` of the authorization request, if it sent one (RFC 6749 §4.1.3:
    /// then the token request must send the same).
    pub redirect_uri: Option<String>,
    pub challenge: String,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

/// The token request's side of the exchange.
pub struct Exchange<'a> {
    pub client_id: &'a str,
    pub redirect_uri: Option<&'a str>,
    pub verifier: &'a str,
}

/// The outcome of presenting a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Issue tokens (and mark the code used).
    Issue,
    /// `invalid_grant` (RFC 6749 §5.2) with this description; mark the code used.
    Refuse(&'static str),
    /// The code was presented before: `invalid_grant`, and revoke every token issued from
    /// it (RFC 6749 §4.1.2: the code may have been stolen).
    Reused,
}

fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Decides an exchange at `now`. Reuse is checked first, so a second presentation always
/// revokes, even once the code has also expired.
pub fn decide(record: &CodeRecord, request: &Exchange<'_>, now: NaiveDateTime) -> Decision {
    if record.used_at.is_some() {
        return Decision::Reused;
    }
    if now >= record.expires_at {
        return Decision::Refuse("the authorization code has expired");
    }
    if !same(&record.client_id, request.client_id) {
        return Decision::Refuse("the authorization code was issued to another client");
    }
    let uri_ok = match (&record.redirect_uri, request.redirect_uri) {
        (Some(bound), Some(sent)) => bound == sent,
        (Some(_), None) => false,
        // Not sent at authorization: sending one now is a mismatch too.
        (None, sent) => sent.is_none(),
    };
    if !uri_ok {
        return Decision::Refuse("redirect_uri does not match the authorization request");
    }
    match pkce::verify(request.verifier, &record.challenge) {
        Ok(true) => Decision::Issue,
        Ok(false) => Decision::Refuse("code_verifier does not match the challenge"),
        Err(_) => Decision::Refuse("code_verifier is malformed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn t0() -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc()
    }

    fn record() -> CodeRecord {
        CodeRecord {
            client_id: "client-1".into(),
            redirect_uri: Some("https://app.example/cb".into()),
            challenge: CHALLENGE.into(),
            expires_at: generate(t0()).expires_at,
            used_at: None,
        }
    }

    fn request() -> Exchange<'static> {
        Exchange {
            client_id: "client-1",
            redirect_uri: Some("https://app.example/cb"),
            verifier: VERIFIER,
        }
    }

    #[test]
    fn codes_are_random_hashed_and_live_sixty_seconds() {
        let a = generate(t0());
        let b = generate(t0());
        assert_ne!(a.code, b.code);
        assert_eq!(a.code.len(), 43);
        assert_eq!(a.hash, hash_secret(&a.code));
        assert_eq!(a.expires_at, t0() + Duration::seconds(60));
    }

    #[test]
    fn the_right_client_uri_and_verifier_within_sixty_seconds_issue() {
        let at = t0() + Duration::seconds(59);
        assert_eq!(decide(&record(), &request(), at), Decision::Issue);
    }

    #[test]
    fn an_expired_code_is_refused() {
        for secs in [60, 61, 3600] {
            let at = t0() + Duration::seconds(secs);
            assert!(
                matches!(decide(&record(), &request(), at), Decision::Refuse(_)),
                "{secs}"
            );
        }
    }

    #[test]
    fn a_second_presentation_revokes_even_when_expired() {
        let used = CodeRecord {
            used_at: Some(t0()),
            ..record()
        };
        assert_eq!(decide(&used, &request(), t0()), Decision::Reused);
        assert_eq!(
            decide(&used, &request(), t0() + Duration::days(1)),
            Decision::Reused
        );
    }

    #[test]
    fn binding_to_client_uri_and_challenge_is_enforced() {
        let cases = [
            Exchange {
                client_id: "client-2",
                ..request()
            },
            Exchange {
                redirect_uri: Some("https://app.example/cb/"),
                ..request()
            },
            Exchange {
                redirect_uri: None,
                ..request()
            },
            Exchange {
                verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj",
                ..request()
            },
            Exchange {
                verifier: "short",
                ..request()
            },
        ];
        for (i, case) in cases.iter().enumerate() {
            assert!(
                matches!(decide(&record(), case, t0()), Decision::Refuse(_)),
                "case {i}"
            );
        }
    }

    #[test]
    fn a_uri_not_sent_at_authorization_must_not_appear_later() {
        let unbound = CodeRecord {
            redirect_uri: None,
            ..record()
        };
        let without = Exchange {
            redirect_uri: None,
            ..request()
        };
        assert_eq!(decide(&unbound, &without, t0()), Decision::Issue);
        assert!(matches!(
            decide(&unbound, &request(), t0()),
            Decision::Refuse(_)
        ));
    }
}
