//! SPEC §5: the token endpoint, token verification, effective permissions, revocation.

use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{json, Value};

use crate::helpers::{
    create_role, password_of, spawn_app, spawn_app_with, spawn_on, Backend, TestApp,
};

fn b64(s: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

async fn json_of(resp: reqwest::Response) -> Value {
    resp.json().await.unwrap()
}

fn www(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

async fn password_grant_answers_rfc6749_with_no_store(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ed", &["editor"]).await;
    let pw = password_of("ed");
    // grant_type omitted, as in the FastAPI tutorials; a Basic client header is ignored.
    let resp = app
        .client
        .post(app.url("/api/auth/token"))
        .header("Authorization", "Basic Og==")
        .form(&[("username", "ed"), ("password", pw.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let body = json_of(resp).await;
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["refresh_token"].as_str().unwrap().len() >= 40);
    let scope: Vec<&str> = body["scope"].as_str().unwrap().split(' ').collect();
    for p in [
        "posts:read",
        "posts:update",
        "posts:publish",
        "comments:create",
    ] {
        assert!(scope.contains(&p), "{p} in {scope:?}");
    }
    assert!(!scope.contains(&"users:read"));
}

async fn tokens_decode_with_a_standard_jwt_library(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app.create_user("ada", &["user"]).await;
    let tokens = app.token("ada", Some("posts:read comments:read")).await;
    // Decoded by jsonwebtoken directly with the shared secret, not through Quire's code.
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(&["quire-api"]);
    validation.set_issuer(&["quire"]);
    let data = jsonwebtoken::decode::<Value>(
        &tokens.access_token,
        &DecodingKey::from_secret(app.jwt_secret.as_bytes()),
        &validation,
    )
    .expect("standard decode");
    assert_eq!(data.header.alg, Algorithm::HS256);
    let c = data.claims;
    assert_eq!(c["sub"], id.to_string());
    assert_eq!(c["username"], "ada");
    assert_eq!(c["scope"], "posts:read comments:read");
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 900);
    assert!(c["jti"].as_str().unwrap().len() >= 16);
}

async fn token_endpoint_errors_follow_rfc6749(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    let off = app.create_user("gone", &["user"]).await;
    let actor = quire::manage::Actor::cli();
    app.with_conn(move |c| quire::manage::users::set_disabled(c, &actor, off, true).unwrap())
        .await;
    let pw = password_of("ada");
    let gone_pw = password_of("gone");
    // (form fields, expected error code, text the description must contain)
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![("username", "ada"), ("password", "wrong-password")],
            "invalid_grant",
            "invalid username or password",
        ),
        (
            vec![("username", "nobody"), ("password", "wrong-password")],
            "invalid_grant",
            "invalid username or password",
        ),
        (
            vec![("username", "gone"), ("password", gone_pw.as_str())],
            "invalid_grant",
            "disabled",
        ),
        (
            vec![("password", pw.as_str())],
            "invalid_request",
            "username",
        ),
        (vec![("username", "ada")], "invalid_request", "password"),
        (
            vec![("grant_type", "client_credentials")],
            "unsupported_grant_type",
            "client_credentials",
        ),
        (
            vec![
                ("username", "ada"),
                ("password", pw.as_str()),
                ("scope", "users:manage"),
            ],
            "invalid_scope",
            "users:manage",
        ),
        (
            vec![
                ("username", "ada"),
                ("password", pw.as_str()),
                ("scope", "posts:fly"),
            ],
            "invalid_scope",
            "posts:fly",
        ),
        (
            vec![
                ("username", "ada"),
                ("password", pw.as_str()),
                ("scope", "Posts:Read"),
            ],
            "invalid_scope",
            "Posts:Read",
        ),
        (
            vec![("grant_type", "refresh_token")],
            "invalid_request",
            "refresh_token",
        ),
        (
            vec![("grant_type", "refresh_token"), ("refresh_token", "forged")],
            "invalid_grant",
            "unknown",
        ),
    ];
    for (form, error, needle) in cases {
        let resp = app.token_request(&form).await;
        assert_eq!(resp.status(), 400, "{form:?}");
        assert_eq!(resp.headers()["cache-control"], "no-store", "{form:?}");
        let body = json_of(resp).await;
        assert_eq!(body["error"], error, "{form:?}: {body}");
        assert!(
            body["error_description"].as_str().unwrap().contains(needle),
            "{form:?}: {body}"
        );
        assert_eq!(body["message"], body["error_description"]);
    }
    // Not a form at all.
    let resp = app
        .client
        .post(app.url("/api/auth/token"))
        .json(&json!({"username": "ada"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(json_of(resp).await["error"], "invalid_request");
    let audit = app.audit_actions().await;
    assert!(
        audit
            .iter()
            .any(|(a, act, o)| a == "nobody" && act == "login" && o == "failure"),
        "{audit:?}"
    );
}

/// Signs arbitrary claims with the app's own secret (to forge "valid-looking" tokens).
fn sign(app: &TestApp, header: Header, claims: &Value) -> String {
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_secret(app.jwt_secret.as_bytes()),
    )
    .unwrap()
}

fn claims(sub: i64, exp_in: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"iss": "quire", "aud": "quire-api", "sub": sub.to_string(), "username": "x",
           "iat": now, "exp": now + exp_in, "jti": uuid::Uuid::new_v4().to_string(),
           "scope": "roles:read", "client_id": "quire"})
}

async fn token_attacks_are_401_invalid_token_never_anonymous(backend: Backend) {
    let app = spawn_app(backend).await;
    let good = app.admin_token().await.access_token;
    let admin_id = 1;
    let victim = app.create_user("victim", &["admin"]).await;
    let victim_token = app.token("victim", None).await.access_token;
    let actor = quire::manage::Actor::cli();
    app.with_conn(move |c| quire::manage::users::set_disabled(c, &actor, victim, true).unwrap())
        .await;
    let revoked = app.admin_token().await.access_token;
    let resp = app
        .client
        .post(app.url("/api/auth/revoke"))
        .bearer_auth(&revoked)
        .form(&[("token", revoked.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    let parts: Vec<&str> = good.split('.').collect();
    let mut tampered_payload: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap(),
    )
    .unwrap();
    tampered_payload["scope"] = json!("*");
    let other_key = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(admin_id, 600),
        &EncodingKey::from_secret(b"some-other-secret-of-32-bytes-xx"),
    )
    .unwrap();
    let mut wrong_iss = claims(admin_id, 600);
    wrong_iss["iss"] = json!("evil");
    let mut wrong_aud = claims(admin_id, 600);
    wrong_aud["aud"] = json!("another-api");
    let mut no_exp = claims(admin_id, 600);
    no_exp.as_object_mut().unwrap().remove("exp");
    let confusion = format!(
        "{}.{}.{}",
        b64(r#"{"alg":"RS256","typ":"JWT"}"#),
        parts[1],
        parts[2]
    );
    let cases: Vec<(&str, String)> = vec![
        ("garbage", "not-a-jwt".into()),
        ("empty three parts", "..".into()),
        (
            "wrong signature",
            format!(
                "{}.{}.{}",
                parts[0],
                b64(&tampered_payload.to_string()),
                parts[2]
            ),
        ),
        (
            "alg none",
            format!("{}.{}.", b64(r#"{"alg":"none","typ":"JWT"}"#), parts[1]),
        ),
        ("algorithm confusion RS256", confusion),
        (
            "HS512 with the right secret",
            sign(&app, Header::new(Algorithm::HS512), &claims(admin_id, 600)),
        ),
        ("another key", other_key),
        (
            "expired",
            sign(&app, Header::new(Algorithm::HS256), &claims(admin_id, -10)),
        ),
        (
            "wrong iss",
            sign(&app, Header::new(Algorithm::HS256), &wrong_iss),
        ),
        (
            "wrong aud",
            sign(&app, Header::new(Algorithm::HS256), &wrong_aud),
        ),
        ("no exp", sign(&app, Header::new(Algorithm::HS256), &no_exp)),
        (
            "deleted user",
            sign(&app, Header::new(Algorithm::HS256), &claims(987_654, 600)),
        ),
        ("disabled user", victim_token),
        ("revoked", revoked),
    ];
    for (name, token) in cases {
        for path in ["/api/permissions", "/api/me"] {
            let resp = app.get_with(path, &token).await;
            assert_eq!(resp.status(), 401, "{name} on {path}");
            let header = www(&resp);
            assert!(
                header.starts_with("Bearer realm=\"quire\", error=\"invalid_token\""),
                "{name}: {header}"
            );
            assert_eq!(json_of(resp).await["error"], "invalid_token", "{name}");
        }
    }
    for (name, value) in [
        ("basic scheme", "Basic YWRtaW46eA=="),
        ("empty bearer", "Bearer "),
        ("bare", "Bearer"),
    ] {
        let resp = app
            .client
            .get(app.url("/api/permissions"))
            .header("Authorization", value)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401, "{name}");
        assert!(www(&resp).contains("invalid_token"), "{name}");
    }
    // The untampered token still works, and no credentials at all is a plain 401.
    assert_eq!(app.get_with("/api/permissions", &good).await.status(), 200);
    let anon = app.get("/api/permissions").await;
    assert_eq!(anon.status(), 401);
    assert_eq!(www(&anon), "Bearer realm=\"quire\"");
}

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

async fn repeated_failures_are_throttled_with_retry_after(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    for _ in 0..5 {
        let resp = app
            .token_request(&[("username", "ada"), ("password", "wrong-password")])
            .await;
        assert_eq!(resp.status(), 400);
    }
    // Locked after five failures: even the right password waits.
    let pw = password_of("ada");
    let resp = app
        .token_request(&[("username", "ada"), ("password", pw.as_str())])
        .await;
    assert_eq!(resp.status(), 429);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    assert_eq!(json_of(resp).await["error"], "rate_limited");
}

async fn registration_is_closed_by_default_and_validated_when_open(backend: Backend) {
    let closed = spawn_app(backend).await;
    let body =
        json!({"username": "newbie", "email": "n@example.com", "password": "long-enough-pw"});
    let resp = closed
        .client
        .post(closed.url("/api/auth/register"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);

    let app = spawn_app_with(backend, &[("QUIRE_REGISTRATION", "open")]).await;
    let resp = app
        .client
        .post(app.url("/api/auth/register"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let user = json_of(resp).await;
    assert_eq!(user["roles"][0]["name"], "user");
    assert!(user["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("posts:create")));
    let resp = app
        .client
        .post(app.url("/api/auth/register"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 409);
    let cases = [
        (
            json!({"username": "Bad Name", "email": "x@example.com", "password": "long-enough-pw"}),
            "username",
        ),
        (
            json!({"username": "okay", "email": "nope", "password": "long-enough-pw"}),
            "email",
        ),
        (
            json!({"username": "okay", "email": "o@example.com", "password": "short"}),
            "password",
        ),
        (
            json!({"username": "okay", "email": "o@example.com", "password": "x".repeat(73)}),
            "password",
        ),
        (
            json!({"username": "okay", "email": "o@example.com"}),
            "password",
        ),
    ];
    for (body, field) in cases {
        let resp = app
            .client
            .post(app.url("/api/auth/register"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 422, "{body}");
        let err = json_of(resp).await;
        assert_eq!(err["error"], "validation_failed");
        assert!(err["fields"][field].is_array(), "{body}: {err}");
    }
    let resp = app
        .client
        .post(app.url("/api/auth/register"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let resp = app
        .client
        .post(app.url("/api/auth/register"))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
}

async fn a_login_storm_does_not_stall_concurrent_reads(backend: Backend) {
    // A real bcrypt cost, so logins take real CPU time; each login from its own address (a
    // pending attempt counts against its address until it succeeds, SPEC H4).
    let config = [
        ("QUIRE_BCRYPT_COST", "10"),
        ("QUIRE_TRUSTED_PROXIES", "127.0.0.1"),
    ];
    let app = spawn_app_with(backend, &config).await;
    let token = app.admin_token().await.access_token;
    let logins: Vec<_> = (0..12)
        .map(|i| {
            let client = app.client.clone();
            let url = app.url("/api/auth/token");
            tokio::spawn(async move {
                client
                    .post(url)
                    .header("X-Forwarded-For", format!("198.51.100.{}", i + 1))
                    .form(&[
                        ("username", "admin"),
                        ("password", crate::helpers::ADMIN_PASSWORD),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    // Reads issued while the logins are queued all complete, and complete first.
    for _ in 0..30 {
        assert_eq!(app.get_with("/api/me", &token).await.status(), 200);
    }
    let still_running = logins.iter().filter(|h| !h.is_finished()).count();
    assert!(
        still_running > 0,
        "the reads waited for every login to finish"
    );
    for h in logins {
        assert_eq!(h.await.unwrap(), 200);
    }
}

async fn me_requires_credentials(backend: Backend) {
    let app = spawn_app(backend).await;
    let resp = app.get("/api/me").await;
    assert_eq!(resp.status(), 401);
    assert_eq!(www(&resp), "Bearer realm=\"quire\"");
    assert_eq!(json_of(resp).await["error"], "unauthenticated");
}

both_backends!(
    password_grant_answers_rfc6749_with_no_store,
    tokens_decode_with_a_standard_jwt_library,
    token_endpoint_errors_follow_rfc6749,
    token_attacks_are_401_invalid_token_never_anonymous,
    effective_permissions_are_scopes_intersected_with_current_permissions,
    refresh_rotates_and_reuse_revokes_the_family,
    a_change_through_another_instance_applies_on_the_next_request,
    an_expired_assignment_stops_granting,
    revocation_of_access_and_refresh_tokens,
    repeated_failures_are_throttled_with_retry_after,
    registration_is_closed_by_default_and_validated_when_open,
    a_login_storm_does_not_stall_concurrent_reads,
    me_requires_credentials,
);
