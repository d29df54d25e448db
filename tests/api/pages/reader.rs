//! The reader's pages (SPEC §10): `/login`, `/logout`, `/register`, the comment form.

use super::*;

async fn login_form(b: &reqwest::Client, app: &TestApp, path: &str) -> String {
    csrf_of(
        &b.get(app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
}

async fn post_login(
    b: &reqwest::Client,
    app: &TestApp,
    who: &str,
    next: &str,
) -> reqwest::Response {
    let csrf = login_form(b, app, "/login").await;
    let password = if who == "admin" {
        ADMIN_PASSWORD.to_owned()
    } else {
        password_of(who)
    };
    b.post(app.url("/login"))
        .form(&[
            ("username", who),
            ("password", &password),
            ("csrf", &csrf),
            ("next", next),
        ])
        .send()
        .await
        .unwrap()
}

async fn sign_in_lands_by_role_and_next_stays_local(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("rea", &["user"]).await;
    app.create_user("con", &["contributor"]).await;
    for (who, next, lands) in [
        ("rea", "", "/"),
        ("con", "", "/admin/posts?author=con"),
        ("admin", "", "/admin"),
        ("rea", "/p/some-post", "/p/some-post"),
        ("rea", "//evil.example/x", "/"),
        ("rea", "https://evil.example/", "/"),
        ("rea", "/\\evil.example", "/"),
    ] {
        let b = browser();
        let resp = post_login(&b, &app, who, next).await;
        assert_eq!(resp.status(), 303, "{who} {next}");
        assert_eq!(resp.headers()["location"], lands, "{who} next={next:?}");
    }
    // Without the token: refused, not signed in.
    let b = browser();
    let resp = b
        .post(app.url("/login"))
        .form(&[("username", "rea"), ("password", &password_of("rea"))])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    // Sign-out is a form in the header; it needs the token and lands on `/`.
    let resp = post_login(&b, &app, "rea", "").await;
    assert_eq!(resp.status(), 303);
    let (_, html) = page(&b, &app, "/").await;
    assert!(
        html.contains("action=\"/logout\"") && html.contains("rea"),
        "{html}"
    );
    let resp = b
        .post(app.url("/logout"))
        .form(&[("csrf", "0".repeat(64))])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = b
        .post(app.url("/logout"))
        .form(&[("csrf", csrf_of(&html))])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/");
    let (_, html) = page(&b, &app, "/").await;
    assert!(!html.contains("action=\"/logout\"") && html.contains("href=\"/login\""));
}

async fn register_signs_the_reader_in_when_open(backend: Backend) {
    let closed = spawn_app(backend).await;
    assert_eq!(page(&browser(), &closed, "/register").await.0, 404);
    let app = spawn_app_with(backend, &[("QUIRE_REGISTRATION", "open")]).await;
    let b = browser();
    let csrf = login_form(&b, &app, "/register").await;
    let mut form = vec![
        ("csrf", csrf.clone()),
        ("username", "newbie".to_owned()),
        ("email", "newbie@example.com".to_owned()),
        ("password", "long-enough-pw".to_owned()),
        ("display_name", "New Bie".to_owned()),
    ];
    let resp = b
        .post(app.url("/register"))
        .form(&form[1..])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403, "no token, no account");
    form[3].1 = "short".into();
    let resp = b
        .post(app.url("/register"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    form[3].1 = "long-enough-pw".into();
    let resp = b
        .post(app.url("/register"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/");
    let (_, html) = page(&b, &app, "/").await;
    assert!(html.contains("Welcome, newbie") && html.contains("action=\"/logout\""));
}

async fn only_who_may_comment_sees_the_form_and_own_comment_actions(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("aut", &["author"]).await;
    app.create_user("rea", &["user"]).await;
    app.create_user("bare", &[]).await;
    let token = app.token("aut", None).await.access_token;
    app.create_post(
        &token,
        json!({"title": "Live", "body": "**bold** text", "status": "published"}),
    )
    .await;
    let anonymous = browser();
    let (status, html) = page(&anonymous, &app, "/p/live").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<strong>bold</strong>"),
        "rendered body: {html}"
    );
    assert!(!html.contains("action=\"/p/live/comments\"") && html.contains("Sign in"));
    let bare = sign_in(&app, "bare", &password_of("bare")).await;
    let (status, _) = page(&bare, &app, "/p/live").await;
    assert_eq!(status, 404, "no posts:read, no post");
    let rea = sign_in(&app, "rea", &password_of("rea")).await;
    let (_, html) = page(&rea, &app, "/p/live").await;
    assert!(html.contains("action=\"/p/live/comments\""), "{html}");
    let csrf = csrf_of(&html);
    let resp = rea
        .post(app.url("/p/live/comments"))
        .form(&[("csrf", "0".repeat(64)), ("body", "nope".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = rea
        .post(app.url("/p/live/comments"))
        .form(&[("csrf", csrf.as_str()), ("body", "<b>mine</b>")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let (_, html) = page(&rea, &app, "/p/live").await;
    assert!(shows_escaped(&html, "<b>mine</b>") && html.contains("Comment posted."));
    let id: i64 = html
        .split("action=\"/comments/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(html.contains(&format!("/comments/{id}/edit")));
    assert!(html.contains(&format!("/comments/{id}/delete")));
    // Another reader sees the comment but neither action on it.
    let aut = sign_in(&app, "aut", &password_of("aut")).await;
    let (_, html) = page(&aut, &app, "/p/live").await;
    assert!(!html.contains(&format!("/comments/{id}/edit")), "{html}");
    let resp = aut
        .post(app.url(&format!("/comments/{id}/edit")))
        .form(&[("csrf", csrf_of(&html).as_str()), ("body", "hijacked")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    // The author edits, then deletes.
    for (action, body, flash) in [
        ("edit", "edited", "Comment updated."),
        ("delete", "", "Comment deleted."),
    ] {
        let resp = rea
            .post(app.url(&format!("/comments/{id}/{action}")))
            .form(&[("csrf", csrf.as_str()), ("body", body)])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303, "{action}");
        let (_, html) = page(&rea, &app, "/p/live").await;
        assert!(html.contains(flash), "{html}");
    }
    let (_, html) = page(&rea, &app, "/p/live").await;
    assert!(html.contains("No comments yet."));
}

both_backends!(
    sign_in_lands_by_role_and_next_stays_local,
    register_signs_the_reader_in_when_open,
    only_who_may_comment_sees_the_form_and_own_comment_actions,
);
