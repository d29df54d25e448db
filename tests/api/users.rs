//! SPEC §3 guard rails and §6 over HTTP: the users API, role grants and revocations, and
//! the authorization matrix of every administration route.

use serde_json::{json, Value};

use crate::helpers::{create_role, password_of, spawn_app, Backend, TestApp};

const PRINCIPALS: [&str; 5] = ["anonymous", "user", "moderator", "role-reader", "admin"];

/// (method, path, body, expected status per principal in `PRINCIPALS` order). Each
/// mutating row has its own target, and only the last principal (admin) succeeds, so rows
/// do not disturb each other.
type Row = (&'static str, String, Option<Value>, [u16; 5]);

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

async fn list_users_filters_by_substring_and_pages_by_id(backend: Backend) {
    let app = spawn_app(backend).await;
    for i in 0..7 {
        app.create_user(&format!("page-{i}"), &["user"]).await;
    }
    app.create_user("under_score", &[]).await;
    app.create_user("underxscore", &[]).await;
    let admin = app.admin_token().await.access_token;
    let mut seen = Vec::new();
    let mut path = "/api/users?q=PAGE-&limit=3".to_owned();
    let mut pages = 0;
    loop {
        let (status, page) = app.call("GET", &path, Some(&admin), None).await;
        assert_eq!(status, 200, "{page}");
        for item in page["items"].as_array().unwrap() {
            assert!(item["username"].as_str().unwrap().starts_with("page-"));
            assert!(item["roles"].is_array() && item["permissions"].is_array());
            seen.push(item["id"].as_i64().unwrap());
        }
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/users?q=page-&limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted, "ids ascending, each once");
    assert_eq!(seen.len(), 7);
    // LIKE wildcards in q are literal characters; SQL in q is just text.
    let count = |q: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let (status, page) = app
                .call("GET", &format!("/api/users?q={q}"), Some(&admin), None)
                .await;
            assert_eq!(status, 200, "{q}: {page}");
            page["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(count("_").await, 1);
    assert_eq!(count("%25").await, 0);
    assert_eq!(count("%27%20OR%201%3D1%20--").await, 0);
    assert_eq!(count("example.com").await, 9);
    assert_eq!(count("").await, 10);
    for (path, status) in [
        ("/api/users?limit=0", 422),
        ("/api/users?limit=101", 422),
        ("/api/users?cursor=nope", 400),
        ("/api/users/not-a-number", 404),
        ("/api/users/99999999999999999999", 404),
        ("/api/users/-1", 404),
        ("/api/users/424242", 404),
    ] {
        assert_eq!(
            app.call("GET", path, Some(&admin), None).await.0,
            status,
            "{path}"
        );
    }
}

async fn users_edit_their_own_profile_and_need_the_current_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let pat = app.create_user("pat", &["user"]).await;
    let other = app.create_user("other", &["user"]).await;
    let tokens = app.token("pat", None).await;
    let token = tokens.access_token.clone();
    let me = format!("/api/users/{pat}");
    let patch = |path: String, body: Value| {
        let app = &app;
        let token = token.clone();
        async move { app.call("PATCH", &path, Some(&token), Some(body)).await }
    };
    let name = "Pat ✓ 名前 'O''Brien'; DROP TABLE users; --";
    let (status, view) = patch(
        me.clone(),
        json!({"display_name": name, "email": "pat.new@example.com"}),
    )
    .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["display_name"], name);
    assert_eq!(view["email"], "pat.new@example.com");
    // No current password, a wrong one, or a stray one: 422, and the password is unchanged.
    let new_pw = "a-brand-new-password";
    for body in [
        json!({"password": new_pw}),
        json!({"password": new_pw, "current_password": "not-my-password"}),
        json!({"current_password": password_of("pat")}),
    ] {
        let (status, err) = patch(me.clone(), body.clone()).await;
        assert_eq!(status, 422, "{body}: {err}");
        assert!(err["fields"]["current_password"].is_array(), "{err}");
    }
    let (status, _) = patch(
        me.clone(),
        json!({"password": new_pw, "current_password": password_of("pat")}),
    )
    .await;
    assert_eq!(status, 200);
    let old = app
        .token_request(&[("username", "pat"), ("password", &password_of("pat"))])
        .await;
    assert_eq!(old.status(), 400);
    let new = app
        .token_request(&[("username", "pat"), ("password", new_pw)])
        .await;
    assert_eq!(new.status(), 200);
    // The refresh tokens issued before the change no longer work.
    let refresh = app
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &tokens.refresh_token),
        ])
        .await;
    assert_eq!(refresh.status(), 400);
    // Not someone else's profile, and never one's own account state.
    let (status, _) = patch(format!("/api/users/{other}"), json!({"display_name": "x"})).await;
    assert_eq!(status, 403);
    let (status, err) = patch(me.clone(), json!({"disabled": true})).await;
    assert_eq!(status, 403, "{err}");
    // An administrator resets another user's password without knowing it.
    let admin = app.admin_token().await.access_token;
    let (status, _) = app
        .call(
            "PATCH",
            &format!("/api/users/{other}"),
            Some(&admin),
            Some(json!({"password": "reset-by-admin"})),
        )
        .await;
    assert_eq!(status, 200);
    let resp = app
        .token_request(&[("username", "other"), ("password", "reset-by-admin")])
        .await;
    assert_eq!(resp.status(), 200);
    // An email already in use is a conflict.
    let (status, _) = patch(me.clone(), json!({"email": "other@example.com"})).await;
    assert_eq!(status, 409);
    let actions: Vec<String> = app.audit_actions().await.into_iter().map(|a| a.1).collect();
    assert!(actions.iter().filter(|a| *a == "user.update").count() >= 3);
}

