//! SPEC H3 (and H2 at start-up): the first admin is remembered by id; recovery restores
//! only that account and ends its sessions and tokens; reserved usernames stay reserved.

use std::sync::Arc;

use diesel::prelude::*;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with, spawn_on, Backend, TestApp, TestDb};
use crate::helpers::{test_config, ADMIN_PASSWORD};
use quire::db::models::UserChanges;
use quire::db::queries::{settings, users as user_q};

const RESERVED: [&str; 5] = ["admin", "root", "system", "cli", "anonymous"];

async fn id_of(app: &TestApp, name: &str) -> i64 {
    let name = name.to_owned();
    app.with_conn(move |c| user_q::find_user_by_username(c, &name).unwrap().unwrap().id)
        .await
}

/// Leaves nobody holding `*` the way only direct SQL can (the guard rails refuse it).
async fn disable_behind_the_guard_rails(app: &TestApp, id: i64) {
    app.with_conn(move |c| {
        let changes = UserChanges {
            disabled: Some(true),
            ..Default::default()
        };
        user_q::update_user(c, id, &changes).unwrap();
        settings::bump_generation(c).unwrap();
    })
    .await;
}

/// (disabled, role assignments) of an account.
async fn state_of(app: &TestApp, id: i64) -> (bool, Vec<(String, Option<chrono::NaiveDateTime>)>) {
    app.with_conn(move |c| {
        let user = user_q::find_user(c, id).unwrap().unwrap();
        (user.disabled, user_q::list_assignments(c, id).unwrap())
    })
    .await
}

async fn reserved_usernames_are_refused_by_registration_and_the_api(backend: Backend) {
    let app = spawn_app_with(backend, &[("QUIRE_REGISTRATION", "open")]).await;
    let admin = app.admin_token().await.access_token;
    for name in RESERVED {
        let body = json!({
            "username": name, "email": format!("{name}@example.org"), "password": "long-enough-pw"
        });
        let (status, err) = app
            .call("POST", "/api/auth/register", None, Some(body.clone()))
            .await;
        assert_eq!(status, 409, "register {name}: {err}");
        assert_eq!(err["error"], "conflict", "register {name}: {err}");
        let (status, err) = app
            .call("POST", "/api/users", Some(&admin), Some(body))
            .await;
        assert_eq!(status, 409, "create {name}: {err}");
    }
    let count = app.with_conn(|c| user_q::count_users(c).unwrap()).await;
    assert_eq!(count, 1, "only the first admin exists");
}

async fn a_self_registered_admin_cannot_exist(backend: Backend) {
    // The operator made `boss` the administrator before the first start: `admin` is free.
    let test_db = Arc::new(TestDb::new(backend));
    let cfg = test_config(&test_db.url, &[]);
    let db = quire::db::Db::connect(&cfg.database_url, 1).unwrap();
    tokio::task::spawn_blocking(move || {
        let mut conn = db.get().unwrap();
        quire::db::run_migrations(&mut conn).unwrap();
        quire::cli::seed::seed_if_empty(&mut conn).unwrap();
        let account = quire::manage::users::NewAccount {
            username: quire::domain::Username::parse("boss").unwrap(),
            email: quire::domain::Email::parse("boss@example.com").unwrap(),
            display_name: None,
            password_hash: quire::auth::password::hash_blocking("boss-password", 4).unwrap(),
            roles: vec!["admin".into()],
        };
        let cli = quire::manage::Actor::cli();
        quire::manage::users::create_user(&mut conn, &cli, account).unwrap();
    })
    .await
    .unwrap();
    let app = spawn_on(test_db.clone(), &[("QUIRE_REGISTRATION", "open")]).await;
    let body =
        json!({"username": "admin", "email": "me@example.org", "password": "long-enough-pw"});
    let (status, err) = app
        .call("POST", "/api/auth/register", None, Some(body))
        .await;
    assert_eq!(status, 409, "{err}");
    let found = app
        .with_conn(|c| user_q::find_user_by_username(c, "admin").unwrap())
        .await;
    assert!(found.is_none(), "nobody took the name `admin`");
    // Recovery then creates `admin` itself, with the operator's password.
    let boss = id_of(&app, "boss").await;
    disable_behind_the_guard_rails(&app, boss).await;
    let restarted = spawn_on(test_db, &[]).await;
    restarted.admin_token().await;
    let admin = id_of(&restarted, "admin").await;
    let remembered = restarted
        .with_conn(|c| settings::find_first_admin_id(c).unwrap())
        .await;
    assert_eq!(remembered, Some(admin));
}

