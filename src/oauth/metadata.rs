//! Discovery (RFC 8414) and the introspection answer (RFC 7662), as plain data.

use serde::Serialize;

/// What the metadata document depends on; filled from the configuration.
pub struct Settings<'a> {
    /// `QUIRE_PUBLIC_URL` without a trailing slash: the issuer identifier.
    pub issuer: &'a str,
    /// `QUIRE_PASSWORD_GRANT` is not `off`.
    pub password_grant: bool,
    pub scopes: &'a [&'a str],
}

/// `GET /.well-known/oauth-authorization-server`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ServerMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub revocation_endpoint: String,
    pub introspection_endpoint: String,
    pub jwks_uri: String,
    pub scopes_supported: Vec<String>,
    pub response_types_supported: [&'static str; 1],
    pub grant_types_supported: Vec<&'static str>,
    pub code_challenge_methods_supported: [&'static str; 1],
    pub token_endpoint_auth_methods_supported: [&'static str; 1],
    pub revocation_endpoint_auth_methods_supported: [&'static str; 1],
    pub introspection_endpoint_auth_methods_supported: [&'static str; 1],
    /// RFC 9207: clients may expect `iss` on authorization responses.
    pub authorization_response_iss_parameter_supported: bool,
}

pub fn server_metadata(s: &Settings<'_>) -> ServerMetadata {
    let issuer = s.issuer.trim_end_matches('/');
    let at = |path: &str| format!("{issuer}{path}");
    let mut grants = vec!["authorization_code", "refresh_token"];
    if s.password_grant {
        grants.push("password");
    }
    ServerMetadata {
        issuer: issuer.to_owned(),
        authorization_endpoint: at("/oauth/authorize"),
        token_endpoint: at("/api/auth/token"),
        revocation_endpoint: at("/api/auth/revoke"),
        introspection_endpoint: at("/api/auth/introspect"),
        jwks_uri: at("/.well-known/jwks.json"),
        scopes_supported: s.scopes.iter().map(|n| n.to_string()).collect(),
        response_types_supported: ["code"],
        grant_types_supported: grants,
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["none"],
        // Revocation and introspection take the caller's own bearer token (SPEC §5, §11).
        revocation_endpoint_auth_methods_supported: ["none"],
        introspection_endpoint_auth_methods_supported: ["none"],
        authorization_response_iss_parameter_supported: true,
    }
}

/// RFC 7662 §2.2. Inactive answers carry `active: false` and nothing else, so they tell
/// nothing about why (revoked, expired, forged, disabled owner, refresh token).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Introspection {
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<&'static str>,
}

/// The kind of live credential being described.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    AccessToken,
    PersonalAccessToken,
}

/// A live token, already checked by the caller.
pub struct Active<'a> {
    pub kind: TokenKind,
    /// Its scopes ∩ the owner's current permissions.
    pub effective_scopes: &'a [String],
    pub user_id: i64,
    pub username: &'a str,
    pub exp: i64,
    /// Code-flow tokens only.
    pub client_id: Option<&'a str>,
}

impl Introspection {
    pub fn inactive() -> Self {
        Self {
            active: false,
            scope: None,
            sub: None,
            username: None,
            exp: None,
            client_id: None,
            token_type: None,
        }
    }

    pub fn active(a: &Active<'_>) -> Self {
        Self {
            active: true,
            scope: Some(a.effective_scopes.join(" ")),
            sub: Some(a.user_id.to_string()),
            username: Some(a.username.to_owned()),
            exp: Some(a.exp),
            client_id: a.client_id.map(str::to_owned),
            token_type: Some(match a.kind {
                TokenKind::AccessToken => "Bearer",
                TokenKind::PersonalAccessToken => "personal_access_token",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::permission::CATALOG_NAMES;
    use serde_json::json;

    fn settings(password_grant: bool) -> Settings<'static> {
        Settings {
            issuer: "http://127.0.0.1:8080",
            password_grant,
            scopes: &CATALOG_NAMES,
        }
    }

    #[test]
    fn the_metadata_names_every_endpoint_under_the_issuer() {
        let m = serde_json::to_value(server_metadata(&settings(true))).unwrap();
        assert_eq!(m["issuer"], "http://127.0.0.1:8080");
        assert_eq!(
            m["authorization_endpoint"],
            "http://127.0.0.1:8080/oauth/authorize"
        );
        assert_eq!(m["token_endpoint"], "http://127.0.0.1:8080/api/auth/token");
        assert_eq!(
            m["revocation_endpoint"],
            "http://127.0.0.1:8080/api/auth/revoke"
        );
        assert_eq!(
            m["introspection_endpoint"],
            "http://127.0.0.1:8080/api/auth/introspect"
        );
        assert_eq!(m["jwks_uri"], "http://127.0.0.1:8080/.well-known/jwks.json");
        assert_eq!(m["response_types_supported"], json!(["code"]));
        assert_eq!(m["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(m["token_endpoint_auth_methods_supported"], json!(["none"]));
        assert_eq!(
            m["scopes_supported"].as_array().unwrap().len(),
            CATALOG_NAMES.len()
        );
        assert_eq!(m["authorization_response_iss_parameter_supported"], true);
    }

    #[test]
    fn the_password_grant_is_offered_only_while_it_is_on() {
        let on = server_metadata(&settings(true));
        assert_eq!(
            on.grant_types_supported,
            ["authorization_code", "refresh_token", "password"]
        );
        let off = server_metadata(&settings(false));
        assert_eq!(
            off.grant_types_supported,
            ["authorization_code", "refresh_token"]
        );
    }

    #[test]
    fn a_trailing_slash_never_reaches_the_issuer() {
        let s = Settings {
            issuer: "https://blog.example/",
            ..settings(true)
        };
        let m = server_metadata(&s);
        assert_eq!(m.issuer, "https://blog.example");
        assert_eq!(m.jwks_uri, "https://blog.example/.well-known/jwks.json");
    }

    #[test]
    fn inactive_says_nothing_else() {
        assert_eq!(
            serde_json::to_value(Introspection::inactive()).unwrap(),
            json!({"active": false})
        );
    }

    #[test]
    fn active_answers_carry_the_rfc_7662_fields() {
        let scopes = vec!["posts:read".to_string(), "comments:read".to_string()];
        let pat = Introspection::active(&Active {
            kind: TokenKind::PersonalAccessToken,
            effective_scopes: &scopes,
            user_id: 7,
            username: "ada",
            exp: 1_900_000_000,
            client_id: None,
        });
        assert_eq!(
            serde_json::to_value(pat).unwrap(),
            json!({"active": true, "scope": "posts:read comments:read", "sub": "7",
                   "username": "ada", "exp": 1_900_000_000i64,
                   "token_type": "personal_access_token"})
        );
        let at = Introspection::active(&Active {
            kind: TokenKind::AccessToken,
            effective_scopes: &scopes,
            user_id: 7,
            username: "ada",
            exp: 1,
            client_id: Some("c1"),
        });
        let v = serde_json::to_value(at).unwrap();
        assert_eq!(v["client_id"], "c1");
        assert_eq!(v["token_type"], "Bearer");
    }
}
