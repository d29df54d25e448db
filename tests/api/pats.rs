//! SPEC §11: personal access tokens over HTTP — created once with their secret, hashed at
//! rest, scoped within the creating request, authorizing with scopes ∩ live permissions,
//! refused (401 `invalid_token`) when expired, revoked or their owner is disabled.

use diesel::prelude::*;
use quire::db::schema::personal_access_tokens as pats;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Backend, TestApp};

mod pages;
mod refusals;

/// `POST /api/tokens` as `token`; returns the status, the body and `Cache-Control`.
pub async fn create(app: &TestApp, token: &str, body: Value) -> (u16, Value, Option<String>) {
    let resp = app
        .client
        .post(app.url("/api/tokens"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let cache = resp
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, resp.json().await.unwrap(), cache)
}

/// A new PAT with these scopes for 30 days; must be 201. Returns (id, secret).
pub async fn pat(app: &TestApp, token: &str, scopes: &[&str]) -> (i64, String) {
    let (status, body, _) = create(
        app,
        token,
        json!({"name": "script", "scopes": scopes, "expires_in_days": 30}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    (
        body["id"].as_i64().unwrap(),
        body["token"].as_str().unwrap().to_owned(),
    )
}

/// A request with `token` is refused as RFC 6750 says: 401 `invalid_token` and the header.
pub async fn assert_invalid_token(app: &TestApp, token: &str, why: &str) {
    let resp = app.get_with("/api/me", token).await;
    assert_eq!(resp.status(), 401, "{why}");
    let header = resp.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        header.starts_with("Bearer realm=\"quire\", error=\"invalid_token\""),
        "{why}: {header}"
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_token", "{why}");
}

async fn create_list_and_delete(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["author"]).await;
    let jwt = app.token("ada", None).await.access_token;
    let body =
        json!({"name": "deploy", "scopes": ["posts:read", "posts:create"], "expires_in_days": 7});
    let (status, created, cache) = create(&app, &jwt, body).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(cache.as_deref(), Some("no-store"));
    let secret = created["token"].as_str().unwrap();
    assert!(
        secret.starts_with("qpat_") && secret.len() == 49,
        "{secret}"
    );
    assert_eq!(created["name"], "deploy");
    assert_eq!(
        created["scopes"],
        json!(["posts:create", "posts:read"]),
        "by name"
    );
    assert!(created["last_used_at"].is_null());
    let keys: Vec<&String> = created.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 7, "{created}");
    let id = created["id"].as_i64().unwrap();

    let (status, list) = app.call("GET", "/api/tokens", Some(&jwt), None).await;
    assert_eq!(status, 200);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], id);
    assert_eq!(items[0]["expires_at"], created["expires_at"]);
    assert!(
        items[0].get("token").is_none(),
        "the secret is shown once only"
    );
    assert!(!list.to_string().contains(secret));

    let path = format!("/api/tokens/{id}");
    assert_eq!(app.call("DELETE", &path, Some(&jwt), None).await.0, 204);
    let (_, list) = app.call("GET", "/api/tokens", Some(&jwt), None).await;
    assert_eq!(list["items"], json!([]));
    assert_eq!(app.call("DELETE", &path, Some(&jwt), None).await.0, 404);
    assert_invalid_token(&app, secret, "deleted").await;
    let actions: Vec<String> = app
        .audit_actions()
        .await
        .into_iter()
        .map(|(_, a, _)| a)
        .collect();
    assert!(actions.contains(&"pat.create".to_owned()), "{actions:?}");
    assert!(actions.contains(&"pat.revoke".to_owned()), "{actions:?}");
    // Anonymous callers have no tokens to manage.
    assert_eq!(app.call("GET", "/api/tokens", None, None).await.0, 401);
}

