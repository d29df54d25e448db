//! The issuer settings of SPEC §11: `QUIRE_PUBLIC_URL` (the URL people and apps reach
//! Quire at, which is also the issuer identifier, so it is checked once and kept in one
//! canonical spelling) and `QUIRE_JWT_ALG`.

use url::Url;

/// How access tokens are signed (`QUIRE_JWT_ALG`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JwtAlg {
    /// The shared secret (`QUIRE_JWT_SECRET` or the generated one).
    Hs256,
    /// An Ed25519 key kept in `signing_keys`, published at `/.well-known/jwks.json`.
    EdDsa,
}

impl JwtAlg {
    /// `HS256` (the default when unset) or `EdDSA`, spelled as in JOSE.
    pub fn parse(raw: Option<&str>) -> Result<Self, String> {
        match raw {
            None | Some("HS256") => Ok(Self::Hs256),
            Some("EdDSA") => Ok(Self::EdDsa),
            Some(other) => Err(format!("must be `HS256` or `EdDSA` (got `{other}`)")),
        }
    }
}

/// Checks an operator-given public URL: absolute http(s), a host, no credentials, query or
/// fragment (RFC 8414 §2 forbids the last two in an issuer). Returned as given, less any
/// trailing slash, because the issuer is compared as a string.
pub fn parse_public_url(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let url = Url::parse(raw).map_err(|_| format!("`{raw}` is not an absolute URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!("`{raw}` must be an http(s) URL with a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials".into());
    }
    if url.query().is_some() || url.fragment().is_some() || raw.contains(['?', '#']) {
        return Err("must not have a query or fragment".into());
    }
    Ok(raw.trim_end_matches('/').to_owned())
}

/// The default: `http://` + the bind address (`http://127.0.0.1:8080`, `http://[::1]:8080`).
pub fn public_url_from_bind(bind: std::net::SocketAddr) -> String {
    format!("http://{bind}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn config(vars: &[(&str, &str)]) -> Config {
        let vars: std::collections::HashMap<&str, &str> = vars.iter().copied().collect();
        Config::from_lookup(|k| vars.get(k).map(|v| v.to_string())).unwrap()
    }

    #[test]
    fn the_issuer_is_the_public_url_unless_set() {
        let c = config(&[]);
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert_eq!(c.issuer, c.public_url);
        let c = config(&[("QUIRE_PUBLIC_URL", "https://blog.example/")]);
        assert_eq!(c.public_url, "https://blog.example");
        assert_eq!(c.issuer, "https://blog.example");
        let c = config(&[("QUIRE_BIND", "0.0.0.0:9000"), ("QUIRE_ISSUER", "quire")]);
        assert_eq!(c.public_url, "http://0.0.0.0:9000");
        assert_eq!(c.issuer, "quire");
        let c = config(&[("QUIRE_JWT_ALG", "EdDSA"), ("QUIRE_PASSWORD_GRANT", "off")]);
        assert_eq!(c.jwt_alg, JwtAlg::EdDsa);
        assert!(!c.password_grant);
    }

    #[test]
    fn good_urls_lose_only_the_trailing_slash() {
        for (raw, kept) in [
            ("https://blog.example/", "https://blog.example"),
            ("https://blog.example", "https://blog.example"),
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
            ("https://example.org/blog/", "https://example.org/blog"),
        ] {
            assert_eq!(parse_public_url(raw).as_deref(), Ok(kept), "{raw}");
        }
    }

    #[test]
    fn anything_but_an_absolute_http_url_is_refused() {
        for raw in [
            "blog.example",
            "/relative",
            "ftp://blog.example",
            "https://user:pw@blog.example",
            "https://blog.example/?x=1",
            "https://blog.example/#top",
            "mailto:a@b.example",
        ] {
            assert!(parse_public_url(raw).is_err(), "{raw}");
        }
        assert!(JwtAlg::parse(Some("none")).is_err());
        assert!(JwtAlg::parse(Some("eddsa")).is_err());
    }

    #[test]
    fn the_default_follows_the_bind_address() {
        assert_eq!(
            public_url_from_bind("127.0.0.1:8080".parse().unwrap()),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            public_url_from_bind("[::1]:80".parse().unwrap()),
            "http://[::1]:80"
        );
    }
}
