//! HTTP methods (SPEC H13): an existing path asked with a method it does not support
//! answers 405 with `Allow`, `OPTIONS` answers 204 with `Allow`, `HEAD` is served as `GET`
//! without a body, and responses with personal data or tokens are not stored by caches.
//!
//! actix-web's route macros put each handler's method guard on its own resource, so a
//! request whose method matches no resource falls through to the default service as if
//! the path did not exist. The default service ([`fallback`]) tells the two apart with the
//! router's own resource map (`has_resource`), and builds `Allow` from [`RouteTable`]: the
//! API's routes as the OpenAPI document (collected from the router) lists them, and the
//! pages' from [`PAGE_ROUTES`].

use actix_web::dev::ResourceDef;
use actix_web::http::{header, Method};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use utoipa::openapi::OpenApi;

use crate::error::AppError;

/// Routes outside the OpenAPI document, with their methods. A page route added to the
/// router belongs here too (else its 405 would list no method).
pub const PAGE_ROUTES: &[(&str, &[Method])] = &[
    ("/", &[Method::GET]),
    ("/p/{slug}", &[Method::GET]),
    ("/t/{tag}", &[Method::GET]),
    ("/feed.atom", &[Method::GET]),
    ("/sitemap.xml", &[Method::GET]),
    ("/healthz", &[Method::GET]),
    ("/static/quire.css", &[Method::GET]),
    ("/api/openapi.json", &[Method::GET]),
    ("/api/docs", &[Method::GET]),
    ("/api/docs/{_:.*}", &[Method::GET]),
    ("/admin", &[Method::GET]),
    ("/admin/login", &[Method::GET, Method::POST]),
    ("/admin/logout", &[Method::POST]),
    ("/admin/account", &[Method::GET]),
    ("/admin/account/sessions/{id}/revoke", &[Method::POST]),
    ("/admin/account/sessions/revoke-others", &[Method::POST]),
    ("/admin/account/password", &[Method::POST]),
    ("/admin/account/tokens", &[Method::POST]),
    ("/admin/account/tokens/{id}/revoke", &[Method::POST]),
    ("/admin/account/apps/{client_id}/revoke", &[Method::POST]),
    ("/admin/clients", &[Method::GET, Method::POST]),
    ("/admin/clients/{client_id}/delete", &[Method::POST]),
    ("/oauth/authorize", &[Method::GET, Method::POST]),
    ("/admin/posts", &[Method::GET]),
    ("/admin/posts/{id}/{action}", &[Method::POST]),
    ("/admin/audit", &[Method::GET]),
    ("/admin/matrix", &[Method::GET]),
    ("/admin/roles", &[Method::GET, Method::POST]),
    ("/admin/roles/{name}", &[Method::GET, Method::POST]),
    ("/admin/roles/{name}/delete", &[Method::POST]),
    ("/admin/users", &[Method::GET]),
    ("/admin/users/{id}", &[Method::GET]),
    ("/admin/users/{id}/grant", &[Method::POST]),
    ("/admin/users/{id}/revoke", &[Method::POST]),
    ("/admin/users/{id}/{action}", &[Method::POST]),
];

/// The order methods are listed in `Allow`.
const ORDER: [Method; 7] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
];

/// Every route pattern with the methods it answers.
pub struct RouteTable {
    routes: Vec<(ResourceDef, Vec<Method>)>,
}

