//! SPEC H4 and H5: sign-in attempts are counted before the password is checked, in the
//! database (so parallel guesses and other instances count too), with per-pair, per-address
//! and per-account limits; registrations are limited per address; the password queue is
//! bounded and answers 503 when full.

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::helpers::{password_of, spawn_app_with, spawn_on, Backend, TestApp};

/// The client address every request of these tests claims, through a trusted proxy.
const BEHIND_PROXY: &[(&str, &str)] = &[("QUIRE_TRUSTED_PROXIES", "127.0.0.1/32")];

async fn sign_in(app: &TestApp, from: &str, username: &str, password: &str) -> (u16, Value) {
    let resp = app
        .client
        .post(app.url("/api/auth/token"))
        .header("X-Forwarded-For", from)
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let retry = resp.headers().get("retry-after").cloned();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    if status == 429 {
        let secs: u64 = retry
            .expect("Retry-After")
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=3600).contains(&secs), "Retry-After {secs}");
        assert_eq!(body["error"], "rate_limited");
    }
    (status, body)
}

async fn parallel_guesses_are_counted_before_the_password_is_checked(backend: Backend) {
    let app = spawn_app_with(backend, BEHIND_PROXY).await;
    app.create_user("ada", &["user"]).await;
    let right = password_of("ada");
    // 150 guesses at once from one address, the right password among the last ones.
    let guesses: Vec<String> = (0..150)
        .map(|i| {
            if i == 140 {
                right.clone()
            } else {
                format!("wrong-guess-{i}")
            }
        })
        .collect();
    let answers = join_all(
        guesses
            .iter()
            .map(|pw| sign_in(&app, "198.51.100.1", "ada", pw)),
    )
    .await;
    let checked: Vec<u16> = answers
        .iter()
        .map(|(s, _)| *s)
        .filter(|s| *s != 429)
        .collect();
    assert!(
        checked.len() <= 5,
        "at most 5 guesses reach bcrypt, {} did: {checked:?}",
        checked.len()
    );
    assert!(answers.iter().all(|(s, _)| [200, 400, 429].contains(s)));
    // Whatever got through, the pair is locked now, even for the right password.
    assert_eq!(sign_in(&app, "198.51.100.1", "ada", &right).await.0, 429);
}

async fn parallel_sign_ins_with_the_right_password_all_succeed(backend: Backend) {
    let app = spawn_app_with(backend, BEHIND_PROXY).await;
    app.create_user("ada", &["user"]).await;
    let right = password_of("ada");
    // More at once than the pair's limit: those beyond it wait for the checks ahead of them,
    // which forgive the pair, instead of being refused.
    let answers = join_all((0..12).map(|_| sign_in(&app, "198.51.100.9", "ada", &right))).await;
    let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
}

async fn a_fresh_address_is_refused_only_by_the_per_account_limit(backend: Backend) {
    let app = spawn_app_with(backend, BEHIND_PROXY).await;
    app.create_user("ada", &["user"]).await;
    let right = password_of("ada");
    for _ in 0..5 {
        assert_eq!(
            sign_in(&app, "198.51.100.1", "ada", "wrong-guess").await.0,
            400
        );
    }
    // Per (account, address): locked, the right password included.
    assert_eq!(sign_in(&app, "198.51.100.1", "ada", &right).await.0, 429);
    // Another address is not locked out of the account.
    assert_eq!(sign_in(&app, "203.0.113.7", "ada", &right).await.0, 200);
    // 100 failures of the account from all over (the 5 above, and 5 each from 19 more
    // addresses) ...
    let attempts = (0..95).map(|i| format!("192.0.2.{}", 10 + i / 5));
    for from in attempts {
        let (status, _) = sign_in(&app, &from, "ada", "wrong-guess").await;
        assert_eq!(status, 400, "{from}");
    }
    // ... and now even a fresh address with the right password waits.
    assert_eq!(sign_in(&app, "203.0.113.99", "ada", &right).await.0, 429);
}

