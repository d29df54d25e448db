//! SPEC H9: the audit log is bounded — short rows, no query strings, no per-request rows for
//! anonymous admin POSTs, at most 60 denials a minute per actor — and old rows are pruned
//! by a job that runs once across instances.

use std::time::Duration;

use chrono::Timelike;
use futures_util::future::join_all;
use quire::db::models::AuditEvent;
use quire::db::queries::audit::{list_events, AuditFilter};
use quire::manage::audit::{record, Outcome};
use quire::manage::Actor;

use crate::helpers::{spawn_app, spawn_on, Backend, TestApp};
use crate::pages::{browser, sign_in};

/// Audit events with `action`, newest first.
async fn events(app: &TestApp, action: &str) -> Vec<AuditEvent> {
    let filter = AuditFilter {
        action: Some(action.to_owned()),
        ..Default::default()
    };
    app.with_conn(move |c| list_events(c, &filter, 1000).unwrap())
        .await
}

/// Denials are written off the response path: waits until `done` holds of them.
async fn denials_until(
    app: &TestApp,
    done: impl Fn(&[AuditEvent], &[AuditEvent]) -> bool,
) -> (Vec<AuditEvent>, Vec<AuditEvent>) {
    for _ in 0..100 {
        let one_by_one = events(app, "access.denied").await;
        let summaries = events(app, "access.denied.summary").await;
        if done(&one_by_one, &summaries) {
            return (one_by_one, summaries);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the denials were not audited as expected in time");
}

/// The count a summary's detail carries ("15 more denials of …").
fn summarized(summary: &AuditEvent) -> usize {
    summary.detail.split(' ').next().unwrap().parse().unwrap()
}

/// Keeps a flood of requests inside one minute, so the per-minute count is exact.
async fn not_near_the_end_of_a_minute() {
    let second = chrono::Utc::now().second();
    if second > 40 {
        tokio::time::sleep(Duration::from_secs(u64::from(61 - second))).await;
    }
}

async fn stored_targets_and_details_are_bounded(backend: Backend) {
    let app = spawn_app(backend).await;
    let long = "é".repeat(5_000);
    let (target, detail) = (long.clone(), long.clone());
    let stored = app
        .with_conn(move |c| {
            record(
                c,
                &Actor::cli(),
                "test.long",
                &target,
                Outcome::Success,
                &detail,
            )
            .unwrap();
            list_events(c, &Default::default(), 1).unwrap().remove(0)
        })
        .await;
    assert_eq!(stored.target.chars().count(), 256);
    assert!(stored.target.ends_with('…'));
    assert!(stored.detail.len() <= 2048 && stored.detail.len() > 2040);
    assert!(stored.detail.ends_with("é…"));
}

async fn a_denied_long_path_is_stored_short_and_without_its_query(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("nobody", &["user"]).await;
    let token = app.token("nobody", None).await.access_token;
    let path = format!("/api/roles/{}?force=true&secret=s3cr3t", "r".repeat(8_000));
    let (status, _) = app.call("DELETE", &path, Some(&token), None).await;
    assert_eq!(status, 403);
    let (denied, _) = denials_until(&app, |one, _| !one.is_empty()).await;
    let target = &denied[0].target;
    assert_eq!(target.chars().count(), 256, "{target}");
    assert!(target.starts_with("DELETE /api/roles/rrr"));
    assert!(!target.contains('?') && !target.contains("s3cr3t"));
}

async fn anonymous_admin_posts_redirect_to_login_unaudited(backend: Backend) {
    let app = spawn_app(backend).await;
    let anonymous = browser();
    for path in [
        "/admin/roles",
        "/admin/roles/editor",
        "/admin/roles/editor/delete",
        "/admin/users/1/grant",
        "/admin/users/1/disable",
        "/admin/posts/1/publish",
        "/admin/logout",
    ] {
        let resp = anonymous
            .post(app.url(path))
            .form(&[("role", "admin")])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303, "{path}");
        assert_eq!(resp.headers()["location"], "/admin/login", "{path}");
    }
    // A signed-in POST with a bad token is still refused (and audited).
    app.create_user("ed", &["editor"]).await;
    let ed = sign_in(&app, "ed", &crate::helpers::password_of("ed")).await;
    let resp = ed
        .post(app.url("/admin/posts/1/publish"))
        .form(&[("csrf", "0".repeat(64))])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let (denied, _) = denials_until(&app, |one, _| !one.is_empty()).await;
    assert_eq!(denied.len(), 1, "only the signed-in denial: {denied:?}");
    assert_eq!(denied[0].actor, "ed");
}

async fn a_flood_of_denials_is_stored_60_a_minute_and_counted(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("prober", &["user"]).await;
    let token = app.token("prober", None).await.access_token;
    not_near_the_end_of_a_minute().await;
    let statuses = join_all((0..75).map(|_| app.get_with("/api/audit", &token))).await;
    assert!(statuses.iter().all(|r| r.status() == 403));
    let (one_by_one, summaries) = denials_until(&app, |one, sums| {
        one.len() == 60 && sums.len() == 1 && summarized(&sums[0]) == 15
    })
    .await;
    assert!(one_by_one.iter().all(|e| e.actor == "prober"));
    assert_eq!(summaries[0].actor, "prober");
    assert!(
        summaries[0].detail.contains("15 more denials"),
        "{summaries:?}"
    );
}

/// Anonymous callers are counted by address, across instances sharing the database.
async fn anonymous_denials_are_limited_per_address_across_instances(backend: Backend) {
    let first = spawn_app(backend).await;
    let second = spawn_on(first.test_db.clone(), &[]).await;
    not_near_the_end_of_a_minute().await;
    // A sign-in form without its CSRF token: 403, audited as anonymous.
    let posts = (0..80).map(|i| {
        let app = if i % 2 == 0 { &first } else { &second };
        let b = browser();
        async move {
            b.post(app.url("/admin/login"))
                .form(&[("username", "admin"), ("password", "guess")])
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    assert!(join_all(posts).await.iter().all(|s| *s == 403));
    let (one_by_one, summaries) = denials_until(&first, |one, sums| {
        one.len() == 60 && sums.len() == 1 && summarized(&sums[0]) == 20
    })
    .await;
    assert!(one_by_one.iter().all(|e| e.actor == "anonymous"));
    assert_eq!(summaries[0].target, "ip:127.0.0.1");
}

both_backends!(
    stored_targets_and_details_are_bounded,
    a_denied_long_path_is_stored_short_and_without_its_query,
    anonymous_admin_posts_redirect_to_login_unaudited,
    a_flood_of_denials_is_stored_60_a_minute_and_counted,
    anonymous_denials_are_limited_per_address_across_instances,
);
