//! The refusals of the code flow (SPEC §11): each rule, on both backends.

use diesel::prelude::*;
use quire::db::schema::authorization_codes as codes;

use super::*;
use crate::pats::assert_invalid_token;

async fn an_unregistered_redirect_uri_is_a_400_page_never_a_redirect(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    let client = register(&app, &[CALLBACK, "https://app.example/cb"], &["posts:read"]).await;
    let browser = sign_in(&app, "ada", &password_of("ada")).await;
    let near = [
        ("redirect_uri", "http://127.0.0.1:8765/callback/"),
        ("redirect_uri", "http://localhost:8765/callback"),
        ("redirect_uri", "https://evil.example/cb"),
        // Two are registered, so it may not be omitted.
        ("redirect_uri", ""),
    ];
    for extra in near {
        let (status, location, page) =
            fetch(&app, &browser, &authorize_path(&client, &[extra])).await;
        assert_eq!((status, location), (400, None), "{extra:?}");
        assert!(page.contains("not registered"), "{page}");
    }
    // An unknown client, even with a plain challenge: the page, not the app.
    for extra in [("client_id", "no-such-client"), ("client_id", "")] {
        let path = authorize_path(&client, &[extra, ("code_challenge_method", "plain")]);
        let (status, location, _) = fetch(&app, &browser, &path).await;
        assert_eq!((status, location), (400, None), "{extra:?}");
    }
    // Exactly one registered: it may be omitted.
    let single = register(&app, &[CALLBACK], &["posts:read"]).await;
    let (status, _, _) = fetch(
        &app,
        &browser,
        &authorize_path(&single, &[("redirect_uri", "")]),
    )
    .await;
    assert_eq!(status, 200);
}

async fn a_plain_or_missing_challenge_or_other_response_type_is_sent_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = register(&app, &[CALLBACK], &["posts:read"]).await;
    // Even before signing in: the request itself is bad.
    let browser = crate::pages::browser();
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[("code_challenge_method", "plain")], "invalid_request"),
        (&[("code_challenge_method", "")], "invalid_request"),
        (&[("code_challenge", "")], "invalid_request"),
        (&[("response_type", "token")], "unsupported_response_type"),
        (&[("response_type", "")], "invalid_request"),
    ];
    for (extra, error) in cases {
        let (status, location, _) = fetch(&app, &browser, &authorize_path(&client, extra)).await;
        assert_eq!(status, 303, "{extra:?}");
        let location = location.unwrap();
        assert!(location.starts_with(CALLBACK), "{location}");
        let p = params(&location);
        assert_eq!(p["error"], error, "{extra:?}");
        assert_eq!(
            (p["state"].as_str(), p["iss"].as_str()),
            ("st-123", PUBLIC_URL)
        );
        assert!(!p.contains_key("code"), "{location}");
    }
}

async fn a_scope_the_user_lacks_is_listed_unavailable_and_never_granted(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    let client = register(
        &app,
        &[CALLBACK],
        &["posts:read", "users:read", "audit:read"],
    )
    .await;
    let browser = sign_in(&app, "ada", &password_of("ada")).await;
    let asked = [("scope", "posts:read users:read roles:manage")];
    let (_, _, page) = fetch(&app, &browser, &authorize_path(&client, &asked)).await;
    let unavailable = &page[page.find("class=\"scopes unavailable\"").unwrap()..];
    // `users:read`: registered, not ada's; `roles:manage`: neither.
    assert!(unavailable.contains("<code>users:read</code>"), "{page}");
    assert!(unavailable.contains("<code>roles:manage</code>"), "{page}");
    assert_eq!(hidden(&page, "scope"), "posts:read");
    // Tampering with the form's scope grants nothing more: the POST checks again.
    let tampered = page.replace(
        "name=\"scope\" value=\"posts:read\"",
        "name=\"scope\" value=\"posts:read users:read\"",
    );
    let (_, location) = decide(&app, &browser, &tampered, "approve").await;
    let code = params(&location.unwrap())["code"].clone();
    let (status, body) = exchange(&app, &code, VERIFIER, &client).await;
    assert_eq!(
        (status, body["scope"].as_str()),
        (200, Some("posts:read")),
        "{body}"
    );
    // Nothing grantable at all: no approve button, only deny.
    let (_, _, page) = fetch(
        &app,
        &browser,
        &authorize_path(&client, &[("scope", "audit:read")]),
    )
    .await;
    assert!(
        page.contains("Nothing this app asks for can be granted"),
        "{page}"
    );
    assert!(!page.contains("value=\"approve\""));
}