async fn recovery_restores_the_remembered_first_admin_and_nobody_else(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = id_of(&app, "admin").await;
    let remembered = app
        .with_conn(|c| settings::find_first_admin_id(c).unwrap())
        .await;
    assert_eq!(remembered, Some(first));
    // The first admin goes by another name now, and some other account is called `admin`.
    app.with_conn(move |c| {
        use quire::db::schema::users;
        diesel::update(users::table.find(first))
            .set(users::username.eq("founder"))
            .execute(c)
            .unwrap();
    })
    .await;
    let other = app.create_user("admin", &[]).await;
    disable_behind_the_guard_rails(&app, first).await;
    let restarted = spawn_on(app.test_db.clone(), &[]).await;
    assert_eq!(
        state_of(&restarted, first).await,
        (false, vec![("admin".into(), None)])
    );
    assert_eq!(state_of(&restarted, other).await, (false, vec![]));
    let resp = restarted
        .token_request(&[("username", "founder"), ("password", ADMIN_PASSWORD)])
        .await;
    assert_eq!(resp.status(), 200);
    // The other `admin` keeps its own password and gets nothing.
    let theirs = restarted.token("admin", None).await;
    assert!(!theirs.scope.contains("roles:manage"), "{}", theirs.scope);
    let events = restarted.audit_actions().await;
    assert!(events
        .iter()
        .any(|(actor, action, _)| actor == "cli" && action == "user.recover_admin"));
}

async fn recovery_runs_when_star_is_held_only_until_later(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = id_of(&app, "admin").await;
    let temp = app.create_user("temp", &[]).await;
    let tomorrow = chrono::Utc::now().naive_utc() + chrono::Duration::days(1);
    app.with_conn(move |c| {
        let cli = quire::manage::Actor::cli();
        quire::manage::users::grant_role(c, &cli, temp, "admin", Some(tomorrow)).unwrap();
        // Behind the guard rails: the permanent grant goes.
        let role = quire::db::queries::roles::find_role_by_name(c, "admin")
            .unwrap()
            .unwrap();
        user_q::unassign_role(c, first, role.id).unwrap();
        settings::bump_generation(c).unwrap();
    })
    .await;
    let restarted = spawn_on(app.test_db.clone(), &[]).await;
    assert_eq!(
        state_of(&restarted, first).await,
        (false, vec![("admin".into(), None)])
    );
    restarted.admin_token().await;
}

async fn a_recovered_admins_old_cookie_and_tokens_stop_working(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = id_of(&app, "admin").await;
    let old = app.admin_token().await;
    let browser = crate::pages::sign_in(&app, "admin", ADMIN_PASSWORD).await;
    let page = |b: &reqwest::Client, app: &TestApp| {
        let req = b.get(app.url("/admin"));
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(page(&browser, &app).await, 200);
    assert_eq!(
        app.get_with("/api/me", &old.access_token).await.status(),
        200
    );
    // Credentials are compared in whole seconds (a JWT's `iat`): these are a second older.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    disable_behind_the_guard_rails(&app, first).await;
    let restarted = spawn_on(app.test_db.clone(), &[]).await;
    for instance in [&app, &restarted] {
        let resp = instance.get_with("/api/me", &old.access_token).await;
        assert_eq!(resp.status(), 401);
        assert_eq!(
            page(&browser, instance).await,
            303,
            "the old session is signed out"
        );
    }
    let resp = restarted
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &old.refresh_token),
        ])
        .await;
    assert_eq!(resp.status(), 400);
    // The restored admin signs in afresh, by token and by cookie.
    let fresh = restarted.admin_token().await.access_token;
    let (status, _) = restarted
        .call("GET", "/api/roles", Some(&fresh), None)
        .await;
    assert_eq!(status, 200);
    let browser = crate::pages::sign_in(&restarted, "admin", ADMIN_PASSWORD).await;
    assert_eq!(page(&browser, &app).await, 200);
}

