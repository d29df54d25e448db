//! Admin and public pages over HTTP: sessions, CSRF, redirects, permission pages, headers.

use serde_json::json;

use crate::helpers::{password_of, spawn_app, Backend, TestApp, ADMIN_PASSWORD};

/// A browser: its own cookie jar, no redirects followed.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

/// `text` shows as text: its `<` and `>` are escaped (as named or numeric entities).
pub fn shows_escaped(html: &str, text: &str) -> bool {
    let named = text.replace('<', "&lt;").replace('>', "&gt;");
    let numeric = text.replace('<', "&#60;").replace('>', "&#62;");
    !html.contains(text) && (html.contains(&named) || html.contains(&numeric))
}

pub fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[start..start + 64].to_owned()
}

/// Signs in through the login form; returns the browser.
pub async fn sign_in(app: &TestApp, username: &str, password: &str) -> reqwest::Client {
    let b = browser();
    let page = b
        .get(app.url("/admin/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let resp = b
        .post(app.url("/admin/login"))
        .form(&[
            ("username", username),
            ("password", password),
            ("csrf", &csrf),
            ("next", "/admin"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303, "sign in as {username}");
    b
}

async fn page(b: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let resp = b.get(app.url(path)).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

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
    assert!(shows_escaped(&html, "<script>alert("), "{html}");
    assert_eq!(page(&b, &app, "/p/secret-draft").await.0, 404);
    assert_eq!(page(&b, &app, "/p/nothing-here").await.0, 404);
    let css = b.get(app.url("/static/quire.css")).send().await.unwrap();
    assert_eq!(css.status(), 200);
    assert!(css.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age"));
}

async fn the_matrix_marks_direct_and_inherited_grants(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = sign_in(&app, "admin", ADMIN_PASSWORD).await;
    let (status, html) = page(&admin, &app, "/admin/matrix").await;
    assert_eq!(status, 200);
    for cell in [
        "title=\"editor: granted directly (posts:update from editor)\">●",
        "title=\"editor: inherited (posts:create from user)\">○",
        "title=\"contributor: not held\">",
        "title=\"admin: granted directly (* from admin)\">●",
    ] {
        assert!(html.contains(cell), "{cell}");
    }
    app.create_user("ada", &["user"]).await;
    let ada = sign_in(&app, "ada", &password_of("ada")).await;
    assert_eq!(page(&ada, &app, "/admin/matrix").await.0, 403);
}

async fn role_and_user_pages_follow_permissions_csrf_and_guard_rails(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    app.create_user("mod", &["moderator"]).await;
    let ada = sign_in(&app, "ada", &password_of("ada")).await;
    let moderator = sign_in(&app, "mod", &password_of("mod")).await;
    let admin = sign_in(&app, "admin", ADMIN_PASSWORD).await;
    // (path, user, moderator (users:read), admin)
    for (path, for_ada, for_mod, for_admin) in [
        ("/admin/roles", 403, 403, 200),
        ("/admin/roles/editor", 403, 403, 200),
        ("/admin/roles/nosuchrole", 403, 403, 404),
        ("/admin/users", 403, 200, 200),
        ("/admin/users/1", 403, 200, 200),
        ("/admin/users/999999", 403, 404, 404),
        ("/admin/matrix", 403, 403, 200),
    ] {
        assert_eq!(page(&ada, &app, path).await.0, for_ada, "ada {path}");
        assert_eq!(page(&moderator, &app, path).await.0, for_mod, "mod {path}");
        assert_eq!(page(&admin, &app, path).await.0, for_admin, "admin {path}");
    }
    // A moderator sees users but no grant or disable controls.
    let (_, html) = page(&moderator, &app, "/admin/users/1").await;
    assert!(
        !html.contains("/grant") && !html.contains("/disable"),
        "{html}"
    );

    // Without the CSRF token a role form changes nothing.
    let (_, html) = page(&admin, &app, "/admin/roles").await;
    let csrf = csrf_of(&html);
    let resp = admin
        .post(app.url("/admin/roles"))
        .form(&[("name", "sneaky"), ("permission", "posts:read")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(page(&admin, &app, "/admin/roles/sneaky").await.0, 404);
    // With it, the role is created with the ticked permissions.
    let resp = admin
        .post(app.url("/admin/roles"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "helper"),
            ("description", "helps"),
            ("permission", "posts:read"),
            ("permission", "comments:read"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/admin/roles/helper");
    let (_, html) = page(&admin, &app, "/admin/roles/helper").await;
    assert!(
        html.contains("Role helper created.") && html.contains("value=\"comments:read\" checked"),
        "{html}"
    );

    // The last administrator cannot revoke their own admin role: a clear message, no change.
    let resp = admin
        .post(app.url("/admin/users/1/revoke"))
        .form(&[("csrf", csrf.as_str()), ("role", "admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let (_, html) = page(&admin, &app, "/admin/users/1").await;
    assert!(
        html.contains("flash-error") && html.contains("last administrator"),
        "{html}"
    );
    assert_eq!(
        page(&admin, &app, "/admin/roles").await.0,
        200,
        "still an admin"
    );
    // Deleting needs the confirmation tick.
    let resp = admin
        .post(app.url("/admin/roles/helper/delete"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(page(&admin, &app, "/admin/roles/helper").await.0, 200);
    let resp = admin
        .post(app.url("/admin/roles/helper/delete"))
        .form(&[("csrf", csrf.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["location"], "/admin/roles");
    assert_eq!(page(&admin, &app, "/admin/roles/helper").await.0, 404);
}

both_backends!(
    role_and_user_pages_follow_permissions_csrf_and_guard_rails,
    the_matrix_marks_direct_and_inherited_grants,
    login_needs_csrf_and_redirects_only_locally,
    pages_follow_the_api_permission_rules,
    post_actions_need_csrf_and_the_policy,
    public_pages_show_published_posts_escaped_with_security_headers,
);
