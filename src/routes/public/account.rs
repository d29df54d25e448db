//! `/login`, `POST /logout` and `/register`: signing in and out for readers and staff
//! alike (SPEC §10). The session is the admin pages' session; only the landing differs.

use actix_identity::Identity;
use actix_session::Session;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::Reader;
use crate::auth::principal::Caller;
use crate::auth::server_session::{sign_in, sign_out};
use crate::auth::session::{check_csrf, csrf_token, flash};
use crate::auth::{client_addr, throttle};
use crate::config::Registration;
use crate::domain::{DisplayName, Email, Username};
use crate::error::AppError;
use crate::manage::{self, Actor};
use crate::routes::admin::{render, see_other, CsrfForm, PageError};
use crate::routes::api::users::parse_account;
use crate::routes::sign_in::{local_next, password_step, LoginForm, PasswordStep};
use crate::state::State;

#[derive(Template)]
#[template(path = "public/login.html")]
struct LoginPage {
    reader: Reader,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    registration_open: bool,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[get("/login")]
pub async fn login_form(
    state: State,
    caller: Caller,
    session: Session,
    q: web::Query<NextQuery>,
) -> Result<HttpResponse, PageError> {
    if !caller.is_anonymous() {
        return Ok(see_other("/"));
    }
    render(&LoginPage {
        reader: Reader::anonymous(),
        csrf: csrf_token(&session),
        next: local_next(q.next.as_deref()),
        username: String::new(),
        error: None,
        registration_open: state.config.registration == Registration::Open,
    })
}

#[post("/login")]
pub async fn login(
    state: State,
    req: HttpRequest,
    session: Session,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    match password_step(&state, &req, &session, form.into_inner()).await? {
        PasswordStep::Go(to) => Ok(see_other(&to)),
        PasswordStep::Refused {
            username,
            next,
            message,
            status,
        } => {
            let mut resp = render(&LoginPage {
                reader: Reader::anonymous(),
                csrf: csrf_token(&session),
                next,
                username,
                error: Some(message),
                registration_open: state.config.registration == Registration::Open,
            })?;
            *resp.status_mut() = status;
            Ok(resp)
        }
    }
}

#[post("/logout")]
pub async fn logout(
    state: State,
    caller: Caller,
    identity: Option<Identity>,
    session: Session,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    if caller.is_anonymous() {
        return Ok(see_other("/"));
    }
    check_csrf(&session, form.csrf.as_deref())?;
    sign_out(&state, caller.signed_in_session(), identity).await?;
    Ok(see_other("/"))
}

#[derive(Template)]
#[template(path = "public/register.html")]
struct RegisterPage {
    reader: Reader,
    csrf: String,
    username: String,
    email: String,
    display_name: String,
    error: Option<String>,
}

fn registration_open(state: &State) -> Result<(), AppError> {
    if state.config.registration == Registration::Open {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[get("/register")]
pub async fn register_form(
    state: State,
    caller: Caller,
    session: Session,
) -> Result<HttpResponse, PageError> {
    registration_open(&state)?;
    if !caller.is_anonymous() {
        return Ok(see_other("/"));
    }
    render(&RegisterPage {
        reader: Reader::anonymous(),
        csrf: csrf_token(&session),
        username: String::new(),
        email: String::new(),
        display_name: String::new(),
        error: None,
    })
}

#[derive(Debug, Deserialize)]
pub struct RegisterForm {
    csrf: Option<String>,
    username: Option<String>,
    email: Option<String>,
    password: Option<String>,
    display_name: Option<String>,
}

#[post("/register")]
pub async fn register(
    state: State,
    req: HttpRequest,
    session: Session,
    form: web::Form<RegisterForm>,
) -> Result<HttpResponse, PageError> {
    registration_open(&state)?;
    let form = form.into_inner();
    check_csrf(&session, form.csrf.as_deref())?;
    let ip = client_addr::of_request(&req, &state.config.trusted_proxies).map(|a| a.to_string());
    match create_account(&state, &form, ip.clone()).await {
        Ok((id, name)) => {
            let actor = Actor {
                id: Some(id),
                name: name.clone(),
                ip,
                principal: None,
            };
            sign_in(&state, &req, &session, id, actor).await?;
            flash(&session, "ok", format!("Welcome, {name}."));
            Ok(see_other("/"))
        }
        Err(
            e @ (AppError::Validation(_) | AppError::Conflict(_) | AppError::RateLimited { .. }),
        ) => {
            let status = actix_web::ResponseError::status_code(&e);
            let text = |v: &Option<String>| v.clone().unwrap_or_default();
            let mut resp = render(&RegisterPage {
                reader: Reader::anonymous(),
                csrf: csrf_token(&session),
                username: text(&form.username),
                email: text(&form.email),
                display_name: text(&form.display_name),
                error: Some(e.message()),
            })?;
            *resp.status_mut() = status;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

/// The API's registration (`POST /api/auth/register`) from a form: the same checks, the
/// same throttle (SPEC H4), the default role. Returns the new account's id and username.
async fn create_account(
    state: &State,
    form: &RegisterForm,
    ip: Option<String>,
) -> Result<(i64, String), AppError> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let username =
        Username::try_from(text(&form.username)).map_err(|m| AppError::field("username", m))?;
    let email = Email::try_from(text(&form.email)).map_err(|m| AppError::field("email", m))?;
    let display_name = match text(&form.display_name).trim() {
        "" => None,
        d => Some(
            DisplayName::try_from(d.to_owned()).map_err(|m| AppError::field("display_name", m))?,
        ),
    };
    let password = text(&form.password);
    let (username, email, display_name) = parse_account(username, email, &password, display_name)?;
    let address = throttle::address_key(ip.as_deref());
    let attempt = state
        .db
        .run(move |c| throttle::reserve_registration(c, &address, crate::db::now()))
        .await?;
    let created = async {
        let password_hash = state.verifier.hash(password).await?;
        let actor = Actor {
            id: None,
            name: username.as_str().to_owned(),
            ip,
            principal: None,
        };
        let account = manage::users::NewAccount {
            username,
            email,
            display_name,
            password_hash,
            roles: vec![state.config.default_role.clone()],
        };
        state
            .db
            .run(move |conn| manage::users::create_user(conn, &actor, account))
            .await
    };
    match created.await {
        Ok(user) => Ok((user.id, user.username)),
        Err(e) => {
            state
                .db
                .run(move |c| throttle::registration_failed(c, attempt))
                .await?;
            Err(e)
        }
    }
}
