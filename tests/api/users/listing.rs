//! Listing and editing accounts: reach, filters and paging, own profiles, hostile input.

use super::*;

async fn user_managers_reach_only_accounts_within_their_own_permissions(backend: Backend) {
    let app = spawn_app(backend).await;
    create_role(
        &app,
        "people",
        &["users:manage", "users:read", "posts:*", "comments:*"],
    )
    .await;
    app.create_user("hr", &["people"]).await;
    let plain = app.create_user("plain", &["user"]).await;
    let boss = app.create_user("boss", &["admin"]).await;
    let hr = app.token("hr", None).await.access_token;
    let patch = |id: i64, body: Value| {
        let app = &app;
        let hr = hr.clone();
        async move {
            app.call("PATCH", &format!("/api/users/{id}"), Some(&hr), Some(body))
                .await
        }
    };
    assert_eq!(
        patch(plain, json!({"password": "reset-by-hr-1"})).await.0,
        200
    );
    assert_eq!(patch(plain, json!({"disabled": true})).await.0, 200);
    // Taking over a stronger account through a password reset is escalation.
    for body in [
        json!({"password": "taken-over-1"}),
        json!({"email": "hr-owns-this@example.com"}),
        json!({"disabled": true}),
    ] {
        let (status, err) = patch(boss, body.clone()).await;
        assert_eq!(status, 403, "{body}: {err}");
        assert_eq!(err["error"], "forbidden");
        assert!(err["message"].as_str().unwrap().contains("boss"), "{err}");
    }
    let resp = app
        .token_request(&[("username", "boss"), ("password", &password_of("boss"))])
        .await;
    assert_eq!(resp.status(), 200);
}

async fn list_users_filters_by_substring_and_pages_by_id(backend: Backend) {
    let app = spawn_app(backend).await;
    for i in 0..7 {
        app.create_user(&format!("page-{i}"), &["user"]).await;
    }
    app.create_user("under_score", &[]).await;
    app.create_user("underxscore", &[]).await;
    let admin = app.admin_token().await.access_token;
    let mut seen = Vec::new();
    let mut path = "/api/users?q=PAGE-&limit=3".to_owned();
    let mut pages = 0;
    loop {
        let (status, page) = app.call("GET", &path, Some(&admin), None).await;
        assert_eq!(status, 200, "{page}");
        for item in page["items"].as_array().unwrap() {
            assert!(item["username"].as_str().unwrap().starts_with("page-"));
            assert!(item["roles"].is_array() && item["permissions"].is_array());
            seen.push(item["id"].as_i64().unwrap());
        }
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/users?q=page-&limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted, "ids ascending, each once");
    assert_eq!(seen.len(), 7);
    // LIKE wildcards in q are literal characters; SQL in q is just text.
    let count = |q: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let (status, page) = app
                .call("GET", &format!("/api/users?q={q}"), Some(&admin), None)
                .await;
            assert_eq!(status, 200, "{q}: {page}");
            page["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(count("_").await, 1);
    assert_eq!(count("%25").await, 0);
    assert_eq!(count("%27%20OR%201%3D1%20--").await, 0);
    assert_eq!(count("example.com").await, 9);
    assert_eq!(count("").await, 10);
    for (path, status) in [
        ("/api/users?limit=0", 422),
        ("/api/users?limit=101", 422),
        ("/api/users?cursor=nope", 400),
        ("/api/users/not-a-number", 404),
        ("/api/users/99999999999999999999", 404),
        ("/api/users/-1", 404),
        ("/api/users/424242", 404),
    ] {
        assert_eq!(
            app.call("GET", path, Some(&admin), None).await.0,
            status,
            "{path}"
        );
    }
}

async fn users_edit_their_own_profile_and_need_the_current_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let pat = app.create_user("pat", &["user"]).await;
    let other = app.create_user("other", &["user"]).await;
    let tokens = app.token("pat", None).await;
    let token = tokens.access_token.clone();
    let me = format!("/api/users/{pat}");
    let patch = |path: String, body: Value| {
        let app = &app;
        let token = token.clone();
        async move { app.call("PATCH", &path, Some(&token), Some(body)).await }
    };
    let name = "Pat ✓ 名前 'O''Brien'; DROP TABLE users; --";
    let (status, view) = patch(
        me.clone(),
        json!({"display_name": name, "email": "pat.new@example.com"}),
    )
    .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["display_name"], name);
    assert_eq!(view["email"], "pat.new@example.com");
    // No current password, a wrong one, or a stray one: 422, and the password is unchanged.
    let new_pw = "a-brand-new-password";
    for body in [
        json!({"password": new_pw}),
        json!({"password": new_pw, "current_password": "not-my-password"}),
        json!({"current_password": password_of("pat")}),
    ] {
        let (status, err) = patch(me.clone(), body.clone()).await;
        assert_eq!(status, 422, "{body}: {err}");
        assert!(err["fields"]["current_password"].is_array(), "{err}");
    }
    let (status, _) = patch(
        me.clone(),
        json!({"password": new_pw, "current_password": password_of("pat")}),
    )
    .await;
    assert_eq!(status, 200);
    let old = app
        .token_request(&[("username", "pat"), ("password", &password_of("pat"))])
        .await;
    assert_eq!(old.status(), 400);
    let new = app
        .token_request(&[("username", "pat"), ("password", new_pw)])
        .await;
    assert_eq!(new.status(), 200);
    // The refresh tokens issued before the change no longer work.
    let refresh = app
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &tokens.refresh_token),
        ])
        .await;
    assert_eq!(refresh.status(), 400);
    // Not someone else's profile, and never one's own account state.
    let (status, _) = patch(format!("/api/users/{other}"), json!({"display_name": "x"})).await;
    assert_eq!(status, 403);
    let (status, err) = patch(me.clone(), json!({"disabled": true})).await;
    assert_eq!(status, 403, "{err}");
    // An administrator resets another user's password without knowing it.
    let admin = app.admin_token().await.access_token;
    let (status, _) = app
        .call(
            "PATCH",
            &format!("/api/users/{other}"),
            Some(&admin),
            Some(json!({"password": "reset-by-admin"})),
        )
        .await;
    assert_eq!(status, 200);
    let resp = app
        .token_request(&[("username", "other"), ("password", "reset-by-admin")])
        .await;
    assert_eq!(resp.status(), 200);
    // An email already in use is a conflict.
    let (status, _) = patch(me.clone(), json!({"email": "other@example.com"})).await;
    assert_eq!(status, 409);
    let actions: Vec<String> = app.audit_actions().await.into_iter().map(|a| a.1).collect();
    assert!(actions.iter().filter(|a| *a == "user.update").count() >= 3);
}

