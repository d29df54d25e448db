//! The command line (SPEC §1). `main.rs` parses; these functions do the work.

pub mod demo;
pub mod keys;
pub mod policy;
pub mod seed;
pub mod serve;
pub mod user;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "quire",
    version,
    about = "A self-hosted blog platform with authorization done right"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate, seed if empty, create the first admin if needed, then serve HTTP.
    Serve {
        /// Address to listen on (overrides QUIRE_BIND; default 127.0.0.1:8080).
        #[arg(long, value_parser = crate::config::parse_bind)]
        bind: Option<std::net::SocketAddr>,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Upsert the permission catalog and roles (idempotent, one transaction).
    Seed(SeedArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage the EdDSA signing keys (QUIRE_JWT_ALG=EdDSA).
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Add a signing key; instances use it from their next start, and the old key
    /// verifies until its tokens have expired.
    Rotate,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// A TOML policy file (see docs/policy-file.md) instead of the built-in roles.
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// Also add demo users and posts.
    #[arg(long)]
    pub demo: bool,
    /// With --demo: how many extra demo users (named user0001…).
    #[arg(long, default_value_t = 0, requires = "demo")]
    pub users: u32,
    /// With --demo: how many demo posts.
    #[arg(long, default_value_t = 20, requires = "demo")]
    pub posts: u32,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user (password from stdin, or generated and printed once).
    Add {
        name: String,
        #[arg(long)]
        email: String,
        /// A role to grant; repeat for several.
        #[arg(long = "role")]
        roles: Vec<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Grant a role, optionally until an RFC 3339 time.
    Grant {
        name: String,
        role: String,
        #[arg(long, value_parser = parse_rfc3339)]
        expires: Option<chrono::NaiveDateTime>,
    },
    /// Revoke a role.
    Revoke { name: String, role: String },
    /// Disable an account (accounts are never deleted).
    Disable { name: String },
}

fn parse_rfc3339(raw: &str) -> Result<chrono::NaiveDateTime, String> {
    chrono::DateTime::parse_from_rfc3339(raw)
        .map(|t| t.naive_utc())
        .map_err(|_| format!("`{raw}` is not an RFC 3339 time like 2027-01-31T12:00:00Z"))
}

/// A failure the CLI reports in one line; usage errors exit 2, runtime errors 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Runtime(String),
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Usage(_) => 2,
            Self::Runtime(_) => 1,
        }
    }
}

impl From<crate::error::AppError> for CliError {
    fn from(e: crate::error::AppError) -> Self {
        use crate::error::AppError;
        match e {
            AppError::Validation(fields) => Self::Usage(
                fields
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.join("; ")))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            AppError::Unexpected(cause) => Self::Runtime(format!("{cause:#}")),
            AppError::NotFound => Self::Runtime("not found".into()),
            other => Self::Runtime(other.message()),
        }
    }
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        Self::Runtime(format!("{e:#}"))
    }
}

/// Runs a parsed command.
pub fn run(cli: Cli) -> Result<(), CliError> {
    // `serve --bind` stands in for QUIRE_BIND, so the defaults derived from the bind
    // address (QUIRE_PUBLIC_URL, hence the issuer) follow it.
    let bind = match &cli.command {
        Command::Serve { bind: Some(b) } => Some(b.to_string()),
        _ => None,
    };
    let config = crate::config::Config::from_lookup(|name| match (name, &bind) {
        ("QUIRE_BIND", Some(b)) => Some(b.clone()),
        _ => std::env::var(name).ok(),
    })
    .map_err(|e| CliError::Usage(e.to_string()))?;
    match cli.command {
        Command::Serve { bind } => serve::run(config, bind),
        Command::Migrate => serve::migrate(&config),
        Command::Seed(args) => seed_command(&config, args),
        Command::User(cmd) => user::run(&config, cmd),
        Command::Keys(KeysCommand::Rotate) => keys::rotate(&config),
    }
}

fn seed_command(config: &crate::config::Config, args: SeedArgs) -> Result<(), CliError> {
    let db = serve::open_migrated(config)?;
    let mut conn = db.get()?;
    let policy = match &args.file {
        None => policy::Policy::builtin(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::Runtime(format!("{}: {e}", path.display())))?;
            let known = crate::db::queries::roles::load_role_defs(&mut conn)
                .map_err(crate::error::AppError::from)?;
            policy::Policy::from_toml(&text, &known).map_err(|e| {
                CliError::Runtime(format!("{}: {e}; nothing was changed", path.display()))
            })?
        }
    };
    let report = seed::apply(&mut conn, &crate::manage::Actor::cli(), &policy)?;
    println!("seed: {report}");
    if args.demo {
        let summary = demo::seed_demo(&mut conn, config, args.users, args.posts)?;
        println!("demo: {summary}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn expiry_must_be_rfc3339() {
        assert!(parse_rfc3339("2027-01-31T12:00:00Z").is_ok());
        assert!(parse_rfc3339("2027-01-31T12:00:00+02:00").is_ok());
        assert!(parse_rfc3339("tomorrow").is_err());
        assert!(parse_rfc3339("2027-01-31").is_err());
    }
}
