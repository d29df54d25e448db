//! `/admin/clients` (SPEC §11): the pages version of `/api/clients` — the registered
//! public clients, a form to register one and a delete button each. The same guard
//! (the request holds `*`), rules and writes as the API.

use actix_session::Session;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;

use super::roles::flash_outcome;
use super::{guard, render, see_other, CsrfForm, Layout, PageError};
use crate::auth::principal::Caller;
use crate::auth::session::check_csrf;
use crate::db::queries::clients as client_q;
use crate::manage::clients::{create_client, delete_client};
use crate::routes::api::clients::{parse_client, require_star, ClientView};
use crate::state::State;

const PAGE: &str = "/admin/clients";

#[derive(Template)]
#[template(path = "admin/clients.html")]
struct ClientsPage {
    layout: Layout,
    clients: Vec<ClientView>,
    catalog: Vec<String>,
}

/// Signed in (else the login page) and holding `*` (else the 403 page).
fn admit(caller: &Caller, req: &HttpRequest) -> Result<(), PageError> {
    guard(caller, req, &[]).or_else(|e| match e {
        PageError::Login { .. } => Err(e),
        PageError::App(_) => Ok(()),
    })?;
    require_star(caller).map_err(PageError::App)
}

#[get("/clients")]
pub async fn clients_page(
    state: State,
    caller: Caller,
    session: Session,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    admit(&caller, &req)?;
    let clients = state
        .db
        .run(|conn| Ok(client_q::list_clients(conn)?))
        .await?;
    render(&ClientsPage {
        layout: Layout::new("Apps (OAuth clients)", &caller, &session),
        clients: clients.iter().map(ClientView::from).collect(),
        catalog: caller.snapshot.catalog.to_vec(),
    })
}

/// `POST /admin/clients`: `csrf`, `name`, `redirect_uris` (one per line) and one
/// `scopes` per ticked box.
#[post("/clients")]
pub async fn create_client_form(
    state: State,
    caller: Caller,
    session: Session,
    req: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    admit(&caller, &req)?;
    let one = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    check_csrf(&session, one("csrf"))?;
    let uris: Vec<String> = one("redirect_uris")
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let scopes: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "scopes")
        .map(|(_, v)| v.clone())
        .collect();
    let result = match parse_client(&caller, one("name").unwrap_or(""), &uris, &scopes) {
        Ok(valid) => {
            let actor = caller.actor();
            state
                .db
                .run(move |conn| create_client(conn, &actor, &valid))
                .await
        }
        Err(e) => Err(e),
    };
    let ok = match &result {
        Ok(c) => format!("Registered {}: its client_id is {}", c.name, c.client_id),
        Err(_) => String::new(),
    };
    flash_outcome(&session, result, ok)?;
    Ok(see_other(PAGE))
}

/// `POST /admin/clients/{client_id}/delete`: deletes the client and ends its tokens.
#[post("/clients/{client_id}/delete")]
pub async fn delete_client_form(
    state: State,
    caller: Caller,
    session: Session,
    req: HttpRequest,
    client_id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    admit(&caller, &req)?;
    check_csrf(&session, form.csrf.as_deref())?;
    let (actor, id) = (caller.actor(), client_id.into_inner());
    let ttl = state.config.access_token_ttl;
    let result = state
        .db
        .run(move |conn| delete_client(conn, &actor, &id, ttl))
        .await;
    flash_outcome(
        &session,
        result,
        "The client was deleted; its tokens no longer work.".into(),
    )?;
    Ok(see_other(PAGE))
}
