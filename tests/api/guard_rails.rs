//! Guard rails of SPEC §3 as hardened by H2 (only a permanent grant of `*` counts) and
//! H15 (management rights are handed out only by holders of `*`).

use serde_json::{json, Value};

use crate::helpers::{create_role, spawn_app, spawn_app_with, Backend, TestApp};

async fn id_of(app: &TestApp, name: &str) -> i64 {
    let name = name.to_owned();
    app.with_conn(move |c| {
        quire::db::queries::users::find_user_by_username(c, &name)
            .unwrap()
            .unwrap()
            .id
    })
    .await
}

async fn only_a_permanent_grant_of_star_counts_for_the_last_holder_rule(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let admin_id = id_of(&app, "admin").await;
    let temp = app.create_user("temp", &[]).await;
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let (status, body) = app
        .call(
            "PUT",
            &format!("/api/users/{temp}/roles/admin"),
            Some(&admin),
            Some(json!({"expires_at": tomorrow})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let temp_token = app.token("temp", None).await.access_token;
    // `temp` holds `*` until tomorrow only: the permanent admin is still the last one.
    let me = format!("/api/users/{admin_id}");
    for (who, token) in [("admin", &admin), ("temp", &temp_token)] {
        let (status, err) = app
            .call("DELETE", &format!("{me}/roles/admin"), Some(token), None)
            .await;
        assert_eq!(status, 409, "{who} revokes: {err}");
        let (status, err) = app
            .call("PATCH", &me, Some(token), Some(json!({"disabled": true})))
            .await;
        assert_eq!(status, 409, "{who} disables: {err}");
    }
    // Nor may the permanent grant become an expiring one.
    let (status, _) = app
        .call(
            "PUT",
            &format!("{me}/roles/admin"),
            Some(&temp_token),
            Some(json!({"expires_at": tomorrow})),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(
        app.call("GET", &me, Some(&admin), None).await.1["roles"],
        json!([{"name": "admin", "expires_at": null}])
    );
    // Once `temp` holds it for good, the first admin may step down.
    let (status, _) = app
        .call(
            "PUT",
            &format!("/api/users/{temp}/roles/admin"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, err) = app
        .call(
            "DELETE",
            &format!("{me}/roles/admin"),
            Some(&temp_token),
            None,
        )
        .await;
    assert_eq!(status, 204, "{err}");
}

/// The `user` role's grants, as `GET /api/roles/user` shows them.
async fn user_role_grants(app: &TestApp, token: &str) -> Value {
    app.call("GET", "/api/roles/user", Some(token), None)
        .await
        .1["permissions"]
        .clone()
}

async fn a_role_manager_without_star_hands_out_no_management_rights(backend: Backend) {
    let app = spawn_app_with(backend, &[("QUIRE_REGISTRATION", "open")]).await;
    let admin = app.admin_token().await.access_token;
    // Everything but audit:read: within the ceiling of SPEC §3 for all the grants below.
    create_role(
        &app,
        "keeper",
        &[
            "roles:manage",
            "roles:read",
            "users:manage",
            "users:read",
            "posts:*",
            "comments:*",
        ],
    )
    .await;
    app.create_user("kee", &["keeper"]).await;
    let target = app.create_user("tara", &[]).await;
    let kee = app.token("kee", None).await.access_token;
    // An admin's token narrowed to all but audit:read does not hold `*` either.
    let all_but_audit: Vec<&str> = quire::authz::permission::CATALOG_NAMES
        .into_iter()
        .filter(|p| *p != "audit:read")
        .collect();
    let narrow = app
        .token_request(&[
            ("username", "admin"),
            ("password", crate::helpers::ADMIN_PASSWORD),
            ("scope", &all_but_audit.join(" ")),
        ])
        .await
        .json::<Value>()
        .await
        .unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = user_role_grants(&app, &admin).await;
    let with = |extra: &str| {
        let mut grants: Vec<Value> = before.as_array().unwrap().clone();
        grants.push(json!(extra));
        json!({ "permissions": grants })
    };
    let grant_path = format!("/api/users/{target}/roles/keeper");
    // (what, method, path, body): each hands out users:manage or roles:manage.
    let attempts: Vec<(&str, &str, String, Option<Value>)> = vec![
        (
            "roles:manage onto user",
            "PATCH",
            "/api/roles/user".into(),
            Some(with("roles:manage")),
        ),
        (
            "users:manage onto user",
            "PATCH",
            "/api/roles/user".into(),
            Some(with("users:manage")),
        ),
        (
            "roles:* onto user",
            "PATCH",
            "/api/roles/user".into(),
            Some(with("roles:*")),
        ),
        (
            "users:* onto user",
            "PATCH",
            "/api/roles/user".into(),
            Some(with("users:*")),
        ),
        (
            "user inherits keeper",
            "PATCH",
            "/api/roles/user".into(),
            Some(json!({"inherits": ["keeper"]})),
        ),
        (
            "new role with roles:manage",
            "POST",
            "/api/roles".into(),
            Some(json!({"name": "mgr", "permissions": ["roles:manage"], "inherits": []})),
        ),
        (
            "new role inheriting keeper",
            "POST",
            "/api/roles".into(),
            Some(json!({"name": "heir", "permissions": [], "inherits": ["keeper"]})),
        ),
        ("assign keeper", "PUT", grant_path.clone(), None),
        (
            "new user holding keeper",
            "POST",
            "/api/users".into(),
            Some(json!({
                "username": "newbie", "email": "newbie@example.com",
                "password": "long-enough-pw", "roles": ["keeper"]
            })),
        ),
    ];
    for (who, token) in [("kee", &kee), ("narrowed admin token", &narrow)] {
        for (what, method, path, body) in &attempts {
            let (status, err) = app.call(method, path, Some(token), body.clone()).await;
            assert_eq!(status, 403, "{who}: {what}: {err}");
            assert_eq!(err["error"], "forbidden", "{who}: {what}: {err}");
            assert!(
                err["message"].as_str().unwrap().contains("manage"),
                "{who}: {what}: {err}"
            );
        }
    }
    // Nothing changed: the role, the roles list, the target, the accounts.
    assert_eq!(user_role_grants(&app, &admin).await, before);
    assert_eq!(
        app.call("GET", "/api/roles/user", Some(&admin), None)
            .await
            .1["inherits"],
        json!([])
    );
    for role in ["mgr", "heir"] {
        let path = format!("/api/roles/{role}");
        assert_eq!(app.call("GET", &path, Some(&admin), None).await.0, 404);
    }
    let tara = app
        .call("GET", &format!("/api/users/{target}"), Some(&admin), None)
        .await
        .1;
    assert_eq!(tara["roles"], json!([]), "{tara}");
    let found = app
        .with_conn(|c| quire::db::queries::users::find_user_by_username(c, "newbie").unwrap())
        .await;
    assert!(found.is_none());
    // A self-registered account still gets no management right.
    let (status, _) = app
        .call(
            "POST",
            "/api/auth/register",
            None,
            Some(
                json!({"username": "reg", "email": "reg@example.com", "password": "reg-password"}),
            ),
        )
        .await;
    assert_eq!(status, 201);
    let reg = app
        .token_request(&[("username", "reg"), ("password", "reg-password")])
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert!(!reg["scope"].as_str().unwrap().contains("manage"), "{reg}");
    // What carries no management right stays within a role manager's reach.
    let (status, err) = app
        .call(
            "PATCH",
            "/api/roles/user",
            Some(&kee),
            Some(with("posts:update")),
        )
        .await;
    assert_eq!(status, 200, "{err}");
    let body = json!({"name": "writer", "permissions": ["posts:*"], "inherits": ["user"]});
    let (status, err) = app.call("POST", "/api/roles", Some(&kee), Some(body)).await;
    assert_eq!(status, 201, "{err}");
    // Holders of `*` may hand them out.
    let (status, err) = app.call("PUT", &grant_path, Some(&admin), None).await;
    assert_eq!(status, 201, "{err}");
    let body = json!({"name": "mgr", "permissions": ["roles:manage"], "inherits": []});
    let (status, err) = app
        .call("POST", "/api/roles", Some(&admin), Some(body))
        .await;
    assert_eq!(status, 201, "{err}");
}

async fn a_role_already_carrying_management_rights_stays_editable_by_its_managers(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    create_role(&app, "keeper", &["roles:manage", "roles:read", "posts:*"]).await;
    create_role(&app, "desk", &["roles:manage", "posts:read"]).await;
    app.create_user("kee", &["keeper"]).await;
    let kee = app.token("kee", None).await.access_token;
    // `desk` already carries roles:manage: adding a post permission hands out nothing new.
    let body = json!({"permissions": ["roles:manage", "posts:read", "posts:create"]});
    let (status, err) = app
        .call("PATCH", "/api/roles/desk", Some(&kee), Some(body))
        .await;
    assert_eq!(status, 200, "{err}");
    // Taking it away is never refused.
    let body = json!({"permissions": ["posts:read"]});
    let (status, err) = app
        .call("PATCH", "/api/roles/desk", Some(&kee), Some(body))
        .await;
    assert_eq!(status, 200, "{err}");
    // Putting it back is handing it out again.
    let body = json!({"permissions": ["posts:read", "roles:manage"]});
    let (status, err) = app
        .call("PATCH", "/api/roles/desk", Some(&kee), Some(body))
        .await;
    assert_eq!(status, 403, "{err}");
}

both_backends!(
    only_a_permanent_grant_of_star_counts_for_the_last_holder_rule,
    a_role_manager_without_star_hands_out_no_management_rights,
    a_role_already_carrying_management_rights_stays_editable_by_its_managers,
);
