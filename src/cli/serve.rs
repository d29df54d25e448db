//! `quire serve` and `quire migrate`, and the start-up steps tests share with them.

use std::net::SocketAddr;

use rand::RngCore;

use super::CliError;
use crate::config::Config;
use crate::db::queries::settings;
use crate::db::{run_migrations, Db, DbConn};
use crate::error::AppError;
use crate::manage::recovery::{self, Recovery};
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
    /// Set only when the first admin was created or restored with a generated password.
    pub generated_admin_password: Option<String>,
    /// The administrator that start-up recovery restored, if it did.
    pub restored_admin: Option<String>,
}

/// Seeds an empty database, makes sure someone holds `*`, and settles the JWT secret.
/// Safe to run from several instances at once.
pub fn prepare(conn: &mut DbConn, config: &Config) -> Result<Prepared, AppError> {
    if let Some(report) = crate::cli::seed::seed_if_empty(conn)? {
        tracing::info!(%report, "seeded the built-in roles");
    }
    let (generated_admin_password, restored_admin) = ensure_admin(conn, config)?;
    crate::auth::key_store::ensure_signing_key(conn, config)?;
    let rendered = crate::manage::rendering::render_bodies(conn)?;
    if rendered > 0 {
        tracing::info!(
            rendered,
            "rendered post bodies stored without an up-to-date HTML"
        );
    }
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
        restored_admin,
    })
}

/// Creates `admin`, or restores the remembered first administrator, when no enabled user
/// holds `*` permanently (SPEC H3, [`recovery`]). Returns the password if it was
/// generated, and the name of a restored account.
fn ensure_admin(
    conn: &mut DbConn,
    config: &Config,
) -> Result<(Option<String>, Option<String>), AppError> {
    // Remembers the first admin of an older database while its creation is still in the
    // audit log (which retention prunes).
    recovery::first_admin_id(conn)?;
    if !recovery::needs_recovery(conn)? {
        return Ok((None, None));
    }
    let (password, generated) = match &config.admin_password {
        Some(pw) => (pw.clone(), false),
        None => (crate::auth::password::generate(), true),
    };
    let hash = crate::auth::password::hash_blocking(&password, config.bcrypt_cost)?;
    let restored = match recovery::recover_first_admin(conn, &hash)? {
        // Another instance got there first; our password was never used.
        Recovery::NotNeeded => return Ok((None, None)),
        Recovery::Created(_) => None,
        Recovery::Restored(user) => Some(user.username),
    };
    Ok((generated.then_some(password), restored))
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
    match (&prepared.restored_admin, &prepared.generated_admin_password) {
        (Some(name), pw) => {
            eprintln!("quire: nobody held `*`: restored the first administrator `{name}`; its sessions and tokens were ended");
            if let Some(pw) = pw {
                eprintln!("quire: `{name}` has the new password: {pw}");
            }
        }
        (None, Some(pw)) => eprintln!("quire: created user `admin` with password: {pw}"),
        (None, None) => {}
    }
    if prepared.generated_admin_password.is_some() {
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
