//! Tokens that must not work: expired, forged, a disabled owner's, one deleted through
//! another instance, a PAT offered as a refresh token; the last use is recorded; and the
//! password grant turned off.

use super::*;
use crate::helpers::{spawn_app_with, spawn_on};

async fn expired_and_disabled_owners_tokens_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada_id = app.create_user("ada", &["author"]).await;
    let jwt = app.token("ada", None).await.access_token;
    let (old, old_secret) = pat(&app, &jwt, &["posts:read"]).await;
    let (_, live_secret) = pat(&app, &jwt, &["posts:read"]).await;
    app.with_conn(move |c| {
        let past = quire::db::now() - chrono::TimeDelta::seconds(1);
        diesel::update(pats::table.filter(pats::id.eq(old)))
            .set(pats::expires_at.eq(past))
            .execute(c)
            .unwrap();
    })
    .await;
    assert_invalid_token(&app, &old_secret, "expired").await;
    let (_, list) = app.call("GET", "/api/tokens", Some(&jwt), None).await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "expired tokens leave the list"
    );
    assert_eq!(app.get_with("/api/me", &live_secret).await.status(), 200);
    // Forged: the right shape, or the prefix without it.
    let forged = format!("qpat_{}", "A".repeat(44));
    assert_invalid_token(&app, &forged, "forged").await;
    assert_invalid_token(&app, "qpat_short", "malformed").await;
    let admin = app.admin_token().await.access_token;
    let path = format!("/api/users/{ada_id}");
    let (status, _) = app
        .call(
            "PATCH",
            &path,
            Some(&admin),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(status, 200);
    assert_invalid_token(&app, &live_secret, "disabled owner").await;
}

async fn a_pat_deleted_through_one_instance_is_refused_by_another(backend: Backend) {
    let first = spawn_app(backend).await;
    let second = spawn_on(first.test_db.clone(), &[]).await;
    let ada_id = first.create_user("ada", &["author"]).await;
    let jwt = first.token("ada", None).await.access_token;
    let (id, deleted) = pat(&first, &jwt, &["posts:read"]).await;
    let (_, kept) = pat(&first, &jwt, &["posts:read"]).await;
    // The second instance has served both tokens, so its caches hold the owner.
    for secret in [&deleted, &kept] {
        assert_eq!(second.get_with("/api/posts", secret).await.status(), 200);
    }
    let path = format!("/api/tokens/{id}");
    assert_eq!(first.call("DELETE", &path, Some(&jwt), None).await.0, 204);
    assert_invalid_token(&second, &deleted, "deleted through the first instance").await;
    assert_eq!(second.get_with("/api/me", &kept).await.status(), 200);
    let admin = first.admin_token().await.access_token;
    let body = json!({"disabled": true});
    let path = format!("/api/users/{ada_id}");
    let status = first.call("PATCH", &path, Some(&admin), Some(body)).await.0;
    assert_eq!(status, 200);
    assert_invalid_token(&second, &kept, "owner disabled through the first instance").await;
}

async fn last_use_is_recorded_and_a_pat_is_no_refresh_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let (id, secret) = pat(&app, &admin, &["posts:read"]).await;
    assert_eq!(app.get_with("/api/posts", &secret).await.status(), 200);
    // The touch is written off the request path: wait for it.
    let mut used = None;
    for _ in 0..100 {
        used = app
            .with_conn(move |c| {
                pats::table
                    .filter(pats::id.eq(id))
                    .select(pats::last_used_at)
                    .first::<Option<chrono::NaiveDateTime>>(c)
                    .unwrap()
            })
            .await;
        if used.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(used.is_some(), "last_used_at was never set");
    let (_, list) = app.call("GET", "/api/tokens", Some(&admin), None).await;
    assert!(list["items"][0]["last_used_at"].is_string(), "{list}");
    let resp = app
        .token_request(&[("grant_type", "refresh_token"), ("refresh_token", &secret)])
        .await;
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
}

async fn the_password_grant_can_be_turned_off(backend: Backend) {
    let app = spawn_app_with(backend, &[("QUIRE_PASSWORD_GRANT", "off")]).await;
    for form in [
        vec![
            ("grant_type", "password"),
            ("username", "admin"),
            ("password", crate::helpers::ADMIN_PASSWORD),
        ],
        vec![
            ("username", "admin"),
            ("password", crate::helpers::ADMIN_PASSWORD),
        ],
        vec![("grant_type", "password")],
    ] {
        let resp = app.token_request(&form).await;
        assert_eq!(resp.status(), 400);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "unsupported_grant_type", "{form:?}");
    }
    // People still sign in on the pages, and make PATs there (see `pages`).
    let browser = crate::pages::sign_in(&app, "admin", crate::helpers::ADMIN_PASSWORD).await;
    let resp = browser.get(app.url("/admin/account")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
}

both_backends!(
    expired_and_disabled_owners_tokens_are_refused,
    a_pat_deleted_through_one_instance_is_refused_by_another,
    last_use_is_recorded_and_a_pat_is_no_refresh_token,
    the_password_grant_can_be_turned_off,
);
