//! SPEC §10's scheduler over the real router: a scheduled post is published at its time
//! (in the scheduler's name), only if the one who scheduled it may still publish it then,
//! and exactly once even with two instances on one database.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_on, Backend, TestApp};
use crate::workflow::{in_secs, post_in};

/// Audit events `(actor, action, target, outcome, detail)` whose action starts `post.`.
async fn post_events(app: &TestApp) -> Vec<(String, String, String, String, String)> {
    app.with_conn(|c| {
        quire::db::queries::audit::list_events(c, &Default::default(), 1000)
            .unwrap()
            .into_iter()
            .filter(|e| e.action.starts_with("post."))
            .map(|e| (e.actor, e.action, e.target, e.outcome, e.detail))
            .collect()
    })
    .await
}

/// Polls post `id` as `token` until its status is `want`, for at most `secs` seconds.
async fn wait_for(app: &TestApp, token: &str, id: i64, want: &str, secs: u64) -> Value {
    let path = format!("/api/posts/{id}");
    let start = Instant::now();
    loop {
        let (_, post) = app.call("GET", &path, Some(token), None).await;
        if post["status"] == want || start.elapsed() > Duration::from_secs(secs) {
            return post;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Makes the scheduled posts `ids` due now (instead of waiting for their time).
async fn make_due(app: &TestApp, ids: Vec<i64>) {
    app.with_conn(move |c| {
        for id in ids {
            let changes = quire::db::queries::posts::PostChanges {
                published_at: Some(Some(quire::db::now() - chrono::Duration::seconds(1))),
                ..Default::default()
            };
            quire::db::queries::posts::update_post(c, id, &changes).unwrap();
        }
    })
    .await;
}

async fn a_scheduled_post_is_published_at_its_time(backend: Backend) {
    let app = spawn_app(backend).await;
    let aldo = app.create_user("aldo", &["author"]).await;
    let token = app.token("aldo", None).await.access_token;
    let id = post_in(&app, aldo, "draft", 1).await;
    let at = in_secs(2);
    let path = format!("/api/posts/{id}/publish");
    let (status, post) = app
        .call("POST", &path, Some(&token), Some(json!({"at": at})))
        .await;
    assert_eq!(status, 200, "{post}");
    assert_eq!(post["status"], "scheduled");
    assert_eq!(post["published_at"], at);
    // Not public yet: anonymous readers do not see it.
    assert_eq!(app.get(&format!("/api/posts/{id}")).await.status(), 404);
    let post = wait_for(&app, &token, id, "published", 8).await;
    assert_eq!(post["status"], "published", "not published in time: {post}");
    assert_eq!(
        post["published_at"], at,
        "published_at is the scheduled time"
    );
    assert_eq!(app.get(&format!("/api/posts/{id}")).await.status(), 200);
    let events = post_events(&app).await;
    let target = format!("post {id}");
    let published: Vec<_> = events
        .iter()
        .filter(|e| e.1 == "post.publish" && e.2 == target)
        .collect();
    assert_eq!(published.len(), 1, "{events:?}");
    assert_eq!(published[0].0, "scheduler");
    assert_eq!(published[0].3, "success");
}

async fn the_scheduler_refuses_when_the_scheduler_lost_publish_rights(backend: Backend) {
    let app = spawn_app(backend).await;
    let aldo = app.create_user("aldo", &["author"]).await;
    let token = app.token("aldo", None).await.access_token;
    let id = post_in(&app, aldo, "draft", 1).await;
    let path = format!("/api/posts/{id}/publish");
    let body = json!({"at": in_secs(3600)});
    assert_eq!(
        app.call("POST", &path, Some(&token), Some(body)).await.0,
        200
    );
    // Aldo is demoted to contributor (no publish rights) before the post is due.
    let actor = quire::manage::Actor::cli();
    app.with_conn(move |c| {
        quire::manage::users::grant_role(c, &actor, aldo, "contributor", None).unwrap();
        quire::manage::users::revoke_role(c, &actor, aldo, "author").unwrap();
    })
    .await;
    make_due(&app, vec![id]).await;
    let admin = app.admin_token().await.access_token;
    let post = wait_for(&app, &admin, id, "draft", 8).await;
    assert_eq!(post["status"], "draft", "{post}");
    assert_eq!(post["published_at"], Value::Null);
    let events = post_events(&app).await;
    let target = format!("post {id}");
    let failed: Vec<_> = events
        .iter()
        .filter(|e| e.1 == "post.schedule_failed" && e.2 == target)
        .collect();
    assert_eq!(failed.len(), 1, "{events:?}");
    assert_eq!(failed[0].0, "scheduler");
    assert!(
        failed[0].4.contains("aldo"),
        "the detail says why: {failed:?}"
    );
    assert!(
        !events
            .iter()
            .any(|e| e.1 == "post.publish" && e.2 == target),
        "{events:?}"
    );
    // An editor's schedule of someone else's post fails the same way once they are not
    // an editor any more; a disabled scheduler too.
    let eddy = app.create_user("eddy", &["editor"]).await;
    let eddy_token = app.token("eddy", None).await.access_token;
    let other = post_in(&app, aldo, "draft", 2).await;
    let path = format!("/api/posts/{other}/publish");
    let body = json!({"at": in_secs(3600)});
    assert_eq!(
        app.call("POST", &path, Some(&eddy_token), Some(body))
            .await
            .0,
        200
    );
    let actor = quire::manage::Actor::cli();
    app.with_conn(move |c| quire::manage::users::set_disabled(c, &actor, eddy, true).unwrap())
        .await;
    make_due(&app, vec![other]).await;
    let post = wait_for(&app, &admin, other, "draft", 8).await;
    assert_eq!(post["status"], "draft", "{post}");
}

async fn two_instances_publish_each_due_post_exactly_once(backend: Backend) {
    let a = spawn_app(backend).await;
    let b = spawn_on(a.test_db.clone(), &[]).await;
    let eddy = a.create_user("eddy", &["editor"]).await;
    let token = a.token("eddy", None).await.access_token;
    let mut ids = Vec::new();
    for n in 0..24 {
        let id = post_in(&a, eddy, "draft", n).await;
        let path = format!("/api/posts/{id}/publish");
        let app = if n % 2 == 0 { &a } else { &b };
        let body = json!({"at": in_secs(3600)});
        assert_eq!(
            app.call("POST", &path, Some(&token), Some(body)).await.0,
            200
        );
        ids.push(id);
    }
    // All due at once: both instances' schedulers find them on their next tick.
    make_due(&a, ids.clone()).await;
    for &id in &ids {
        let post = wait_for(&b, &token, id, "published", 10).await;
        assert_eq!(post["status"], "published", "{post}");
    }
    // Give a slower second claim the chance to happen, if it ever could.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let events = post_events(&a).await;
    for id in ids {
        let target = format!("post {id}");
        let n = events
            .iter()
            .filter(|e| e.0 == "scheduler" && e.1 == "post.publish" && e.2 == target)
            .count();
        assert_eq!(n, 1, "post {id} published {n} times: {events:?}");
    }
}

both_backends!(
    a_scheduled_post_is_published_at_its_time,
    the_scheduler_refuses_when_the_scheduler_lost_publish_rights,
    two_instances_publish_each_due_post_exactly_once,
);