async fn one_address_is_limited_across_accounts(backend: Backend) {
    let app = spawn_app_with(backend, BEHIND_PROXY).await;
    app.create_user("bob", &["user"]).await;
    for i in 0..20 {
        let (status, _) = sign_in(&app, "198.51.100.2", &format!("nobody{i}"), "wrong").await;
        assert_eq!(status, 400, "attempt {i}");
    }
    let (status, _) = sign_in(&app, "198.51.100.2", "bob", &password_of("bob")).await;
    assert_eq!(status, 429, "the 21st attempt from the address");
    assert_eq!(
        sign_in(&app, "198.51.100.3", "bob", &password_of("bob"))
            .await
            .0,
        200
    );
}

async fn the_limits_hold_across_instances_on_one_database(backend: Backend) {
    let first = spawn_app_with(backend, BEHIND_PROXY).await;
    let second = spawn_on(first.test_db.clone(), BEHIND_PROXY).await;
    first.create_user("cy", &["user"]).await;
    for app in [&first, &second, &first, &second, &first] {
        assert_eq!(sign_in(app, "198.51.100.4", "cy", "wrong").await.0, 400);
    }
    for app in [&first, &second] {
        let (status, _) = sign_in(app, "198.51.100.4", "cy", &password_of("cy")).await;
        assert_eq!(status, 429);
    }
}

async fn register(app: &TestApp, from: &str, name: &str) -> u16 {
    let body = json!({
        "username": name,
        "email": format!("{name}@example.com"),
        "password": "long-enough-password",
    });
    app.client
        .post(app.url("/api/auth/register"))
        .header("X-Forwarded-For", from)
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn registrations_are_limited_per_address_even_in_parallel(backend: Backend) {
    let open = [BEHIND_PROXY[0], ("QUIRE_REGISTRATION", "open")];
    let app = spawn_app_with(backend, &open).await;
    // A refused registration gives its place back.
    assert_eq!(register(&app, "198.51.100.5", "x").await, 422);
    assert_eq!(register(&app, "198.51.100.5", "first").await, 201);
    assert_eq!(register(&app, "198.51.100.5", "first").await, 409);
    let names: Vec<String> = (0..15).map(|i| format!("reader{i}")).collect();
    let statuses = join_all(names.iter().map(|n| register(&app, "198.51.100.5", n))).await;
    let created = statuses.iter().filter(|s| **s == 201).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((created, limited), (9, 6), "{statuses:?}");
    assert_eq!(register(&app, "198.51.100.6", "elsewhere").await, 201);
}

async fn a_full_password_queue_answers_503_at_once(backend: Backend) {
    // Slow hashes, so that the queue (16 per password thread) fills.
    let slow = [BEHIND_PROXY[0], ("QUIRE_BCRYPT_COST", "10")];
    let app = spawn_app_with(backend, &slow).await;
    let answers = join_all((0..120).map(|i| {
        let (app, from) = (&app, format!("10.1.{}.{}", i / 250, i % 250 + 1));
        async move {
            let resp = app
                .client
                .post(app.url("/api/auth/token"))
                .header("X-Forwarded-For", from)
                .form(&[
                    ("username", format!("ghost{i}")),
                    ("password", "wrong-pw".into()),
                ])
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let retry = resp.headers().contains_key("retry-after");
            let body: Value = resp.json().await.unwrap();
            (status, retry, body)
        }
    }))
    .await;
    let full: Vec<_> = answers.iter().filter(|(s, _, _)| *s == 503).collect();
    assert!(!full.is_empty(), "some requests find the queue full");
    for (_, retry, body) in &full {
        assert!(*retry, "503 carries Retry-After");
        assert_eq!(body["error"], "service_unavailable");
    }
    assert!(answers.iter().all(|(s, _, _)| [400, 503].contains(s)));
    // The queue drains: a sign-in works again afterwards.
    app.create_user("dee", &["user"]).await;
    let mut status = 0;
    for _ in 0..60 {
        status = sign_in(&app, "203.0.113.8", "dee", &password_of("dee"))
            .await
            .0;
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert_eq!(status, 200);
}

both_backends!(
    parallel_guesses_are_counted_before_the_password_is_checked,
    parallel_sign_ins_with_the_right_password_all_succeed,
    a_fresh_address_is_refused_only_by_the_per_account_limit,
    one_address_is_limited_across_accounts,
    the_limits_hold_across_instances_on_one_database,
    registrations_are_limited_per_address_even_in_parallel,
    a_full_password_queue_answers_503_at_once,
);
