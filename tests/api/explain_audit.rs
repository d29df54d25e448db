//! `GET /api/authz/explain` and `GET /api/audit`.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, Backend, TestApp};

async fn post_by(app: &TestApp, token: &str, title: &str) -> i64 {
    app.create_post(token, json!({"title": title, "body": "text"}))
        .await["id"]
        .as_i64()
        .unwrap()
}

async fn explain_says_why(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("wri", &["author"]).await;
    app.create_user("ed", &["editor"]).await;
    app.create_user("con", &["contributor"]).await;
    app.create_user("mod", &["moderator"]).await;
    let admin = app.admin_token().await.access_token;
    let draft = post_by(&app, &app.token("wri", None).await.access_token, "Draft").await;
    let con_draft = post_by(&app, &app.token("con", None).await.access_token, "Mine").await;
    let ask = |q: String| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let resp = app
                .get_with(&format!("/api/authz/explain?{q}"), &admin)
                .await;
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.unwrap())
        }
    };
    // (query, allowed, ownership, a (role, grant) that must appear in `via`)
    type Case = (String, bool, bool, Option<(&'static str, &'static str)>);
    let cases: Vec<Case> = vec![
        (
            format!("user=ed&action=post:update&post={draft}"),
            true,
            false,
            Some(("editor", "posts:update")),
        ),
        (
            format!("user=wri&action=post:update&post={draft}"),
            true,
            true,
            Some(("user", "posts:update_own")),
        ),
        (
            format!("user=con&action=post:publish&post={con_draft}"),
            false,
            false,
            None,
        ),
        (
            format!("user=con&action=post:read&post={draft}"),
            false,
            false,
            None,
        ),
        (
            format!("user=mod&action=post:delete&post={draft}"),
            true,
            false,
            Some(("moderator", "posts:delete")),
        ),
        (
            "user=mod&action=users:read".to_owned(),
            true,
            false,
            Some(("moderator", "users:read")),
        ),
        ("user=wri&action=users:read".to_owned(), false, false, None),
        (
            "user=admin&action=audit:read".to_owned(),
            true,
            false,
            Some(("admin", "*")),
        ),
    ];
    for (q, allowed, ownership, via) in cases {
        let (status, body) = ask(q.clone()).await;
        assert_eq!(status, 200, "{q}: {body}");
        assert_eq!(body["allowed"], allowed, "{q}: {body}");
        assert_eq!(body["ownership"], ownership, "{q}: {body}");
        assert!(
            body["reason"].as_str().unwrap().starts_with(if allowed {
                "allowed"
            } else {
                "denied"
            }),
            "{q}: {body}"
        );
        if let Some((role, grant)) = via {
            assert!(
                body["via"]
                    .as_array()
                    .unwrap()
                    .contains(&json!({"role": role, "grant": grant})),
                "{q}: {body}"
            );
        }
    }
    for (q, status) in [
        ("user=nobody&action=users:read".to_owned(), 422),
        ("user=ed&action=post:update".to_owned(), 422),
        ("user=ed&action=fly".to_owned(), 422),
        ("user=ed&action=post:update&post=999999".to_owned(), 404),
        (
            "user=ed&action=comment:delete&comment=999999".to_owned(),
            404,
        ),
        ("action=users:read".to_owned(), 400),
    ] {
        assert_eq!(ask(q.clone()).await.0, status, "{q}");
    }
    let wri = app.token("wri", None).await.access_token;
    assert_eq!(
        app.get_with("/api/authz/explain?user=ed&action=users:read", &wri)
            .await
            .status(),
        403
    );
    assert_eq!(
        app.get("/api/authz/explain?user=ed&action=users:read")
            .await
            .status(),
        401
    );
}

async fn audit_lists_filters_and_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    for _ in 0..3 {
        app.token("ada", None).await;
    }
    let _ = app
        .token_request(&[("username", "ada"), ("password", "wrong-password")])
        .await;
    let admin = app.admin_token().await.access_token;
    let page: Value = app
        .get_with(
            "/api/audit?action=login&actor=ada&outcome=success&limit=2",
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items
        .iter()
        .all(|e| e["action"] == "login" && e["actor"] == "ada" && e["outcome"] == "success"));
    let cursor = page["next_cursor"].as_str().unwrap();
    let next: Value = app
        .get_with(
            &format!("/api/audit?action=login&actor=ada&outcome=success&limit=2&cursor={cursor}"),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(next["items"].as_array().unwrap().len(), 1);
    assert!(next["items"][0]["id"].as_i64() < items[1]["id"].as_i64());
    let failures: Value = app
        .get_with("/api/audit?outcome=failure", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert!(failures["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["actor"] == "ada"));
    assert_eq!(
        app.get_with("/api/audit?outcome=maybe", &admin)
            .await
            .status(),
        422
    );
    assert_eq!(
        app.get_with("/api/audit?cursor=zzz", &admin).await.status(),
        400
    );
    let ada = app.token("ada", None).await.access_token;
    assert_eq!(app.get_with("/api/audit", &ada).await.status(), 403);
}

both_backends!(explain_says_why, audit_lists_filters_and_pages);
