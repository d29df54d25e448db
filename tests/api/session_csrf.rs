//! SPEC H8: unsafe `/api` requests authenticated by the session cookie need the session's
//! CSRF token in `X-CSRF-Token`; without it, 403 `csrf_failed` and nothing changes. Bearer
//! requests are unaffected.

use serde_json::json;

use crate::browser::Browser;
use crate::helpers::{password_of, spawn_app, Backend, TestApp};

/// A draft of `name`'s, made with a bearer token; returns its id.
async fn draft_of(app: &TestApp, name: &str) -> (i64, String) {
    let token = app.token(name, None).await.access_token;
    let post = app
        .create_post(&token, json!({"title": "Draft", "body": "text"}))
        .await;
    (post["id"].as_i64().unwrap(), token)
}

async fn status_of(app: &TestApp, token: &str, id: i64) -> String {
    let (code, post) = app
        .call("GET", &format!("/api/posts/{id}"), Some(token), None)
        .await;
    assert_eq!(code, 200, "{post}");
    post["status"].as_str().unwrap().to_owned()
}

async fn refused(resp: reqwest::Response, what: &str) {
    assert_eq!(resp.status(), 403, "{what}");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "csrf_failed", "{what}: {body}");
    assert!(body["message"].is_string(), "{what}: {body}");
}

async fn publishing_through_the_cookie_needs_the_csrf_header(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("alice", &["author"]).await;
    let (id, token) = draft_of(&app, "alice").await;
    let b = Browser::sign_in(&app, "alice", &password_of("alice")).await;
    let path = b.url(&format!("/api/posts/{id}/publish"));

    refused(b.client.post(&path).send().await.unwrap(), "no header").await;
    let wrong = "0".repeat(64);
    let resp = b.client.post(&path).header("X-CSRF-Token", wrong).send();
    refused(resp.await.unwrap(), "a wrong token").await;
    let resp = b.client.post(&path).header("X-CSRF-Token", "").send();
    refused(resp.await.unwrap(), "an empty token").await;
    assert_eq!(
        status_of(&app, &token, id).await,
        "draft",
        "nothing changed"
    );

    let csrf = b.csrf().await;
    assert_eq!(csrf.len(), 64);
    let resp = b.client.post(&path).header("X-CSRF-Token", &csrf).send();
    assert_eq!(resp.await.unwrap().status(), 200);
    assert_eq!(status_of(&app, &token, id).await, "published");
    // The token is the one the session's pages carry in their forms.
    let (_, html) = b.page("/admin").await;
    assert_eq!(crate::pages::csrf_of(&html), csrf);
}

async fn a_cross_site_form_with_the_cookie_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("alice", &["author"]).await;
    let (id, token) = draft_of(&app, "alice").await;
    let b = Browser::sign_in(&app, "alice", &password_of("alice")).await;
    let alice_id = {
        let resp = b.client.get(b.url("/api/me")).send().await.unwrap();
        let me: serde_json::Value = resp.json().await.unwrap();
        me["id"].as_i64().unwrap()
    };
    let form = "application/x-www-form-urlencoded";
    let evil = "https://evil.example";
    // What a page elsewhere can make the browser send: "simple" requests with the cookie.
    let attempts: Vec<(reqwest::Method, String, &str, &str)> = vec![
        (
            reqwest::Method::POST,
            format!("/api/posts/{id}/publish"),
            form,
            "x=1",
        ),
        (
            reqwest::Method::POST,
            "/api/posts".into(),
            "text/plain",
            r#"{"title":"t","body":"b"}"#,
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/posts/{id}"),
            "application/json",
            r#"{"title":"Owned"}"#,
        ),
        (
            reqwest::Method::DELETE,
            format!("/api/posts/{id}"),
            form,
            "",
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/users/{alice_id}"),
            "application/json",
            r#"{"display_name":"Owned"}"#,
        ),
        (
            reqwest::Method::PUT,
            format!("/api/users/{alice_id}/roles/editor"),
            "application/json",
            "{}",
        ),
    ];
    for (method, path, content_type, body) in attempts {
        let what = format!("{method} {path} ({content_type})");
        let resp = b
            .client
            .request(method, b.url(&path))
            .header("Origin", evil)
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        refused(resp, &what).await;
    }
    let (_, post) = app
        .call("GET", &format!("/api/posts/{id}"), Some(&token), None)
        .await;
    assert_eq!(
        (post["status"].as_str(), post["title"].as_str()),
        (Some("draft"), Some("Draft"))
    );
    let (_, posts) = app.call("GET", "/api/posts", Some(&token), None).await;
    assert_eq!(
        posts["items"].as_array().unwrap().len(),
        1,
        "no post created"
    );
    let me: serde_json::Value = b
        .client
        .get(b.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["display_name"], "alice");
    assert!(
        me["roles"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["name"] != "editor"),
        "{me}"
    );
    // Reading through the cookie needs no token.
    let resp = b
        .client
        .get(b.url(&format!("/api/posts/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

async fn bearer_requests_need_no_csrf_token(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("alice", &["author"]).await;
    let (id, token) = draft_of(&app, "alice").await;
    // Even from a browser that also holds a session cookie: the token decides.
    let b = Browser::sign_in(&app, "alice", &password_of("alice")).await;
    let resp = b
        .client
        .post(b.url(&format!("/api/posts/{id}/publish")))
        .bearer_auth(&token)
        .header("Origin", "https://elsewhere.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (code, body) = app
        .call(
            "POST",
            &format!("/api/posts/{id}/unpublish"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(code, 200, "{body}");
    let (code, me) = app.call("GET", "/api/me", Some(&token), None).await;
    assert_eq!(code, 200);
    assert_eq!(me["authenticated_by"], "bearer");
    assert!(
        me.get("csrf_token").is_none(),
        "only sessions get a token: {me}"
    );
}

async fn the_openapi_document_names_csrf_failed(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let forbidden = &doc["paths"]["/api/posts/{id}/publish"]["post"]["responses"]["403"];
    let text = forbidden["description"].as_str().unwrap_or_default();
    assert!(
        text.contains("csrf_failed") && text.contains("X-CSRF-Token"),
        "{forbidden}"
    );
    let read = &doc["paths"]["/api/posts/{id}"]["get"]["responses"]["403"];
    assert!(
        !read.to_string().contains("csrf_failed"),
        "safe methods need no token"
    );
}

both_backends!(
    publishing_through_the_cookie_needs_the_csrf_header,
    a_cross_site_form_with_the_cookie_changes_nothing,
    bearer_requests_need_no_csrf_token,
    the_openapi_document_names_csrf_failed,
);
