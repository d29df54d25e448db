//! SPEC §12: two-factor sign-in, through the real router and forms. Codes are computed with
//! totp-rs from the secret the enrolment page shows, as an authenticator app would.

use totp_rs::{Builder, Secret};

use crate::browser::Browser;
use crate::helpers::{password_of, spawn_app, spawn_app_with, Backend, TestApp};
use crate::pages::csrf_of;

/// The code an authenticator app shows `steps` steps from now.
pub fn code(secret_b32: &str, steps: i64) -> String {
    let secret = Secret::try_from_base32(secret_b32).unwrap();
    let totp = Builder::new()
        .with_secret(secret)
        .with_account_name("test")
        .build()
        .unwrap();
    let now = chrono::Utc::now().timestamp() + steps * 30;
    totp.generate(u64::try_from(now).unwrap()).to_string()
}

pub fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {html}"))
        + start.len();
    let to = html[from..].find(end).unwrap() + from;
    &html[from..to]
}

/// Posts a form with the CSRF token of `from`: status, `Location` and body.
pub async fn post(
    b: &Browser,
    from: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let csrf = csrf_of(&b.page(from).await.1);
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let resp = b
        .client
        .post(b.url(action))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .map_or(String::new(), |v| v.to_str().unwrap().to_owned());
    (status, location, resp.text().await.unwrap())
}

/// Enrols `name` (signed in as `b`): the secret and the ten recovery codes.
pub async fn enrol(b: &Browser) -> (String, Vec<String>) {
    let (status, page) = b.page("/admin/account/2fa").await;
    assert_eq!(status, 200);
    assert!(page.contains("<svg"), "inline SVG QR code");
    assert!(page.contains("otpauth://totp/"), "{page}");
    let secret = between(&page, "id=\"totp-secret\">", "<").to_owned();
    let (again, _) = b.page("/admin/account/2fa").await;
    assert_eq!(again, 200);
    let (status, _, html) = post(
        b,
        "/admin/account/2fa",
        "/admin/account/2fa/confirm",
        &[("code", &code(&secret, 0))],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    let list = between(&html, "id=\"recovery-codes\"", "</ul>");
    let codes: Vec<String> = list
        .split("<code>")
        .skip(1)
        .map(|c| c.split('<').next().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10, "{list}");
    (secret, codes)
}

/// Password, then the code step: returns the browser and the status of the code POST.
pub async fn sign_in_with(app: &TestApp, name: &str, second: &str) -> (Browser, u16, String) {
    let b = Browser::sign_in(app, name, &password_of(name)).await;
    assert_eq!(b.me().await, None, "not signed in before the code");
    assert_eq!(b.page("/admin/login/2fa").await.0, 200);
    let (status, location, _) = post(
        &b,
        "/admin/login/2fa",
        "/admin/login/2fa",
        &[("code", second)],
    )
    .await;
    (b, status, location)
}

async fn enrolment_then_sign_in_with_a_code_once(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("erin", &["user"]).await;
    let b = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    let elsewhere = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    let (secret, _) = enrol(&b).await;
    assert_eq!(b.me().await.as_deref(), Some("erin"), "this session stays");
    assert_eq!(
        elsewhere.me().await,
        None,
        "enrolling ends the other sessions"
    );
    assert!(app
        .audit_actions()
        .await
        .iter()
        .any(|(_, a, _)| a == "user.2fa_enable"));

    // The confirming code's step is used; the next step's code signs in.
    let next = code(&secret, 1);
    let (signed, status, location) = sign_in_with(&app, "erin", &next).await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/"),
        "a reader lands on the blog"
    );
    assert_eq!(signed.me().await.as_deref(), Some("erin"));
    // The same code again: refused (replay in its window).
    let (replayed, status, _) = sign_in_with(&app, "erin", &next).await;
    assert_eq!(status, 401);
    assert_eq!(replayed.me().await, None);
}

async fn five_wrong_codes_end_the_pending_sign_in_and_count_as_failures(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("erin", &["user"]).await;
    let b = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    enrol(&b).await;
    let pending = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    for left in (1..=4).rev() {
        let (status, _, html) = post(
            &pending,
            "/admin/login/2fa",
            "/admin/login/2fa",
            &[("code", "000000")],
        )
        .await;
        assert_eq!(status, 401);
        assert!(html.contains(&format!("Tries left: {left}")), "{html}");
    }
    let (status, location, _) = post(
        &pending,
        "/admin/login/2fa",
        "/admin/login/2fa",
        &[("code", "000000")],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/admin/login"),
        "the fifth ends it"
    );
    assert_eq!(pending.page("/admin/login/2fa").await.0, 303, "start again");
    // Five failures of the pair: the password is refused too now (SPEC H4).
    let again = Browser::sign_in_status(&app, "erin", &password_of("erin")).await;
    assert_eq!(again, 429);
}

