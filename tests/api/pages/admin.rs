//! Role and user admin pages: the permission matrix, CSRF and the guard rails.

use super::*;

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

/// `/admin/clients` takes its redirect URIs one per line (a textarea): several lines
/// register several URIs; a URI that is not allowed is named, and nothing is registered.
async fn the_clients_form_registers_one_redirect_uri_per_line(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = sign_in(&app, "admin", ADMIN_PASSWORD).await;
    let (status, html) = page(&admin, &app, "/admin/clients").await;
    assert_eq!(status, 200);
    let csrf = csrf_of(&html);
    let submit = |name: &'static str, uris: &'static str| {
        admin
            .post(app.url("/admin/clients"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", name),
                ("redirect_uris", uris),
                ("scopes", "posts:read"),
            ])
            .send()
    };
    let resp = submit(
        "Two lines",
        "https://app.example/cb\r\n  http://127.0.0.1:9000/cb  \n\n",
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), 303);
    let (_, html) = page(&admin, &app, "/admin/clients").await;
    assert!(html.contains("Registered Two lines"), "{html}");
    assert!(
        html.contains("https://app.example/cb") && html.contains("http://127.0.0.1:9000/cb"),
        "{html}"
    );
    let resp = submit("Plain http", "https://ok.example/cb\nhttp://app.example/cb")
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let (_, html) = page(&admin, &app, "/admin/clients").await;
    assert!(html.contains("loopback"), "the refusal names why: {html}");
    assert!(!html.contains("ok.example"), "nothing registered: {html}");
}

both_backends!(
    the_matrix_marks_direct_and_inherited_grants,
    role_and_user_pages_follow_permissions_csrf_and_guard_rails,
    the_clients_form_registers_one_redirect_uri_per_line,
);
