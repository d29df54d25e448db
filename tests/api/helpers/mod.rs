//! `spawn_app`: a fresh database (a temp SQLite file, or a PostgreSQL database cloned from a
//! migrated template) and the real application on a random port.

mod template;
pub mod venv;

pub use venv::{feedparser_python, venv_python};

use std::collections::HashMap;

use diesel::{Connection, PgConnection, RunQueryDsl};
use quire::config::Config;
use quire::db::Db;
use quire::startup::Application;

/// PostgreSQL server used by the suite; CI fails (never skips) if it cannot be reached.
pub fn pg_admin_url() -> String {
    std::env::var("QUIRE_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn name(backend: Backend)` of the calling module once per backend.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name(crate::helpers::Backend::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name(crate::helpers::Backend::Postgres).await } )*
        }
    };
}

/// A database that exists for one test and is removed afterwards.
#[expect(dead_code, reason = "not every test file reads every field")]
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    /// An empty database (no migrations run), for tests of migrating itself.
    pub fn new(backend: Backend) -> Self {
        Self::create(backend, false)
    }

    /// A migrated database: on PostgreSQL a copy of the template (see [`template`]).
    pub fn migrated(backend: Backend) -> Self {
        Self::create(backend, true)
    }

    fn create(backend: Backend, migrated: bool) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("quire.db").display());
                Self {
                    url,
                    backend,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let name = format!("quire_t_{}", uuid::Uuid::new_v4().simple());
                if migrated {
                    template::clone_template(&name);
                } else {
                    let mut conn = PgConnection::establish(&pg_admin_url()).unwrap_or_else(|e| {
                        panic!(
                            "the PostgreSQL suite needs a server at {}: {e}",
                            pg_admin_url()
                        )
                    });
                    diesel::sql_query(format!("CREATE DATABASE {name}"))
                        .execute(&mut conn)
                        .expect("create test database");
                }
                Self {
                    url: template::database_url(&name),
                    backend,
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            if let Ok(mut conn) = PgConnection::establish(&pg_admin_url()) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn);
            }
        }
    }
}

pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";

/// `QUIRE_PUBLIC_URL` of test instances (their port is only known once bound), hence the
/// issuer of their tokens.
pub const PUBLIC_URL: &str = "https://quire.test";