async fn the_secret_is_stored_as_its_hash(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let (id, secret) = pat(&app, &admin, &["posts:read"]).await;
    let (hash, scopes): (String, String) = app
        .with_conn(move |c| {
            pats::table
                .filter(pats::id.eq(id))
                .select((pats::token_hash, pats::scopes))
                .first(c)
                .unwrap()
        })
        .await;
    assert_eq!(hash, quire::oauth::hash_secret(&secret));
    assert_ne!(hash, secret);
    assert!(!hash.contains(&secret[5..]));
    assert_eq!(scopes, "posts:read");
}

async fn scopes_lie_within_the_creating_request(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["author"]).await;
    let full = app.token("ada", None).await.access_token;
    let narrowed = app.token("ada", Some("posts:read")).await.access_token;
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "not held",
            &["posts:read", "users:manage"],
            &["users:manage"],
        ),
        ("not in the catalog", &["nope:x"], &["nope:x"]),
        ("not a permission", &["Bad Name"], &["Bad Name"]),
    ];
    for (why, scopes, named) in cases {
        let body = json!({"name": "x", "scopes": scopes, "expires_in_days": 1});
        let (status, answer, _) = create(&app, &full, body).await;
        assert_eq!(status, 400, "{why}: {answer}");
        assert_eq!(answer["error"], "invalid_scope", "{why}");
        let text = answer["error_description"].as_str().unwrap();
        for name in *named {
            assert!(text.contains(name), "{why}: {text}");
        }
    }
    // A token narrowed to posts:read cannot mint a broader PAT, wildcard or not.
    for scopes in [json!(["posts:create"]), json!(["posts:*"]), json!(["*"])] {
        let body = json!({"name": "x", "scopes": scopes, "expires_in_days": 1});
        let (status, answer, _) = create(&app, &narrowed, body).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some("invalid_scope")),
            "{scopes}"
        );
    }
    let (_, secret) = pat(&app, &narrowed, &["posts:read"]).await;
    // Nor can a PAT: it is the creating request's effective permissions that count.
    let body = json!({"name": "x", "scopes": ["posts:create"], "expires_in_days": 1});
    assert_eq!(create(&app, &secret, body).await.0, 400);
    // Wildcards within reach are stored expanded (an author lacks comments:delete).
    let body = json!({"name": "c", "scopes": ["comments:*"], "expires_in_days": 1});
    assert_eq!(create(&app, &full, body).await.0, 400);
    let admin = app.admin_token().await.access_token;
    let (status, answer, _) = create(
        &app,
        &admin,
        json!({"name": "c", "scopes": ["comments:*"], "expires_in_days": 1}),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    let scopes = answer["scopes"].as_array().unwrap();
    assert!(
        !scopes.is_empty()
            && scopes
                .iter()
                .all(|s| s.as_str().unwrap().starts_with("comments:"))
    );
    assert!(!scopes.contains(&json!("comments:*")));
}

async fn bad_fields_are_422_naming_them(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let ok = || json!({"name": "n", "scopes": ["posts:read"], "expires_in_days": 30});
    let with = |field: &str, value: Value| {
        let mut body = ok();
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = ok();
        body.as_object_mut().unwrap().remove(field);
        body
    };
    let cases = [
        ("name", with("name", json!(""))),
        ("name", with("name", json!("x".repeat(101)))),
        ("name", with("name", json!("a\u{202e}b"))),
        ("name", with("name", json!(5))),
        ("name", without("name")),
        ("expires_in_days", with("expires_in_days", json!(0))),
        ("expires_in_days", with("expires_in_days", json!(367))),
        ("expires_in_days", with("expires_in_days", json!("30"))),
        ("expires_in_days", with("expires_in_days", json!(1.5))),
        ("expires_in_days", without("expires_in_days")),
        ("scopes", with("scopes", json!([]))),
        ("scopes", with("scopes", json!("posts:read"))),
        ("scopes[0]", with("scopes", json!([1]))),
        ("scopes", without("scopes")),
        ("color", with("color", json!("red"))),
    ];
    for (field, body) in cases {
        let (status, answer, _) = create(&app, &admin, body.clone()).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert!(answer["fields"][field].is_array(), "{body}: {answer}");
    }
    assert_eq!(
        create(&app, &admin, with("name", json!("x".repeat(100))))
            .await
            .0,
        201
    );
    assert_eq!(
        create(&app, &admin, with("expires_in_days", json!(366)))
            .await
            .0,
        201
    );
}

