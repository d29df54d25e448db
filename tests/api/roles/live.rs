//! Role edits take effect on the next request; hostile role input never causes a 500.

use super::*;

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
    a_role_edit_through_the_api_applies_to_the_next_request,
    nasty_role_inputs_never_cause_a_server_error,
);
