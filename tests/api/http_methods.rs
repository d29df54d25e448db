//! SPEC H13: an existing path asked with a method it does not support answers 405 with
//! `Allow` (OPTIONS: 204 with `Allow`); every GET route answers HEAD like GET without a
//! body; responses with personal data or tokens are `Cache-Control: no-store`.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Backend, TestApp, ADMIN_PASSWORD};
use crate::pages::sign_in;

/// (method, path, the `Allow` it must list).
const NOT_ALLOWED: &[(&str, &str, &str)] = &[
    ("PUT", "/api/posts", "GET, HEAD, POST, OPTIONS"),
    ("TRACE", "/api/posts", "GET, HEAD, POST, OPTIONS"),
    ("DELETE", "/api/posts", "GET, HEAD, POST, OPTIONS"),
    ("POST", "/api/posts/1", "GET, HEAD, PATCH, DELETE, OPTIONS"),
    ("PUT", "/api/posts/1/publish", "POST, OPTIONS"),
    (
        "DELETE",
        "/api/posts/1/comments",
        "GET, HEAD, POST, OPTIONS",
    ),
    ("PUT", "/api/comments/1", "PATCH, DELETE, OPTIONS"),
    ("GET", "/api/auth/token", "POST, OPTIONS"),
    ("DELETE", "/api/auth/revoke", "POST, OPTIONS"),
    ("PATCH", "/api/me", "GET, HEAD, OPTIONS"),
    ("PUT", "/api/tokens", "GET, HEAD, POST, OPTIONS"),
    ("GET", "/api/tokens/1", "DELETE, OPTIONS"),
    ("GET", "/api/auth/introspect", "POST, OPTIONS"),
    ("GET", "/admin/account/tokens", "POST, OPTIONS"),
    ("GET", "/admin/account/tokens/1/revoke", "POST, OPTIONS"),
    ("DELETE", "/api/users", "GET, HEAD, POST, OPTIONS"),
    ("DELETE", "/api/users/1", "GET, HEAD, PATCH, OPTIONS"),
    ("POST", "/api/users/1/roles/editor", "PUT, DELETE, OPTIONS"),
    ("POST", "/api/permissions", "GET, HEAD, OPTIONS"),
    (
        "PUT",
        "/api/roles/editor",
        "GET, HEAD, PATCH, DELETE, OPTIONS",
    ),
    ("POST", "/api/audit", "GET, HEAD, OPTIONS"),
    ("POST", "/api/authz/explain", "GET, HEAD, OPTIONS"),
    ("POST", "/api/openapi.json", "GET, HEAD, OPTIONS"),
    ("POST", "/healthz", "GET, HEAD, OPTIONS"),
    ("DELETE", "/", "GET, HEAD, OPTIONS"),
    ("POST", "/p/some-post", "GET, HEAD, OPTIONS"),
    ("PUT", "/admin", "GET, HEAD, OPTIONS"),
    ("DELETE", "/admin/login", "GET, HEAD, POST, OPTIONS"),
    ("GET", "/admin/logout", "POST, OPTIONS"),
    ("PUT", "/admin/roles", "GET, HEAD, POST, OPTIONS"),
    ("DELETE", "/admin/roles/editor", "GET, HEAD, POST, OPTIONS"),
    ("GET", "/admin/roles/editor/delete", "POST, OPTIONS"),
    ("GET", "/admin/users/1/grant", "POST, OPTIONS"),
    ("GET", "/admin/posts/1/publish", "POST, OPTIONS"),
];

async fn request(app: &TestApp, method: &str, path: &str) -> reqwest::Response {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    app.client
        .request(method, app.url(path))
        .send()
        .await
        .unwrap()
}