async fn a_recovery_code_works_once(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("erin", &["user"]).await;
    let b = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    let (_, codes) = enrol(&b).await;
    let (signed, status, _) = sign_in_with(&app, "erin", &codes[3].to_uppercase()).await;
    assert_eq!(status, 303);
    assert_eq!(signed.me().await.as_deref(), Some("erin"));
    let (_, status, _) = sign_in_with(&app, "erin", &codes[3]).await;
    assert_eq!(status, 401, "used up");
    let (_, status, _) = sign_in_with(&app, "erin", &codes[4]).await;
    assert_eq!(status, 303, "the others still work");
}

async fn the_password_grant_is_refused_and_disabling_needs_a_code(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("erin", &["user"]).await;
    let jwt = app.token("erin", None).await.access_token;
    let (_, pat) = crate::pats::pat(&app, &jwt, &["posts:read"]).await;
    let b = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    let (_, codes) = enrol(&b).await;
    let resp = app.get_with("/api/me", &pat).await;
    assert_eq!(resp.status(), 200, "personal access tokens keep working");
    let pw = password_of("erin");
    let resp = app
        .token_request(&[
            ("grant_type", "password"),
            ("username", "erin"),
            ("password", &pw),
        ])
        .await;
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("personal access token") && message.contains("authorization code"),
        "{message}"
    );

    let (status, location, _) = post(
        &b,
        "/admin/account/2fa",
        "/admin/account/2fa/disable",
        &[("code", "000000")],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/admin/account/2fa"),
        "a wrong code changes nothing"
    );
    assert!(b
        .page("/admin/account/2fa")
        .await
        .1
        .contains("is <strong>on</strong>"));
    let (status, location, _) = post(
        &b,
        "/admin/account/2fa",
        "/admin/account/2fa/disable",
        &[("code", &codes[0])],
    )
    .await;
    assert_eq!((status, location.as_str()), (303, "/admin/account"));
    assert!(app
        .audit_actions()
        .await
        .iter()
        .any(|(_, a, _)| a == "user.2fa_disable"));
    app.token("erin", None).await;
}

async fn required_roles_enrol_before_anything_else(backend: Backend) {
    let app = spawn_app_with(backend, &[("QUIRE_REQUIRE_2FA", "editor")]).await;
    app.create_user("ed", &["editor"]).await;
    let pw = password_of("ed");
    let resp = app
        .token_request(&[
            ("grant_type", "password"),
            ("username", "ed"),
            ("password", &pw),
        ])
        .await;
    assert_eq!(resp.status(), 400, "no password grant until enrolled");
    let b = Browser::sign_in(&app, "ed", &pw).await;
    let resp = b.client.get(b.url("/admin")).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/admin/account/2fa");
    let resp = b.client.get(b.url("/api/me")).send().await.unwrap();
    assert_eq!(resp.status(), 403, "no API through the session");
    assert_eq!(b.page("/").await.0, 200, "public pages still work");
    enrol(&b).await;
    assert_eq!(b.page("/admin").await.0, 200);
    assert_eq!(b.me().await.as_deref(), Some("ed"));
    // Not required of other roles.
    app.create_user("una", &["user"]).await;
    app.token("una", None).await;
}

async fn an_admin_resets_two_factor_and_the_sessions_end(backend: Backend) {
    let app = spawn_app(backend).await;
    let erin = app.create_user("erin", &["user"]).await;
    let b = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    enrol(&b).await;
    let admin = app.admin_token().await.access_token;
    let path = app.url(&format!("/api/users/{erin}/2fa"));
    let member = app.create_user("mo", &["user"]).await;
    let _ = member;
    let mo = app.token("mo", None).await.access_token;
    let resp = app
        .client
        .delete(&path)
        .bearer_auth(&mo)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403, "users:manage");
    let resp = app
        .client
        .delete(&path)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(b.me().await, None, "the user's sessions ended");
    assert!(app
        .audit_actions()
        .await
        .iter()
        .any(|(_, a, _)| a == "user.2fa_reset"));
    let resp = app
        .client
        .delete(&path)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404, "nothing left to reset");
    let again = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    assert_eq!(
        again.me().await.as_deref(),
        Some("erin"),
        "the password alone signs in"
    );
}

both_backends!(
    enrolment_then_sign_in_with_a_code_once,
    five_wrong_codes_end_the_pending_sign_in_and_count_as_failures,
    a_recovery_code_works_once,
    the_password_grant_is_refused_and_disabling_needs_a_code,
    required_roles_enrol_before_anything_else,
    an_admin_resets_two_factor_and_the_sessions_end,
);
