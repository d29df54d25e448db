//! The anonymous `/p/{slug}`'s ETag comes from what the page is built from (the post's
//! `page_version`, kept by database triggers, and the authorization generation), so its
//! 304 renders nothing (SPEC §10 "Caching"). These tests change each thing the page shows,
//! through the API, and check that a copy tagged before the change is sent again, and that
//! changes the page does not show leave the tag alone.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, Backend, TestApp};

/// The page's current tag, fetched anonymously (a 200).
async fn etag_of(app: &TestApp, path: &str) -> String {
    let resp = reqwest::get(app.url(path)).await.unwrap();
    assert_eq!(resp.status(), 200, "{path}");
    resp.headers()["etag"].to_str().unwrap().to_owned()
}

/// What an anonymous revalidation of `path` with `etag` answers.
async fn revalidate(app: &TestApp, path: &str, etag: &str) -> u16 {
    let resp = reqwest::Client::new()
        .get(app.url(path))
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    if status == 304 {
        assert_eq!(resp.headers()["etag"].to_str().unwrap(), etag);
        assert_eq!(resp.headers()["cache-control"], "public, max-age=60");
        assert!(resp.headers().get("set-cookie").is_none());
    }
    status
}

async fn call_ok(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Value {
    let (status, answer) = app.call(method, path, Some(token), body).await;
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {answer}"
    );
    answer
}

async fn every_change_the_post_page_shows_changes_its_tag(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let post = app
        .create_post(
            &admin,
            json!({"title": "Versioned", "body": "v1", "status": "published", "tags": ["a"]}),
        )
        .await;
    let other = app
        .create_post(
            &admin,
            json!({"title": "Other", "body": "x", "status": "published"}),
        )
        .await;
    let (id, other_id) = (post["id"].as_i64().unwrap(), other["id"].as_i64().unwrap());
    let path = format!("/p/{}", post["slug"].as_str().unwrap());
    let reader_id = app.create_user("reader1", &["user"]).await;
    let (_, me) = app.call("GET", "/api/me", Some(&admin), None).await;
    let admin_id = me["id"].as_i64().expect("the admin's id");
    let reader = app.token("reader1", None).await.access_token;

    // Each change, then: the old copy is stale (200), and the new tag revalidates (304).
    let mut etag = etag_of(&app, &path).await;
    assert_eq!(revalidate(&app, &path, &etag).await, 304);
    let comment = call_ok(
        &app,
        "POST",
        &format!("/api/posts/{id}/comments"),
        &reader,
        Some(json!({"body": "first"})),
    )
    .await;
    let comment_id = comment["id"].as_i64().unwrap();
    // (who, method, target, body, what changed)
    let changes: Vec<(&str, &str, String, Option<Value>, &str)> = vec![
        (
            &reader,
            "PATCH",
            format!("/api/comments/{comment_id}"),
            Some(json!({"body": "edited"})),
            "comment edited",
        ),
        (
            &admin,
            "PATCH",
            format!("/api/posts/{id}"),
            Some(json!({"body": "v2"})),
            "body",
        ),
        (
            &admin,
            "PATCH",
            format!("/api/posts/{id}"),
            Some(json!({"tags": ["a", "b"]})),
            "tags",
        ),
        (
            &admin,
            "PATCH",
            format!("/api/users/{reader_id}"),
            Some(json!({"display_name": "Reader One"})),
            "commenter renamed",
        ),
        (
            &admin,
            "PATCH",
            format!("/api/users/{admin_id}"),
            Some(json!({"display_name": "The Admin"})),
            "author renamed",
        ),
        (
            &admin,
            "DELETE",
            format!("/api/comments/{comment_id}"),
            None,
            "comment deleted",
        ),
    ];
    // The comment's creation came first.
    assert_eq!(revalidate(&app, &path, &etag).await, 200, "comment added");
    etag = etag_of(&app, &path).await;
    for (token, method, target, body, what) in changes {
        call_ok(&app, method, &target, token, body).await;
        assert_eq!(revalidate(&app, &path, &etag).await, 200, "{what}");
        let next = etag_of(&app, &path).await;
        assert_ne!(next, etag, "{what}");
        assert_eq!(revalidate(&app, &path, &next).await, 304, "{what}: new tag");
        etag = next;
    }

    // What the page does not show leaves its tag alone: another post and its comments.
    call_ok(
        &app,
        "PATCH",
        &format!("/api/posts/{other_id}"),
        &admin,
        Some(json!({"body": "y"})),
    )
    .await;
    call_ok(
        &app,
        "POST",
        &format!("/api/posts/{other_id}/comments"),
        &reader,
        Some(json!({"body": "elsewhere"})),
    )
    .await;
    assert_eq!(
        revalidate(&app, &path, &etag).await,
        304,
        "unrelated changes"
    );

    // What the anonymous role may do is part of the page (its comment section).
    let (status, role) = app
        .call("GET", "/api/roles/anonymous", Some(&admin), None)
        .await;
    assert_eq!(status, 200, "{role}");
    let mut grants: Vec<Value> = role["permissions"].as_array().unwrap().clone();
    grants.retain(|p| p != "comments:read");
    call_ok(
        &app,
        "PATCH",
        "/api/roles/anonymous",
        &admin,
        Some(json!({"permissions": grants})),
    )
    .await;
    assert_eq!(
        revalidate(&app, &path, &etag).await,
        200,
        "anonymous role changed"
    );

    // An unpublished post has no public page: no 304 for the old copy either.
    etag = etag_of(&app, &path).await;
    call_ok(
        &app,
        "POST",
        &format!("/api/posts/{id}/unpublish"),
        &admin,
        None,
    )
    .await;
    assert_eq!(revalidate(&app, &path, &etag).await, 404, "unpublished");
}

async fn a_signed_in_reader_is_never_answered_from_the_anonymous_tag(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let post = app
        .create_post(
            &admin,
            json!({"title": "Mine", "body": "b", "status": "published"}),
        )
        .await;
    let path = format!("/p/{}", post["slug"].as_str().unwrap());
    let etag = etag_of(&app, &path).await;
    // With a token the page is the caller's own (private), tagged by its bytes.
    let resp = reqwest::Client::new()
        .get(app.url(&path))
        .bearer_auth(&admin)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "private");
    assert_ne!(resp.headers()["etag"].to_str().unwrap(), etag);
}

both_backends!(
    every_change_the_post_page_shows_changes_its_tag,
    a_signed_in_reader_is_never_answered_from_the_anonymous_tag,
);