async fn users_manage_reaches_other_users_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["author"]).await;
    let ada = app.token("ada", None).await.access_token;
    let (id, secret) = pat(&app, &ada, &["posts:read"]).await;
    let admin = app.admin_token().await.access_token;
    let (status, list) = app
        .call("GET", "/api/tokens?user=ada", Some(&admin), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["items"][0]["id"], id);
    let (_, own) = app.call("GET", "/api/tokens", Some(&admin), None).await;
    assert_eq!(
        own["items"],
        json!([]),
        "the admin's own list is theirs only"
    );
    // Others get 403; naming oneself is the same as naming no one.
    let (status, answer) = app
        .call("GET", "/api/tokens?user=admin", Some(&ada), None)
        .await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (403, Some("insufficient_scope"))
    );
    let path = format!("/api/tokens/{id}?user=admin");
    assert_eq!(app.call("DELETE", &path, Some(&ada), None).await.0, 403);
    assert_eq!(
        app.call("GET", "/api/tokens?user=ada", Some(&ada), None)
            .await
            .0,
        200
    );
    assert_eq!(
        app.call("GET", "/api/tokens?user=nobody", Some(&admin), None)
            .await
            .0,
        404
    );
    // The admin's own id space does not hold ada's token; with ?user=ada it does.
    let mine = format!("/api/tokens/{id}");
    assert_eq!(app.call("DELETE", &mine, Some(&admin), None).await.0, 404);
    let hers = format!("/api/tokens/{id}?user=ada");
    assert_eq!(app.call("DELETE", &hers, Some(&admin), None).await.0, 204);
    assert_invalid_token(&app, &secret, "deleted by an admin").await;
}

async fn a_pat_authorizes_with_its_scopes_and_the_owners_live_permissions(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada_id = app.create_user("ada", &["author"]).await;
    let jwt = app.token("ada", None).await.access_token;
    let (_, secret) = pat(&app, &jwt, &["posts:read", "posts:create"]).await;
    let (status, me) = app.call("GET", "/api/me", Some(&secret), None).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["username"], "ada");
    assert_eq!(me["authenticated_by"], "bearer");
    assert_eq!(me["scopes"], json!(["posts:create", "posts:read"]));
    assert_eq!(
        me["effective_permissions"],
        json!(["posts:create", "posts:read"])
    );
    let post = app
        .create_post(&secret, json!({"title": "By PAT", "body": "b"}))
        .await;
    // Outside the token's scopes, though the owner holds it.
    let (status, _) = app
        .call(
            "POST",
            &format!("/api/posts/{}/publish", post["id"]),
            Some(&secret),
            None,
        )
        .await;
    assert_eq!(status, 403);
    // Revoking the owner's role takes effect on the very next request.
    let admin = app.admin_token().await.access_token;
    let path = format!("/api/users/{ada_id}/roles/author");
    assert_eq!(app.call("DELETE", &path, Some(&admin), None).await.0, 204);
    let (status, answer) = app
        .call(
            "POST",
            "/api/posts",
            Some(&secret),
            Some(json!({"title": "t", "body": "b"})),
        )
        .await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (403, Some("insufficient_scope")),
        "{answer}"
    );
    assert_eq!(answer["provided"], json!([]));
}

both_backends!(
    create_list_and_delete,
    the_secret_is_stored_as_its_hash,
    scopes_lie_within_the_creating_request,
    bad_fields_are_422_naming_them,
    users_manage_reaches_other_users_tokens,
    a_pat_authorizes_with_its_scopes_and_the_owners_live_permissions,
);
