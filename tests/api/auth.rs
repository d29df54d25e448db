//! SPEC §5: the token endpoint, token verification, effective permissions, revocation.

use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{json, Value};

use crate::helpers::{
    create_role, password_of, spawn_app, spawn_app_with, spawn_on, Backend, TestApp,
};

mod effective;
mod logins;
mod tokens;

fn b64(s: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

async fn json_of(resp: reqwest::Response) -> Value {
    resp.json().await.unwrap()
}

fn www(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// Signs arbitrary claims with the app's own secret (to forge "valid-looking" tokens).
fn sign(app: &TestApp, header: Header, claims: &Value) -> String {
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_secret(app.jwt_secret.as_bytes()),
    )
    .unwrap()
}

fn claims(sub: i64, exp_in: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"iss": crate::helpers::PUBLIC_URL, "aud": "quire-api", "sub": sub.to_string(), "username": "x",
           "iat": now, "exp": now + exp_in, "jti": uuid::Uuid::new_v4().to_string(),
           "scope": "roles:read", "client_id": "quire"})
}