impl RouteTable {
    /// The API's routes from `doc`, and [`PAGE_ROUTES`].
    pub fn new(doc: &OpenApi) -> Self {
        let mut routes: Vec<(ResourceDef, Vec<Method>)> = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    (Method::GET, item.get.is_some()),
                    (Method::POST, item.post.is_some()),
                    (Method::PUT, item.put.is_some()),
                    (Method::PATCH, item.patch.is_some()),
                    (Method::DELETE, item.delete.is_some()),
                ];
                let methods = methods.into_iter().filter(|(_, has)| *has);
                (
                    ResourceDef::new(path.as_str()),
                    methods.map(|(m, _)| m).collect(),
                )
            })
            .collect();
        routes.extend(
            PAGE_ROUTES
                .iter()
                .map(|(path, methods)| (ResourceDef::new(*path), methods.to_vec())),
        );
        Self { routes }
    }

    /// What `Allow` says for `path`: the methods of every pattern matching it, `HEAD` with
    /// `GET`, and `OPTIONS`; empty when nothing matches.
    pub fn allowed(&self, path: &str) -> Vec<Method> {
        let matching: Vec<&Method> = self
            .routes
            .iter()
            .filter(|(def, _)| def.is_match(path))
            .flat_map(|(_, methods)| methods)
            .collect();
        if matching.is_empty() {
            return Vec::new();
        }
        ORDER
            .into_iter()
            .filter(|m| match *m {
                Method::HEAD => matching.contains(&&Method::GET),
                Method::OPTIONS => true,
                _ => matching.contains(&m),
            })
            .collect()
    }
}

/// The default service: 404 for a path nothing serves; for an existing path, 204 with
/// `Allow` to `OPTIONS` and 405 with `Allow` to any other method it does not support.
pub async fn fallback(req: HttpRequest, table: web::Data<RouteTable>) -> HttpResponse {
    let path = req.path();
    if !req.resource_map().has_resource(path) {
        return AppError::NotFound.error_response();
    }
    let allowed = table.allowed(path);
    if allowed.is_empty() {
        tracing::warn!(path, "a route is missing from routes::methods::PAGE_ROUTES");
    }
    let allow = allowed
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if req.method() == Method::OPTIONS {
        return HttpResponse::NoContent()
            .insert_header((header::ALLOW, allow))
            .finish();
    }
    let mut resp = AppError::MethodNotAllowed(allow.clone()).error_response();
    if let Ok(value) = header::HeaderValue::from_str(&allow) {
        resp.headers_mut().insert(header::ALLOW, value);
    }
    resp
}

/// Responses under these paths carry personal data or tokens (SPEC H13).
const PERSONAL: [&str; 6] = [
    "/api/me",
    "/api/tokens",
    "/api/users",
    "/api/audit",
    "/api/auth/",
    "/api/authz/",
];

/// Should a response to `path` tell caches not to store it?
pub fn is_personal(path: &str) -> bool {
    PERSONAL.iter().any(|prefix| path.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(methods: Vec<Method>) -> Vec<String> {
        methods.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn allow_lists_the_methods_of_every_matching_pattern() {
        let table = RouteTable::new(&crate::routes::openapi::document());
        assert_eq!(
            names(table.allowed("/api/posts/7")),
            ["GET", "HEAD", "PATCH", "DELETE", "OPTIONS"]
        );
        assert_eq!(
            names(table.allowed("/api/posts")),
            ["GET", "HEAD", "POST", "OPTIONS"]
        );
        assert_eq!(names(table.allowed("/api/auth/token")), ["POST", "OPTIONS"]);
        // Two patterns match: the grant form and the account actions.
        assert_eq!(
            names(table.allowed("/admin/users/3/grant")),
            ["POST", "OPTIONS"]
        );
        assert_eq!(
            names(table.allowed("/admin/roles/editor")),
            ["GET", "HEAD", "POST", "OPTIONS"]
        );
        assert!(table.allowed("/nothing/here").is_empty());
    }

    #[test]
    fn personal_paths() {
        for p in [
            "/api/me",
            "/api/users/3",
            "/api/audit",
            "/api/auth/token",
            "/api/authz/explain",
            "/api/tokens",
            "/api/tokens/3",
        ] {
            assert!(is_personal(p), "{p}");
        }
        for p in ["/api/posts", "/api/roles", "/", "/api/authors"] {
            assert!(!is_personal(p), "{p}");
        }
    }
}
