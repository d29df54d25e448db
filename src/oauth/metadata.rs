//! Discovery (RFC 8414), as plain data.

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
#[derive(Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ServerMetadata {
    /// `QUIRE_PUBLIC_URL`, without a trailing slash.
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub revocation_endpoint: String,
    pub introspection_endpoint: String,
    pub jwks_uri: String,
    /// The permission catalog.
    pub scopes_supported: Vec<String>,
    #[schema(value_type = Vec<String>)]
    pub response_types_supported: [&'static str; 1],
    /// `authorization_code`, `refresh_token`, and `password` unless `QUIRE_PASSWORD_GRANT=off`.
    #[schema(value_type = Vec<String>)]
    pub grant_types_supported: Vec<&'static str>,
    #[schema(value_type = Vec<String>)]
    pub code_challenge_methods_supported: [&'static str; 1],
    #[schema(value_type = Vec<String>)]
    pub token_endpoint_auth_methods_supported: [&'static str; 1],
    #[schema(value_type = Vec<String>)]
    pub revocation_endpoint_auth_methods_supported: [&'static str; 1],
    #[schema(value_type = Vec<String>)]
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
}