async fn unsupported_methods_answer_405_with_allow(backend: Backend) {
    let app = spawn_app(backend).await;
    for (method, path, allow) in NOT_ALLOWED {
        let resp = request(&app, method, path).await;
        assert_eq!(resp.status(), 405, "{method} {path}");
        assert_eq!(resp.headers()["allow"], allow, "{method} {path}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "method_not_allowed", "{method} {path}");
        assert!(body["message"].as_str().unwrap().contains(allow));
        let resp = request(&app, "OPTIONS", path).await;
        assert_eq!(resp.status(), 204, "OPTIONS {path}");
        assert_eq!(resp.headers()["allow"], allow, "OPTIONS {path}");
    }
    // A path nothing serves is still 404, whatever the method.
    for (method, path) in [
        ("PUT", "/api/nothing"),
        ("GET", "/nothing"),
        ("OPTIONS", "/nothing"),
        ("HEAD", "/api/posts/1/nothing"),
        ("DELETE", "/admin/nothing"),
    ] {
        let resp = request(&app, method, path).await;
        assert_eq!(resp.status(), 404, "{method} {path}");
        assert!(resp.headers().get("allow").is_none(), "{method} {path}");
    }
}

/// Every GET route of the router with its placeholders filled in.
fn get_paths(post: i64, slug: &str, user: i64, client: &str) -> Vec<String> {
    let doc = quire::routes::openapi::document();
    let api = doc
        .paths
        .paths
        .iter()
        .filter(|(_, item)| item.get.is_some())
        .map(|(path, _)| path.clone());
    let pages = quire::routes::methods::PAGE_ROUTES
        .iter()
        .filter(|(_, methods)| methods.contains(&actix_web::http::Method::GET))
        .map(|(path, _)| (*path).to_owned());
    api.chain(pages)
        .map(|p| {
            p.replace("/users/{id}", &format!("/users/{user}"))
                .replace("{client_id}", client)
                .replace("{id}", &post.to_string())
                .replace("{slug}", slug)
                .replace("{name}", "editor")
                .replace("{tag}", slug)
                .replace("{_:.*}", "")
        })
        .collect()
}

async fn every_get_route_answers_head_like_get(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.create_user("wri", &["author"]).await;
    let admin = app.admin_token().await.access_token;
    let post = app
        .create_post(
            &admin,
            json!({"title": "Head", "body": "b", "status": "published", "tags": ["head"]}),
        )
        .await;
    let browser = sign_in(&app, "admin", ADMIN_PASSWORD).await;
    // The sign-in's flash message is shown (and used up) by the first page.
    browser.get(app.url("/admin")).send().await.unwrap();
    let (_, client) = app
        .call(
            "POST",
            "/api/clients",
            Some(&admin),
            Some(json!({"name": "Head", "redirect_uris": ["https://app.example/cb"], "scopes": ["posts:read"]})),
        )
        .await;
    let client = client["client_id"].as_str().unwrap().to_owned();
    let paths = get_paths(post["id"].as_i64().unwrap(), "head", user, &client);
    assert!(paths.len() >= 25, "{paths:?}");
    for path in paths {
        let api = path.starts_with("/api") && !path.starts_with("/api/docs");
        let send = |method: Method| {
            let req = browser.request(method, app.url(&path));
            if api { req.bearer_auth(&admin) } else { req }.send()
        };
        let head = send(Method::HEAD).await.unwrap();
        let get = send(Method::GET).await.unwrap();
        assert_eq!(head.status(), get.status(), "{path}");
        assert_ne!(head.status(), 404, "{path}");
        for name in [
            "content-type",
            "content-length",
            "cache-control",
            "location",
        ] {
            assert_eq!(
                head.headers().get(name),
                get.headers().get(name),
                "{path}: {name}"
            );
        }
        assert!(head.bytes().await.unwrap().is_empty(), "{path}");
    }
}

async fn personal_api_responses_are_not_stored(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.create_user("ada", &["user"]).await;
    let admin = app.admin_token().await;
    let ada = app.token("ada", None).await;
    let bearer = |method: Method, path: String, token: &str| {
        app.client
            .request(method, app.url(&path))
            .bearer_auth(token)
    };
    let requests = vec![
        bearer(Method::GET, "/api/me".into(), &ada.access_token),
        bearer(Method::GET, "/api/users".into(), &admin.access_token),
        bearer(
            Method::GET,
            format!("/api/users/{user}"),
            &admin.access_token,
        ),
        bearer(
            Method::PATCH,
            format!("/api/users/{user}"),
            &admin.access_token,
        )
        .json(&json!({"display_name": "Ada"})),
        bearer(Method::GET, "/api/audit".into(), &admin.access_token),
        bearer(
            Method::GET,
            "/api/authz/explain?user=ada&action=posts:read".into(),
            &admin.access_token,
        ),
        bearer(Method::POST, "/api/auth/revoke".into(), &ada.access_token)
            .form(&[("token", ada.refresh_token.as_str())]),
        bearer(Method::GET, "/api/tokens".into(), &ada.access_token),
        bearer(Method::POST, "/api/tokens".into(), &ada.access_token)
            .json(&json!({"name": "n", "scopes": ["posts:read"], "expires_in_days": 1})),
        bearer(Method::DELETE, "/api/tokens/999".into(), &ada.access_token),
        bearer(
            Method::POST,
            "/api/auth/introspect".into(),
            &admin.access_token,
        )
        .form(&[("token", ada.access_token.as_str())]),
        // Refusals too: they may name the account.
        app.client.get(app.url("/api/me")),
        bearer(Method::GET, "/api/audit".into(), &ada.access_token),
        app.client
            .post(app.url("/api/auth/token"))
            .form(&[("username", "ada"), ("password", "wrong-password")]),
    ];
    for req in requests {
        let req = req.build().unwrap();
        let shown = format!("{} {}", req.method(), req.url().path());
        let resp = app.client.execute(req).await.unwrap();
        assert!(resp.status().as_u16() < 500, "{shown}");
        assert_eq!(
            resp.headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{shown}: {}",
            resp.status()
        );
    }
}

both_backends!(
    unsupported_methods_answer_405_with_allow,
    every_get_route_answers_head_like_get,
    personal_api_responses_are_not_stored,
);