/// The configuration a test instance runs with; `extra` overrides variables.
pub fn test_config(url: &str, extra: &[(&str, &str)]) -> Config {
    let mut vars: HashMap<String, String> = [
        ("DATABASE_URL", url),
        ("QUIRE_BIND", "127.0.0.1:0"),
        ("QUIRE_PUBLIC_URL", PUBLIC_URL),
        ("QUIRE_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("QUIRE_BCRYPT_COST", "4"),
        ("QUIRE_DB_POOL_SIZE", "8"),
        ("QUIRE_WORKERS", "2"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in extra {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    Config::from_lookup(|k| vars.get(k).cloned()).expect("valid test config")
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub config: Config,
    pub test_db: std::sync::Arc<TestDb>,
    pub jwt_secret: String,
}

/// Starts the real application on a fresh database.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[]).await
}

pub async fn spawn_app_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    let test_db = std::sync::Arc::new(TestDb::migrated(backend));
    spawn_on(test_db, extra).await
}

/// Starts another instance on the same database (two processes sharing one database).
pub async fn spawn_on(test_db: std::sync::Arc<TestDb>, extra: &[(&str, &str)]) -> TestApp {
    let config = test_config(&test_db.url, extra);
    let cfg = config.clone();
    let (db, secret) = tokio::task::spawn_blocking(move || {
        let db = Db::connect(&cfg.database_url, cfg.db_pool_size).expect("connect");
        let mut conn = db.get().expect("conn");
        quire::db::run_migrations(&mut conn).expect("migrate");
        let prepared = quire::cli::serve::prepare(&mut conn, &cfg).expect("prepare");
        drop(conn);
        (db, prepared.jwt_secret)
    })
    .await
    .unwrap();
    let app = Application::build(config.clone(), db.clone(), secret.clone()).expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    TestApp {
        address,
        client,
        db,
        config,
        test_db,
        jwt_secret: secret,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }
}

/// The password every test user gets.
pub fn password_of(name: &str) -> String {
    format!("pw-{name}-secret")
}

/// An OAuth2 token response.
#[derive(Debug, serde::Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    pub scope: String,
}

impl TestApp {
    /// Creates a user holding `roles` directly in the database (as the CLI would).
    pub async fn create_user(&self, name: &str, roles: &[&str]) -> i64 {
        let db = self.db.clone();
        let name = name.to_owned();
        let roles: Vec<String> = roles.iter().map(|r| (*r).to_owned()).collect();
        tokio::task::spawn_blocking(move || {
            let mut conn = db.get().unwrap();
            let hash = quire::auth::password::hash_blocking(&password_of(&name), 4).unwrap();
            let user = quire::manage::users::create_user(
                &mut conn,
                &quire::manage::Actor::cli(),
                quire::manage::users::NewAccount {
                    username: quire::domain::Username::parse(&name).unwrap(),
                    email: quire::domain::Email::parse(&format!("{name}@example.com")).unwrap(),
                    display_name: None,
                    password_hash: hash,
                    roles,
                },
            )
            .unwrap();
            user.id
        })
        .await
        .unwrap()
    }

    /// Runs `f` on a pooled connection (for setting up and inspecting state).
    pub async fn with_conn<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut quire::db::DbConn) -> T + Send + 'static,
    ) -> T {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || f(&mut db.get().unwrap()))
            .await
            .unwrap()
    }

    pub async fn token_request(&self, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url("/api/auth/token"))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// A password-grant token for `name` (scope: all, or the given space-separated list).
    pub async fn token(&self, name: &str, scope: Option<&str>) -> Tokens {
        let pw = password_of(name);
        let mut form = vec![
            ("grant_type", "password"),
            ("username", name),
            ("password", pw.as_str()),
        ];
        if let Some(s) = scope {
            form.push(("scope", s));
        }
        let resp = self.token_request(&form).await;
        assert_eq!(resp.status(), 200, "token for {name}");
        resp.json().await.unwrap()
    }

    pub async fn admin_token(&self) -> Tokens {
        let resp = self
            .token_request(&[("username", "admin"), ("password", ADMIN_PASSWORD)])
            .await;
        assert_eq!(resp.status(), 200);
        resp.json().await.unwrap()
    }

    pub async fn get_with(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// `POST /api/posts` with `body` as `token`; must answer 201. Returns the created post.
    pub async fn create_post(&self, token: &str, body: serde_json::Value) -> serde_json::Value {
        let resp = self
            .client
            .post(self.url("/api/posts"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        assert_eq!(status, 201, "POST /api/posts {body}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// Audit actions recorded so far, newest first.
    pub async fn audit_actions(&self) -> Vec<(String, String, String)> {
        self.with_conn(|c| {
            quire::db::queries::audit::list_events(c, &Default::default(), 1000)
                .unwrap()
                .into_iter()
                .map(|e| (e.actor, e.action, e.outcome))
                .collect()
        })
        .await
    }
}

/// A custom role with these grants, made directly in the database.
pub async fn create_role(app: &TestApp, name: &str, grants: &[&str]) {
    let name = name.to_owned();
    let grants: Vec<String> = grants.iter().map(|g| (*g).to_owned()).collect();
    app.with_conn(move |c| {
        let role = quire::db::queries::roles::insert_role(c, &name, "test role", false).unwrap();
        quire::db::queries::roles::set_role_grants(c, role.id, &grants).unwrap();
        quire::db::queries::settings::bump_generation(c).unwrap();
    })
    .await;
}

impl TestApp {
    /// Sends `method path` with an optional bearer token and JSON body; returns the status
    /// and the JSON answer (`Null` for an empty body).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let json = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
        };
        (status, json)
    }
}