async fn the_last_holder_of_star_is_never_disabled_or_stripped(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let admin_id = app
        .with_conn(|c| {
            quire::db::queries::users::find_user_by_username(c, "admin")
                .unwrap()
                .unwrap()
                .id
        })
        .await;
    let me = format!("/api/users/{admin_id}");
    let (status, err) = app
        .call("PATCH", &me, Some(&admin), Some(json!({"disabled": true})))
        .await;
    assert_eq!(status, 409, "{err}");
    assert!(err["message"].as_str().unwrap().contains('*'));
    let (status, _) = app
        .call("DELETE", &format!("{me}/roles/admin"), Some(&admin), None)
        .await;
    assert_eq!(status, 409);
    // Nor may the only lasting `*` be given an end date.
    let later = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let (status, _) = app
        .call(
            "PUT",
            &format!("{me}/roles/admin"),
            Some(&admin),
            Some(json!({"expires_at": later})),
        )
        .await;
    assert_eq!(status, 409);
    // Untouched: the admin still signs in with every permission.
    assert_eq!(
        app.call("GET", &me, Some(&admin), None).await.1["roles"][0]["expires_at"],
        Value::Null
    );
    // With a second administrator, the first may step down.
    let second = app.create_user("second", &["admin"]).await;
    let (status, _) = app
        .call("DELETE", &format!("{me}/roles/admin"), Some(&admin), None)
        .await;
    assert_eq!(status, 204);
    let token2 = app.token("second", None).await.access_token;
    let (status, _) = app
        .call(
            "PATCH",
            &format!("/api/users/{second}"),
            Some(&token2),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(status, 409);
    // The stepped-down admin's token lost `*` on its very next request.
    assert_eq!(
        app.call("GET", "/api/roles", Some(&admin), None).await.0,
        403
    );
}

async fn grants_and_revocations_follow_the_guard_rails(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let id = app.create_user("gina", &[]).await;
    let path = |role: &str| format!("/api/users/{id}/roles/{role}");
    // PUT without a body, then again (an update, not a creation).
    let (status, view) = app.call("PUT", &path("editor"), Some(&admin), None).await;
    assert_eq!(status, 201, "{view}");
    assert_eq!(
        view["roles"],
        json!([{"name": "editor", "expires_at": null}])
    );
    assert_eq!(
        app.call("PUT", &path("editor"), Some(&admin), None).await.0,
        200
    );
    // A JSON `null` body is no body (the document allows it: the body is optional).
    let (status, view) = app
        .call("PUT", &path("moderator"), Some(&admin), Some(json!(null)))
        .await;
    assert_eq!(status, 201, "{view}");
    assert!(
        view["roles"]
            .as_array()
            .unwrap()
            .contains(&json!({"name": "moderator", "expires_at": null})),
        "{view}"
    );
    let (status, _) = app
        .call("DELETE", &path("moderator"), Some(&admin), None)
        .await;
    assert_eq!(status, 204);
    let soon = chrono::Utc::now() + chrono::Duration::hours(1);
    let (status, view) = app
        .call(
            "PUT",
            &path("editor"),
            Some(&admin),
            Some(json!({"expires_at": soon.to_rfc3339()})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        view["roles"][0]["expires_at"],
        soon.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    for bad in [
        json!({"expires_at": "tomorrow"}),
        json!({"expires_at": past}),
    ] {
        let (status, err) = app
            .call("PUT", &path("author"), Some(&admin), Some(bad.clone()))
            .await;
        assert_eq!(status, 422, "{bad}: {err}");
        assert!(err["fields"]["expires_at"].is_array(), "{err}");
    }
    // serde does not say which field had the wrong type: reported against the body.
    let (status, err) = app
        .call(
            "PUT",
            &path("author"),
            Some(&admin),
            Some(json!({"expires_at": 5})),
        )
        .await;
    assert_eq!(status, 422, "{err}");
    assert!(err["fields"]["body"].is_array(), "{err}");
    assert_eq!(
        app.call("PUT", &path("no-such-role"), Some(&admin), None)
            .await
            .0,
        404
    );
    assert_eq!(
        app.call("PUT", "/api/users/999999/roles/user", Some(&admin), None)
            .await
            .0,
        404
    );
    assert_eq!(
        app.call("DELETE", &path("author"), Some(&admin), None)
            .await
            .0,
        404
    );
    assert_eq!(
        app.call("DELETE", &path("editor"), Some(&admin), None)
            .await
            .0,
        204
    );
    // A role manager grants only roles within their own permissions, and revokes likewise.
    create_role(&app, "granter", &["roles:manage", "posts:*", "comments:*"]).await;
    app.create_user("grant", &["granter"]).await;
    let granter = app.token("grant", None).await.access_token;
    let (status, err) = app
        .call("PUT", &path("moderator"), Some(&granter), None)
        .await;
    assert_eq!(status, 403, "{err}");
    assert_eq!(err["error"], "forbidden");
    assert!(
        err["message"].as_str().unwrap().contains("users:read"),
        "{err}"
    );
    assert_eq!(
        app.call("PUT", &path("author"), Some(&granter), None)
            .await
            .0,
        201
    );
    app.create_user("boss", &["admin"]).await;
    let boss = app
        .with_conn(|c| {
            quire::db::queries::users::find_user_by_username(c, "boss")
                .unwrap()
                .unwrap()
                .id
        })
        .await;
    let (status, _) = app
        .call(
            "DELETE",
            &format!("/api/users/{boss}/roles/admin"),
            Some(&granter),
            None,
        )
        .await;
    assert_eq!(status, 403);
    // Malformed bodies.
    let resp = app
        .client
        .put(app.url(&path("user")))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{\"expires_at\":")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let resp = app
        .client
        .put(app.url(&path("user")))
        .bearer_auth(&admin)
        .header("content-type", "text/plain")
        .body("expires_at=never")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
    let actions: Vec<String> = app.audit_actions().await.into_iter().map(|a| a.1).collect();
    for action in ["role.grant", "role.revoke", "access.denied"] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

async fn an_expiring_grant_stops_on_time(backend: Backend) {
    let app = spawn_app(backend).await;
    create_role(&app, "viewer", &["roles:read"]).await;
    let id = app.create_user("tess", &[]).await;
    let admin = app.admin_token().await.access_token;
    let at = chrono::Utc::now() + chrono::Duration::seconds(2);
    let (status, _) = app
        .call(
            "PUT",
            &format!("/api/users/{id}/roles/viewer"),
            Some(&admin),
            Some(json!({"expires_at": at.to_rfc3339()})),
        )
        .await;
    assert_eq!(status, 201);
    let token = app.token("tess", None).await.access_token;
    assert_eq!(
        app.call("GET", "/api/roles", Some(&token), None).await.0,
        200
    );
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(
        app.call("GET", "/api/roles", Some(&token), None).await.0,
        403
    );
    let (_, view) = app
        .call("GET", &format!("/api/users/{id}"), Some(&admin), None)
        .await;
    assert_eq!(view["roles"], json!([]));
}

async fn account_changes_apply_to_the_very_next_request(backend: Backend) {
    let app = spawn_app(backend).await;
    create_role(&app, "viewer", &["roles:read", "users:read"]).await;
    let id = app.create_user("vic", &["viewer"]).await;
    let token = app.token("vic", None).await.access_token;
    let admin = app.admin_token().await.access_token;
    assert_eq!(
        app.call("GET", "/api/users", Some(&token), None).await.0,
        200
    );
    let (status, _) = app
        .call(
            "DELETE",
            &format!("/api/users/{id}/roles/viewer"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        app.call("GET", "/api/users", Some(&token), None).await.0,
        403
    );
    // The user still reads their own profile.
    assert_eq!(
        app.call("GET", &format!("/api/users/{id}"), Some(&token), None)
            .await
            .0,
        200
    );
    let (status, view) = app
        .call(
            "PATCH",
            &format!("/api/users/{id}"),
            Some(&admin),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(view["disabled"], true);
    let (status, err) = app.call("GET", "/api/me", Some(&token), None).await;
    assert_eq!(status, 401, "{err}");
    let (status, view) = app
        .call(
            "PATCH",
            &format!("/api/users/{id}"),
            Some(&admin),
            Some(json!({"disabled": false})),
        )
        .await;
    assert_eq!((status, view["disabled"].clone()), (200, json!(false)));
    assert_eq!(app.call("GET", "/api/me", Some(&token), None).await.0, 200);
    let actions: Vec<String> = app.audit_actions().await.into_iter().map(|a| a.1).collect();
    for action in ["user.disable", "user.enable", "role.revoke"] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

async fn nasty_user_inputs_never_cause_a_server_error(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let id = app.create_user("nasty", &["user"]).await;
    let raw = |method: reqwest::Method, path: String, ctype: &'static str, body: String| {
        let app: &TestApp = &app;
        let admin = admin.clone();
        async move {
            app.client
                .request(method, app.url(&path))
                .bearer_auth(admin)
                .header("content-type", ctype)
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let me = format!("/api/users/{id}");
    let json_ct = "application/json";
    let cases = [
        (reqwest::Method::POST, "/api/users".to_owned(), json_ct, "{\"username\": ".to_owned(), 400),
        (reqwest::Method::POST, "/api/users".to_owned(), json_ct, "{\"username\" \"x\"}".to_owned(), 400),
        (reqwest::Method::POST, "/api/users".to_owned(), "text/plain", "username=x".to_owned(), 415),
        (reqwest::Method::PATCH, me.clone(), json_ct, "not json".to_owned(), 400),
        (reqwest::Method::PATCH, me.clone(), "application/x-www-form-urlencoded", "display_name=x".to_owned(), 415),
        (reqwest::Method::PATCH, me.clone(), json_ct, "{\"disabled\": \"yes\"}".to_owned(), 422),
        (reqwest::Method::PATCH, me.clone(), json_ct, "{\"display_name\": \"a\\u0000b\"}".to_owned(), 422),
        (reqwest::Method::PATCH, me.clone(), json_ct, format!("{{\"display_name\": \"{}\"}}", "é".repeat(101)), 422),
        (reqwest::Method::PATCH, me.clone(), json_ct, "{\"password\": \"pass\\u0000word\"}".to_owned(), 422),
        (reqwest::Method::PATCH, me.clone(), json_ct, "{\"email\": \"a@b.c'; DROP TABLE users; --\"}".to_owned(), 422),
        (reqwest::Method::PATCH, me.clone(), json_ct, "{}".to_owned(), 200),
        (reqwest::Method::POST, "/api/users".to_owned(), json_ct, "{\"username\": \"émile\", \"email\": \"e@example.com\", \"password\": \"password-1\"}".to_owned(), 422),
        (reqwest::Method::POST, "/api/users".to_owned(), json_ct, "{\"username\": \"x'); DROP TABLE users; --\", \"email\": \"e@example.com\", \"password\": \"password-1\"}".to_owned(), 422),
    ];
    for (method, path, ctype, body, want) in cases {
        let got = raw(method.clone(), path.clone(), ctype, body.clone()).await;
        assert_eq!(got, want, "{method} {path} {ctype} {body}");
    }
    // Bidirectional overrides are refused in display names (SPEC H12); the rest is kept.
    let (status, _) = app
        .call(
            "PATCH",
            &me,
            Some(&admin),
            Some(json!({"display_name": "a\u{202e}b"})),
        )
        .await;
    assert_eq!(status, 422);
    let sql = "Robert'); DROP TABLE users; -- עדה ü\u{1F600}";
    let (status, view) = app
        .call(
            "PATCH",
            &me,
            Some(&admin),
            Some(json!({"display_name": sql})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(view["display_name"], sql);
    let (_, again) = app.call("GET", &me, Some(&admin), None).await;
    assert_eq!(again["display_name"], sql);
    assert_eq!(
        app.call("GET", "/api/users", Some(&admin), None).await.0,
        200
    );
}

async fn user_managers_reach_only_accounts_within_their_own_permissions(backend: Backend) {
    let app = spawn_app(backend).await;
    create_role(
        &app,
        "people",
        &["users:manage", "users:read", "posts:*", "comments:*"],
    )
    .await;
    app.create_user("hr", &["people"]).await;
    let plain = app.create_user("plain", &["user"]).await;
    let boss = app.create_user("boss", &["admin"]).await;
    let hr = app.token("hr", None).await.access_token;
    let patch = |id: i64, body: Value| {
        let app = &app;
        let hr = hr.clone();
        async move {
            app.call("PATCH", &format!("/api/users/{id}"), Some(&hr), Some(body))
                .await
        }
    };
    assert_eq!(
        patch(plain, json!({"password": "reset-by-hr-1"})).await.0,
        200
    );
    assert_eq!(patch(plain, json!({"disabled": true})).await.0, 200);
    // Taking over a stronger account through a password reset is escalation.
    for body in [
        json!({"password": "taken-over-1"}),
        json!({"email": "hr-owns-this@example.com"}),
        json!({"disabled": true}),
    ] {
        let (status, err) = patch(boss, body.clone()).await;
        assert_eq!(status, 403, "{body}: {err}");
        assert_eq!(err["error"], "forbidden");
        assert!(err["message"].as_str().unwrap().contains("boss"), "{err}");
    }
    let resp = app
        .token_request(&[("username", "boss"), ("password", &password_of("boss"))])
        .await;
    assert_eq!(resp.status(), 200);
}

both_backends!(
    admin_routes_authorization_matrix,
    create_user_validates_and_refuses_duplicates,
    giving_roles_at_creation_needs_roles_manage_within_ones_reach,
    user_managers_reach_only_accounts_within_their_own_permissions,
    list_users_filters_by_substring_and_pages_by_id,
    users_edit_their_own_profile_and_need_the_current_password,
    the_last_holder_of_star_is_never_disabled_or_stripped,
    grants_and_revocations_follow_the_guard_rails,
    an_expiring_grant_stops_on_time,
    account_changes_apply_to_the_very_next_request,
    nasty_user_inputs_never_cause_a_server_error,
);
