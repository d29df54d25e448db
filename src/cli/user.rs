//! `quire user add|grant|revoke|disable`, audited as done by `cli`.

use std::io::BufRead;

use super::{CliError, UserCommand};
use crate::config::Config;
use crate::db::queries::users as user_q;
use crate::db::DbConn;
use crate::domain::{Email, Username};
use crate::manage::{self, Actor};

pub fn run(config: &Config, cmd: UserCommand) -> Result<(), CliError> {
    // Usage errors are found before the database is opened.
    if let UserCommand::Add { name, email, .. } = &cmd {
        Username::parse(name).map_err(|m| CliError::Usage(format!("username: {m}")))?;
        Email::parse(email).map_err(|m| CliError::Usage(format!("email: {m}")))?;
    }
    let db = super::serve::open_migrated(config)?;
    let mut conn = db.get()?;
    let actor = Actor::cli();
    match cmd {
        UserCommand::Add {
            name,
            email,
            roles,
            password_stdin,
        } => {
            let username =
                Username::parse(&name).map_err(|m| CliError::Usage(format!("username: {m}")))?;
            let email = Email::parse(&email).map_err(|m| CliError::Usage(format!("email: {m}")))?;
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .map_err(|e| CliError::Runtime(format!("reading stdin: {e}")))?;
                (line.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (crate::auth::password::generate(), true)
            };
            crate::auth::password::check_length(&password)
                .map_err(|m| CliError::Usage(format!("password {m}")))?;
            let hash = crate::auth::password::hash_blocking(&password, config.bcrypt_cost)?;
            let user = manage::users::create_user(
                &mut conn,
                &actor,
                manage::users::NewAccount {
                    username,
                    email,
                    display_name: None,
                    password_hash: hash,
                    roles,
                },
            )?;
            println!("user: created `{}` (id {})", user.username, user.id);
            if generated {
                eprintln!("quire: password for `{}`: {password}", user.username);
            }
        }
        UserCommand::Grant {
            name,
            role,
            expires,
        } => {
            let id = find(&mut conn, &name)?;
            manage::users::grant_role(&mut conn, &actor, id, &role, expires)?;
            println!("user: granted `{role}` to `{name}`");
        }
        UserCommand::Revoke { name, role } => {
            let id = find(&mut conn, &name)?;
            manage::users::revoke_role(&mut conn, &actor, id, &role).map_err(|e| match e {
                crate::error::AppError::NotFound => {
                    CliError::Runtime(format!("`{name}` does not hold role `{role}`"))
                }
                other => other.into(),
            })?;
            println!("user: revoked `{role}` from `{name}`");
        }
        UserCommand::Disable { name } => {
            let id = find(&mut conn, &name)?;
            manage::users::set_disabled(&mut conn, &actor, id, true)?;
            println!("user: disabled `{name}`");
        }
    }
    Ok(())
}

fn find(conn: &mut DbConn, name: &str) -> Result<i64, CliError> {
    user_q::find_user_by_username(conn, name)
        .map_err(crate::error::AppError::from)?
        .map(|u| u.id)
        .ok_or_else(|| CliError::Runtime(format!("no user named `{name}`")))
}
