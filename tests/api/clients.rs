//! SPEC §11 clients over HTTP: registered, listed, read and deleted only by a request that
//! holds `*`; bad registrations are 422 naming the field.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, Backend, TestApp};

fn good() -> Value {
    json!({"name": "Reader", "redirect_uris": ["https://app.example/cb", "http://127.0.0.1:9000/cb"], "scopes": ["posts:*"]})
}

async fn post(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    app.call("POST", "/api/clients", Some(token), Some(body))
        .await
}

async fn holders_of_star_register_list_read_and_delete_clients(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let (status, made) = post(&app, &admin, good()).await;
    assert_eq!(status, 201, "{made}");
    let id = made["client_id"].as_str().unwrap().to_owned();
    assert_eq!(made["name"], "Reader");
    assert_eq!(made["redirect_uris"], good()["redirect_uris"]);
    assert!(
        made["scopes"]
            .as_array()
            .unwrap()
            .contains(&json!("posts:read")),
        "wildcards are expanded: {made}"
    );
    assert!(
        made.get("client_secret").is_none(),
        "a public client: {made}"
    );
    assert!(made["created_at"].as_str().unwrap().ends_with('Z'));
    let (status, list) = app.call("GET", "/api/clients", Some(&admin), None).await;
    assert_eq!(status, 200);
    assert_eq!(list["items"][0]["client_id"], id);
    let path = format!("/api/clients/{id}");
    let (status, one) = app.call("GET", &path, Some(&admin), None).await;
    assert_eq!((status, &one["name"]), (200, &json!("Reader")));
    assert_eq!(app.call("DELETE", &path, Some(&admin), None).await.0, 204);
    assert_eq!(app.call("GET", &path, Some(&admin), None).await.0, 404);
    assert_eq!(app.call("DELETE", &path, Some(&admin), None).await.0, 404);
}

async fn a_request_that_does_not_hold_star_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ed", &["editor"]).await;
    let editor = app.token("ed", None).await.access_token;
    // Admin's token narrowed by `scope` no longer covers the catalog.
    let admin_narrow = {
        let resp = app
            .token_request(&[
                ("username", "admin"),
                ("password", crate::helpers::ADMIN_PASSWORD),
                ("scope", "posts:read users:manage roles:manage"),
            ])
            .await;
        resp.json::<crate::helpers::Tokens>()
            .await
            .unwrap()
            .access_token
    };
    for token in [&editor, &admin_narrow] {
        let (status, body) = post(&app, token, good()).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (403, Some("insufficient_scope")),
            "{body}"
        );
        assert_eq!(
            app.call("GET", "/api/clients", Some(token), None).await.0,
            403
        );
    }
    assert_eq!(app.call("GET", "/api/clients", None, None).await.0, 401);
    let (_, list) = app
        .call(
            "GET",
            "/api/clients",
            Some(&app.admin_token().await.access_token),
            None,
        )
        .await;
    assert_eq!(list["items"], json!([]), "nothing was registered");
}

async fn bad_registrations_are_422_naming_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let with = |field: &str, value: Value| {
        let mut body = good();
        body[field] = value;
        body
    };
    let eleven: Vec<String> = (0..11)
        .map(|i| format!("https://app.example/{i}"))
        .collect();
    let cases = [
        ("name", with("name", json!(""))),
        ("name", with("name", json!("x".repeat(101)))),
        ("name", with("name", json!(7))),
        ("redirect_uris", with("redirect_uris", json!([]))),
        ("redirect_uris", with("redirect_uris", json!(eleven))),
        (
            "redirect_uris",
            with("redirect_uris", json!(["http://app.example/cb"])),
        ),
        (
            "redirect_uris",
            with("redirect_uris", json!(["https://app.example/cb#top"])),
        ),
        ("redirect_uris", with("redirect_uris", json!(["/relative"]))),
        (
            "redirect_uris",
            with("redirect_uris", json!("https://app.example/cb")),
        ),
        ("scopes", with("scopes", json!([]))),
        ("scopes", with("scopes", json!(["posts:fly"]))),
        ("scopes", with("scopes", json!([1]))),
    ];
    for (field, body) in cases {
        let (status, answer) = post(&app, &admin, body.clone()).await;
        assert_eq!(status, 422, "{body}: {answer}");
        let named = answer["fields"]
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.starts_with(field));
        assert!(named, "{body}: {answer}");
    }
    let (_, list) = app.call("GET", "/api/clients", Some(&admin), None).await;
    assert_eq!(list["items"], json!([]), "nothing was registered");
}

both_backends!(
    holders_of_star_register_list_read_and_delete_clients,
    a_request_that_does_not_hold_star_is_refused,
    bad_registrations_are_422_naming_the_field,
);
