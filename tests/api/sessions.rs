//! SPEC H7: browser sessions are revocable on the server. Each test signs in through the
//! real login form and keeps the real cookie; "the attacker" is a second client holding a
//! copy of that cookie, who must lose access whenever the session is ended.

use chrono::TimeDelta;
use diesel::prelude::*;
use quire::db::schema::sessions;
use serde_json::json;

use crate::browser::Browser;
use crate::helpers::{password_of, spawn_app, spawn_on, Backend, TestApp};

async fn session_count(app: &TestApp, user_id: i64) -> i64 {
    app.with_conn(move |c| {
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .count()
            .get_result(c)
            .unwrap()
    })
    .await
}

/// Moves every session of `user_id` back in time, as if `started` / `seen` ago.
async fn age_sessions(app: &TestApp, user_id: i64, started: TimeDelta, seen: TimeDelta) {
    app.with_conn(move |c| {
        let now = quire::db::now();
        diesel::update(sessions::table.filter(sessions::user_id.eq(user_id)))
            .set((
                sessions::created_at.eq(now - started),
                sessions::last_seen_at.eq(now - seen),
            ))
            .execute(c)
            .unwrap();
    })
    .await;
}

/// Waits (briefly) until the session's last use has been recorded: the touch is written
/// off the request path, and aging the row again before it lands would be undone by it.
async fn wait_for_touch(app: &TestApp, user_id: i64) {
    for _ in 0..100 {
        let seen = app
            .with_conn(move |c| {
                sessions::table
                    .filter(sessions::user_id.eq(user_id))
                    .select(sessions::last_seen_at)
                    .first::<chrono::NaiveDateTime>(c)
                    .unwrap()
            })
            .await;
        if quire::db::now() - seen < TimeDelta::minutes(1) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the session's use was never recorded");
}

async fn an_old_cookie_is_dead_after_logout(backend: Backend) {
    let app = spawn_app(backend).await;
    let erin = app.create_user("erin", &["user"]).await;
    let browser = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    let attacker = browser.copy_to(&app.address);
    assert_eq!(attacker.me().await.as_deref(), Some("erin"));
    assert_eq!(session_count(&app, erin).await, 1);

    let (status, location) = browser.submit("/admin", "/admin/logout", &[]).await;
    // Sign-out lands on the blog (SPEC §10).
    assert_eq!((status, location.as_str()), (303, "/"));
    assert_eq!(attacker.me().await, None);
    assert_eq!(session_count(&app, erin).await, 0, "logout deletes the row");
    // Pages treat the kept cookie as signed out: back to the login page.
    let resp = attacker
        .client
        .get(attacker.url("/admin"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/admin/login?next=/admin");
    let audit = app.audit_actions().await;
    assert!(
        audit
            .iter()
            .any(|(a, act, _)| a == "erin" && act == "logout"),
        "{audit:?}"
    );
}

async fn a_password_change_of_ones_own_ends_the_other_sessions_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let erin = app.create_user("erin", &["user"]).await;
    let here = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    let elsewhere = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    let stolen = elsewhere.copy_to(&app.address);
    let kept = here.copy_to(&app.address);
    let body = json!({"password": "a-brand-new-password", "current_password": password_of("erin")});
    assert_eq!(here.patch_user(erin, body).await, 200);
    assert_eq!(
        here.me().await.as_deref(),
        Some("erin"),
        "this session survives"
    );
    assert_eq!(kept.me().await.as_deref(), Some("erin"));
    assert_eq!(elsewhere.me().await, None);
    assert_eq!(stolen.me().await, None);
    assert_eq!(session_count(&app, erin).await, 1);

    // The same through the account page, from the other side: a new session there.
    let other = Browser::sign_in(&app, "erin", "a-brand-new-password").await;
    let fields = [
        ("current_password", "a-brand-new-password"),
        ("password", "the-third-password"),
        ("password_confirm", "the-third-password"),
    ];
    let (status, _) = other
        .submit("/admin/account", "/admin/account/password", &fields)
        .await;
    assert_eq!(status, 303);
    let (_, html) = other.page("/admin/account").await;
    assert!(html.contains("Password changed"), "{html}");
    assert_eq!(other.me().await.as_deref(), Some("erin"));
    assert_eq!(here.me().await, None);
    assert_eq!(session_count(&app, erin).await, 1);
}

async fn an_admin_password_reset_ends_every_session_of_the_user(backend: Backend) {
    let app = spawn_app(backend).await;
    let erin = app.create_user("erin", &["user"]).await;
    let one = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    let two = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    let stolen = one.copy_to(&app.address);
    let admin = app.admin_token().await.access_token;
    let (status, _) = app
        .call(
            "PATCH",
            &format!("/api/users/{erin}"),
            Some(&admin),
            Some(json!({"password": "reset-by-the-admin"})),
        )
        .await;
    assert_eq!(status, 200);
    for b in [&one, &two, &stolen] {
        assert_eq!(b.me().await, None);
    }
    assert_eq!(session_count(&app, erin).await, 0);
    let again = Browser::sign_in(&app, "erin", "reset-by-the-admin").await;
    assert_eq!(again.me().await.as_deref(), Some("erin"));
}

async fn disabling_ends_every_session_and_enabling_revives_none(backend: Backend) {
    let app = spawn_app(backend).await;
    let erin = app.create_user("erin", &["user"]).await;
    let browser = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    let stolen = browser.copy_to(&app.address);
    let admin = Browser::sign_in(&app, "admin", crate::helpers::ADMIN_PASSWORD).await;
    let user_page = format!("/admin/users/{erin}");
    for action in ["disable", "enable"] {
        let path = format!("/admin/users/{erin}/{action}");
        assert_eq!(
            admin.submit(&user_page, &path, &[]).await.0,
            303,
            "{action}"
        );
    }
    let (_, html) = admin.page(&user_page).await;
    assert!(html.contains("Disable account"), "enabled again: {html}");
    assert_eq!(browser.me().await, None);
    assert_eq!(stolen.me().await, None);
    assert_eq!(session_count(&app, erin).await, 0);
    assert_eq!(admin.me().await.as_deref(), Some("admin"));
}

async fn sessions_end_after_two_idle_hours_and_twelve_in_all(backend: Backend) {
    let app = spawn_app(backend).await;
    let erin = app.create_user("erin", &["user"]).await;
    let (h, m) = (TimeDelta::hours, TimeDelta::minutes);
    // Used 1 h 58 min ago, 11 h 58 min old: still live.
    let b = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    age_sessions(&app, erin, h(11) + m(58), h(1) + m(58)).await;
    assert_eq!(b.me().await.as_deref(), Some("erin"));
    wait_for_touch(&app, erin).await;
    // Unused for 2 h: ended; the page sends the user to sign in.
    age_sessions(&app, erin, h(3), h(2) + m(1)).await;
    assert_eq!(b.me().await, None);
    assert_eq!(b.page("/admin/posts").await.0, 303);

    // Busy to the last minute, but 12 h old: ended.
    let b = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    age_sessions(&app, erin, h(12) + m(1), TimeDelta::zero()).await;
    assert_eq!(b.me().await, None);
    // Expired rows are cleared at the next sign-in.
    let b = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    assert_eq!(b.me().await.as_deref(), Some("erin"));
    assert_eq!(session_count(&app, erin).await, 1);
}

async fn last_seen_moves_at_most_once_a_minute(backend: Backend) {
    let app = spawn_app(backend).await;
    let erin = app.create_user("erin", &["user"]).await;
    let b = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    let last_seen = || {
        app.with_conn(move |c| {
            sessions::table
                .filter(sessions::user_id.eq(erin))
                .select(sessions::last_seen_at)
                .first::<chrono::NaiveDateTime>(c)
                .unwrap()
        })
    };
    let signed_in_at = last_seen().await;
    futures_util::future::join_all((0..8).map(|_| b.me())).await;
    assert_eq!(
        last_seen().await,
        signed_in_at,
        "not written within the minute"
    );
    age_sessions(&app, erin, TimeDelta::minutes(30), TimeDelta::minutes(30)).await;
    let aged = last_seen().await;
    futures_util::future::join_all((0..8).map(|_| b.me())).await;
    // Written off the request path: wait for it, briefly.
    let mut seen = aged;
    for _ in 0..100 {
        seen = last_seen().await;
        if seen != aged {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let now = quire::db::now();
    assert!(
        now - seen < TimeDelta::seconds(30),
        "moved to now: {seen} at {now}"
    );
}

async fn signing_out_everywhere_else_keeps_only_this_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let erin = app.create_user("erin", &["user"]).await;
    app.create_user("ivan", &["user"]).await;
    let pw = password_of("erin");
    let here = Browser::sign_in(&app, "erin", &pw).await;
    let phone = Browser::sign_in(&app, "erin", &pw).await;
    let laptop = Browser::sign_in(&app, "erin", &pw).await;
    let ivan = Browser::sign_in(&app, "ivan", &password_of("ivan")).await;
    let (status, html) = here.page("/admin/account").await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("this session").count(), 1, "{html}");
    assert_eq!(
        html.matches("/revoke\"").count(),
        2,
        "a button per other session"
    );

    // One session by its button; nobody can end another user's session that way.
    let phone_id: i64 = app
        .with_conn(move |c| {
            sessions::table
                .filter(sessions::user_id.eq(erin))
                .order(sessions::id.asc())
                .select(sessions::id)
                .offset(1)
                .first(c)
                .unwrap()
        })
        .await;
    let path = format!("/admin/account/sessions/{phone_id}/revoke");
    assert_eq!(ivan.submit("/admin/account", &path, &[]).await.0, 303);
    assert_eq!(
        phone.me().await.as_deref(),
        Some("erin"),
        "not ivan's to end"
    );
    assert_eq!(here.submit("/admin/account", &path, &[]).await.0, 303);
    assert_eq!(phone.me().await, None);
    assert_eq!(laptop.me().await.as_deref(), Some("erin"));

    let action = "/admin/account/sessions/revoke-others";
    assert_eq!(here.submit("/admin/account", action, &[]).await.0, 303);
    let (_, html) = here.page("/admin/account").await;
    assert!(html.contains("Signed out 1 other session."), "{html}");
    assert_eq!(laptop.me().await, None);
    assert_eq!(here.me().await.as_deref(), Some("erin"));
    assert_eq!(ivan.me().await.as_deref(), Some("ivan"));
    assert_eq!(session_count(&app, erin).await, 1);
    let audit = app.audit_actions().await;
    let revokes = audit
        .iter()
        .filter(|(a, act, _)| a == "erin" && act == "session.revoke");
    assert_eq!(revokes.count(), 2, "{audit:?}");
}

async fn a_session_ended_through_one_instance_is_refused_by_another(backend: Backend) {
    let first = spawn_app(backend).await;
    let second = spawn_on(first.test_db.clone(), &[]).await;
    first.create_user("erin", &["user"]).await;
    let browser = Browser::sign_in(&first, "erin", &password_of("erin")).await;
    let there = browser.copy_to(&second.address);
    assert_eq!(
        there.me().await.as_deref(),
        Some("erin"),
        "one session, two instances"
    );
    let (_, html) = there.page("/admin/account").await;
    assert!(html.contains("this session"), "{html}");
    browser.submit("/admin", "/admin/logout", &[]).await;
    assert_eq!(there.me().await, None);
    assert_eq!(there.page("/admin").await.0, 303);
}

/// A session's caller is resolved on every request with the generation read in the same
/// statement as its row: a role taken away through one instance narrows the session's very
/// next request on another.
async fn a_role_revoked_through_one_instance_narrows_a_session_on_another(backend: Backend) {
    let first = spawn_app(backend).await;
    let second = spawn_on(first.test_db.clone(), &[]).await;
    let erin = first.create_user("erin", &["user", "editor"]).await;
    let browser = Browser::sign_in(&first, "erin", &password_of("erin")).await;
    let there = browser.copy_to(&second.address);
    let permissions = |body: &str| -> Vec<String> {
        let me: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(me["authenticated_by"], "session", "{me}");
        serde_json::from_value(me["permissions"].clone()).unwrap()
    };
    let (status, body) = there.page("/api/me").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        permissions(&body).iter().any(|p| p == "posts:update"),
        "{body}"
    );
    let admin = first.admin_token().await.access_token;
    let revoke = format!("/api/users/{erin}/roles/editor");
    let (status, body) = first.call("DELETE", &revoke, Some(&admin), None).await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = there.page("/api/me").await;
    assert_eq!(status, 200, "still signed in: {body}");
    assert!(
        !permissions(&body).iter().any(|p| p == "posts:update"),
        "{body}"
    );
    assert!(
        permissions(&body).iter().any(|p| p == "posts:read"),
        "{body}"
    );
}

both_backends!(
    a_role_revoked_through_one_instance_narrows_a_session_on_another,
    an_old_cookie_is_dead_after_logout,
    a_password_change_of_ones_own_ends_the_other_sessions_only,
    an_admin_password_reset_ends_every_session_of_the_user,
    disabling_ends_every_session_and_enabling_revives_none,
    sessions_end_after_two_idle_hours_and_twelve_in_all,
    last_seen_moves_at_most_once_a_minute,
    signing_out_everywhere_else_keeps_only_this_session,
    a_session_ended_through_one_instance_is_refused_by_another,
);
