//! `quire serve` and `quire migrate`, and the start-up steps tests share with them.

use std::net::SocketAddr;

use rand::RngCore;

use super::CliError;
use crate::config::Config;
use crate::db::queries::{settings, users as user_q};
use crate::db::{run_migrations, Db, DbConn};
use crate::domain::{Email, Username};
use crate::error::AppError;
use crate::manage::{self, Actor};
use crate::startup::Application;

/// Opens the database for a short-lived command and applies pending migrations.
pub fn open_migrated(config: &Config) -> Result<Db, CliError> {
    let db = Db::connect_for_cli(&config.database_url)?;
    run_migrations(&mut *db.get()?)?;
    Ok(db)
}

pub fn migrate(config: &Config) -> Result<(), CliError> {
    let db = Db::connect_for_cli(&config.database_url)?;
    let applied = run_migrations(&mut *db.get()?)?;
    if applied.is_empty() {
        println!("migrate: nothing to apply; the schema is up to date");
    } else {
        println!("migrate: applied {}", applied.join(", "));
    }
    Ok(())
}

/// What start-up produced that the operator must see.
pub struct Prepared {
    pub jwt_secret: String,
    /// Set only when the first admin was created with a generated password.
    pub generated_admin_password: Option<String>,
}

/// Seeds an empty database, makes sure someone holds `*`, and settles the JWT secret.
/// Safe to run from several instances at once.
pub fn prepare(conn: &mut DbConn, config: &Config) -> Result<Prepared, AppError> {
    if let Some(report) = crate::cli::seed::seed_if_empty(conn)? {
        tracing::info!(%report, "seeded the built-in roles");
    }
    let generated_admin_password = ensure_admin(conn, config)?;
    let jwt_secret = match &config.jwt_secret {
        Some(secret) => secret.clone(),
        None => {
            let mut bytes = [0u8; 48];
            rand::rng().fill_bytes(&mut bytes);
            // Kept in the database so restarts and other instances accept the same tokens.
            settings::insert_setting_if_absent(conn, "jwt_secret", &hex::encode(bytes))?
        }
    };
    Ok(Prepared {
        jwt_secret,
        generated_admin_password,
    })
}

/// Creates `admin` holding the `admin` role when no active user holds `*`.
fn ensure_admin(conn: &mut DbConn, config: &Config) -> Result<Option<String>, AppError> {
    let graph =
        crate::authz::roles::RoleGraph::new(crate::db::queries::roles::load_role_defs(conn)?);
    if !manage::users::star_holders(conn, &graph)?.is_empty() {
        return Ok(None);
    }
    let (password, generated) = match &config.admin_password {
        Some(pw) => (pw.clone(), false),
        None => (crate::auth::password::generate(), true),
    };
    let hash = crate::auth::password::hash_blocking(&password, config.bcrypt_cost)?;
    let actor = Actor::cli();
    match user_q::find_user_by_username(conn, "admin")? {
        None => {
            let account = manage::users::NewAccount {
                username: Username::parse("admin").map_err(|e| anyhow::anyhow!(e))?,
                email: Email::parse("admin@localhost").map_err(|e| anyhow::anyhow!(e))?,
                display_name: Some("Administrator".into()),
                password_hash: hash,
                roles: vec!["admin".into()],
            };
            manage::users::create_user(conn, &actor, account)?;
        }
        Some(existing) => {
            // Recovery: nobody active holds `*`, so the `admin` account gets it back with
            // a fresh password, enabled.
            manage::users::reset_admin(conn, &actor, existing.id, &hash)?;
        }
    }
    Ok(generated.then_some(password))
}

pub fn run(config: Config, bind: Option<SocketAddr>) -> Result<(), CliError> {
    init_tracing();
    let mut config = config;
    if let Some(bind) = bind {
        config.bind = bind;
    }
    let db = Db::connect(&config.database_url, config.db_pool_size)?;
    run_migrations(&mut *db.get()?)?;
    let prepared = prepare(&mut *db.get()?, &config)?;
    if let Some(pw) = &prepared.generated_admin_password {
        eprintln!("quire: created user `admin` with password: {pw}");
        eprintln!("quire: this password is shown once; change it after logging in");
    }
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(config, db, prepared.jwt_secret)?;
        tracing::info!(port = app.port(), "quire is listening");
        app.run()
            .await
            .map_err(|e| CliError::Runtime(e.to_string()))
    })
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
