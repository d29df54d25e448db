//! SPEC §3: who may reach the admin routes, and creating accounts with roles.

use super::*;

async fn admin_routes_authorization_matrix(backend: Backend) {
    let app = spawn_app(backend).await;
    create_role(&app, "role-reader", &["roles:read"]).await;
    create_role(&app, "matrix-edit", &["posts:read"]).await;
    create_role(&app, "matrix-drop", &["posts:read"]).await;
    let target = app.create_user("target", &["user"]).await;
    let holder = app.create_user("holder", &["contributor"]).await;
    let mut tokens = vec![None];
    for (name, role) in [("uu", "user"), ("mo", "moderator"), ("rr", "role-reader")] {
        app.create_user(name, &[role]).await;
        tokens.push(Some(app.token(name, None).await.access_token));
    }
    tokens.push(Some(app.admin_token().await.access_token));
    let deny = |ok: u16| [401, 403, 403, 403, ok];
    let rows: Vec<Row> = vec![
        ("GET", "/api/users".into(), None, [401, 403, 200, 403, 200]),
        (
            "GET",
            format!("/api/users/{target}"),
            None,
            [401, 403, 200, 403, 200],
        ),
        (
            "POST",
            "/api/users".into(),
            Some(
                json!({"username": "made", "email": "made@example.com", "password": "made-password"}),
            ),
            deny(201),
        ),
        (
            "PATCH",
            format!("/api/users/{target}"),
            Some(json!({"display_name": "Renamed"})),
            deny(200),
        ),
        (
            "PUT",
            format!("/api/users/{target}/roles/author"),
            None,
            deny(201),
        ),
        (
            "DELETE",
            format!("/api/users/{holder}/roles/contributor"),
            None,
            deny(204),
        ),
        ("GET", "/api/roles".into(), None, [401, 403, 403, 200, 200]),
        (
            "GET",
            "/api/roles/editor".into(),
            None,
            [401, 403, 403, 200, 200],
        ),
        (
            "POST",
            "/api/roles".into(),
            Some(json!({"name": "matrix-new", "permissions": ["posts:read"], "inherits": []})),
            deny(201),
        ),
        (
            "PATCH",
            "/api/roles/matrix-edit".into(),
            Some(json!({"description": "edited"})),
            deny(200),
        ),
        ("DELETE", "/api/roles/matrix-drop".into(), None, deny(204)),
        // SPEC §11: one's own PATs need only a sign-in; another user's need users:manage.
        ("GET", "/api/tokens".into(), None, [401, 200, 200, 200, 200]),
        ("GET", "/api/tokens?user=target".into(), None, deny(200)),
        (
            "DELETE",
            "/api/tokens/999999?user=target".into(),
            None,
            deny(404),
        ),
    ];
    let mut failures = Vec::new();
    for (method, path, body, expected) in &rows {
        for (i, principal) in PRINCIPALS.iter().enumerate() {
            let (status, answer) = app
                .call(method, path, tokens[i].as_deref(), body.clone())
                .await;
            if status != expected[i] {
                failures.push(format!(
                    "{principal} {method} {path}: got {status}, want {}: {answer}",
                    expected[i]
                ));
            }
            if status == 403 && answer["error"] != "insufficient_scope" {
                failures.push(format!("{principal} {method} {path}: 403 body {answer}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // A user reads and edits their own profile without users:read or users:manage.
    let me = app.create_user("self", &["user"]).await;
    let token = app.token("self", None).await.access_token;
    let path = format!("/api/users/{me}");
    assert_eq!(app.call("GET", &path, Some(&token), None).await.0, 200);
    let (status, _) = app
        .call(
            "PATCH",
            &path,
            Some(&token),
            Some(json!({"display_name": "Me"})),
        )
        .await;
    assert_eq!(status, 200);
}

async fn create_user_validates_and_refuses_duplicates(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let post = |body: Value| app.call("POST", "/api/users", Some(&admin), Some(body));
    let resp = app
        .client
        .post(app.url("/api/users"))
        .bearer_auth(&admin)
        .json(&json!({
            "username": "nina", "email": "nina@example.com", "password": "nina-password",
            "display_name": "Nina N.", "roles": ["editor"]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let nina: Value = resp.json().await.unwrap();
    assert_eq!(location, format!("/api/users/{}", nina["id"]));
    assert_eq!(nina["username"], "nina");
    assert_eq!(nina["display_name"], "Nina N.");
    assert_eq!(nina["disabled"], false);
    assert_eq!(
        nina["roles"],
        json!([{"name": "editor", "expires_at": null}])
    );
    assert!(nina["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("posts:publish")));
    assert!(nina["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(nina.get("password_hash").is_none());
    // The new account signs in with its password.
    let resp = app
        .token_request(&[("username", "nina"), ("password", "nina-password")])
        .await;
    assert_eq!(resp.status(), 200);

    let dup_name =
        json!({"username": "nina", "email": "other@example.com", "password": "password-1"});
    let dup_mail =
        json!({"username": "nina2", "email": "nina@example.com", "password": "password-1"});
    for body in [dup_name, dup_mail] {
        let (status, err) = post(body.clone()).await;
        assert_eq!(status, 409, "{body}: {err}");
        assert_eq!(err["error"], "conflict");
    }
    let cases = [
        (
            json!({"username": "Bad Name", "email": "b@example.com", "password": "password-1"}),
            "username",
        ),
        (
            json!({"username": "okname", "email": "not-an-email", "password": "password-1"}),
            "email",
        ),
        (
            json!({"username": "okname", "email": "o@example.com", "password": "short"}),
            "password",
        ),
        (
            json!({"username": "okname", "email": "o@example.com", "password": "x".repeat(73)}),
            "password",
        ),
        (
            json!({"username": "okname", "email": "o@example.com", "password": "password-1", "display_name": " "}),
            "display_name",
        ),
        (
            json!({"username": "okname", "email": "o@example.com", "password": "password-1", "roles": ["no-such-role"]}),
            "roles",
        ),
        (
            json!({"email": "o@example.com", "password": "password-1"}),
            "username",
        ),
        (
            json!({"username": "okname", "email": "o@example.com", "password": "password-1", "role": "editor"}),
            "role",
        ),
    ];
    for (body, field) in cases {
        let (status, err) = post(body.clone()).await;
        assert_eq!(status, 422, "{body}: {err}");
        assert!(err["fields"][field].is_array(), "{body}: {err}");
    }
    let (_, err) = post(json!({"username": "okname", "email": "o@example.com", "password": "password-1", "roles": ["no-such-role"]})).await;
    assert!(err["fields"]["roles"][0]
        .as_str()
        .unwrap()
        .contains("no-such-role"));
    // Nothing half-made by the refused requests.
    let (_, list) = app
        .call("GET", "/api/users?q=okname", Some(&admin), None)
        .await;
    assert_eq!(list["items"], json!([]));
}

async fn giving_roles_at_creation_needs_roles_manage_within_ones_reach(backend: Backend) {
    let app = spawn_app(backend).await;
    create_role(&app, "people", &["users:manage"]).await;
    create_role(
        &app,
        "people-roles",
        &["users:manage", "roles:manage", "posts:*", "comments:*"],
    )
    .await;
    app.create_user("hr", &["people"]).await;
    app.create_user("hr2", &["people-roles"]).await;
    let hr = app.token("hr", None).await.access_token;
    let hr2 = app.token("hr2", None).await.access_token;
    let body = |name: &str, roles: &[&str]| {
        json!({"username": name, "email": format!("{name}@example.com"),
               "password": "password-1", "roles": roles})
    };
    let (status, err) = app
        .call("POST", "/api/users", Some(&hr), Some(body("a1", &["user"])))
        .await;
    assert_eq!(status, 403, "{err}");
    assert_eq!(err["required"], json!(["users:manage", "roles:manage"]));
    let (status, _) = app
        .call("POST", "/api/users", Some(&hr), Some(body("a2", &[])))
        .await;
    assert_eq!(status, 201);
    // moderator carries users:read, which hr2 does not hold: no escalation, nothing created.
    let (status, err) = app
        .call(
            "POST",
            "/api/users",
            Some(&hr2),
            Some(body("a3", &["moderator"])),
        )
        .await;
    assert_eq!(status, 403, "{err}");
    assert_eq!(err["required"], json!(["users:read"]));
    let exists = app
        .with_conn(|c| quire::db::queries::users::find_user_by_username(c, "a3").unwrap())
        .await;
    assert!(exists.is_none());
    let (status, made) = app
        .call(
            "POST",
            "/api/users",
            Some(&hr2),
            Some(body("a4", &["author"])),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["roles"][0]["name"], "author");
}

both_backends!(
    admin_routes_authorization_matrix,
    create_user_validates_and_refuses_duplicates,
    giving_roles_at_creation_needs_roles_manage_within_ones_reach,
);
