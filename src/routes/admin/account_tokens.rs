//! The personal access tokens section of `/admin/account` (SPEC §11): the caller's live
//! tokens, a form to create one (its secret is shown once, on the answer to the form, never
//! stored or redirected through the session) and a revoke button each. The same rules and
//! writes as `/api/tokens` (`oauth::pat`, `manage::pats`).

use actix_session::Session;
use actix_web::{post, web, HttpResponse};
use askama::Template;

use super::roles::flash_outcome;
use super::{render, see_other, signed_in, CsrfForm, Layout, PageError};
use crate::auth::principal::Caller;
use crate::auth::session::{check_csrf, flash};
use crate::authz::PermissionSet;
use crate::db::queries::pats::Pat;
use crate::error::AppError;
use crate::manage::pats::{create_pat, revoke_pat, Owner};
use crate::oauth::pat::{self as rules, PatError};
use crate::routes::api::views::display_time;
use crate::state::State;

const PAGE: &str = "/admin/account";

/// One token in the list.
pub struct TokenLine {
    pub id: i64,
    pub name: String,
    pub scopes: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
}

impl From<&Pat> for TokenLine {
    fn from(p: &Pat) -> Self {
        Self {
            id: p.id,
            name: p.name.clone(),
            scopes: p.scopes.clone(),
            created: display_time(p.created_at),
            expires: display_time(p.expires_at),
            last_used: p.last_used_at.map_or_else(|| "never".into(), display_time),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/token_created.html")]
struct CreatedPage {
    layout: Layout,
    name: String,
    scopes: String,
    expires: String,
    token: String,
}

/// The create form: `csrf`, `name`, `expires_in_days` and one `scopes` per ticked box
/// (repeated keys, so the form is read as pairs).
struct TokenForm<'a> {
    csrf: Option<&'a str>,
    name: &'a str,
    scopes: Vec<String>,
    days: Option<i64>,
}

fn read_form(fields: &[(String, String)]) -> TokenForm<'_> {
    let one = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    TokenForm {
        csrf: one("csrf"),
        name: one("name").unwrap_or(""),
        scopes: fields
            .iter()
            .filter(|(k, _)| k == "scopes")
            .map(|(_, v)| v.clone())
            .collect(),
        days: one("expires_in_days").and_then(|d| d.trim().parse().ok()),
    }
}

/// `POST /admin/account/tokens`: creates a token and shows its secret this once.
#[post("/account/tokens")]
pub async fn create_token_form(
    state: State,
    caller: Caller,
    session: Session,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let user = signed_in(&caller)?;
    let form = read_form(&form);
    check_csrf(&session, form.csrf)?;
    let Some(days) = form.days else {
        flash(
            &session,
            "error",
            "Expires in: a whole number of days, 1 to 366.",
        );
        return Ok(see_other(PAGE));
    };
    let catalog: Vec<&str> = caller.snapshot.catalog.iter().map(String::as_str).collect();
    let effective = PermissionSet::from_grants(caller.effective());
    let valid = match rules::validate(
        form.name,
        &form.scopes,
        days,
        &effective,
        &catalog,
        crate::db::now(),
    ) {
        Ok(valid) => valid,
        Err(PatError::InvalidScope(bad)) => {
            flash(
                &session,
                "error",
                format!("Not yours to grant: {}", bad.join(", ")),
            );
            return Ok(see_other(PAGE));
        }
        Err(PatError::Field { field, message }) => {
            flash_outcome(
                &session,
                Err::<(), _>(AppError::field(field, message)),
                String::new(),
            )?;
            return Ok(see_other(PAGE));
        }
    };
    let minted = rules::generate();
    let owner = Owner {
        id: user.id,
        username: user.username.clone(),
    };
    let (actor, hash) = (caller.actor(), minted.hash);
    let pat = state
        .db
        .run(move |conn| create_pat(conn, &actor, &owner, &valid, &hash))
        .await?;
    let line = TokenLine::from(&pat);
    render(&CreatedPage {
        layout: Layout::new("New personal access token", &caller, &session),
        name: line.name,
        scopes: line.scopes,
        expires: line.expires,
        token: minted.token,
    })
}

/// `POST /admin/account/tokens/{id}/revoke`: revokes one of the caller's tokens.
#[post("/account/tokens/{id}/revoke")]
pub async fn revoke_token_form(
    state: State,
    caller: Caller,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let user = signed_in(&caller)?;
    check_csrf(&session, form.csrf.as_deref())?;
    let owner = Owner {
        id: user.id,
        username: user.username.clone(),
    };
    let (actor, id) = (caller.actor(), id.into_inner());
    let result = state
        .db
        .run(move |conn| revoke_pat(conn, &actor, &owner, id))
        .await;
    match result {
        Err(AppError::NotFound) => flash(&session, "error", "That token was already revoked."),
        other => {
            flash_outcome(&session, other, "The token was revoked.".into())?;
        }
    }
    Ok(see_other(PAGE))
}
