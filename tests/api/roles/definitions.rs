//! SPEC §3: creating and showing roles, catalog grants, parents and cycles.

use super::*;

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

both_backends!(
    roles_are_created_and_shown_with_effective_permissions,
    grants_must_be_catalog_permissions_and_parents_must_exist,
    inheritance_cycles_are_refused_and_named,
);