async fn nasty_user_inputs_never_cause_a_server_error(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_token().await.access_token;
    let id = app.create_user("nasty", &["user"]).await;
    let raw = |method: reqwest::Method, path: String, ctype: &'static str, body: String| {
        let app: &TestApp = &app;
        let admin = admin.clone();
        async move {
            app.client
                .request(method, app.url(&path))
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
    let me = format!("/api/users/{id}");
    let json_ct = "application/json";
    let cases = [
        (reqwest::Method::POST, "/api/users".to_owned(), json_ct, "{\"username\": ".to_owned(), 400),
        (reqwest::Method::POST, "/api/users".to_owned(), json_ct, "{\"username\" \"x\"}".to_owned(), 400),
        (reqwest::Method::POST, "/api/users".to_owned(), "text/plain", "username=x".to_owned(), 415),
        (reqwest::Method::PATCH, me.clone(), json_ct, "not json".to_owned(), 400),
        (reqwest::Method::PATCH, me.clone(), "application/x-www-form-urlencoded", "display_name=x".to_owned(), 415),
        (reqwest::Method::PATCH, me.clone(), json_ct, "{\"disabled\": \"yes\"}".to_owned(), 422),
        (reqwest::Method::PATCH, me.clone(), json_ct, "{\"display_name\": \"a\\u0000b\"}".to_owned(), 422),
        (reqwest::Method::PATCH, me.clone(), json_ct, format!("{{\"display_name\": \"{}\"}}", "é".repeat(101)), 422),
        (reqwest::Method::PATCH, me.clone(), json_ct, "{\"password\": \"pass\\u0000word\"}".to_owned(), 422),
        (reqwest::Method::PATCH, me.clone(), json_ct, "{\"email\": \"a@b.c'; DROP TABLE users; --\"}".to_owned(), 422),
        (reqwest::Method::PATCH, me.clone(), json_ct, "{}".to_owned(), 200),
        (reqwest::Method::POST, "/api/users".to_owned(), json_ct, "{\"username\": \"émile\", \"email\": \"e@example.com\", \"password\": \"password-1\"}".to_owned(), 422),
        (reqwest::Method::POST, "/api/users".to_owned(), json_ct, "{\"username\": \"x'); DROP TABLE users; --\", \"email\": \"e@example.com\", \"password\": \"password-1\"}".to_owned(), 422),
    ];
    for (method, path, ctype, body, want) in cases {
        let got = raw(method.clone(), path.clone(), ctype, body.clone()).await;
        assert_eq!(got, want, "{method} {path} {ctype} {body}");
    }
    // Bidirectional overrides are refused in display names (SPEC H12); the rest is kept.
    let (status, _) = app
        .call(
            "PATCH",
            &me,
            Some(&admin),
            Some(json!({"display_name": "a\u{202e}b"})),
        )
        .await;
    assert_eq!(status, 422);
    let sql = "Robert'); DROP TABLE users; -- עדה ü\u{1F600}";
    let (status, view) = app
        .call(
            "PATCH",
            &me,
            Some(&admin),
            Some(json!({"display_name": sql})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(view["display_name"], sql);
    let (_, again) = app.call("GET", &me, Some(&admin), None).await;
    assert_eq!(again["display_name"], sql);
    assert_eq!(
        app.call("GET", "/api/users", Some(&admin), None).await.0,
        200
    );
}

both_backends!(
    user_managers_reach_only_accounts_within_their_own_permissions,
    list_users_filters_by_substring_and_pages_by_id,
    users_edit_their_own_profile_and_need_the_current_password,
    nasty_user_inputs_never_cause_a_server_error,
);
