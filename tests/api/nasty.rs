//! Bad input gets a clear JSON error, never a 5xx, never a partial write.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, Backend};

async fn nasty_inputs_never_5xx(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["author"]).await;
    let token = app.token("ada", None).await.access_token;
    let big = "x".repeat(1_100_000);
    // (method, path, content type, raw body, expected status)
    type Case = (
        &'static str,
        &'static str,
        Option<&'static str>,
        String,
        u16,
    );
    let cases: Vec<Case> = vec![
        (
            "POST",
            "/api/posts",
            Some("application/json"),
            "{not json".into(),
            400,
        ),
        (
            "POST",
            "/api/posts",
            Some("application/json"),
            "".into(),
            400,
        ),
        (
            "POST",
            "/api/posts",
            Some("application/json"),
            "[1,2,3]".into(),
            422,
        ),
        (
            "POST",
            "/api/posts",
            Some("application/json"),
            r#"{"title": 5, "body": "x"}"#.into(),
            422,
        ),
        (
            "POST",
            "/api/posts",
            Some("application/json"),
            r#"{"title": "t", "body": "x", "extra": 1}"#.into(),
            422,
        ),
        (
            "POST",
            "/api/posts",
            Some("text/plain"),
            r#"{"title": "t", "body": "x"}"#.into(),
            415,
        ),
        (
            "POST",
            "/api/posts",
            None,
            r#"{"title": "t", "body": "x"}"#.into(),
            415,
        ),
        (
            "POST",
            "/api/posts",
            Some("application/json"),
            format!(r#"{{"title": "t", "body": "{big}"}}"#),
            413,
        ),
        (
            "POST",
            "/api/posts",
            Some("application/json"),
            r#"{"title": "a\u0000b", "body": "x"}"#.into(),
            422,
        ),
        (
            "POST",
            "/api/posts",
            Some("application/json"),
            r#"{"title": "bell\u0007", "body": "x"}"#.into(),
            422,
        ),
        (
            "POST",
            "/api/posts",
            Some("application/json"),
            r#"{"title": "t", "body": "nul\u0000"}"#.into(),
            422,
        ),
        (
            "POST",
            "/api/posts",
            Some("application/json"),
            r#"{"title": "t", "body": "\ud800"}"#.into(),
            400,
        ),
        (
            "PATCH",
            "/api/posts/abc",
            Some("application/json"),
            r#"{"title": "t"}"#.into(),
            404,
        ),
        (
            "GET",
            "/api/posts/99999999999999999999999",
            None,
            String::new(),
            404,
        ),
        ("GET", "/api/posts/-1", None, String::new(), 404),
        ("GET", "/api/posts?limit=abc", None, String::new(), 422),
        (
            "GET",
            "/api/posts?limit=100000000000000000000",
            None,
            String::new(),
            422,
        ),
        // A control character in a query parameter is refused before routing (SPEC H12).
        ("GET", "/api/posts?status=%00", None, String::new(), 400),
        (
            "GET",
            "/api/posts?author=%27%20OR%201%3D1--",
            None,
            String::new(),
            200,
        ),
        ("DELETE", "/api/posts/1.5", None, String::new(), 404),
        (
            "POST",
            "/api/auth/token",
            Some("application/x-www-form-urlencoded"),
            "username=%ZZ".into(),
            400,
        ),
    ];
    for (method, path, ctype, body, want) in cases {
        let mut req = app
            .client
            .request(method.parse().unwrap(), app.url(path))
            .bearer_auth(&token)
            .body(body.clone());
        if let Some(ct) = ctype {
            req = req.header("content-type", ct);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let shown: String = body.chars().take(60).collect();
        assert_eq!(status, want, "{method} {path} {shown:?}: {text}");
        let json: Value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{method} {path}: not JSON: {text}"));
        if status >= 400 {
            assert!(
                json["error"].is_string() && json["message"].is_string(),
                "{method} {path}: {json}"
            );
        }
    }
    // Nothing above was written.
    let page: Value = app
        .get_with("/api/posts?author=ada", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"], json!([]));

    // Unicode and SQL-looking strings are stored and returned verbatim.
    for (title, body) in [
        ("Robert'); DROP TABLE posts;--", "1' OR '1'='1"),
        ("日本語のタイトル 🎉", "émoji 👩‍💻 and RTL \u{202e}text"),
        ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>"),
    ] {
        let resp = app
            .client
            .post(app.url("/api/posts"))
            .bearer_auth(&token)
            .json(&json!({"title": title, "body": body}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201, "{title}");
        let id = resp.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let back: Value = app
            .get_with(&format!("/api/posts/{id}"), &token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(back["title"], title);
        assert_eq!(back["body"], body);
    }
}

both_backends!(nasty_inputs_never_5xx);
