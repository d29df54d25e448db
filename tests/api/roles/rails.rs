//! SPEC §3 guard rails on roles: reach, the last holder of `*`, built-in roles, forced deletes.

use super::*;

async fn nobody_creates_or_edits_a_role_beyond_their_own_permissions(backend: Backend) {
    let app = spawn_app(backend).await;
    create_role(
        &app,
        "rolesmith",
        &["roles:manage", "roles:read", "posts:*", "comments:*"],
    )
    .await;
    app.create_user("smith", &["rolesmith"]).await;
    let smith = app.token("smith", None).await.access_token;
    let create = |token: String, body: Value| {
        let app = &app;
        async move {
            app.call("POST", "/api/roles", Some(&token), Some(body))
                .await
        }
    };
    for (body, beyond) in [
        (
            json!({"name": "x1", "permissions": ["users:read"]}),
            "users:read",
        ),
        (json!({"name": "x2", "permissions": ["*"]}), "*"),
        (json!({"name": "x3", "permissions": ["users:*"]}), "users:*"),
        // Inherited grants count: moderator carries users:read.
        (
            json!({"name": "x4", "permissions": ["posts:read"], "inherits": ["moderator"]}),
            "users:read",
        ),
    ] {
        let (status, err) = create(smith.clone(), body.clone()).await;
        assert_eq!(status, 403, "{body}: {err}");
        assert_eq!(err["error"], "forbidden");
        assert_eq!(err["required"], json!([beyond]), "{body}: {err}");
    }
    let (status, view) = create(
        smith.clone(),
        json!({"name": "mine", "permissions": ["posts:*", "comments:read"]}),
    )
    .await;
    assert_eq!(status, 201, "{view}");
    let patch = |name: &'static str, body: Value| {
        let app = &app;
        let smith = smith.clone();
        async move {
            app.call(
                "PATCH",
                &format!("/api/roles/{name}"),
                Some(&smith),
                Some(body),
            )
            .await
        }
    };
    assert_eq!(
        patch("mine", json!({"permissions": ["posts:*", "users:manage"]}))
            .await
            .0,
        403
    );
    assert_eq!(
        patch("mine", json!({"inherits": ["moderator"]})).await.0,
        403
    );
    assert_eq!(
        patch("mine", json!({"description": "still mine"})).await.0,
        200
    );
    // Roles already beyond the caller cannot be touched at all, not even to weaken them.
    assert_eq!(
        patch("admin", json!({"description": "hacked"})).await.0,
        403
    );
    assert_eq!(
        patch("moderator", json!({"permissions": ["posts:read"]}))
            .await
            .0,
        403
    );
    assert_eq!(
        app.call("DELETE", "/api/roles/moderator", Some(&smith), None)
            .await
            .0,
        403
    );
    let admin = app.admin_token().await.access_token;
    assert_eq!(
        role(&app, &admin, "mine").await["permissions"],
        json!(["comments:read", "posts:*"])
    );
    assert_eq!(
        role(&app, &admin, "admin").await["description"],
        "may do everything"
    );
    // The ceiling is the token's effective set: an admin token scoped to role management
    // cannot create a role that reads posts.
    let scoped = app.token_request(&[
        ("username", "admin"),
        ("password", crate::helpers::ADMIN_PASSWORD),
        ("scope", "roles:manage roles:read"),
    ]);
    let scoped: Value = scoped.await.json().await.unwrap();
    let scoped = scoped["access_token"].as_str().unwrap().to_owned();
    let (status, _) = create(scoped, json!({"name": "x5", "permissions": ["posts:read"]})).await;
    assert_eq!(status, 403);
    let denied = app
        .audit_actions()
        .await
        .into_iter()
        .filter(|a| a.1 == "access.denied" && a.0 == "smith")
        .count();
    assert!(denied >= 4, "403s are audited");
}

async fn no_role_edit_or_delete_leaves_nobody_holding_star(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let (status, err) = app
        .call(
            "PATCH",
            "/api/roles/admin",
            Some(&admin),
            Some(json!({"permissions": ["posts:*"]})),
        )
        .await;
    assert_eq!(status, 409, "{err}");
    assert_eq!(
        role(&app, &admin, "admin").await["permissions"],
        json!(["*"])
    );
    // Move `*` to a custom role held by sam alone, through the API.
    let body = json!({"name": "superuser", "permissions": ["*"]});
    assert_eq!(
        app.call("POST", "/api/roles", Some(&admin), Some(body))
            .await
            .0,
        201
    );
    let body = json!({"name": "heir", "permissions": ["posts:read"], "inherits": ["superuser"]});
    assert_eq!(
        app.call("POST", "/api/roles", Some(&admin), Some(body))
            .await
            .0,
        201
    );
    let sam = app.create_user("sam", &[]).await;
    let put = format!("/api/users/{sam}/roles/superuser");
    assert_eq!(app.call("PUT", &put, Some(&admin), None).await.0, 201);
    let admin_id = app
        .with_conn(|c| {
            quire::db::queries::users::find_user_by_username(c, "admin")
                .unwrap()
                .unwrap()
                .id
        })
        .await;
    let drop = format!("/api/users/{admin_id}/roles/admin");
    assert_eq!(app.call("DELETE", &drop, Some(&admin), None).await.0, 204);
    let sam_token = app.token("sam", None).await.access_token;
    // Editing or deleting superuser now would leave nobody with `*`; the forced delete
    // rolls back whole, links included.
    let (status, _) = app
        .call(
            "PATCH",
            "/api/roles/superuser",
            Some(&sam_token),
            Some(json!({"permissions": ["posts:read"]})),
        )
        .await;
    assert_eq!(status, 409);
    let (status, err) = app
        .call(
            "DELETE",
            "/api/roles/superuser?force=true",
            Some(&sam_token),
            None,
        )
        .await;
    assert_eq!(status, 409, "{err}");
    assert_eq!(
        role(&app, &sam_token, "heir").await["inherits"],
        json!(["superuser"])
    );
    let (_, sam_view) = app
        .call("GET", &format!("/api/users/{sam}"), Some(&sam_token), None)
        .await;
    assert_eq!(sam_view["roles"][0]["name"], "superuser");
    // admin is held by nobody now, so it may lose `*`.
    let (status, _) = app
        .call(
            "PATCH",
            "/api/roles/admin",
            Some(&sam_token),
            Some(json!({"permissions": ["posts:*"]})),
        )
        .await;
    assert_eq!(status, 200);
}

