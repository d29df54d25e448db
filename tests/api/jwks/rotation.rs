//! `quire keys rotate` (SPEC §11): instances sign with the new key from their next start;
//! the old key verifies, and stays published, until its tokens have expired. One key is
//! made however many instances start together.

use std::process::Command;

use diesel::RunQueryDsl;
use serde_json::Value;

use super::{kid_of, pyjwt_verify, EDDSA};
use crate::helpers::{spawn_app_with, spawn_on, Backend, TestApp, TestDb};

async fn published_kids(app: &TestApp) -> Vec<String> {
    let jwks: Value = app
        .get("/.well-known/jwks.json")
        .await
        .json()
        .await
        .unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

async fn stored_keys(app: &TestApp) -> Vec<quire::oauth::keys::StoredKey> {
    app.with_conn(|c| quire::db::queries::keys::list_keys(c).unwrap())
        .await
}

async fn old_tokens_keep_working_and_new_ones_carry_the_new_kid(backend: Backend) {
    let first = spawn_app_with(backend, EDDSA).await;
    first.create_user("ada", &["user"]).await;
    let old_token = first.token("ada", None).await.access_token;
    let old_kid = kid_of(&old_token);

    let config = first.config.clone();
    tokio::task::spawn_blocking(move || quire::cli::keys::rotate(&config).unwrap())
        .await
        .unwrap();
    let stored = stored_keys(&first).await;
    assert_eq!(stored.len(), 2);
    assert!(stored
        .iter()
        .any(|k| k.kid == old_kid && k.retired_at.is_some()));

    // The running instance keeps signing with its key until it restarts.
    let still = first.token("ada", None).await.access_token;
    assert_eq!(kid_of(&still), old_kid);

    // "Restarted": a new instance on the same database signs with the new key and still
    // accepts the old key's token.
    let second = spawn_on(first.test_db.clone(), EDDSA).await;
    let new_token = second.token("ada", None).await.access_token;
    let new_kid = kid_of(&new_token);
    assert_ne!(new_kid, old_kid);
    assert_eq!(second.get_with("/api/me", &old_token).await.status(), 200);
    assert_eq!(second.get_with("/api/me", &new_token).await.status(), 200);
    let kids = published_kids(&second).await;
    assert_eq!(kids, [new_kid.clone(), old_kid.clone()]);
    let jwks: Value = second
        .get("/.well-known/jwks.json")
        .await
        .json()
        .await
        .unwrap();
    for token in [&old_token, &new_token] {
        pyjwt_verify(&jwks, token, "quire-api").expect("both verify from the JWKS");
    }

    // The instance that has not restarted learns the new key (here on serving its JWKS;
    // otherwise within half a minute) and accepts the other instance's tokens.
    assert!(published_kids(&first).await.contains(&new_kid));
    assert_eq!(first.get_with("/api/me", &new_token).await.status(), 200);

    // Once retired_at + the token lifetime has passed, the old key drops out.
    first
        .with_conn(move |c| {
            diesel::sql_query(
                "UPDATE signing_keys SET created_at = '2000-01-01 00:00:00', \
                 retired_at = '2000-01-01 00:01:00' WHERE retired_at IS NOT NULL",
            )
            .execute(c)
            .unwrap();
        })
        .await;
    let third = spawn_on(first.test_db.clone(), EDDSA).await;
    assert_eq!(published_kids(&third).await, [new_kid]);
    assert_eq!(third.get_with("/api/me", &old_token).await.status(), 401);
}

async fn instances_starting_together_make_one_key(backend: Backend) {
    let db = std::sync::Arc::new(TestDb::new(backend));
    let (a, b) = tokio::join!(spawn_on(db.clone(), EDDSA), spawn_on(db.clone(), EDDSA));
    assert_eq!(stored_keys(&a).await.len(), 1);
    a.create_user("ada", &["user"]).await;
    let token = a.token("ada", None).await.access_token;
    assert_eq!(b.get_with("/api/me", &token).await.status(), 200);
    assert_eq!(published_kids(&a).await, published_kids(&b).await);
}

fn quire_keys(db: &TestDb, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &db.url)
        .env("QUIRE_JWT_ALG", "EdDSA")
        .output()
        .expect("run quire")
}

async fn the_rotate_command_adds_a_key_and_retires_the_old_one(backend: Backend) {
    let db = TestDb::new(backend);
    let rotate = |db: &TestDb| {
        let out = quire_keys(db, &["keys", "rotate"]);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    let first = rotate(&db);
    assert!(first.starts_with("keys: added signing key "), "{first}");
    assert!(!first.contains("retired"), "{first}");
    let second = rotate(&db);
    assert!(second.contains("keys: retired "), "{second}");
    assert!(second.contains("next start"), "{second}");

    let url = quire::config::DatabaseUrl::parse(&db.url).unwrap();
    let pool = quire::db::Db::connect(&url, 1).unwrap();
    let keys = quire::db::queries::keys::list_keys(&mut pool.get().unwrap()).unwrap();
    assert_eq!(keys.len(), 2);
    let (old, new) = (&keys[0], &keys[1]);
    assert_eq!(old.retired_at, Some(new.created_at));
    assert_eq!(new.retired_at, None);
    assert!(first.contains(&old.kid) && second.contains(&new.kid));

    let usage = quire_keys(&db, &["keys", "spin"]);
    assert_eq!(usage.status.code(), Some(2));
}

both_backends!(
    old_tokens_keep_working_and_new_ones_carry_the_new_kid,
    instances_starting_together_make_one_key,
    the_rotate_command_adds_a_key_and_retires_the_old_one,
);
