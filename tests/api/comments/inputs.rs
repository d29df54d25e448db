//! Bad and odd input to the comment writes: never a 5xx, never a partial write, and what
//! is accepted is stored verbatim.

use serde_json::{json, Value};

use super::{list, make_post};
use crate::helpers::{spawn_app, Backend, TestApp};

/// A raw request body with a content type, as a careless or hostile client sends it.
async fn raw(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (u16, Value) {
    let resp = app
        .client
        .request(method, app.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Bodies that must be refused, with the status and, for a 422, the field named.
fn refused() -> Vec<(String, &'static str, u16, Option<&'static str>)> {
    let json = "application/json";
    let mut cases: Vec<(String, &str, u16, Option<&str>)> = vec![
        (r#"{"body": "unfinished"#.into(), json, 400, None),
        ("not json at all".into(), json, 400, None),
        (r#"{"body": "\ud800"}"#.into(), json, 400, None),
        (String::new(), json, 400, None),
        (r#"{"body": "hi"}"#.into(), "text/plain", 415, None),
        (
            "body=hi".into(),
            "application/x-www-form-urlencoded",
            415,
            None,
        ),
        ("{}".into(), json, 422, Some("body")),
        (r#"{"body": ""}"#.into(), json, 422, Some("body")),
        (r#"{"body": " \n\t "}"#.into(), json, 422, Some("body")),
        (r#"{"body": "a\u0000b"}"#.into(), json, 422, Some("body")),
        // Of the control characters, bodies keep only tab and line breaks (SPEC H12).
        (
            r#"{"body": "escape \u001b[31mred, bell \u0007, delete \u007f"}"#.into(),
            json,
            422,
            Some("body"),
        ),
        (r#"{"body": null}"#.into(), json, 422, Some("body")),
        (r#"{"body": 42}"#.into(), json, 422, Some("body")),
        (r#"{"body": ["a"]}"#.into(), json, 422, Some("body")),
        (
            r#"{"body": "x", "author_id": 1}"#.into(),
            json,
            422,
            Some("author_id"),
        ),
        (
            r#"{"body": "x", "post_id": 2}"#.into(),
            json,
            422,
            Some("post_id"),
        ),
        ("[]".into(), json, 422, None),
        ("null".into(), json, 422, None),
    ];
    cases.push((
        json!({ "body": "x".repeat(10_001) }).to_string(),
        json,
        422,
        Some("body"),
    ));
    // Over 1 MiB is refused before it is parsed.
    cases.push((
        json!({ "body": "x".repeat(1 << 20) }).to_string(),
        json,
        413,
        None,
    ));
    cases
}

/// Bodies that must be stored exactly as sent.
fn accepted() -> Vec<String> {
    vec![
        "héllo wörld — 漢字, עברית, 👋🏽👨‍👩‍👧".into(),
        "\u{202e}reversed\u{202c} and zero\u{200b}width".into(),
        "'); DROP TABLE comments; --".into(),
        "1 OR 1=1; SELECT * FROM users WHERE name LIKE '%_\\'".into(),
        "<script>alert(1)</script>".into(),
        "  leading and trailing spaces  ".into(),
        "line one\r\nline two\n\ttabbed".into(),
        "x".into(),
        // 10,000 characters of two bytes each: the limit counts characters, not bytes.
        "é".repeat(10_000),
    ]
}

async fn bad_input_is_refused_cleanly_and_odd_input_kept_verbatim(backend: Backend) {
    let app = spawn_app(backend).await;
    let you = app.create_user("you", &["user"]).await;
    app.create_user("me", &["user"]).await;
    let token = app.token("me", None).await.access_token;
    let post = make_post(&app, you, true, 1).await;
    let path = format!("/api/posts/{post}/comments");
    let existing = {
        let (status, made) = raw(
            &app,
            reqwest::Method::POST,
            &path,
            &token,
            "application/json",
            json!({"body": "original"}).to_string(),
        )
        .await;
        assert_eq!(status, 201);
        made["id"].as_i64().unwrap()
    };
    let edit_path = format!("/api/comments/{existing}");

    for (body, content_type, want, field) in refused() {
        let shown: String = body.chars().take(60).collect();
        for (method, path) in [
            (reqwest::Method::POST, &path),
            (reqwest::Method::PATCH, &edit_path),
        ] {
            let (status, err) = raw(
                &app,
                method.clone(),
                path,
                &token,
                content_type,
                body.clone(),
            )
            .await;
            assert_eq!(status, want, "{method} {shown:?} ({content_type}): {err}");
            assert!(
                err["error"].is_string() && err["message"].is_string(),
                "{shown:?}: {err}"
            );
            if let Some(field) = field {
                assert!(err["fields"][field].is_array(), "{shown:?}: {err}");
            }
        }
    }
    // Nothing refused was written, and the comment edited by refused PATCHes is unchanged.
    let page: Value = list(&app, Some(&token), post, "")
        .await
        .json()
        .await
        .unwrap();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["body"], "original");

    // Half are written by POST, half by a PATCH over a placeholder: both paths keep them.
    for (i, text) in accepted().into_iter().enumerate() {
        let shown: String = text.chars().take(40).collect();
        let by_patch = i % 2 == 1;
        let first = if by_patch {
            "placeholder"
        } else {
            text.as_str()
        };
        let resp = app
            .client
            .post(app.url(&path))
            .bearer_auth(&token)
            .json(&json!({ "body": first }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201, "{shown:?}");
        let location = resp.headers()["location"].to_str().unwrap().to_owned();
        let made: Value = resp.json().await.unwrap();
        assert_eq!(location, format!("/api/comments/{}", made["id"]));
        assert_eq!(made["body"], json!(first), "{shown:?}");
        if by_patch {
            let resp = app
                .client
                .patch(app.url(&location))
                .bearer_auth(&token)
                .json(&json!({ "body": text }))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200, "{shown:?}");
            let edited: Value = resp.json().await.unwrap();
            assert_eq!(edited["body"], json!(text), "{shown:?}");
            assert_eq!(edited["created_at"], made["created_at"]);
        }
    }
    let page: Value = list(&app, Some(&token), post, "?limit=100")
        .await
        .json()
        .await
        .unwrap();
    let stored: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .skip(1)
        .map(|c| c["body"].as_str().unwrap())
        .collect();
    assert_eq!(stored, accepted(), "read back exactly as written");

    // Ids that name nothing.
    for path in [
        "/api/comments/abc",
        "/api/comments/99999999999999999999",
        "/api/comments/0",
        "/api/comments/1.5",
    ] {
        for method in [reqwest::Method::PATCH, reqwest::Method::DELETE] {
            let resp = app
                .client
                .request(method.clone(), app.url(path))
                .bearer_auth(&token)
                .json(&json!({"body": "x"}))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 404, "{method} {path}");
        }
    }
}

both_backends!(bad_input_is_refused_cleanly_and_odd_input_kept_verbatim);
