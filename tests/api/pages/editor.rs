//! The post editor and the review and comment pages (SPEC §10): who may open them, the
//! buttons each role sees, CSRF, and Preview writing nothing.

use super::*;

/// The `action` values of the editor form's buttons on `html`.
fn buttons(html: &str) -> Vec<String> {
    html.split("name=\"action\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or_default().to_owned())
        .collect()
}

async fn post_of(app: &TestApp, token: &str, id: i64) -> serde_json::Value {
    app.get_with(&format!("/api/posts/{id}"), token)
        .await
        .json()
        .await
        .unwrap()
}

async fn editor_pages_follow_read_and_update_rules(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("con", &["contributor"]).await;
    app.create_user("aut", &["author"]).await;
    app.create_user("edi", &["editor"]).await;
    app.create_user("bare", &[]).await;
    let aut_token = app.token("aut", None).await.access_token;
    let draft = app
        .create_post(&aut_token, json!({"title": "Aut draft", "body": "x"}))
        .await["id"]
        .as_i64()
        .unwrap();
    let published = app
        .create_post(
            &aut_token,
            json!({"title": "Aut live", "body": "x", "status": "published"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let anonymous = browser();
    let resp = anonymous
        .get(app.url(&format!("/admin/posts/{draft}/edit")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(
        resp.headers()["location"],
        format!("/admin/login?next=/admin/posts/{draft}/edit")
    );
    let con = sign_in(&app, "con", &password_of("con")).await;
    let aut = sign_in(&app, "aut", &password_of("aut")).await;
    let edi = sign_in(&app, "edi", &password_of("edi")).await;
    let bare = sign_in(&app, "bare", &password_of("bare")).await;
    // (who, path, status): someone else's draft is not found, their published post is
    // readable but not the caller's to edit.
    for (who, b, path, status) in [
        ("con", &con, format!("/admin/posts/{draft}/edit"), 404),
        ("con", &con, format!("/admin/posts/{published}/edit"), 403),
        ("con", &con, "/admin/posts/new".to_owned(), 200),
        ("bare", &bare, "/admin/posts/new".to_owned(), 403),
        ("aut", &aut, format!("/admin/posts/{draft}/edit"), 200),
        ("edi", &edi, format!("/admin/posts/{draft}/edit"), 200),
        ("con", &con, "/admin/review".to_owned(), 403),
        ("aut", &aut, "/admin/review".to_owned(), 403),
        ("edi", &edi, "/admin/review".to_owned(), 200),
        ("aut", &aut, "/admin/comments".to_owned(), 403),
        ("edi", &edi, "/admin/comments".to_owned(), 200),
        ("con", &con, "/admin/posts/999999/edit".to_owned(), 404),
    ] {
        assert_eq!(page(b, &app, &path).await.0, status, "{who} {path}");
    }
    // The buttons each role sees on the same kind of post.
    let (_, html) = page(&aut, &app, &format!("/admin/posts/{draft}/edit")).await;
    assert_eq!(
        buttons(&html),
        ["save", "preview", "submit", "publish", "schedule", "delete"]
    );
    let (_, html) = page(&aut, &app, &format!("/admin/posts/{published}/edit")).await;
    assert_eq!(buttons(&html), ["save", "preview", "unpublish", "delete"]);
    let (_, html) = page(&edi, &app, &format!("/admin/posts/{draft}/edit")).await;
    assert_eq!(
        buttons(&html),
        ["save", "preview", "publish", "schedule"],
        "an editor may not delete or submit others' posts"
    );
    let (_, html) = page(&con, &app, "/admin/posts/new").await;
    assert_eq!(
        buttons(&html),
        ["save", "preview"],
        "a contributor cannot publish"
    );
    let (_, html) = page(&aut, &app, "/admin/posts/new").await;
    assert_eq!(buttons(&html), ["save", "preview", "publish"]);
    // Contributors and authors see their own posts first.
    let (_, html) = page(&con, &app, "/admin/posts").await;
    assert!(!html.contains("Aut live"), "con sees their own: {html}");
    let (_, html) = page(&con, &app, "/admin/posts?author=").await;
    assert!(
        html.contains("Aut live"),
        "and everyone's on asking: {html}"
    );
}

async fn the_editor_saves_previews_and_publishes_with_csrf(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("aut", &["author"]).await;
    let token = app.token("aut", None).await.access_token;
    let aut = sign_in(&app, "aut", &password_of("aut")).await;
    let (_, html) = page(&aut, &app, "/admin/posts/new").await;
    let csrf = csrf_of(&html);
    let form = |csrf: &str, action: &str, title: &str| {
        vec![
            ("csrf", csrf.to_owned()),
            ("action", action.to_owned()),
            ("title", title.to_owned()),
            ("slug", String::new()),
            ("tags", "rust".to_owned()),
            (
                "body",
                "# Hi\n\n*there* <script>alert(1)</script>".to_owned(),
            ),
        ]
    };
    // Without the token nothing is created.
    let resp = aut
        .post(app.url("/admin/posts/new"))
        .form(&form(&"0".repeat(64), "save", "Nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    // Preview renders the sanitized Markdown and creates nothing.
    let resp = aut
        .post(app.url("/admin/posts/new"))
        .form(&form(&csrf, "preview", "Previewed"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("<h1>Hi</h1>") && html.contains("<em>there</em>"),
        "{html}"
    );
    assert!(!html.contains("<script>alert(1)"), "sanitized: {html}");
    let listed: serde_json::Value = app
        .get_with("/api/posts", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        0,
        "preview saved nothing"
    );
    // A bad title comes back as the form with the message, 422.
    let resp = aut
        .post(app.url("/admin/posts/new"))
        .form(&form(&csrf, "save", ""))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    // Save creates a draft and lands on its editor with a flash.
    let resp = aut
        .post(app.url("/admin/posts/new"))
        .form(&form(&csrf, "save", "Saved post"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let edit = resp.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = edit.split('/').nth(3).unwrap().parse().unwrap();
    let (_, html) = page(&aut, &app, &edit).await;
    assert!(html.contains("Created"), "{html}");
    assert_eq!(post_of(&app, &token, id).await["status"], "draft");
    // Preview of an existing post leaves it as stored.
    let resp = aut
        .post(app.url(&edit))
        .form(&form(&csrf, "preview", "Changed title"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(post_of(&app, &token, id).await["title"], "Saved post");
    // Publish from the form.
    let resp = aut
        .post(app.url(&edit))
        .form(&form(&csrf, "publish", "Saved post"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(post_of(&app, &token, id).await["status"], "published");
    let (_, html) = page(&aut, &app, &edit).await;
    assert!(html.contains("Published."), "{html}");
}

async fn comments_page_lists_readable_comments_and_deletes_for_moderators(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("aut", &["author"]).await;
    app.create_user("mod", &["moderator"]).await;
    app.create_user("edi", &["editor"]).await;
    let token = app.token("aut", None).await.access_token;
    let post = app
        .create_post(
            &token,
            json!({"title": "Live", "body": "x", "status": "published"}),
        )
        .await;
    let id = post["id"].as_i64().unwrap();
    let resp = app
        .client
        .post(app.url(&format!("/api/posts/{id}/comments")))
        .bearer_auth(&token)
        .json(&json!({"body": "a comment to moderate"}))
        .send()
        .await
        .unwrap();
    let comment = resp.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let edi = sign_in(&app, "edi", &password_of("edi")).await;
    let (_, html) = page(&edi, &app, "/admin/comments").await;
    assert!(html.contains("a comment to moderate"), "{html}");
    assert!(
        !html.contains(&format!("/admin/comments/{comment}/delete")),
        "an editor may not delete comments"
    );
    let m = sign_in(&app, "mod", &password_of("mod")).await;
    let (_, html) = page(&m, &app, "/admin/comments").await;
    assert!(html.contains(&format!("/admin/comments/{comment}/delete")));
    let path = format!("/admin/comments/{comment}/delete");
    let resp = m
        .post(app.url(&path))
        .form(&[("csrf", "0".repeat(64))])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403, "no token, no deletion");
    let resp = m
        .post(app.url(&path))
        .form(&[("csrf", csrf_of(&html))])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let (_, html) = page(&m, &app, "/admin/comments").await;
    assert!(!html.contains("a comment to moderate") && html.contains("deleted"));
}

both_backends!(
    editor_pages_follow_read_and_update_rules,
    the_editor_saves_previews_and_publishes_with_csrf,
    comments_page_lists_readable_comments_and_deletes_for_moderators,
);
