//! The JSON API under `/api`.

pub mod audit;
pub mod auth;
pub mod clients;
pub mod comments;
pub mod cursor;
pub mod directory;
pub mod explain;
pub mod introspect;
pub mod permissions;
pub mod posts;
pub mod roles;
pub mod tags;
pub mod tokens;
pub mod users;
pub mod views;

use actix_web::dev::HttpServiceFactory;
use utoipa_actix_web::OpenApiFactory;

/// Where the route list is registered: actix's own configuration (each worker's app, which
/// needs no documentation) or utoipa's, which also collects the OpenAPI document
/// (`routes::openapi::document`, once at start). One list, so a route cannot be served
/// without being documented.
pub trait Routes {
    fn service<F: HttpServiceFactory + OpenApiFactory + 'static>(&mut self, f: F) -> &mut Self;
}

impl Routes for actix_web::web::ServiceConfig {
    fn service<F: HttpServiceFactory + OpenApiFactory + 'static>(&mut self, f: F) -> &mut Self {
        actix_web::web::ServiceConfig::service(self, f)
    }
}

impl Routes for utoipa_actix_web::service_config::ServiceConfig<'_> {
    fn service<F: HttpServiceFactory + OpenApiFactory + 'static>(&mut self, f: F) -> &mut Self {
        utoipa_actix_web::service_config::ServiceConfig::service(self, f)
    }
}

/// Every `/api` route; the caller mounts this under the `/api` scope (see `routes`).
pub fn configure<C: Routes>(cfg: &mut C) {
    cfg.service(auth::issue_token)
        .service(auth::revoke_token)
        .service(auth::register_user)
        .service(auth::get_me)
        .service(introspect::introspect_token)
        .service(tokens::create_token)
        .service(tokens::list_tokens)
        .service(tokens::delete_token)
        .service(clients::register_client)
        .service(clients::list_clients)
        .service(clients::get_client)
        .service(clients::remove_client)
        .service(permissions::list_permissions)
        .service(explain::explain)
        .service(audit::list_audit)
        .service(posts::read::list_posts)
        .service(posts::write::create_post)
        .service(posts::read::get_post)
        .service(posts::write::update_post)
        .service(posts::write::delete_post)
        .service(posts::workflow::submit_post)
        .service(posts::workflow::publish_post)
        .service(posts::workflow::reject_post)
        .service(posts::workflow::unpublish_post)
        .service(tags::list_tags)
        .service(comments::list_comments)
        .service(comments::create_comment)
        .service(comments::update_comment)
        .service(comments::delete_comment)
        .service(users::list_users)
        .service(users::create_user)
        .service(users::get_user)
        .service(users::update_user)
        .service(users::grant_role)
        .service(users::revoke_role)
        .service(users::reset_two_factor)
        .service(roles::list_roles)
        .service(roles::create_role)
        .service(roles::get_role)
        .service(roles::update_role)
        .service(roles::delete_role);
}
