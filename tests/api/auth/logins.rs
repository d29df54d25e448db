//! SPEC §5: throttled failures, registration, a login storm, and `/api/me`.

use super::*;

async fn repeated_failures_are_throttled_with_retry_after(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    for _ in 0..5 {
        let resp = app
            .token_request(&[("username", "ada"), ("password", "wrong-password")])
            .await;
        assert_eq!(resp.status(), 400);
    }
    // Locked after five failures: even the right password waits.
    let pw = password_of("ada");
    let resp = app
        .token_request(&[("username", "ada"), ("password", pw.as_str())])
        .await;
    assert_eq!(resp.status(), 429);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    assert_eq!(json_of(resp).await["error"], "rate_limited");
}

async fn registration_is_closed_by_default_and_validated_when_open(backend: Backend) {
    let closed = spawn_app(backend).await;
    let body =
        json!({"username": "newbie", "email": "n@example.com", "password": "long-enough-pw"});
    let resp = closed
        .client
        .post(closed.url("/api/auth/register"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);

    let app = spawn_app_with(backend, &[("QUIRE_REGISTRATION", "open")]).await;
    let resp = app
        .client
        .post(app.url("/api/auth/register"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let user = json_of(resp).await;
    assert_eq!(user["roles"][0]["name"], "user");
    assert!(user["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("posts:create")));
    let resp = app
        .client
        .post(app.url("/api/auth/register"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 409);
    let cases = [
        (
            json!({"username": "Bad Name", "email": "x@example.com", "password": "long-enough-pw"}),
            "username",
        ),
        (
            json!({"username": "okay", "email": "nope", "password": "long-enough-pw"}),
            "email",
        ),
        (
            json!({"username": "okay", "email": "o@example.com", "password": "short"}),
            "password",
        ),
        (
            json!({"username": "okay", "email": "o@example.com", "password": "x".repeat(73)}),
            "password",
        ),
        (
            json!({"username": "okay", "email": "o@example.com"}),
            "password",
        ),
    ];
    for (body, field) in cases {
        let resp = app
            .client
            .post(app.url("/api/auth/register"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 422, "{body}");
        let err = json_of(resp).await;
        assert_eq!(err["error"], "validation_failed");
        assert!(err["fields"][field].is_array(), "{body}: {err}");
    }
    let resp = app
        .client
        .post(app.url("/api/auth/register"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let resp = app
        .client
        .post(app.url("/api/auth/register"))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
}

async fn a_login_storm_does_not_stall_concurrent_reads(backend: Backend) {
    // A real bcrypt cost, so logins take real CPU time; each login from its own address (a
    // pending attempt counts against its address until it succeeds, SPEC H4).
    let config = [
        ("QUIRE_BCRYPT_COST", "10"),
        ("QUIRE_TRUSTED_PROXIES", "127.0.0.1"),
    ];
    let app = spawn_app_with(backend, &config).await;
    let token = app.admin_token().await.access_token;
    let logins: Vec<_> = (0..12)
        .map(|i| {
            let client = app.client.clone();
            let url = app.url("/api/auth/token");
            tokio::spawn(async move {
                client
                    .post(url)
                    .header("X-Forwarded-For", format!("198.51.100.{}", i + 1))
                    .form(&[
                        ("username", "admin"),
                        ("password", crate::helpers::ADMIN_PASSWORD),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    // Reads issued while the logins are queued all complete, and complete first.
    for _ in 0..30 {
        assert_eq!(app.get_with("/api/me", &token).await.status(), 200);
    }
    let still_running = logins.iter().filter(|h| !h.is_finished()).count();
    assert!(
        still_running > 0,
        "the reads waited for every login to finish"
    );
    for h in logins {
        assert_eq!(h.await.unwrap(), 200);
    }
}

async fn me_requires_credentials(backend: Backend) {
    let app = spawn_app(backend).await;
    let resp = app.get("/api/me").await;
    assert_eq!(resp.status(), 401);
    assert_eq!(www(&resp), "Bearer realm=\"quire\"");
    assert_eq!(json_of(resp).await["error"], "unauthenticated");
}

both_backends!(
    repeated_failures_are_throttled_with_retry_after,
    registration_is_closed_by_default_and_validated_when_open,
    a_login_storm_does_not_stall_concurrent_reads,
    me_requires_credentials,
);
