//! The login page and the public pages: CSRF, local redirects, escaping, security headers.

use super::*;

async fn login_needs_csrf_and_redirects_only_locally(backend: Backend) {
    let app = spawn_app(backend).await;
    let b = browser();
    let resp = b
        .get(app.url("/admin/posts?status=draft"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(
        resp.headers()["location"],
        "/admin/login?next=/admin/posts%3Fstatus%3Ddraft"
    );
    let html = b
        .get(app.url("/admin/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&html);
    // No token: refused, not signed in.
    let resp = b
        .post(app.url("/admin/login"))
        .form(&[("username", "admin"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(page(&b, &app, "/admin").await.0, 303);
    // Wrong password: the form again, with a message.
    let resp = b
        .post(app.url("/admin/login"))
        .form(&[
            ("username", "admin"),
            ("password", "wrong-password"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("Invalid username or password"));
    // An off-site `next` lands on the dashboard instead.
    let resp = b
        .post(app.url("/admin/login"))
        .form(&[
            ("username", "admin"),
            ("password", ADMIN_PASSWORD),
            ("csrf", &csrf),
            ("next", "//evil.example/x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/admin");
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let (status, html) = page(&b, &app, "/admin").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Signed in as admin") && html.contains("roles:manage"),
        "{html}"
    );
    // Logging out needs the token too.
    let csrf = csrf_of(&html);
    assert_eq!(
        b.post(app.url("/admin/logout"))
            .form(&[("x", "y")])
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(page(&b, &app, "/admin").await.0, 200);
    let resp = b
        .post(app.url("/admin/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(page(&b, &app, "/admin").await.0, 303);
}

async fn public_pages_show_published_posts_escaped_with_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("wri", &["author"]).await;
    let token = app.token("wri", None).await.access_token;
    for (title, status) in [
        ("Hello <b>world</b>", "published"),
        ("Secret draft", "draft"),
    ] {
        app.create_post(
            &token,
            json!({"title": title, "body": "<script>alert('x')</script>", "status": status}),
        )
        .await;
    }
    let b = browser();
    let resp = b.get(app.url("/")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert_eq!(resp.headers()["referrer-policy"], "same-origin");
    let html = resp.text().await.unwrap();
    assert!(
        shows_escaped(&html, "Hello <b>world</b>") && !html.contains("Secret draft"),
        "{html}"
    );
    let post_id = app
        .with_conn(|c| {
            quire::db::queries::posts::find_post_by_slug(c, "hello-b-world-b")
                .unwrap()
                .unwrap()
                .0
                .id
        })
        .await;
    let resp = app
        .client
        .post(app.url(&format!("/api/posts/{post_id}/comments")))
        .bearer_auth(&token)
        .json(&json!({"body": "<i>first</i> comment"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let (status, html) = page(&b, &app, "/p/hello-b-world-b").await;
    assert!(shows_escaped(&html, "<i>first</i> comment"), "{html}");
    assert_eq!(status, 200);
    assert!(
        !html.contains("<script>alert("),
        "the body is sanitized: {html}"
    );
    assert_eq!(page(&b, &app, "/p/secret-draft").await.0, 404);
    assert_eq!(page(&b, &app, "/p/nothing-here").await.0, 404);
    let css = b.get(app.url("/static/quire.css")).send().await.unwrap();
    assert_eq!(css.status(), 200);
    assert!(css.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age"));
}

both_backends!(
    login_needs_csrf_and_redirects_only_locally,
    public_pages_show_published_posts_escaped_with_security_headers,
);
