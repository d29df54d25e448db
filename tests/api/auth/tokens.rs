//! SPEC §5: the token endpoint's answers and errors, and tokens that must never verify.

use super::*;

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
    validation.set_issuer(&[crate::helpers::PUBLIC_URL]);
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

both_backends!(
    password_grant_answers_rfc6749_with_no_store,
    tokens_decode_with_a_standard_jwt_library,
    token_endpoint_errors_follow_rfc6749,
    token_attacks_are_401_invalid_token_never_anonymous,
);
