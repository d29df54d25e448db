//! RFC 7662 introspection (SPEC §11): live access tokens and PATs are described with their
//! scopes ∩ the owner's current permissions; anything else is `{"active": false}` alone.

use diesel::prelude::*;
use quire::db::schema::personal_access_tokens as pats;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Backend, TestApp};
use crate::pats::pat;

async fn introspect(app: &TestApp, caller: Option<&str>, form: &[(&str, &str)]) -> (u16, Value) {
    let mut req = app.client.post(app.url("/api/auth/introspect")).form(form);
    if let Some(t) = caller {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    if status == 200 {
        assert_eq!(resp.headers()["cache-control"], "no-store");
    }
    (status, resp.json().await.unwrap())
}

async fn who_may_introspect(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["author"]).await;
    app.create_user("mo", &["moderator"]).await;
    let ada = app.token("ada", None).await.access_token;
    let mo = app.token("mo", None).await.access_token;
    let form = [("token", ada.as_str())];
    let (status, body) = introspect(&app, None, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthenticated"))
    );
    let (status, body) = introspect(&app, Some(&ada), &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("insufficient_scope"))
    );
    let (status, body) = introspect(&app, Some(&mo), &[]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, body) = introspect(&app, Some(&mo), &[("token", "")]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, body) = introspect(&app, Some(&mo), &form).await;
    assert_eq!((status, body["active"].as_bool()), (200, Some(true)));
    // A PAT holding users:read may introspect too.
    let (_, reader) = pat(&app, &mo, &["users:read"]).await;
    assert_eq!(introspect(&app, Some(&reader), &form).await.0, 200);
}

async fn live_tokens_are_described(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada_id = app.create_user("ada", &["user", "editor"]).await;
    app.create_user("mo", &["moderator"]).await;
    let mo = app.token("mo", None).await.access_token;
    let jwt = app.token("ada", Some("posts:read posts:update")).await;
    let (_, secret) = pat(&app, &jwt.access_token, &["posts:read", "posts:update"]).await;

    let (status, body) = introspect(&app, Some(&mo), &[("token", &jwt.access_token)]).await;
    assert_eq!(status, 200);
    let exp = body["exp"].as_i64().unwrap();
    assert!(exp > chrono::Utc::now().timestamp());
    assert_eq!(
        body,
        json!({"active": true, "scope": "posts:read posts:update", "sub": ada_id.to_string(),
               "username": "ada", "exp": exp, "token_type": "Bearer"})
    );
    let (_, body) = introspect(&app, Some(&mo), &[("token", &secret)]).await;
    let exp = body["exp"].as_i64().unwrap();
    let in_30_days = chrono::Utc::now().timestamp() + 30 * 86_400;
    assert!((in_30_days - exp).abs() < 60, "{body}");
    assert_eq!(
        body,
        json!({"active": true, "scope": "posts:read posts:update", "sub": ada_id.to_string(),
               "username": "ada", "exp": exp, "token_type": "personal_access_token"})
    );
    // The scope follows the owner's current permissions.
    let admin = app.admin_token().await.access_token;
    let path = format!("/api/users/{ada_id}/roles/editor");
    assert_eq!(app.call("DELETE", &path, Some(&admin), None).await.0, 204);
    for token in [&jwt.access_token, &secret] {
        let (_, body) = introspect(&app, Some(&mo), &[("token", token)]).await;
        assert_eq!(body["scope"], "posts:read", "{body}");
    }
}

async fn anything_not_live_is_inactive_and_nothing_more(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada_id = app.create_user("ada", &["author"]).await;
    let bob_id = app.create_user("bob", &["author"]).await;
    app.create_user("mo", &["moderator"]).await;
    let mo = app.token("mo", None).await.access_token;
    let ada = app.token("ada", None).await;
    let revoked_jwt = app.token("ada", None).await.access_token;
    let resp = app
        .client
        .post(app.url("/api/auth/revoke"))
        .bearer_auth(&revoked_jwt)
        .form(&[("token", revoked_jwt.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (deleted, deleted_pat) = pat(&app, &ada.access_token, &["posts:read"]).await;
    let path = format!("/api/tokens/{deleted}");
    assert_eq!(
        app.call("DELETE", &path, Some(&ada.access_token), None)
            .await
            .0,
        204
    );
    let (expired, expired_pat) = pat(&app, &ada.access_token, &["posts:read"]).await;
    app.with_conn(move |c| {
        diesel::update(pats::table.filter(pats::id.eq(expired)))
            .set(pats::expires_at.eq(quire::db::now() - chrono::TimeDelta::seconds(1)))
            .execute(c)
            .unwrap();
    })
    .await;
    let bob = app.token("bob", None).await.access_token;
    let (_, bob_pat) = pat(&app, &bob, &["posts:read"]).await;
    let admin = app.admin_token().await.access_token;
    let disable = json!({"disabled": true});
    let path = format!("/api/users/{bob_id}");
    assert_eq!(
        app.call("PATCH", &path, Some(&admin), Some(disable))
            .await
            .0,
        200
    );
    // A character inside the signature (the last one may only carry padding bits).
    let at = ada.access_token.rfind('.').unwrap() + 3;
    let mut tampered = ada.access_token.clone();
    let swap = if &tampered[at..=at] == "A" { "B" } else { "A" };
    tampered.replace_range(at..=at, swap);
    let expired_jwt = {
        let keys = quire::auth::jwt::JwtKeys::new(
            &app.jwt_secret,
            &app.config.issuer,
            &app.config.audience,
        );
        keys.issue(ada_id, "ada", "posts:read", -120).unwrap().0
    };
    let cases = [
        ("refresh token", ada.refresh_token.clone()),
        ("revoked access token", revoked_jwt),
        ("expired access token", expired_jwt),
        ("tampered access token", tampered),
        ("forged", "not-a-token".to_owned()),
        ("forged PAT", format!("qpat_{}", "A".repeat(44))),
        ("malformed PAT", "qpat_xyz".to_owned()),
        ("deleted PAT", deleted_pat),
        ("expired PAT", expired_pat),
        ("disabled owner's access token", bob),
        ("disabled owner's PAT", bob_pat),
    ];
    for (why, token) in cases {
        let (status, body) = introspect(&app, Some(&mo), &[("token", &token)]).await;
        assert_eq!((status, &body), (200, &json!({"active": false})), "{why}");
    }
    let (_, body) = introspect(&app, Some(&mo), &[("token", &ada.access_token)]).await;
    assert_eq!(body["active"], true, "the control case");
}

both_backends!(
    who_may_introspect,
    live_tokens_are_described,
    anything_not_live_is_inactive_and_nothing_more,
);
