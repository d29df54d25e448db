//! Redirect URIs (SPEC §11, RFC 6749 §3.1.2, RFC 9700 §2.1): what a client may register,
//! byte-for-byte matching at the authorization endpoint, and the redirect back with
//! `code`/`error`, `state` and RFC 9207 `iss`.

use url::{Host, Url};

pub const MAX_URIS: usize = 10;
/// Longer URIs are refused: nothing legitimate needs more, and they end up in page HTML.
pub const MAX_URI_LEN: usize = 2_000;

/// Checks one URI for registration: absolute http(s), no fragment, no credentials, and
/// plain http only for loopback hosts (RFC 8252 §7.3). The string is kept as sent, since
/// matching is byte for byte.
pub fn check_one(raw: &str) -> Result<(), String> {
    if raw.len() > MAX_URI_LEN {
        return Err(format!("must be at most {MAX_URI_LEN} bytes"));
    }
    if raw.contains('#') {
        return Err("must not have a fragment".into());
    }
    // The URL parser would drop tabs and line breaks silently; the string is kept as sent.
    if raw.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    let url = Url::parse(raw).map_err(|_| "must be an absolute URI".to_owned())?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials".into());
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if url.host().is_some_and(|h| is_loopback(&h)) => Ok(()),
        "http" => Err("may use http only for a loopback host (127.0.0.1, [::1], localhost)".into()),
        _ => Err("must be an http(s) URI".into()),
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
    }
}

/// Checks a client's whole list: 1–10 valid, distinct URIs. The message names the index.
pub fn check_registration(uris: &[String]) -> Result<(), String> {
    if uris.is_empty() || uris.len() > MAX_URIS {
        return Err(format!("must list 1 to {MAX_URIS} URIs"));
    }
    for (i, uri) in uris.iter().enumerate() {
        check_one(uri).map_err(|m| format!("[{i}] {m}"))?;
        if uris[..i].contains(uri) {
            return Err(format!("[{i}] is listed twice"));
        }
    }
    Ok(())
}

/// The URI to redirect to: the requested one if registered byte for byte, or the only
/// registered one when none was sent. `None` means a 400 page, never a redirect.
pub fn resolve<'a>(requested: Option<&'a str>, registered: &'a [String]) -> Option<&'a str> {
    match requested {
        Some(uri) => registered.iter().any(|r| r == uri).then_some(uri),
        None if registered.len() == 1 => Some(registered[0].as_str()),
        None => None,
    }
}

/// What the authorization endpoint sends back (RFC 6749 §4.1.2, §4.1.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<'a> {
    Code(&'a str),
    Error {
        error: &'a str,
        description: Option<&'a str>,
    },
}

