//! SPEC H14: the permission cache (`authz_state.generation`) is invalidated only by
//! changes that affect permissions. Idempotent requests and profile edits leave it alone,
//! so no signed-in user can flush every instance's cache at will.

use serde_json::{json, Value};

use crate::helpers::{create_role, password_of, spawn_app_with, Backend, TestApp};

async fn generation(app: &TestApp) -> i64 {
    app.with_conn(|c| quire::db::queries::settings::find_generation(c).unwrap())
        .await
}

/// A request and whether it must invalidate the cache.
struct Step {
    what: &'static str,
    method: &'static str,
    path: String,
    token: String,
    body: Option<Value>,
    status: u16,
    bumps: bool,
}

async fn revoke(app: &TestApp, auth: &str, token: &str) -> u16 {
    app.client
        .post(app.url("/api/auth/revoke"))
        .bearer_auth(auth)
        .form(&[("token", token)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn only_changes_to_permissions_invalidate_the_cache(backend: Backend) {
    let app = spawn_app_with(backend, &[("QUIRE_REGISTRATION", "open")]).await;
    let admin = app.admin_token().await.access_token;
    let uma = app.create_user("uma", &["user"]).await;
    create_role(&app, "helper", &["posts:read"]).await;
    let own = app.token("uma", None).await.access_token;
    let user = format!("/api/users/{uma}");
    let grant = format!("{user}/roles/editor");
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let step = |what, method, path: &str, token: &str, body, status, bumps| Step {
        what,
        method,
        path: path.to_owned(),
        token: token.to_owned(),
        body,
        status,
        bumps,
    };
    let steps = vec![
        step("grant a role", "PUT", &grant, &admin, None, 201, true),
        step("grant it again", "PUT", &grant, &admin, None, 200, false),
        step(
            "give it an expiry",
            "PUT",
            &grant,
            &admin,
            Some(json!({"expires_at": tomorrow})),
            200,
            true,
        ),
        step(
            "the same expiry again",
            "PUT",
            &grant,
            &admin,
            Some(json!({"expires_at": tomorrow})),
            200,
            false,
        ),
        step(
            "own display name",
            "PATCH",
            &user,
            &own,
            Some(json!({"display_name": "Uma U."})),
            200,
            false,
        ),
        step(
            "the same display name",
            "PATCH",
            &user,
            &own,
            Some(json!({"display_name": "Uma U."})),
            200,
            false,
        ),
        step(
            "an admin edits the email",
            "PATCH",
            &user,
            &admin,
            Some(json!({"email": "uma@example.net"})),
            200,
            false,
        ),
        step(
            "an admin resets the password",
            "PATCH",
            &user,
            &admin,
            Some(json!({"password": "a-new-password"})),
            200,
            false,
        ),
        step(
            "disable",
            "PATCH",
            &user,
            &admin,
            Some(json!({"disabled": true})),
            200,
            true,
        ),
        step(
            "disable the disabled",
            "PATCH",
            &user,
            &admin,
            Some(json!({"disabled": true})),
            200,
            false,
        ),
        step(
            "enable",
            "PATCH",
            &user,
            &admin,
            Some(json!({"disabled": false})),
            200,
            true,
        ),
        step(
            "an empty PATCH",
            "PATCH",
            &user,
            &admin,
            Some(json!({})),
            200,
            false,
        ),
        step(
            "a role's description",
            "PATCH",
            "/api/roles/helper",
            &admin,
            Some(json!({"description": "helps"})),
            200,
            false,
        ),
        step(
            "a role's same grants",
            "PATCH",
            "/api/roles/helper",
            &admin,
            Some(json!({"permissions": ["posts:read"]})),
            200,
            false,
        ),
        step(
            "a role's new grants",
            "PATCH",
            "/api/roles/helper",
            &admin,
            Some(json!({"permissions": ["posts:read", "comments:read"]})),
            200,
            true,
        ),
        step(
            "a role's new parents",
            "PATCH",
            "/api/roles/helper",
            &admin,
            Some(json!({"inherits": ["user"]})),
            200,
            true,
        ),
        step("revoke the role", "DELETE", &grant, &admin, None, 204, true),
        step(
            "register an account",
            "POST",
            "/api/auth/register",
            "",
            Some(
                json!({"username": "reg", "email": "reg@example.com", "password": "reg-password"}),
            ),
            201,
            false,
        ),
    ];
    for s in steps {
        let before = generation(&app).await;
        let token = Some(s.token.as_str()).filter(|t| !t.is_empty());
        let (status, body) = app.call(s.method, &s.path, token, s.body).await;
        assert_eq!(status, s.status, "{}: {body}", s.what);
        let after = generation(&app).await;
        assert_eq!(after != before, s.bumps, "{}: {before} -> {after}", s.what);
    }
    // An own password change (with the current password) is a profile edit too.
    let uma_token = app
        .token_request(&[("username", "uma"), ("password", "a-new-password")])
        .await
        .json::<Value>()
        .await
        .unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = generation(&app).await;
    let body = json!({"password": password_of("uma"), "current_password": "a-new-password"});
    let (status, err) = app.call("PATCH", &user, Some(&uma_token), Some(body)).await;
    assert_eq!(status, 200, "{err}");
    assert_eq!(generation(&app).await, before, "own password change");
    // Revoking a token: the first time invalidates, the second changes nothing.
    let auth = app.token("uma", None).await.access_token;
    let victim = app.token("uma", None).await.access_token;
    for (round, bumps) in [(1, true), (2, false), (3, false)] {
        let before = generation(&app).await;
        assert_eq!(revoke(&app, &auth, &victim).await, 200);
        let after = generation(&app).await;
        assert_eq!(
            after != before,
            bumps,
            "revocation {round}: {before} -> {after}"
        );
    }
    assert_eq!(app.get_with("/api/me", &victim).await.status(), 401);
    // Nothing was audited for the requests that changed nothing.
    let updates = app
        .audit_actions()
        .await
        .into_iter()
        .filter(|(_, action, _)| action == "user.update" || action == "role.grant")
        .count();
    // display name, email, password reset, own password; grant, expiry.
    assert_eq!(updates, 6);
}

both_backends!(only_changes_to_permissions_invalidate_the_cache);