async fn built_in_roles_stay_and_anonymous_is_editable(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    for name in ["admin", "anonymous"] {
        let (status, err) = app
            .call(
                "DELETE",
                &format!("/api/roles/{name}?force=true"),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(status, 409, "{err}");
        assert!(
            err["message"]
                .as_str()
                .unwrap()
                .contains("cannot be deleted"),
            "{err}"
        );
    }
    assert_eq!(app.call("GET", "/api/posts", None, None).await.0, 200);
    let (status, view) = app
        .call(
            "PATCH",
            "/api/roles/anonymous",
            Some(&admin),
            Some(json!({"permissions": ["comments:read"]})),
        )
        .await;
    assert_eq!(status, 200, "{view}");
    // Enforced on the very next anonymous request.
    assert_eq!(app.call("GET", "/api/posts", None, None).await.0, 401);
    // Built-ins keep their names; custom roles may be renamed, keeping their holders.
    let (status, _) = app
        .call(
            "PATCH",
            "/api/roles/user",
            Some(&admin),
            Some(json!({"name": "member"})),
        )
        .await;
    assert_eq!(status, 409);
    create_role(&app, "temp", &["posts:read"]).await;
    let id = app.create_user("tom", &["temp"]).await;
    let (status, view) = app
        .call(
            "PATCH",
            "/api/roles/temp",
            Some(&admin),
            Some(json!({"name": "permanent"})),
        )
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["name"], "permanent");
    assert_eq!(view["user_count"], 1);
    let (_, tom) = app
        .call("GET", &format!("/api/users/{id}"), Some(&admin), None)
        .await;
    assert_eq!(tom["roles"][0]["name"], "permanent");
    let (status, _) = app
        .call(
            "PATCH",
            "/api/roles/permanent",
            Some(&admin),
            Some(json!({"name": "editor"})),
        )
        .await;
    assert_eq!(status, 409);
}

async fn held_or_inherited_roles_are_deleted_only_when_forced(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    create_role(&app, "writer", &["posts:create", "posts:read"]).await;
    let body = json!({"name": "senior", "permissions": ["posts:publish"], "inherits": ["writer"]});
    assert_eq!(
        app.call("POST", "/api/roles", Some(&admin), Some(body))
            .await
            .0,
        201
    );
    let w1 = app.create_user("wendy", &["writer"]).await;
    app.create_user("walt", &["writer"]).await;
    let wendy = app.token("wendy", None).await.access_token;
    let (status, err) = app
        .call("DELETE", "/api/roles/writer", Some(&admin), None)
        .await;
    assert_eq!(status, 409);
    let message = err["message"].as_str().unwrap();
    for name in ["wendy", "walt", "senior", "force=true"] {
        assert!(message.contains(name), "{name} in {message}");
    }
    assert_eq!(role(&app, &admin, "writer").await["user_count"], 2);
    assert_eq!(
        app.call(
            "DELETE",
            "/api/roles/writer?force=maybe",
            Some(&admin),
            None
        )
        .await
        .0,
        400
    );
    let (status, _) = app
        .call("DELETE", "/api/roles/writer?force=true", Some(&admin), None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        app.call("GET", "/api/roles/writer", Some(&admin), None)
            .await
            .0,
        404
    );
    let senior = role(&app, &admin, "senior").await;
    assert_eq!(senior["inherits"], json!([]));
    assert_eq!(senior["effective_permissions"], json!(["posts:publish"]));
    let (_, view) = app
        .call("GET", &format!("/api/users/{w1}"), Some(&admin), None)
        .await;
    assert_eq!(view["roles"], json!([]));
    // Wendy's token lost the role's permissions on its very next request.
    let (status, _) = app
        .call(
            "POST",
            "/api/posts",
            Some(&wendy),
            Some(json!({"title": "t", "body": "b"})),
        )
        .await;
    assert_eq!(status, 403);
    // A role nobody holds or inherits goes without force; an unknown one is a 404.
    create_role(&app, "lonely", &["posts:read"]).await;
    assert_eq!(
        app.call("DELETE", "/api/roles/lonely", Some(&admin), None)
            .await
            .0,
        204
    );
    assert_eq!(
        app.call("DELETE", "/api/roles/lonely", Some(&admin), None)
            .await
            .0,
        404
    );
    let actions: Vec<String> = app.audit_actions().await.into_iter().map(|a| a.1).collect();
    for action in ["role.create", "role.delete"] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

both_backends!(
    nobody_creates_or_edits_a_role_beyond_their_own_permissions,
    no_role_edit_or_delete_leaves_nobody_holding_star,
    built_in_roles_stay_and_anonymous_is_editable,
    held_or_inherited_roles_are_deleted_only_when_forced,
);
