//! SPEC §11 discovery and keys: the RFC 8414 metadata, the JWKS (empty under HS256), EdDSA
//! tokens that a standard library verifies against the published key alone, and the
//! refusal of anything else under EdDSA. Rotation is in `jwks::rotation`.

use std::process::Command;

use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, Backend, TestApp, PUBLIC_URL};

mod rotation;

pub const EDDSA: &[(&str, &str)] = &[("QUIRE_JWT_ALG", "EdDSA")];

async fn get_json(app: &TestApp, path: &str) -> Value {
    let resp = app.get(path).await;
    assert_eq!(resp.status(), 200, "{path}");
    let cache = resp.headers()["cache-control"].to_str().unwrap().to_owned();
    assert_eq!(cache, "public, max-age=300", "{path}");
    resp.json().await.unwrap()
}

async fn the_metadata_lists_the_spec_fields_under_the_issuer(backend: Backend) {
    let app = spawn_app(backend).await;
    let m = get_json(&app, "/.well-known/oauth-authorization-server").await;
    assert_eq!(m["issuer"], PUBLIC_URL);
    assert_eq!(m["issuer"], app.config.public_url.as_str());
    let at = |path: &str| json!(format!("{PUBLIC_URL}{path}"));
    assert_eq!(m["authorization_endpoint"], at("/oauth/authorize"));
    assert_eq!(m["token_endpoint"], at("/api/auth/token"));
    assert_eq!(m["revocation_endpoint"], at("/api/auth/revoke"));
    assert_eq!(m["introspection_endpoint"], at("/api/auth/introspect"));
    assert_eq!(m["jwks_uri"], at("/.well-known/jwks.json"));
    let catalog: Vec<&str> = quire::authz::CATALOG.iter().map(|(n, _)| *n).collect();
    let mut scopes: Vec<&str> = m["scopes_supported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    scopes.sort_unstable();
    let mut expected = catalog.clone();
    expected.sort_unstable();
    assert_eq!(scopes, expected);
    assert_eq!(m["response_types_supported"], json!(["code"]));
    assert_eq!(
        m["grant_types_supported"],
        json!(["authorization_code", "refresh_token", "password"])
    );
    assert_eq!(m["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(m["token_endpoint_auth_methods_supported"], json!(["none"]));

    // The issuer is also the `iss` of tokens.
    app.create_user("ada", &["user"]).await;
    let token = app.token("ada", None).await.access_token;
    assert_eq!(claims_of(&token)["iss"], PUBLIC_URL);
}

async fn the_password_grant_is_not_offered_while_it_is_off(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[
            ("QUIRE_PASSWORD_GRANT", "off"),
            ("QUIRE_PUBLIC_URL", "https://blog.example/"),
        ],
    )
    .await;
    let m = get_json(&app, "/.well-known/oauth-authorization-server").await;
    assert_eq!(
        m["grant_types_supported"],
        json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(m["issuer"], "https://blog.example");
    assert_eq!(m["jwks_uri"], "https://blog.example/.well-known/jwks.json");
}

async fn the_jwks_is_empty_under_hs256(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(
        get_json(&app, "/.well-known/jwks.json").await,
        json!({"keys": []})
    );
    let resp = app
        .client
        .post(app.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
}

/// The claims of a token, read without verifying (the verifying is done elsewhere).
pub fn claims_of(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&raw).unwrap()
}

/// The `kid` a token's header names.
pub fn kid_of(token: &str) -> String {
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
}

/// A venv under target/ with PyJWT and cryptography from PyPI, made once per run.
fn pyjwt_python() -> &'static str {
    static PYTHON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PYTHON.get_or_init(|| {
        crate::helpers::venv::python_with(
            "pyjwt-venv",
            "jwt, cryptography",
            &["PyJWT==2.10.1", "cryptography==44.0.0"],
        )
    })
}

/// Verifies `token` with PyJWT against `jwks` alone, pinning EdDSA, the issuer and the
/// audience; returns the header and the claims PyJWT saw.
const VERIFY: &str = r#"
import json, sys, jwt
jwks, token, issuer, audience = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
header = jwt.get_unverified_header(token)
key = jwt.PyJWKSet.from_dict(jwks)[header["kid"]]
claims = jwt.decode(token, key.key, algorithms=["EdDSA"], issuer=issuer, audience=audience,
                    options={"require": ["exp", "iat", "iss", "aud", "sub"]})
print(json.dumps({"header": header, "claims": claims}))
"#;

pub fn pyjwt_verify(jwks: &Value, token: &str, audience: &str) -> Result<Value, String> {
    let out = Command::new(pyjwt_python())
        .args(["-c", VERIFY, &jwks.to_string(), token, PUBLIC_URL, audience])
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(serde_json::from_slice(&out.stdout).unwrap())
}

async fn an_eddsa_token_verifies_against_the_published_key(backend: Backend) {
    let app = spawn_app_with(backend, EDDSA).await;
    let id = app.create_user("ada", &["user"]).await;
    let token = app.token("ada", Some("posts:read")).await.access_token;
    let jwks = get_json(&app, "/.well-known/jwks.json").await;
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{jwks}");
    let k = &keys[0];
    assert_eq!(
        (&k["kty"], &k["crv"], &k["alg"], &k["use"]),
        (
            &json!("OKP"),
            &json!("Ed25519"),
            &json!("EdDSA"),
            &json!("sig")
        )
    );
    assert!(k.get("d").is_none(), "no private part is published: {k}");

    let seen = pyjwt_verify(&jwks, &token, &app.config.audience).expect("PyJWT verifies");
    assert_eq!(seen["header"]["alg"], "EdDSA");
    assert_eq!(seen["header"]["typ"], "at+jwt");
    assert_eq!(seen["header"]["kid"], k["kid"]);
    assert_eq!(seen["claims"]["iss"], PUBLIC_URL);
    assert_eq!(seen["claims"]["aud"], "quire-api");
    assert_eq!(seen["claims"]["sub"], id.to_string());
    assert_eq!(seen["claims"]["scope"], "posts:read");
    // The same check fails for another audience, so the script does check.
    assert!(pyjwt_verify(&jwks, &token, "someone-else").is_err());

    // Quire accepts it, twice (the second time from the verified tokens).
    for _ in 0..2 {
        assert_eq!(app.get_with("/api/me", &token).await.status(), 200);
    }
}

async fn hs256_and_unsigned_tokens_are_refused_under_eddsa(backend: Backend) {
    let app = spawn_app_with(backend, EDDSA).await;
    let id = app.create_user("ada", &["user"]).await;
    let good = app.token("ada", None).await.access_token;
    let claims = claims_of(&good);
    assert_eq!(claims["sub"], id.to_string());
    // The same claims under HS256 with the instance's own secret, and unsigned.
    let hs = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(app.jwt_secret.as_bytes()),
    )
    .unwrap();
    let payload = good.split('.').nth(1).unwrap();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let none = format!(
        "{}.{payload}.",
        b64.encode(format!(
            r#"{{"alg":"none","typ":"at+jwt","kid":"{}"}}"#,
            kid_of(&good)
        ))
    );
    for (name, token) in [("HS256", &hs), ("none", &none)] {
        let resp = app.get_with("/api/me", token).await;
        assert_eq!(resp.status(), 401, "{name}");
        let www = resp.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(www.contains("invalid_token"), "{name}: {www}");
    }
    assert_eq!(app.get_with("/api/me", &good).await.status(), 200);
}

both_backends!(
    the_metadata_lists_the_spec_fields_under_the_issuer,
    the_password_grant_is_not_offered_while_it_is_off,
    the_jwks_is_empty_under_hs256,
    an_eddsa_token_verifies_against_the_published_key,
    hs256_and_unsigned_tokens_are_refused_under_eddsa,
);
