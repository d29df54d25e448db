//! SPEC §11, the authorization code flow with PKCE over HTTP: a registered public client,
//! a signed-in browser on the consent page, the code exchanged at the token endpoint, and
//! each rule the flow must keep (refusals in `code_flow::refusals`, Authlib driving the
//! whole flow in `code_flow::authlib`).

use serde_json::{json, Value};

use crate::helpers::{password_of, spawn_app, Backend, TestApp, Tokens, PUBLIC_URL};
use crate::jwks::claims_of;
use crate::pages::{csrf_of, sign_in};

mod authlib;
mod refusals;

pub const CALLBACK: &str = "http://127.0.0.1:8765/callback";
pub const VERIFIER: &str = "a-verifier-of-at-least-forty-three-characters-0123456789";

pub fn challenge() -> String {
    quire::oauth::pkce::s256_challenge(VERIFIER)
}

/// Registers a client as admin; returns its `client_id`.
pub async fn register(app: &TestApp, uris: &[&str], scopes: &[&str]) -> String {
    let admin = app.admin_token().await.access_token;
    let (status, body) = app
        .call(
            "POST",
            "/api/clients",
            Some(&admin),
            Some(json!({"name": "Test <App>", "redirect_uris": uris, "scopes": scopes})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["client_id"].as_str().unwrap().to_owned()
}

/// The query of an authorization request from `client_id` with the test challenge.
pub fn authorize_path(client_id: &str, extra: &[(&str, &str)]) -> String {
    let challenge = challenge();
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", CALLBACK),
        ("state", "st-123"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    for (k, v) in extra {
        pairs.retain(|(key, _)| key != k);
        if !v.is_empty() {
            pairs.push((k, v));
        }
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("/oauth/authorize?{query}")
}

/// The value of the hidden input `name` of a page.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name}")) + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end]
        .replace("&#x2f;", "/")
        .replace("&#x3a;", ":")
        .replace("&amp;", "&")
}

/// GETs `path` in `browser`; returns status, `Location` and body.
pub async fn fetch(
    app: &TestApp,
    browser: &reqwest::Client,
    path: &str,
) -> (u16, Option<String>, String) {
    let resp = browser.get(app.url(path)).send().await.unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, location, resp.text().await.unwrap())
}

/// Posts the consent page's form with `decision`; returns status and `Location`.
pub async fn decide(
    app: &TestApp,
    browser: &reqwest::Client,
    page: &str,
    decision: &str,
) -> (u16, Option<String>) {
    let mut form: Vec<(String, String)> = [
        "csrf",
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
    ]
    .iter()
    .map(|n| {
        (
            n.to_string(),
            if *n == "csrf" {
                csrf_of(page)
            } else {
                hidden(page, n)
            },
        )
    })
    .collect();
    form.push(("decision".into(), decision.into()));
    let resp = browser
        .post(app.url("/oauth/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let location = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    (resp.status().as_u16(), location)
}

/// The query parameters of a redirect.
pub fn params(location: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// `name` approves `client_id` (with `extra` request parameters); returns the code.
pub async fn approved_code(
    app: &TestApp,
    name: &str,
    client_id: &str,
    extra: &[(&str, &str)],
) -> String {
    let browser = sign_in(app, name, &password_of(name)).await;
    let (status, _, page) = fetch(app, &browser, &authorize_path(client_id, extra)).await;
    assert_eq!(status, 200, "{page}");
    let (status, location) = decide(app, &browser, &page, "approve").await;
    assert_eq!(status, 303);
    let p = params(&location.unwrap());
    assert_eq!(
        (p["state"].as_str(), p["iss"].as_str()),
        ("st-123", PUBLIC_URL)
    );
    p["code"].clone()
}

/// Exchanges a code; returns status and body.
pub async fn exchange(app: &TestApp, code: &str, verifier: &str, client_id: &str) -> (u16, Value) {
    let resp = app
        .token_request(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("code_verifier", verifier),
            ("client_id", client_id),
            ("redirect_uri", CALLBACK),
        ])
        .await;
    (resp.status().as_u16(), resp.json().await.unwrap())
}

/// A whole approval and exchange; returns the tokens.
pub async fn tokens_for(app: &TestApp, name: &str, client_id: &str) -> Tokens {
    let code = approved_code(app, name, client_id, &[]).await;
    let (status, body) = exchange(app, &code, VERIFIER, client_id).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

async fn the_code_flow_issues_tokens_that_name_the_client(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    let client = register(
        &app,
        &[CALLBACK],
        &["posts:read", "posts:create", "users:read"],
    )
    .await;
    let browser = sign_in(&app, "ada", &password_of("ada")).await;
    let (status, _, page) = fetch(&app, &browser, &authorize_path(&client, &[])).await;
    assert_eq!(status, 200);
    // The page names the client (escaped) and each scope with its catalog description;
    // `users:read` is registered but not ada's, so it is unavailable.
    assert!(
        page.contains("Test &lt;App&gt;") || page.contains("Test &#60;App&#62;"),
        "{page}"
    );
    assert!(
        page.contains("<code>posts:read</code> — read published posts; read own drafts"),
        "{page}"
    );
    let unavailable = &page[page.find("class=\"scopes unavailable\"").unwrap()..];
    assert!(unavailable.contains("users:read"));
    assert_eq!(hidden(&page, "scope"), "posts:create posts:read");
    let (_, location) = decide(&app, &browser, &page, "approve").await;
    let location = location.unwrap();
    assert!(
        location.starts_with(&format!("{CALLBACK}?code=")),
        "{location}"
    );
    let code = params(&location)["code"].clone();
    let (status, body) = exchange(&app, &code, VERIFIER, &client).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "posts:create posts:read");
    let access = body["access_token"].as_str().unwrap();
    assert_eq!(claims_of(access)["client_id"], client);
    let me = app.get_with("/api/me", access).await;
    assert_eq!(me.status(), 200);
    // Refresh rotates as in §5 and keeps naming the client.
    let refresh = body["refresh_token"].as_str().unwrap();
    let resp = app
        .token_request(&[("grant_type", "refresh_token"), ("refresh_token", refresh)])
        .await;
    assert_eq!(resp.status(), 200);
    let renewed: Tokens = resp.json().await.unwrap();
    assert_eq!(claims_of(&renewed.access_token)["client_id"], client);
    assert_eq!(renewed.scope, "posts:create posts:read");
    // Introspection names the client for code-flow tokens.
    let admin = app.admin_token().await.access_token;
    let resp = app
        .client
        .post(app.url("/api/auth/introspect"))
        .bearer_auth(&admin)
        .form(&[("token", renewed.access_token.as_str())])
        .send()
        .await
        .unwrap();
    let info: Value = resp.json().await.unwrap();
    assert_eq!(
        (info["active"].as_bool(), info["client_id"].as_str()),
        (Some(true), Some(client.as_str())),
        "{info}"
    );
}

async fn signing_in_comes_back_to_the_request(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    let client = register(&app, &[CALLBACK], &["posts:read"]).await;
    let browser = crate::pages::browser();
    let path = authorize_path(&client, &[]);
    let (status, location, _) = fetch(&app, &browser, &path).await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert!(location.starts_with("/admin/login?next="), "{location}");
    let next: String = url::form_urlencoded::parse(location.split_once('?').unwrap().1.as_bytes())
        .find(|(k, _)| k == "next")
        .unwrap()
        .1
        .into_owned();
    assert_eq!(next, path);
    let login = browser
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let resp = browser
        .post(app.url("/admin/login"))
        .form(&[
            ("username", "ada"),
            ("password", &password_of("ada")),
            ("csrf", &csrf_of(&login)),
            ("next", &next),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["location"].to_str().unwrap(), path);
}

async fn denying_sends_access_denied_with_state_and_iss(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    let client = register(&app, &[CALLBACK], &["posts:read"]).await;
    let browser = sign_in(&app, "ada", &password_of("ada")).await;
    let (_, _, page) = fetch(&app, &browser, &authorize_path(&client, &[])).await;
    let (status, location) = decide(&app, &browser, &page, "deny").await;
    assert_eq!(status, 303);
    let p = params(&location.unwrap());
    assert_eq!(p.get("error").map(String::as_str), Some("access_denied"));
    assert_eq!(
        (p["state"].as_str(), p["iss"].as_str()),
        ("st-123", PUBLIC_URL)
    );
    assert!(!p.contains_key("code"));
}

async fn the_consent_page_lets_its_form_reach_the_app(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    let client = register(&app, &[CALLBACK], &["posts:read"]).await;
    let browser = sign_in(&app, "ada", &password_of("ada")).await;
    let resp = browser
        .get(app.url(&authorize_path(&client, &[])))
        .send()
        .await
        .unwrap();
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("form-action 'self' http://127.0.0.1:8765;"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(resp.headers()["cache-control"], "no-store");
}

async fn revoking_the_app_on_the_account_page_ends_its_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    let client = register(&app, &[CALLBACK], &["posts:read"]).await;
    let tokens = tokens_for(&app, "ada", &client).await;
    let browser = sign_in(&app, "ada", &password_of("ada")).await;
    let (_, _, page) = fetch(&app, &browser, "/admin/account").await;
    assert!(
        page.contains("class=\"app-name\">Test &lt;App&gt;")
            || page.contains("class=\"app-name\">Test &#60;App&#62;"),
        "{page}"
    );
    let resp = browser
        .post(app.url(&format!("/admin/account/apps/{client}/revoke")))
        .form(&[("csrf", csrf_of(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    crate::pats::assert_invalid_token(&app, &tokens.access_token, "revoked app").await;
    let resp = app
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &tokens.refresh_token),
        ])
        .await;
    assert_eq!(resp.status(), 400);
    let (_, _, page) = fetch(&app, &browser, "/admin/account").await;
    assert!(
        !page.contains("class=\"app-name\""),
        "the app left the list"
    );
}

both_backends!(
    the_code_flow_issues_tokens_that_name_the_client,
    signing_in_comes_back_to_the_request,
    denying_sends_access_denied_with_state_and_iss,
    the_consent_page_lets_its_form_reach_the_app,
    revoking_the_app_on_the_account_page_ends_its_tokens,
);
