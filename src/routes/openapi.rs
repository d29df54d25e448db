//! The OpenAPI 3 document, collected from the router itself (utoipa-actix-web), so a route
//! cannot be served without being documented. Its `oauth2` password flow offers the
//! permission catalog as scopes; each operation lists the scopes that can satisfy it.

use utoipa::openapi::security::{Flow, OAuth2, Password, Scopes, SecurityScheme};
use utoipa::openapi::{Info, OpenApi};
use utoipa_actix_web::AppExt;

use crate::authz::CATALOG;

/// The whole `/api` document.
pub fn document() -> OpenApi {
    let (_, mut api) = actix_web::App::new()
        .into_utoipa_app()
        .service(utoipa_actix_web::scope("/api").configure(super::api::configure))
        .split_for_parts();
    let mut info = Info::new("Quire", env!("CARGO_PKG_VERSION"));
    info.description = Some(
        "Blog API with role-based access control. Authorize with the password flow; \
         the effective permissions of a request are the token's scopes intersected with \
         the user's current permissions."
            .into(),
    );
    api.info = info;
    let scopes = Scopes::from_iter(
        CATALOG
            .iter()
            .map(|(name, description)| (*name, *description)),
    );
    let scheme = SecurityScheme::OAuth2(OAuth2::with_description(
        [Flow::Password(Password::new("/api/auth/token", scopes))],
        "OAuth2 password grant (RFC 6749); bearer JWT access tokens (RFC 9068)",
    ));
    api.components
        .get_or_insert_with(Default::default)
        .add_security_scheme("oauth2", scheme);
    api
}

/// Swagger UI at `/api/docs/`, fully offline (vendored assets).
pub fn swagger_ui(doc: OpenApi) -> utoipa_swagger_ui::SwaggerUi {
    utoipa_swagger_ui::SwaggerUi::new("/api/docs/{_:.*}")
        .url("/api/openapi.json", doc)
        .oauth(utoipa_swagger_ui::oauth::Config::new().app_name("Quire"))
}

/// `/api/docs` → `/api/docs/`.
pub async fn docs_redirect() -> actix_web::HttpResponse {
    actix_web::HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/api/docs/"))
        .finish()
}
