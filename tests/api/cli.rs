//! The `quire` binary itself: migrate, seed (idempotent, transactional), user commands, serve.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};

use crate::helpers::{Backend, TestDb};

fn quire(db: &TestDb, args: &[&str]) -> Output {
    quire_with(db, args, &[], None)
}

fn quire_with(db: &TestDb, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_quire"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &db.url)
        .env("QUIRE_BCRYPT_COST", "4")
        .env("QUIRE_ADMIN_PASSWORD", "cli-admin-password")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn quire");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("quire output")
}

fn text(o: &Output) -> String {
    format!(
        "status {:?} (signal {:?})\nstdout: {}\nstderr: {}",
        o.status.code(),
        std::os::unix::process::ExitStatusExt::signal(&o.status),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Everything `seed` may touch, rendered for comparison.
fn snapshot(db: &TestDb) -> String {
    let pool =
        quire::db::Db::connect(&quire::config::DatabaseUrl::parse(&db.url).unwrap(), 1).unwrap();
    let mut conn = pool.get().unwrap();
    let perms = quire::db::queries::roles::list_permissions(&mut conn).unwrap();
    let roles = quire::db::queries::roles::list_roles(&mut conn).unwrap();
    let defs = quire::db::queries::roles::load_role_defs(&mut conn).unwrap();
    let generation = quire::db::queries::settings::find_generation(&mut conn).unwrap();
    format!("{perms:?}\n{roles:?}\n{defs:?}\n{generation}")
}

async fn seed_twice_changes_nothing_the_second_time(backend: Backend) {
    let db = TestDb::new(backend);
    let first = quire(&db, &["seed"]);
    assert!(first.status.success(), "{}", text(&first));
    assert!(
        String::from_utf8_lossy(&first.stdout).contains("18 created"),
        "{}",
        text(&first)
    );
    let before = snapshot(&db);
    let second = quire(&db, &["seed"]);
    assert!(second.status.success(), "{}", text(&second));
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("nothing to change"),
        "{}",
        text(&second)
    );
    assert_eq!(before, snapshot(&db));
    assert!(before.contains("\"editor\""), "{before}");
}

async fn a_bad_policy_file_changes_nothing_and_names_the_line(backend: Backend) {
    let db = TestDb::new(backend);
    assert!(quire(&db, &["seed"]).status.success());
    let before = snapshot(&db);
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        // A good role first, then an unknown permission: the good one must not land either.
        "[[roles]]\nname = \"curator\"\ngrants = [\"posts:read\"]\n\n[[roles]]\nname = \"bad\"\ngrants = [\"posts:fly\"]\n",
        "[[roles]]\nname = \"a\"\ninherits = [\"b\"]\n[[roles]]\nname = \"b\"\ninherits = [\"a\"]\n",
        "[[roles]]\nname = \"Not Valid\"\n",
        "[[roles]]\nname = \"editor\"\ninherits = [\"nobody\"]\n",
    ];
    for (i, policy) in cases.iter().enumerate() {
        let path = dir.path().join(format!("p{i}.toml"));
        std::fs::write(&path, policy).unwrap();
        let out = quire(&db, &["seed", "--file", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{policy}\n{}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("line "), "{policy}\n{err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert_eq!(before, snapshot(&db), "{policy}");
    }
}

async fn a_good_policy_file_adds_roles_and_is_idempotent(backend: Backend) {
    let db = TestDb::new(backend);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.toml");
    std::fs::write(
        &path,
        "[[permissions]]\nname = \"posts:feature\"\ndescription = \"Feature a post\"\n\n[[roles]]\nname = \"curator\"\ndescription = \"Features posts\"\ngrants = [\"posts:feature\"]\ninherits = [\"editor\"]\n",
    )
    .unwrap();
    assert!(quire(&db, &["seed"]).status.success());
    let out = quire(&db, &["seed", "--file", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let snap = snapshot(&db);
    assert!(
        snap.contains("posts:feature") && snap.contains("\"curator\""),
        "{snap}"
    );
    let again = quire(&db, &["seed", "--file", path.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("nothing to change"),
        "{}",
        text(&again)
    );
    assert_eq!(snap, snapshot(&db));
}

async fn user_commands_add_grant_revoke_disable(backend: Backend) {
    let db = TestDb::new(backend);
    assert!(quire(&db, &["seed"]).status.success());
    let add = quire_with(
        &db,
        &[
            "user",
            "add",
            "alice",
            "--email",
            "alice@example.com",
            "--role",
            "author",
            "--password-stdin",
        ],
        &[],
        Some("a-long-password\n"),
    );
    assert!(add.status.success(), "{}", text(&add));
    let grant = quire(
        &db,
        &[
            "user",
            "grant",
            "alice",
            "editor",
            "--expires",
            "2099-01-01T00:00:00Z",
        ],
    );
    assert!(grant.status.success(), "{}", text(&grant));
    let revoke = quire(&db, &["user", "revoke", "alice", "author"]);
    assert!(revoke.status.success(), "{}", text(&revoke));
    let again = quire(&db, &["user", "revoke", "alice", "author"]);
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    let disable = quire(&db, &["user", "disable", "alice"]);
    assert!(disable.status.success(), "{}", text(&disable));

    let pool =
        quire::db::Db::connect(&quire::config::DatabaseUrl::parse(&db.url).unwrap(), 1).unwrap();
    let mut conn = pool.get().unwrap();
    let alice = quire::db::queries::users::find_user_by_username(&mut conn, "alice")
        .unwrap()
        .unwrap();
    assert!(alice.disabled);
    let roles = quire::db::queries::users::list_assignments(&mut conn, alice.id).unwrap();
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].0, "editor");
    assert!(roles[0].1.is_some());
    // Every change is audited as done by the CLI.
    let actions: Vec<String> =
        quire::db::queries::audit::list_events(&mut conn, &Default::default(), 50)
            .unwrap()
            .into_iter()
            .filter(|e| e.actor == "cli" && e.target == "alice")
            .map(|e| e.action)
            .collect();
    for action in ["user.create", "role.grant", "role.revoke", "user.disable"] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

async fn bad_cli_input_is_one_line_with_exit_status_2(backend: Backend) {
    let db = TestDb::new(backend);
    let cases: &[&[&str]] = &[
        &["user", "grant", "alice", "editor", "--expires", "tomorrow"],
        &["user", "add", "Bad Name", "--email", "x@example.com"],
        &["user", "add", "okname", "--email", "not-an-email"],
        &["frobnicate"],
    ];
    for args in cases {
        let out = quire(&db, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}\n{}", text(&out));
    }
    let out = quire_with(&db, &["migrate"], &[("QUIRE_BCRYPT_COST", "99")], None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("QUIRE_BCRYPT_COST") && err.trim().lines().count() == 1,
        "{err}"
    );
    let out = quire(&db, &["user", "disable", "nobody"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

async fn the_last_admin_cannot_be_disabled_or_lose_admin(backend: Backend) {
    let db = TestDb::new(backend);
    // serve-like preparation: seed and the first admin.
    let cfg = crate::helpers::test_config(&db.url, &[]);
    let pool = quire::db::Db::connect(&cfg.database_url, 1).unwrap();
    quire::db::run_migrations(&mut pool.get().unwrap()).unwrap();
    quire::cli::serve::prepare(&mut pool.get().unwrap(), &cfg).unwrap();
    let before = snapshot(&db);
    for args in [
        &["user", "disable", "admin"][..],
        &["user", "revoke", "admin", "admin"][..],
    ] {
        let out = quire(&db, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}\n{}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("last administrator"),
            "{}",
            text(&out)
        );
    }
    assert_eq!(before, snapshot(&db));
    // With a second admin, the first may go.
    let add = quire_with(
        &db,
        &[
            "user",
            "add",
            "root2",
            "--email",
            "r@example.com",
            "--role",
            "admin",
        ],
        &[],
        None,
    );
    assert!(add.status.success(), "{}", text(&add));
    assert!(
        String::from_utf8_lossy(&add.stderr).contains("password for `root2`"),
        "{}",
        text(&add)
    );
    assert!(quire(&db, &["user", "disable", "admin"]).status.success());
}

async fn migrate_is_idempotent(backend: Backend) {
    let db = TestDb::new(backend);
    let first = quire(&db, &["migrate"]);
    assert!(first.status.success(), "{}", text(&first));
    assert!(
        String::from_utf8_lossy(&first.stdout).contains("applied"),
        "{}",
        text(&first)
    );
    let second = quire(&db, &["migrate"]);
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("nothing to apply"),
        "{}",
        text(&second)
    );
}

async fn serve_starts_prints_a_generated_admin_password_once_and_answers_healthz(backend: Backend) {
    let db = TestDb::new(backend);
    for round in 0..2 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env_clear()
            .env("DATABASE_URL", &db.url)
            .env("QUIRE_BCRYPT_COST", "4")
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let client = reqwest::Client::new();
        let mut ok = false;
        for _ in 0..100 {
            if let Ok(r) = client
                .get(format!("http://127.0.0.1:{port}/healthz"))
                .send()
                .await
            {
                ok = r.status() == 200;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let lines: Vec<String> = rx.try_iter().collect();
        assert!(
            ok,
            "round {round}: healthz never answered; stderr: {lines:#?}"
        );
        let printed = lines
            .iter()
            .filter(|l| l.contains("created user `admin` with password"))
            .count();
        assert_eq!(
            printed,
            if round == 0 { 1 } else { 0 },
            "round {round}: {lines:#?}"
        );
    }
}

both_backends!(
    seed_twice_changes_nothing_the_second_time,
    a_bad_policy_file_changes_nothing_and_names_the_line,
    a_good_policy_file_adds_roles_and_is_idempotent,
    user_commands_add_grant_revoke_disable,
    bad_cli_input_is_one_line_with_exit_status_2,
    the_last_admin_cannot_be_disabled_or_lose_admin,
    migrate_is_idempotent,
    serve_starts_prints_a_generated_admin_password_once_and_answers_healthz,
);
