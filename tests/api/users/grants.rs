//! SPEC §3 guard rails on accounts: the last holder of `*`, grants, expiry, next-request effect.

use super::*;

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
    // A field of the wrong type is named by its path (serde_path_to_error).
    let (status, err) = app
        .call(
            "PUT",
            &path("author"),
            Some(&admin),
            Some(json!({"expires_at": 5})),
        )
        .await;
    assert_eq!(status, 422, "{err}");
    assert!(err["fields"]["expires_at"].is_array(), "{err}");
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

both_backends!(
    the_last_holder_of_star_is_never_disabled_or_stripped,
    grants_and_revocations_follow_the_guard_rails,
    an_expiring_grant_stops_on_time,
    account_changes_apply_to_the_very_next_request,
);
