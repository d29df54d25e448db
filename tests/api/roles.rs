//! SPEC §3 guard rails and §6 over HTTP: the roles API.

use serde_json::{json, Value};

use crate::helpers::{create_role, spawn_app, Backend, TestApp};

/// The built-in catalog of SPEC §3, written out (not read from the code under test).
const CATALOG: [&str; 18] = [
    "posts:read",
    "posts:create",
    "posts:update_own",
    "posts:update",
    "posts:publish_own",
    "posts:publish",
    "posts:delete_own",
    "posts:delete",
    "comments:read",
    "comments:create",
    "comments:update_own",
    "comments:delete_own",
    "comments:delete",
    "users:read",
    "users:manage",
    "roles:read",
    "roles:manage",
    "audit:read",
];

fn sorted(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

async fn role(app: &TestApp, token: &str, name: &str) -> Value {
    let (status, view) = app
        .call("GET", &format!("/api/roles/{name}"), Some(token), None)
        .await;
    assert_eq!(status, 200, "{name}: {view}");
    view
}

async fn roles_are_created_and_shown_with_effective_permissions(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let resp = app
        .client
        .post(app.url("/api/roles"))
        .bearer_auth(&admin)
        .json(&json!({
            "name": "curator", "description": "Curates the front page",
            "permissions": ["posts:update", "posts:read", "posts:read"], "inherits": ["user"]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["location"], "/api/roles/curator");
    let view: Value = resp.json().await.unwrap();
    assert_eq!(view["name"], "curator");
    assert_eq!(view["description"], "Curates the front page");
    assert_eq!(view["builtin"], false);
    assert_eq!(view["permissions"], json!(["posts:read", "posts:update"]));
    assert_eq!(view["inherits"], json!(["user"]));
    assert_eq!(view["user_count"], 0);
    let effective = sorted(&view["effective_permissions"]);
    for p in ["posts:update", "posts:publish_own", "comments:create"] {
        assert!(effective.contains(&p.to_owned()), "{p} in {effective:?}");
    }
    assert!(!effective.contains(&"posts:publish".to_owned()));
    let origin = view["effective_grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["grant"] == "comments:create")
        .cloned();
    assert_eq!(
        origin,
        Some(json!({"grant": "comments:create", "via": "user"}))
    );
    // The list shows the built-ins too; admin's `*` expands to the whole catalog.
    let (status, list) = app.call("GET", "/api/roles", Some(&admin), None).await;
    assert_eq!(status, 200);
    assert_eq!(list["next_cursor"], Value::Null);
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    for name in [
        "admin",
        "anonymous",
        "author",
        "contributor",
        "curator",
        "editor",
        "moderator",
        "user",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let admin_role = role(&app, &admin, "admin").await;
    assert_eq!(admin_role["builtin"], true);
    assert_eq!(admin_role["permissions"], json!(["*"]));
    let mut all: Vec<String> = CATALOG.iter().map(|s| (*s).to_owned()).collect();
    all.sort();
    assert_eq!(sorted(&admin_role["effective_permissions"]), all);
    assert_eq!(admin_role["user_count"], 1);
    app.create_user("cu1", &["curator"]).await;
    app.create_user("cu2", &["curator"]).await;
    assert_eq!(role(&app, &admin, "curator").await["user_count"], 2);
    // Names: valid ones only, each once.
    let (status, err) = app
        .call(
            "POST",
            "/api/roles",
            Some(&admin),
            Some(json!({"name": "curator", "permissions": []})),
        )
        .await;
    assert_eq!(status, 409, "{err}");
    assert!(err["message"].as_str().unwrap().contains("curator"));
    for bad in [
        "",
        "Curator",
        "has space",
        "9lives",
        "é",
        &"x".repeat(65),
        "a'; DROP TABLE roles; --",
    ] {
        let (status, err) = app
            .call(
                "POST",
                "/api/roles",
                Some(&admin),
                Some(json!({"name": bad, "permissions": ["posts:read"]})),
            )
            .await;
        assert_eq!(status, 422, "{bad:?}: {err}");
        assert!(err["fields"]["name"].is_array(), "{err}");
    }
    assert_eq!(
        app.call("GET", "/api/roles/nope", Some(&admin), None)
            .await
            .0,
        404
    );
    assert_eq!(
        app.call("GET", "/api/roles/%C3%A9%27", Some(&admin), None)
            .await
            .0,
        404
    );
}

async fn grants_must_be_catalog_permissions_and_parents_must_exist(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let create = |name: &str, permissions: Value, inherits: Value| {
        let app = &app;
        let admin = admin.clone();
        let body = json!({"name": name, "permissions": permissions, "inherits": inherits});
        async move {
            app.call("POST", "/api/roles", Some(&admin), Some(body))
                .await
        }
    };
    for bad in [
        "posts:fly",
        "nothing:*",
        "Posts:Read",
        "posts:*:*",
        "",
        " posts:read",
        "admin:users",
    ] {
        let (status, err) = create("r1", json!(["posts:read", bad]), json!([])).await;
        assert_eq!(status, 422, "{bad:?}: {err}");
        let messages = err["fields"]["permissions"].to_string();
        assert!(
            messages.contains(&format!("`{bad}`")),
            "{bad:?} named in {err}"
        );
    }
    // Every bad grant is named, not only the first.
    let (_, err) = create("r1", json!(["posts:fly", "users:jump"]), json!([])).await;
    assert_eq!(
        err["fields"]["permissions"].as_array().unwrap().len(),
        2,
        "{err}"
    );
    let (status, err) = create("r1", json!(["posts:read"]), json!(["user", "ghost"])).await;
    assert_eq!(status, 422);
    assert!(
        err["fields"]["inherits"].to_string().contains("ghost"),
        "{err}"
    );
    for ok in [
        json!(["posts:*"]),
        json!(["comments:delete", "users:read"]),
        json!(["*"]),
    ] {
        let name = format!("ok{}", ok.as_array().unwrap().len());
        let (status, view) = create(&name, ok.clone(), json!([])).await;
        assert_eq!(status, 201, "{ok}: {view}");
        app.call("DELETE", &format!("/api/roles/{name}"), Some(&admin), None)
            .await;
    }
    let (status, _) = app
        .call(
            "PATCH",
            "/api/roles/editor",
            Some(&admin),
            Some(json!({"permissions": ["posts:fly"]})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        role(&app, &admin, "editor").await["permissions"],
        json!(["posts:publish", "posts:update"])
    );
}

async fn inheritance_cycles_are_refused_and_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    for (name, parents) in [
        ("ra", json!([])),
        ("rb", json!(["ra"])),
        ("rc", json!(["rb"])),
    ] {
        let body = json!({"name": name, "permissions": ["posts:read"], "inherits": parents});
        assert_eq!(
            app.call("POST", "/api/roles", Some(&admin), Some(body))
                .await
                .0,
            201
        );
    }
    let (status, err) = app
        .call(
            "PATCH",
            "/api/roles/ra",
            Some(&admin),
            Some(json!({"inherits": ["rc"]})),
        )
        .await;
    assert_eq!(status, 422, "{err}");
    let message = err["fields"]["inherits"][0].as_str().unwrap();
    assert!(message.contains("ra -> rc -> rb -> ra"), "{message}");
    let (status, err) = app
        .call(
            "PATCH",
            "/api/roles/ra",
            Some(&admin),
            Some(json!({"inherits": ["ra"]})),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        err["fields"]["inherits"][0]
            .as_str()
            .unwrap()
            .contains("ra -> ra"),
        "{err}"
    );
    assert_eq!(role(&app, &admin, "ra").await["inherits"], json!([]));
    // A diamond is not a cycle.
    let body = json!({"inherits": ["rb", "rc"]});
    let (status, view) = app
        .call("PATCH", "/api/roles/moderator", Some(&admin), Some(body))
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["inherits"], json!(["rb", "rc"]));
}

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

async fn a_role_edit_through_the_api_applies_to_the_next_request(backend: Backend) {
    let app = spawn_app(backend).await;
    create_role(&app, "viewer", &["roles:read", "users:read"]).await;
    app.create_user("vera", &["viewer"]).await;
    let token = app.token("vera", None).await.access_token;
    assert_eq!(
        app.call("GET", "/api/roles", Some(&token), None).await.0,
        200
    );
    let admin = app.admin_token().await.access_token;
    let (status, _) = app
        .call(
            "PATCH",
            "/api/roles/viewer",
            Some(&admin),
            Some(json!({"permissions": ["users:read"]})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        app.call("GET", "/api/roles", Some(&token), None).await.0,
        403
    );
    assert_eq!(
        app.call("GET", "/api/users", Some(&token), None).await.0,
        200
    );
    // Removing an inherited grant works the same way.
    let body = json!({"permissions": [], "inherits": ["moderator"]});
    assert_eq!(
        app.call("PATCH", "/api/roles/viewer", Some(&admin), Some(body))
            .await
            .0,
        200
    );
    assert_eq!(
        app.call("GET", "/api/users", Some(&token), None).await.0,
        200
    );
    let body = json!({"permissions": ["posts:read"]});
    assert_eq!(
        app.call("PATCH", "/api/roles/moderator", Some(&admin), Some(body))
            .await
            .0,
        200
    );
    assert_eq!(
        app.call("GET", "/api/users", Some(&token), None).await.0,
        403
    );
    let updates = app
        .audit_actions()
        .await
        .into_iter()
        .filter(|a| a.1 == "role.update" && a.0 == "admin")
        .count();
    assert_eq!(updates, 3);
}

async fn nasty_role_inputs_never_cause_a_server_error(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let raw = |method: reqwest::Method, path: &'static str, ctype: &'static str, body: String| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.client
                .request(method, app.url(path))
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
    let json_ct = "application/json";
    let cases = [
        (
            reqwest::Method::POST,
            "/api/roles",
            json_ct,
            "{\"name\": \"a\",".to_owned(),
            400,
        ),
        (
            reqwest::Method::POST,
            "/api/roles",
            "text/plain",
            "name=a".to_owned(),
            415,
        ),
        (
            reqwest::Method::POST,
            "/api/roles",
            json_ct,
            "{\"name\": 7}".to_owned(),
            422,
        ),
        (
            reqwest::Method::POST,
            "/api/roles",
            json_ct,
            "{\"name\": \"a\", \"permissions\": \"posts:read\"}".to_owned(),
            422,
        ),
        (
            reqwest::Method::POST,
            "/api/roles",
            json_ct,
            "{\"name\": \"a\", \"permissions\": [null]}".to_owned(),
            422,
        ),
        (
            reqwest::Method::POST,
            "/api/roles",
            json_ct,
            format!(
                "{{\"name\": \"a\", \"permissions\": {}}}",
                json!(vec!["posts:read"; 201])
            ),
            422,
        ),
        (
            reqwest::Method::POST,
            "/api/roles",
            json_ct,
            format!(
                "{{\"name\": \"a\", \"description\": \"{}\"}}",
                "x".repeat(501)
            ),
            422,
        ),
        (
            reqwest::Method::POST,
            "/api/roles",
            json_ct,
            "{\"name\": \"a\", \"description\": \"nul\\u0000\"}".to_owned(),
            422,
        ),
        (
            reqwest::Method::POST,
            "/api/roles",
            json_ct,
            "{\"name\": \"a\", \"permissions\": [\"posts:read\\u0000\"]}".to_owned(),
            422,
        ),
        (
            reqwest::Method::PATCH,
            "/api/roles/editor",
            json_ct,
            "{\"permissions\": null}".to_owned(),
            200,
        ),
        (
            reqwest::Method::PATCH,
            "/api/roles/editor",
            json_ct,
            "[]".to_owned(),
            422,
        ),
        (
            reqwest::Method::PATCH,
            "/api/roles/nope",
            json_ct,
            "{}".to_owned(),
            404,
        ),
    ];
    for (method, path, ctype, body, want) in cases {
        let got = raw(method.clone(), path, ctype, body.clone()).await;
        assert_eq!(got, want, "{method} {path} {ctype} {body}");
    }
    let description = "'; DELETE FROM roles; -- ✓ Ünïcødé 🙂 \"quoted\" \\ back";
    let body = json!({"name": "tricky", "description": description, "permissions": ["posts:read"]});
    let (status, view) = app
        .call("POST", "/api/roles", Some(&admin), Some(body))
        .await;
    assert_eq!(status, 201, "{view}");
    assert_eq!(
        role(&app, &admin, "tricky").await["description"],
        description
    );
    assert_eq!(
        role(&app, &admin, "editor").await["permissions"],
        json!(["posts:publish", "posts:update"])
    );
}

both_backends!(
    roles_are_created_and_shown_with_effective_permissions,
    grants_must_be_catalog_permissions_and_parents_must_exist,
    inheritance_cycles_are_refused_and_named,
    nobody_creates_or_edits_a_role_beyond_their_own_permissions,
    no_role_edit_or_delete_leaves_nobody_holding_star,
    built_in_roles_stay_and_anonymous_is_editable,
    held_or_inherited_roles_are_deleted_only_when_forced,
    a_role_edit_through_the_api_applies_to_the_next_request,
    nasty_role_inputs_never_cause_a_server_error,
);