/// Appends the outcome, `state` (when the client sent one) and `iss` to the registered
/// URI's query, keeping whatever query it already has (RFC 6749 §3.1.2).
pub fn build(
    redirect_uri: &str,
    outcome: &Outcome<'_>,
    state: Option<&str>,
    issuer: &str,
) -> Result<String, url::ParseError> {
    let mut url = Url::parse(redirect_uri)?;
    {
        let mut query = url.query_pairs_mut();
        match outcome {
            Outcome::Code(code) => {
                query.append_pair("code", code);
            }
            Outcome::Error { error, description } => {
                query.append_pair("error", error);
                if let Some(d) = description {
                    query.append_pair("error_description", d);
                }
            }
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
        query.append_pair("iss", issuer);
    }
    Ok(url.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn https_and_loopback_http_are_registrable() {
        for ok in [
            "https://app.example/cb",
            "https://app.example:8443/cb?x=1",
            "http://127.0.0.1:8765/callback",
            "http://127.1.2.3/cb",
            "http://[::1]:9000/cb",
            "http://localhost:3000/cb",
        ] {
            assert_eq!(check_one(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn other_uris_are_refused_with_a_reason() {
        for (bad, why) in [
            ("http://app.example/cb", "loopback"),
            ("https://app.example/cb#frag", "fragment"),
            ("https://app.example/cb#", "fragment"),
            ("/relative/cb", "absolute"),
            ("app.example/cb", "absolute"),
            ("ftp://app.example/cb", "http(s)"),
            ("javascript:alert(1)", "http(s)"),
            ("com.example.app:/cb", "http(s)"),
            ("https://user:pw@app.example/cb", "credentials"),
            ("http://127.0.0.1.evil.example/cb", "loopback"),
            ("https://app.example/c\nb", "control"),
            ("https://app.example/cb\t", "control"),
        ] {
            let err = check_one(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
        assert!(check_one(&format!("https://a.example/{}", "x".repeat(MAX_URI_LEN))).is_err());
    }

    #[test]
    fn a_registration_lists_one_to_ten_distinct_uris() {
        assert!(check_registration(&[]).is_err());
        let eleven: Vec<String> = (0..11).map(|i| format!("https://a.example/{i}")).collect();
        assert!(check_registration(&eleven).is_err());
        assert!(check_registration(&eleven[..10]).is_ok());
        let twice = strings(&["https://a.example/cb", "https://a.example/cb"]);
        assert_eq!(
            check_registration(&twice),
            Err("[1] is listed twice".into())
        );
        let one_bad = strings(&["https://a.example/cb", "http://a.example/cb"]);
        assert!(check_registration(&one_bad).unwrap_err().starts_with("[1]"));
    }

    #[test]
    fn matching_is_byte_for_byte() {
        let registered = strings(&["https://app.example/cb", "http://127.0.0.1:8765/cb"]);
        assert_eq!(
            resolve(Some("https://app.example/cb"), &registered),
            Some("https://app.example/cb")
        );
        for near in [
            "https://app.example/cb/",
            "https://APP.example/cb",
            "https://app.example/cb?x=1",
            "https://app.example:443/cb",
            "https://app.example/CB",
            "http://127.0.0.1:8766/cb",
            "http://localhost:8765/cb",
        ] {
            assert_eq!(resolve(Some(near), &registered), None, "{near}");
        }
    }

    #[test]
    fn an_omitted_uri_is_allowed_only_with_exactly_one_registered() {
        let one = strings(&["https://app.example/cb"]);
        assert_eq!(resolve(None, &one), Some("https://app.example/cb"));
        let two = strings(&["https://app.example/cb", "https://app.example/cb2"]);
        assert_eq!(resolve(None, &two), None);
    }

    #[test]
    fn the_code_redirect_carries_code_state_and_iss_encoded() {
        let url = build(
            "https://app.example/cb",
            &Outcome::Code("abc"),
            Some("s t&a=te"),
            "http://127.0.0.1:8080",
        )
        .unwrap();
        assert_eq!(
            url,
            "https://app.example/cb?code=abc&state=s+t%26a%3Dte&iss=http%3A%2F%2F127.0.0.1%3A8080"
        );
        let parsed = Url::parse(&url).unwrap();
        let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        assert_eq!(pairs[1], ("state".into(), "s t&a=te".into()));
        assert_eq!(pairs[2], ("iss".into(), "http://127.0.0.1:8080".into()));
    }

    #[test]
    fn an_existing_query_is_kept_and_state_is_optional() {
        let url = build(
            "https://app.example/cb?tenant=7",
            &Outcome::Code("c"),
            None,
            "https://q.example",
        )
        .unwrap();
        assert_eq!(
            url,
            "https://app.example/cb?tenant=7&code=c&iss=https%3A%2F%2Fq.example"
        );
    }

    #[test]
    fn error_redirects_carry_no_code() {
        let url = build(
            "https://app.example/cb",
            &Outcome::Error {
                error: "access_denied",
                description: None,
            },
            Some("xyz"),
            "https://q.example",
        )
        .unwrap();
        assert_eq!(
            url,
            "https://app.example/cb?error=access_denied&state=xyz&iss=https%3A%2F%2Fq.example"
        );
        let url = build(
            "https://app.example/cb",
            &Outcome::Error {
                error: "invalid_request",
                description: Some("code_challenge is required"),
            },
            None,
            "https://q.example",
        )
        .unwrap();
        assert!(
            url.contains("error=invalid_request&error_description=code_challenge+is+required&iss=")
        );
        assert!(!url.contains("code="));
    }
}