async fn a_wrong_verifier_is_refused_and_uses_the_code_up(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    let client = register(&app, &[CALLBACK], &["posts:read"]).await;
    let code = approved_code(&app, "ada", &client, &[]).await;
    let wrong = "another-verifier-of-at-least-forty-three-characters-987";
    let (status, body) = exchange(&app, &code, wrong, &client).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "{body}"
    );
    let (status, body) = exchange(&app, &code, VERIFIER, &client).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "{body}"
    );
    // Another client, another redirect URI: refused too.
    let code = approved_code(&app, "ada", &client, &[]).await;
    let other = register(&app, &[CALLBACK], &["posts:read"]).await;
    let (status, _) = exchange(&app, &code, VERIFIER, &other).await;
    assert_eq!(status, 400);
    let code = approved_code(&app, "ada", &client, &[]).await;
    let resp = app
        .token_request(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", VERIFIER),
            ("client_id", &client),
            ("redirect_uri", "http://127.0.0.1:8765/other"),
        ])
        .await;
    assert_eq!(resp.status(), 400);
}

async fn a_reused_code_revokes_the_tokens_it_issued(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    let client = register(&app, &[CALLBACK], &["posts:read"]).await;
    let code = approved_code(&app, "ada", &client, &[]).await;
    let (status, first) = exchange(&app, &code, VERIFIER, &client).await;
    assert_eq!(status, 200);
    let access = first["access_token"].as_str().unwrap();
    assert_eq!(app.get_with("/api/me", access).await.status(), 200);
    let (status, body) = exchange(&app, &code, VERIFIER, &client).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "{body}"
    );
    assert_invalid_token(&app, access, "tokens of a reused code").await;
    let refresh = first["refresh_token"].as_str().unwrap();
    let resp = app
        .token_request(&[("grant_type", "refresh_token"), ("refresh_token", refresh)])
        .await;
    assert_eq!(resp.status(), 400);
}

async fn an_expired_code_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    let client = register(&app, &[CALLBACK], &["posts:read"]).await;
    let code = approved_code(&app, "ada", &client, &[]).await;
    // The code was issued to live 60 s; move its expiry into the past.
    let hash = quire::oauth::hash_secret(&code);
    app.with_conn(move |c| {
        let row = codes::table.filter(codes::code_hash.eq(&hash));
        let (created, expires): (chrono::NaiveDateTime, chrono::NaiveDateTime) = row
            .select((codes::created_at, codes::expires_at))
            .first(c)
            .unwrap();
        assert_eq!((expires - created).num_seconds(), 60);
        diesel::update(row)
            .set(
                codes::expires_at.eq(chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1)),
            )
            .execute(c)
            .unwrap();
    })
    .await;
    let (status, body) = exchange(&app, &code, VERIFIER, &client).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "{body}"
    );
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{body}"
    );
}

async fn the_consent_form_needs_its_csrf_token(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    let client = register(&app, &[CALLBACK], &["posts:read"]).await;
    let browser = sign_in(&app, "ada", &password_of("ada")).await;
    let (_, _, page) = fetch(&app, &browser, &authorize_path(&client, &[])).await;
    let forged = page.replace(&csrf_of(&page), &"0".repeat(64));
    let (status, location) = decide(&app, &browser, &forged, "approve").await;
    assert_eq!((status, location), (403, None));
    let stored = app
        .with_conn(|c| codes::table.count().get_result::<i64>(c).unwrap())
        .await;
    assert_eq!(stored, 0, "no code was stored");
}

async fn deleting_the_client_ends_every_token_issued_to_it(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    app.create_user("bob", &["user"]).await;
    let client = register(&app, &[CALLBACK], &["posts:read"]).await;
    let ada = tokens_for(&app, "ada", &client).await;
    let bob = tokens_for(&app, "bob", &client).await;
    let admin = app.admin_token().await.access_token;
    let path = format!("/api/clients/{client}");
    assert_eq!(app.call("DELETE", &path, Some(&admin), None).await.0, 204);
    for t in [&ada, &bob] {
        assert_invalid_token(&app, &t.access_token, "deleted client").await;
        let resp = app
            .token_request(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", &t.refresh_token),
            ])
            .await;
        assert_eq!(resp.status(), 400);
    }
    // First-party tokens are untouched.
    assert_eq!(app.get_with("/api/me", &admin).await.status(), 200);
}

both_backends!(
    an_unregistered_redirect_uri_is_a_400_page_never_a_redirect,
    a_plain_or_missing_challenge_or_other_response_type_is_sent_back,
    a_scope_the_user_lacks_is_listed_unavailable_and_never_granted,
    a_wrong_verifier_is_refused_and_uses_the_code_up,
    a_reused_code_revokes_the_tokens_it_issued,
    an_expired_code_is_refused,
    the_consent_form_needs_its_csrf_token,
    deleting_the_client_ends_every_token_issued_to_it,
);
