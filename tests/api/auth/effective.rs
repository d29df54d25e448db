//! SPEC §5: effective permissions, refresh rotation and revocation, applied on the next request.

use super::*;

async fn effective_permissions_are_scopes_intersected_with_current_permissions(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ed", &["editor"]).await;
    let narrow = app.token("ed", Some("posts:read")).await;
    assert_eq!(narrow.scope, "posts:read");
    let me = json_of(app.get_with("/api/me", &narrow.access_token).await).await;
    assert_eq!(me["effective_permissions"], json!(["posts:read"]));
    assert_eq!(me["scopes"], json!(["posts:read"]));
    assert!(me["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("posts:publish")));
    assert_eq!(me["roles"][0]["name"], "editor");

    // An admin token narrowed to users:read cannot use roles:read.
    let admin = app.admin_token().await;
    assert_eq!(
        app.get_with("/api/permissions", &admin.access_token)
            .await
            .status(),
        200
    );
    let resp = app
        .token_request(&[
            ("username", "admin"),
            ("password", crate::helpers::ADMIN_PASSWORD),
            ("scope", "users:read"),
        ])
        .await;
    let narrowed: crate::helpers::Tokens = resp.json().await.unwrap();
    let resp = app
        .get_with("/api/permissions", &narrowed.access_token)
        .await;
    assert_eq!(resp.status(), 403);
    assert_eq!(
        www(&resp),
        "Bearer realm=\"quire\", error=\"insufficient_scope\", scope=\"roles:read\""
    );
    let body = json_of(resp).await;
    assert_eq!(body["error"], "insufficient_scope");
    assert_eq!(body["required"], json!(["roles:read"]));
    assert_eq!(body["provided"], json!(["users:read"]));
    // A wildcard scope is intersected too.
    let resp = app
        .token_request(&[
            ("username", "ed"),
            ("password", password_of("ed").as_str()),
            ("scope", "posts:*"),
        ])
        .await;
    assert_eq!(
        json_of(resp).await["error"],
        "invalid_scope",
        "an editor does not hold all of posts:*"
    );
    let resp = app
        .token_request(&[
            ("username", "admin"),
            ("password", crate::helpers::ADMIN_PASSWORD),
            ("scope", "posts:*"),
        ])
        .await;
    let wild: crate::helpers::Tokens = resp.json().await.unwrap();
    let me = json_of(app.get_with("/api/me", &wild.access_token).await).await;
    let eff = me["effective_permissions"].as_array().unwrap();
    assert!(
        eff.contains(&json!("posts:publish")) && !eff.contains(&json!("comments:read")),
        "{eff:?}"
    );
    // Every 403 is audited.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let audit = app.audit_actions().await;
    assert!(
        audit
            .iter()
            .any(|(a, act, o)| a == "admin" && act == "access.denied" && o == "denied"),
        "{audit:?}"
    );
}

async fn refresh_rotates_and_reuse_revokes_the_family(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    let first = app.token("ada", None).await;
    let refresh = |token: String, scope: Option<&'static str>| {
        let app = &app;
        async move {
            let mut form = vec![
                ("grant_type", "refresh_token".to_owned()),
                ("refresh_token", token),
            ];
            if let Some(s) = scope {
                form.push(("scope", s.to_owned()));
            }
            app.client
                .post(app.url("/api/auth/token"))
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    let resp = refresh(first.refresh_token.clone(), Some("posts:read")).await;
    assert_eq!(resp.status(), 200);
    let second: crate::helpers::Tokens = resp.json().await.unwrap();
    assert_eq!(second.scope, "posts:read");
    assert_ne!(second.refresh_token, first.refresh_token);
    // Wider than the original grant of this family: refused.
    let resp = refresh(second.refresh_token.clone(), Some("users:read")).await;
    assert_eq!(json_of(resp).await["error"], "invalid_scope");
    // The refused attempt did not consume it; rotating again works.
    let resp = refresh(second.refresh_token.clone(), None).await;
    assert_eq!(resp.status(), 200);
    let third: crate::helpers::Tokens = resp.json().await.unwrap();
    assert_eq!(third.scope, "posts:read");
    // Reusing a rotated token fails and revokes the whole family, including the newest.
    let resp = refresh(first.refresh_token.clone(), None).await;
    assert_eq!(json_of(resp).await["error"], "invalid_grant");
    let resp = refresh(third.refresh_token.clone(), None).await;
    assert_eq!(resp.status(), 400);
    let audit = app.audit_actions().await;
    assert!(
        audit.iter().any(|(_, act, _)| act == "token.reuse"),
        "{audit:?}"
    );
    assert!(
        audit.iter().any(|(_, act, _)| act == "token.refresh"),
        "{audit:?}"
    );
}

async fn a_change_through_another_instance_applies_on_the_next_request(backend: Backend) {
    let a = spawn_app(backend).await;
    let b = spawn_on(a.test_db.clone(), &[]).await;
    create_role(&a, "viewer", &["roles:read"]).await;
    let id = a.create_user("vic", &["viewer"]).await;
    let token = a.token("vic", None).await.access_token;
    // Both instances have it cached now.
    assert_eq!(a.get_with("/api/permissions", &token).await.status(), 200);
    assert_eq!(b.get_with("/api/permissions", &token).await.status(), 200);
    // Revoked through B's database handle (as another process, or the CLI, would).
    let actor = quire::manage::Actor::cli();
    b.with_conn(move |c| quire::manage::users::revoke_role(c, &actor, id, "viewer").unwrap())
        .await;
    for app in [&a, &b] {
        let resp = app.get_with("/api/permissions", &token).await;
        assert_eq!(resp.status(), 403);
        assert_eq!(json_of(resp).await["provided"], json!([]));
    }
    // Granted again, then the role itself is edited: both are seen at once.
    let actor = quire::manage::Actor::cli();
    a.with_conn(move |c| quire::manage::users::grant_role(c, &actor, id, "viewer", None).unwrap())
        .await;
    assert_eq!(b.get_with("/api/permissions", &token).await.status(), 200);
    b.with_conn(|c| {
        let role = quire::db::queries::roles::find_role_by_name(c, "viewer")
            .unwrap()
            .unwrap();
        quire::db::write_tx(c, |c| {
            quire::db::queries::roles::set_role_grants(c, role.id, &["users:read".to_owned()])?;
            quire::db::queries::settings::bump_generation(c)
        })
        .unwrap();
    })
    .await;
    assert_eq!(a.get_with("/api/permissions", &token).await.status(), 403);
    // Disabling the account through A: B rejects the token at once.
    let actor = quire::manage::Actor::cli();
    a.with_conn(move |c| quire::manage::users::set_disabled(c, &actor, id, true).unwrap())
        .await;
    let resp = b.get_with("/api/me", &token).await;
    assert_eq!(resp.status(), 401);
    assert!(www(&resp).contains("disabled"));
}

async fn an_expired_assignment_stops_granting(backend: Backend) {
    let app = spawn_app(backend).await;
    create_role(&app, "viewer", &["roles:read"]).await;
    let id = app.create_user("tem", &[]).await;
    let actor = quire::manage::Actor::cli();
    let soon = chrono::Utc::now().naive_utc() + chrono::Duration::seconds(2);
    app.with_conn(move |c| {
        quire::manage::users::grant_role(c, &actor, id, "viewer", Some(soon)).unwrap()
    })
    .await;
    let token = app.token("tem", Some("roles:read")).await.access_token;
    assert_eq!(app.get_with("/api/permissions", &token).await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(app.get_with("/api/permissions", &token).await.status(), 403);
}

async fn revocation_of_access_and_refresh_tokens(backend: Backend) {
    let a = spawn_app(backend).await;
    let b = spawn_on(a.test_db.clone(), &[]).await;
    a.create_user("ada", &["user"]).await;
    let t = a.token("ada", None).await;
    let other = a.token("ada", None).await;
    assert_eq!(b.get_with("/api/me", &t.access_token).await.status(), 200);
    let revoke = |bearer: String, token: String| {
        let a = &a;
        async move {
            a.client
                .post(a.url("/api/auth/revoke"))
                .bearer_auth(bearer)
                .form(&[("token", token)])
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        revoke(t.access_token.clone(), t.access_token.clone())
            .await
            .status(),
        200
    );
    let resp = b.get_with("/api/me", &t.access_token).await;
    assert_eq!(resp.status(), 401);
    assert!(www(&resp).contains("revoked"));
    // Unknown tokens are fine (RFC 7009), and the refresh token of another session dies.
    assert_eq!(
        revoke(other.access_token.clone(), "nonsense".into())
            .await
            .status(),
        200
    );
    assert_eq!(
        revoke(other.access_token.clone(), other.refresh_token.clone())
            .await
            .status(),
        200
    );
    let resp = a
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", other.refresh_token.as_str()),
        ])
        .await;
    assert_eq!(json_of(resp).await["error"], "invalid_grant");
    // Without a bearer token the endpoint is 401.
    let resp = a
        .client
        .post(a.url("/api/auth/revoke"))
        .form(&[("token", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

both_backends!(
    effective_permissions_are_scopes_intersected_with_current_permissions,
    refresh_rotates_and_reuse_revokes_the_family,
    a_change_through_another_instance_applies_on_the_next_request,
    an_expired_assignment_stops_granting,
    revocation_of_access_and_refresh_tokens,
);