/// As in a database from before the first admin's id was remembered.
async fn forget_first_admin(app: &TestApp) {
    app.with_conn(|c| {
        use quire::db::schema::settings as s;
        diesel::delete(s::table.filter(s::key.eq(settings::FIRST_ADMIN_ID)))
            .execute(c)
            .unwrap();
    })
    .await;
}

/// `quire serve` on `db`: its exit status and standard error, or a failure if it serves.
fn serve_once(db: &TestDb) -> (Option<i32>, String) {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env_clear()
        .env("DATABASE_URL", &db.url)
        .env("QUIRE_BCRYPT_COST", "4")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..300 {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            return (status.code(), err);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    panic!("quire serve started instead of refusing");
}

async fn an_older_database_adopts_only_an_admin_the_cli_created(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = id_of(&app, "admin").await;
    // As after an upgrade: no id remembered, `admin` created by the CLI (audited so).
    forget_first_admin(&app).await;
    let again = spawn_on(app.test_db.clone(), &[]).await;
    let remembered = again
        .with_conn(|c| settings::find_first_admin_id(c).unwrap())
        .await;
    assert_eq!(remembered, Some(first), "adopted at the next start");
    // An `admin` that registered itself (audited as its own creator) is never adopted.
    forget_first_admin(&app).await;
    app.with_conn(|c| {
        use quire::db::schema::audit_events as a;
        diesel::update(
            a::table
                .filter(a::action.eq("user.create"))
                .filter(a::target.eq("admin")),
        )
        .set(a::actor.eq("admin"))
        .execute(c)
        .unwrap();
    })
    .await;
    disable_behind_the_guard_rails(&app, first).await;
    let cfg = test_config(&app.test_db.url, &[]);
    let refused = app
        .with_conn(move |c| {
            quire::cli::serve::prepare(c, &cfg)
                .err()
                .map(|e| e.message())
        })
        .await
        .expect("start-up refuses");
    assert!(refused.contains("quire user grant NAME admin"), "{refused}");
    assert_eq!(
        state_of(&app, first).await,
        (true, vec![("admin".into(), None)])
    );
    let db = app.test_db.clone();
    let (code, stderr) = tokio::task::spawn_blocking(move || serve_once(&db))
        .await
        .unwrap();
    assert_eq!(code, Some(1), "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("quire:")).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].contains("quire user grant NAME admin"), "{stderr}");
    assert!(state_of(&app, first).await.0, "still not restored");
}

async fn instances_starting_at_once_create_one_first_admin(backend: Backend) {
    let test_db = Arc::new(TestDb::new(backend));
    let cfg = test_config(&test_db.url, &[]);
    let db = quire::db::Db::connect(&cfg.database_url, 4).unwrap();
    quire::db::run_migrations(&mut db.get().unwrap()).unwrap();
    let barrier = Arc::new(std::sync::Barrier::new(3));
    let starts: Vec<_> = (0..3)
        .map(|_| {
            let (db, cfg, barrier) = (db.clone(), cfg.clone(), barrier.clone());
            tokio::task::spawn_blocking(move || {
                let mut conn = db.get().unwrap();
                barrier.wait();
                quire::cli::serve::prepare(&mut conn, &cfg).map(|_| ())
            })
        })
        .collect();
    for start in starts {
        start.await.unwrap().expect("every instance starts");
    }
    let app = spawn_on(test_db, &[]).await;
    let admin = id_of(&app, "admin").await;
    assert_eq!(app.with_conn(|c| user_q::count_users(c).unwrap()).await, 1);
    let remembered = app
        .with_conn(|c| settings::find_first_admin_id(c).unwrap())
        .await;
    assert_eq!(remembered, Some(admin));
}

both_backends!(
    instances_starting_at_once_create_one_first_admin,
    reserved_usernames_are_refused_by_registration_and_the_api,
    a_self_registered_admin_cannot_exist,
    recovery_restores_the_remembered_first_admin_and_nobody_else,
    recovery_runs_when_star_is_held_only_until_later,
    a_recovered_admins_old_cookie_and_tokens_stop_working,
    an_older_database_adopts_only_an_admin_the_cli_created,
);
