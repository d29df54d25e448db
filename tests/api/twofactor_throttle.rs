//! SPEC §12 with H4: wrong codes count towards the sign-in limits, a right password of an
//! account with two-factor forgives none of them (only a right code does), and five wrong
//! codes end the pending sign-in whatever address they come from.

use crate::browser::Browser;
use crate::helpers::{password_of, spawn_app, spawn_app_with, Backend, TestApp};
use crate::pages::csrf_of;
use crate::twofactor::{code, enrol, post};

const WRONG: &str = "000000";

/// Erin, enrolled: her app's secret.
async fn enrolled_erin(app: &TestApp) -> String {
    app.create_user("erin", &["user"]).await;
    let b = Browser::sign_in(app, "erin", &password_of("erin")).await;
    enrol(&b).await.0
}

/// The right password: the browser now waits on the code page.
async fn password_step(app: &TestApp) -> Browser {
    let b = Browser::sign_in(app, "erin", &password_of("erin")).await;
    assert_eq!(b.page("/admin/login/2fa").await.0, 200, "waits for a code");
    b
}

/// A code for the browser's pending sign-in: status and `Location`.
async fn send_code(b: &Browser, code: &str) -> (u16, String) {
    let (status, location, _) =
        post(b, "/admin/login/2fa", "/admin/login/2fa", &[("code", code)]).await;
    (status, location)
}

async fn a_right_password_forgives_no_wrong_codes(backend: Backend) {
    let app = spawn_app(backend).await;
    let secret = enrolled_erin(&app).await;
    // Four guesses in a first pending sign-in: one short of ending it.
    let first = password_step(&app).await;
    for _ in 0..4 {
        assert_eq!(send_code(&first, WRONG).await.0, 401);
    }
    // The right password through the token endpoint is refused and forgives nothing.
    let pw = password_of("erin");
    let resp = app
        .token_request(&[
            ("grant_type", "password"),
            ("username", "erin"),
            ("password", &pw),
        ])
        .await;
    assert_eq!(resp.status(), 400);
    // A second pending sign-in starts (four failures are under the pair's five) ...
    let second = password_step(&app).await;
    assert_eq!(
        send_code(&second, WRONG).await.0,
        401,
        "the fifth wrong code"
    );
    // ... but the five wrong codes of both are the pair's limit: even the right code and
    // the right password are refused now, and nobody is signed in.
    assert_eq!(send_code(&second, &code(&secret, 1)).await.0, 429);
    assert_eq!(second.me().await, None);
    assert_eq!(Browser::sign_in_status(&app, "erin", &pw).await, 429);
}

async fn wrong_passwords_and_codes_count_together_until_a_right_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let secret = enrolled_erin(&app).await;
    for _ in 0..3 {
        assert_eq!(
            Browser::sign_in_status(&app, "erin", "wrong-password").await,
            401
        );
    }
    let b = password_step(&app).await;
    assert_eq!(
        send_code(&b, WRONG).await.0,
        401,
        "the pair's fourth failure"
    );
    // The right code completes the sign-in and forgives the pair ...
    assert_eq!(send_code(&b, &code(&secret, 1)).await.0, 303);
    assert_eq!(b.me().await.as_deref(), Some("erin"));
    // ... so four more wrong passwords leave the right one admitted.
    for _ in 0..4 {
        assert_eq!(
            Browser::sign_in_status(&app, "erin", "wrong-password").await,
            401
        );
    }
    password_step(&app).await;
    // That right password forgave nothing: one more wrong one is the pair's fifth failure.
    assert_eq!(
        Browser::sign_in_status(&app, "erin", "wrong-password").await,
        401
    );
    let pw = password_of("erin");
    assert_eq!(Browser::sign_in_status(&app, "erin", &pw).await, 429);
}

/// A code for `b`'s pending sign-in claiming to come from `address` (through the trusted
/// proxy): status and `Location`. The session's CSRF token comes from the login page,
/// which is there even when the pending sign-in is not.
async fn send_code_from(b: &Browser, address: &str, code: &str) -> (u16, String) {
    let csrf = csrf_of(&b.page("/admin/login").await.1);
    let resp = b
        .client
        .post(b.url("/admin/login/2fa"))
        .header("X-Forwarded-For", address)
        .form(&[("csrf", csrf.as_str()), ("code", code)])
        .send()
        .await
        .unwrap();
    let location = resp
        .headers()
        .get("location")
        .map_or(String::new(), |v| v.to_str().unwrap().to_owned());
    (resp.status().as_u16(), location)
}

async fn five_wrong_codes_end_the_pending_sign_in_from_any_address(backend: Backend) {
    let proxy = [("QUIRE_TRUSTED_PROXIES", "127.0.0.1/32")];
    let app = spawn_app_with(backend, &proxy).await;
    let secret = enrolled_erin(&app).await;
    let b = password_step(&app).await;
    // One wrong code from each of five addresses: no pair reaches its limit, yet the
    // pending sign-in counts all five (on the server) and ends.
    for i in 1..=4 {
        let (status, _) = send_code_from(&b, &format!("198.51.100.{i}"), WRONG).await;
        assert_eq!(status, 401, "wrong code {i}");
    }
    let (status, location) = send_code_from(&b, "198.51.100.5", WRONG).await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/admin/login"),
        "the fifth ends it"
    );
    // The right code is too late: start again with the password.
    let (status, location) = send_code_from(&b, "198.51.100.6", &code(&secret, 1)).await;
    assert_eq!((status, location.as_str()), (303, "/admin/login"));
    assert_eq!(b.me().await, None);
    // A new pending sign-in, and the right code from an address without failures, sign in.
    let again = password_step(&app).await;
    let (status, _) = send_code_from(&again, "198.51.100.6", &code(&secret, 1)).await;
    assert_eq!(status, 303);
    assert_eq!(again.me().await.as_deref(), Some("erin"));
}

both_backends!(
    a_right_password_forgives_no_wrong_codes,
    wrong_passwords_and_codes_count_together_until_a_right_code,
    five_wrong_codes_end_the_pending_sign_in_from_any_address,
);
