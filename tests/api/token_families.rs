//! SPEC H10: ending a refresh-token family — by reusing a rotated token, or by revoking a
//! refresh token (RFC 7009 §2.1) — ends every access token issued from it, on every
//! instance, at their next request.

use crate::helpers::{spawn_app, spawn_on, Backend, TestApp, Tokens};

/// `GET /api/me` with `token`: the status, and the error code of a refusal.
async fn me(app: &TestApp, token: &str) -> (u16, String) {
    let resp = app.get_with("/api/me", token).await;
    let status = resp.status().as_u16();
    let www = resp
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    if status == 401 {
        assert!(www.contains("error=\"invalid_token\""), "{www}");
    }
    let body: serde_json::Value = resp.json().await.unwrap();
    (status, body["error"].as_str().unwrap_or("").to_owned())
}

async fn refresh(app: &TestApp, refresh_token: &str) -> reqwest::Response {
    app.token_request(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ])
    .await
}

async fn reuse_ends_the_familys_access_tokens_on_every_instance(backend: Backend) {
    let app = spawn_app(backend).await;
    let other = spawn_on(app.test_db.clone(), &[]).await;
    app.create_user("ada", &["user"]).await;
    let first = app.token("ada", None).await;
    let resp = refresh(&app, &first.refresh_token).await;
    assert_eq!(resp.status(), 200);
    let rotated: Tokens = resp.json().await.unwrap();
    let unrelated = app.token("ada", None).await;
    // Every access token works on both instances (and is in their caches).
    for token in [&first, &rotated, &unrelated] {
        assert_eq!(me(&app, &token.access_token).await.0, 200);
        assert_eq!(me(&other, &token.access_token).await.0, 200);
    }
    // Someone replays the rotated-away refresh token.
    let resp = refresh(&app, &first.refresh_token).await;
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    for (name, instance) in [("first", &app), ("second", &other)] {
        for token in [&first, &rotated] {
            assert_eq!(
                me(instance, &token.access_token).await,
                (401, "invalid_token".to_owned()),
                "{name} instance"
            );
        }
        // Another sign-in's tokens are another family.
        assert_eq!(me(instance, &unrelated.access_token).await.0, 200, "{name}");
    }
    // The newest refresh token of the family is dead too.
    assert_eq!(refresh(&other, &rotated.refresh_token).await.status(), 400);
    assert_eq!(
        refresh(&other, &unrelated.refresh_token).await.status(),
        200
    );
}

async fn revoking_a_refresh_token_ends_its_familys_access_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    let other = spawn_on(app.test_db.clone(), &[]).await;
    app.create_user("bob", &["user"]).await;
    let victim = app.token("bob", None).await;
    let caller = app.token("bob", None).await;
    assert_eq!(me(&other, &victim.access_token).await.0, 200);
    let resp = app
        .client
        .post(app.url("/api/auth/revoke"))
        .bearer_auth(&caller.access_token)
        .form(&[("token", victim.refresh_token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    for instance in [&app, &other] {
        assert_eq!(
            me(instance, &victim.access_token).await,
            (401, "invalid_token".to_owned())
        );
        assert_eq!(me(instance, &caller.access_token).await.0, 200);
    }
    assert_eq!(refresh(&app, &victim.refresh_token).await.status(), 400);
}

/// Revoking an access token still ends only that token, not its family.
async fn revoking_an_access_token_leaves_its_family_alone(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("cy", &["user"]).await;
    let tokens = app.token("cy", None).await;
    let resp = app
        .client
        .post(app.url("/api/auth/revoke"))
        .bearer_auth(&tokens.access_token)
        .form(&[("token", tokens.access_token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(me(&app, &tokens.access_token).await.0, 401);
    let resp = refresh(&app, &tokens.refresh_token).await;
    assert_eq!(resp.status(), 200);
    let fresh: Tokens = resp.json().await.unwrap();
    assert_eq!(me(&app, &fresh.access_token).await.0, 200);
}

both_backends!(
    reuse_ends_the_familys_access_tokens_on_every_instance,
    revoking_a_refresh_token_ends_its_familys_access_tokens,
    revoking_an_access_token_leaves_its_family_alone,
);
