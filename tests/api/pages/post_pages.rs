//! Post pages follow the API's permission rules; their actions need CSRF and the policy.

use super::*;

async fn pages_follow_the_api_permission_rules(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    let ada = sign_in(&app, "ada", &password_of("ada")).await;
    let admin = sign_in(&app, "admin", ADMIN_PASSWORD).await;
    // (path, ada's status, admin's status)
    for (path, for_ada, for_admin) in [
        ("/admin", 200, 200),
        ("/admin/posts", 200, 200),
        ("/admin/audit", 403, 200),
    ] {
        let (status, html) = page(&ada, &app, path).await;
        assert_eq!(status, for_ada, "ada {path}");
        if status == 403 {
            assert!(
                html.contains("Not allowed") && html.contains("audit:read"),
                "{html}"
            );
        }
        assert_eq!(page(&admin, &app, path).await.0, for_admin, "admin {path}");
    }
    let (_, html) = page(&ada, &app, "/admin").await;
    assert!(
        !html.contains("href=\"/admin/audit\""),
        "nav shows only what ada may open"
    );
    // A disabled account's session is signed out on its next request.
    let id = app
        .with_conn(|c| {
            quire::db::queries::users::find_user_by_username(c, "ada")
                .unwrap()
                .unwrap()
                .id
        })
        .await;
    let actor = quire::manage::Actor::cli();
    app.with_conn(move |c| quire::manage::users::set_disabled(c, &actor, id, true).unwrap())
        .await;
    assert_eq!(page(&ada, &app, "/admin").await.0, 303);
}

async fn post_actions_need_csrf_and_the_policy(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("con", &["contributor"]).await;
    let token = app.token("con", None).await.access_token;
    let created = app
        .create_post(
            &token,
            json!({"title": "<script>alert(1)</script>", "body": "x"}),
        )
        .await;
    let id = created["id"].as_i64().unwrap();
    let con = sign_in(&app, "con", &password_of("con")).await;
    let (_, html) = page(&con, &app, "/admin/posts").await;
    assert!(
        shows_escaped(&html, "<script>alert(1)</script>"),
        "escaped: {html}"
    );
    assert!(
        !html.contains(&format!("/admin/posts/{id}/publish")),
        "a contributor sees no publish button"
    );
    let csrf = csrf_of(&html);
    // The contributor may not publish: refused with a message, post unchanged.
    let resp = con
        .post(app.url(&format!("/admin/posts/{id}/publish")))
        .form(&[("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let admin = sign_in(&app, "admin", ADMIN_PASSWORD).await;
    let (_, html) = page(&admin, &app, "/admin/posts").await;
    let csrf = csrf_of(&html);
    // Without the token nothing changes.
    let resp = admin
        .post(app.url(&format!("/admin/posts/{id}/publish")))
        .form(&[("csrf", "0".repeat(64))])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let now: serde_json::Value = app
        .get_with(&format!("/api/posts/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now["status"], "draft");
    let resp = admin
        .post(app.url(&format!("/admin/posts/{id}/publish")))
        .form(&[("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let (_, html) = page(&admin, &app, "/admin/posts").await;
    assert!(html.contains("done."), "flash after the action: {html}");
    let now: serde_json::Value = app
        .get_with(&format!("/api/posts/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now["status"], "published");
    // Publishing someone else's post is audited.
    let audit = app.audit_actions().await;
    assert!(
        audit
            .iter()
            .any(|(a, act, _)| a == "admin" && act == "post.publish"),
        "{audit:?}"
    );
}

both_backends!(
    pages_follow_the_api_permission_rules,
    post_actions_need_csrf_and_the_policy,
);
