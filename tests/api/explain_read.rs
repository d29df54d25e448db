//! SPEC H11: `/api/authz/explain` follows the read rule — about a post or comment the
//! caller may not read it answers 404, as reading it would — and `comment=ID` alone is
//! enough for the comment actions.

use serde_json::{json, Value};

use crate::helpers::{create_role, spawn_app, Backend, TestApp};

async fn post(app: &TestApp, token: &str, title: &str, status: &str) -> i64 {
    let body = json!({"title": title, "body": "text", "status": status});
    app.create_post(token, body).await["id"].as_i64().unwrap()
}

async fn comment(app: &TestApp, token: &str, post: i64) -> i64 {
    let path = format!("/api/posts/{post}/comments");
    let (status, body) = app
        .call("POST", &path, Some(token), Some(json!({"body": "hello"})))
        .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

async fn explain_answers_404_about_what_the_caller_may_not_read(backend: Backend) {
    let app = spawn_app(backend).await;
    // Reads published posts and their comments, and roles; not other people's drafts.
    create_role(
        &app,
        "auditor",
        &["roles:read", "posts:read", "comments:read"],
    )
    .await;
    create_role(&app, "viewer", &["roles:read"]).await;
    app.create_user("aud", &["auditor"]).await;
    app.create_user("vic", &["viewer"]).await;
    app.create_user("wri", &["author"]).await;
    let admin = app.admin_token().await.access_token;
    let aud = app.token("aud", None).await.access_token;
    let vic = app.token("vic", None).await.access_token;
    let wri = app.token("wri", None).await.access_token;
    let draft = post(&app, &wri, "Secret plans", "draft").await;
    let public = post(&app, &wri, "Hello", "published").await;
    let on_public = comment(&app, &wri, public).await;
    // A comment on a post that is a draft again.
    let later = post(&app, &wri, "Withdrawn", "published").await;
    let on_draft = comment(&app, &wri, later).await;
    let (status, _) = app
        .call(
            "POST",
            &format!("/api/posts/{later}/unpublish"),
            Some(&wri),
            None,
        )
        .await;
    assert_eq!(status, 200);
    // (caller, query, expected status)
    let rows: Vec<(&str, &str, String, u16)> = vec![
        (
            "aud",
            aud.as_str(),
            format!("user=wri&action=post:read&post={draft}"),
            404,
        ),
        (
            "aud",
            aud.as_str(),
            format!("user=wri&action=post:update&post={draft}"),
            404,
        ),
        (
            "aud",
            aud.as_str(),
            format!("user=wri&action=post:comment&post={later}"),
            404,
        ),
        (
            "aud",
            aud.as_str(),
            format!("user=wri&action=comment:read&post={later}"),
            404,
        ),
        (
            "aud",
            aud.as_str(),
            format!("user=wri&action=comment:update&comment={on_draft}"),
            404,
        ),
        (
            "aud",
            aud.as_str(),
            format!("user=wri&action=comment:delete&comment={on_draft}"),
            404,
        ),
        (
            "aud",
            aud.as_str(),
            format!("user=wri&action=comment:read&comment={on_draft}"),
            404,
        ),
        (
            "aud",
            aud.as_str(),
            "user=wri&action=post:read&post=999999".into(),
            404,
        ),
        (
            "aud",
            aud.as_str(),
            "user=wri&action=comment:read&comment=999999".into(),
            404,
        ),
        (
            "aud",
            aud.as_str(),
            format!("user=wri&action=post:update&post={public}"),
            200,
        ),
        (
            "aud",
            aud.as_str(),
            format!("user=wri&action=comment:update&comment={on_public}"),
            200,
        ),
        (
            "aud",
            aud.as_str(),
            format!("user=wri&action=comment:delete&comment={on_public}"),
            200,
        ),
        // `comment=ID` alone is enough for comment:read; with a post, it must be its own.
        (
            "aud",
            aud.as_str(),
            format!("user=wri&action=comment:read&comment={on_public}"),
            200,
        ),
        (
            "aud",
            aud.as_str(),
            format!("user=wri&action=comment:read&post={public}&comment={on_public}"),
            200,
        ),
        (
            "aud",
            aud.as_str(),
            format!("user=wri&action=comment:read&post={draft}&comment={on_public}"),
            404,
        ),
        (
            "aud",
            aud.as_str(),
            "user=wri&action=comment:read".into(),
            422,
        ),
        // No posts:read at all: no post is readable, so none is explained.
        (
            "vic",
            vic.as_str(),
            format!("user=wri&action=post:read&post={public}"),
            404,
        ),
        (
            "vic",
            vic.as_str(),
            "user=wri&action=posts:read".into(),
            200,
        ),
        // Who may read drafts and their comments is told about them.
        (
            "admin",
            admin.as_str(),
            format!("user=aud&action=post:read&post={draft}"),
            200,
        ),
        (
            "admin",
            admin.as_str(),
            format!("user=wri&action=comment:update&comment={on_draft}"),
            200,
        ),
        (
            "admin",
            admin.as_str(),
            format!("user=wri&action=comment:read&comment={on_draft}"),
            200,
        ),
    ];
    for (who, token, q, expected) in rows {
        let resp = app
            .get_with(&format!("/api/authz/explain?{q}"), token)
            .await;
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(status, expected, "{who}: {q}: {body}");
        if expected == 404 {
            // Exactly what a post that does not exist answers: no author, no reason.
            assert_eq!(body["error"], "not_found", "{who}: {q}: {body}");
            assert!(!body.to_string().contains("wri\""), "{who}: {q}: {body}");
        }
    }
    // The answers themselves, for the comment of a readable post.
    let q = format!("user=wri&action=comment:update&comment={on_public}");
    let body: Value = app
        .get_with(&format!("/api/authz/explain?{q}"), &aud)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["allowed"], true, "{body}");
    assert_eq!(body["ownership"], true, "{body}");
    let q = format!("user=aud&action=comment:read&comment={on_public}");
    let body: Value = app
        .get_with(&format!("/api/authz/explain?{q}"), &aud)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["allowed"], true, "{body}");
    let q = format!("user=aud&action=post:read&post={draft}");
    let body: Value = app
        .get_with(&format!("/api/authz/explain?{q}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["allowed"], false, "{body}");
}

both_backends!(explain_answers_404_about_what_the_caller_may_not_read);
