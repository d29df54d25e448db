//! Moderation is audited; narrowed tokens and the anonymous role get no more than their
//! permissions allow.

use serde_json::{json, Value};

use super::{make_comment, make_post};
use crate::helpers::{spawn_app, Backend, TestApp};

async fn delete(app: &TestApp, token: &str, comment: i64) -> reqwest::Response {
    app.client
        .delete(app.url(&format!("/api/comments/{comment}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn patch(app: &TestApp, token: &str, comment: i64) -> reqwest::Response {
    app.client
        .patch(app.url(&format!("/api/comments/{comment}")))
        .bearer_auth(token)
        .json(&json!({"body": "changed"}))
        .send()
        .await
        .unwrap()
}

/// `comment.delete` events, newest first: (actor, target, outcome, detail).
async fn moderation_events(app: &TestApp) -> Vec<(String, String, String, String)> {
    app.with_conn(|c| {
        let filter = quire::db::queries::audit::AuditFilter {
            action: Some("comment.delete".into()),
            ..Default::default()
        };
        quire::db::queries::audit::list_events(c, &filter, 100)
            .unwrap()
            .into_iter()
            .map(|e| (e.actor, e.target, e.outcome, e.detail))
            .collect()
    })
    .await
}

async fn error_code(resp: reqwest::Response) -> (u16, String) {
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    (status, body["error"].as_str().unwrap_or("").to_owned())
}

async fn deleting_someone_elses_comment_is_audited(backend: Backend) {
    let app = spawn_app(backend).await;
    let writer = app.create_user("writer", &["user"]).await;
    let ed = app.create_user("ed", &["editor"]).await;
    app.create_user("mod", &["moderator"]).await;
    let post = make_post(&app, ed, true, 1).await;
    let draft = make_post(&app, ed, false, 2).await;
    let by_mod = make_comment(&app, post, writer, "spam").await;
    let by_admin = make_comment(&app, draft, writer, "more spam").await;
    let own = make_comment(&app, post, writer, "oops").await;
    let eds = make_comment(&app, post, ed, "reply").await;
    let writer_t = app.token("writer", None).await.access_token;
    let ed_t = app.token("ed", None).await.access_token;
    let mod_t = app.token("mod", None).await.access_token;
    let admin_t = app.admin_token().await.access_token;

    // Authors change their own comments without leaving a moderation trace.
    assert_eq!(patch(&app, &writer_t, own).await.status(), 200);
    assert_eq!(delete(&app, &writer_t, own).await.status(), 204);
    // Nobody else may, not the post's editor, and no one edits another's words.
    assert_eq!(
        error_code(delete(&app, &writer_t, eds).await).await,
        (403, "forbidden".into())
    );
    assert_eq!(
        error_code(delete(&app, &ed_t, by_mod).await).await,
        (403, "forbidden".into())
    );
    for token in [&mod_t, &admin_t] {
        assert_eq!(
            error_code(patch(&app, token, by_mod).await).await,
            (403, "forbidden".into())
        );
    }
    assert!(moderation_events(&app).await.is_empty());

    assert_eq!(delete(&app, &mod_t, by_mod).await.status(), 204);
    // The admin reads drafts (posts:update through `*`), so moderates there too.
    assert_eq!(delete(&app, &admin_t, by_admin).await.status(), 204);
    let events = moderation_events(&app).await;
    assert_eq!(
        events,
        [
            (
                "admin".to_owned(),
                format!("comment {by_admin}"),
                "success".to_owned(),
                format!("on post {draft} by writer"),
            ),
            (
                "mod".to_owned(),
                format!("comment {by_mod}"),
                "success".to_owned(),
                format!("on post {post} by writer"),
            ),
        ]
    );
    // Deleting again finds nothing and records nothing.
    assert_eq!(delete(&app, &mod_t, by_mod).await.status(), 404);
    assert_eq!(moderation_events(&app).await.len(), 2);
}

async fn narrowed_tokens_limit_comment_actions(backend: Backend) {
    let app = spawn_app(backend).await;
    let writer = app.create_user("writer", &["user"]).await;
    let other = app.create_user("other", &["user"]).await;
    app.create_user("mod", &["moderator"]).await;
    let post = make_post(&app, other, true, 1).await;
    let path = format!("/api/posts/{post}/comments");

    let read_only = app
        .token("writer", Some("posts:read comments:read"))
        .await
        .access_token;
    let resp = app
        .client
        .post(app.url(&path))
        .bearer_auth(&read_only)
        .json(&json!({"body": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let www = resp.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(www.contains("error=\"insufficient_scope\""), "{www}");
    let err: Value = resp.json().await.unwrap();
    assert_eq!(err["error"], "insufficient_scope");
    assert_eq!(err["required"], json!(["comments:create"]));

    let mine = make_comment(&app, post, writer, "mine").await;
    let theirs = make_comment(&app, post, other, "theirs").await;
    assert_eq!(
        error_code(delete(&app, &read_only, mine).await).await,
        (403, "insufficient_scope".into())
    );
    assert_eq!(
        error_code(patch(&app, &read_only, mine).await).await,
        (403, "insufficient_scope".into())
    );
    // Without posts:read the post is unreadable, so its comments are not found.
    let blind = app
        .token("writer", Some("comments:delete_own"))
        .await
        .access_token;
    assert_eq!(delete(&app, &blind, mine).await.status(), 404);
    let delete_own = app
        .token("writer", Some("posts:read comments:delete_own"))
        .await
        .access_token;
    assert_eq!(delete(&app, &delete_own, mine).await.status(), 204);

    // A moderator's token without comments:delete cannot moderate.
    let mod_read = app
        .token("mod", Some("posts:read comments:read comments:delete_own"))
        .await
        .access_token;
    assert_eq!(
        error_code(delete(&app, &mod_read, theirs).await).await,
        (403, "forbidden".into())
    );
    let mod_t = app
        .token("mod", Some("posts:read comments:delete"))
        .await
        .access_token;
    assert_eq!(delete(&app, &mod_t, theirs).await.status(), 204);
}

async fn anonymous_callers_never_write_comments(backend: Backend) {
    let app = spawn_app(backend).await;
    let author = app.create_user("writer", &["user"]).await;
    let post = make_post(&app, author, true, 1).await;
    let comment = make_comment(&app, post, author, "hello").await;
    // Even an anonymous role edited to allow commenting does not make anonymous authors.
    // (It also loses comments:read, which shows the edit is in force.)
    app.with_conn(|c| {
        use quire::db::queries::{roles, settings};
        let anon = roles::find_role_by_name(c, "anonymous").unwrap().unwrap();
        let grants = ["posts:read", "comments:create"].map(String::from);
        roles::set_role_grants(c, anon.id, &grants).unwrap();
        settings::bump_generation(c).unwrap();
    })
    .await;
    let thread = format!("/api/posts/{post}/comments");
    assert_eq!(app.get(&thread).await.status(), 401);
    let seen: Value = app
        .get(&format!("/api/posts/{post}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["can"]["comment"], false, "{seen}");
    let resp = app
        .client
        .post(app.url(&thread))
        .json(&json!({"body": "drive-by"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.headers()["www-authenticate"], "Bearer realm=\"quire\"");
    for resp in [
        app.client
            .patch(app.url(&format!("/api/comments/{comment}")))
            .json(&json!({"body": "defaced"}))
            .send()
            .await
            .unwrap(),
        app.client
            .delete(app.url(&format!("/api/comments/{comment}")))
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(resp.status(), 401);
    }
    let token = app.token("writer", None).await.access_token;
    let page: Value = app.get_with(&thread, &token).await.json().await.unwrap();
    let bodies: Vec<&Value> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["body"])
        .collect();
    assert_eq!(bodies, [&json!("hello")]);
}

both_backends!(
    deleting_someone_elses_comment_is_audited,
    narrowed_tokens_limit_comment_actions,
    anonymous_callers_never_write_comments,
);
