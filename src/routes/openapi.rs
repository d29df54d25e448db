//! The OpenAPI 3 document, collected from the router itself (utoipa-actix-web), so a route
//! cannot be served without being documented. Its `oauth2` password flow offers the
//! permission catalog as scopes; each operation lists the scopes that can satisfy it.

use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::security::{
    AuthorizationCode, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes,
    SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{Content, Info, OpenApi, Ref, RefOr, Response};
use utoipa_actix_web::AppExt;

use crate::authz::CATALOG;

/// The whole `/api` document.
pub fn document() -> OpenApi {
    let (_, mut api) = actix_web::App::new()
        .into_utoipa_app()
        .service(utoipa_actix_web::scope("/api").configure(|cfg| super::api::configure(cfg)))
        // Served outside `/api` (see `routes::configure`), documented with it.
        .service(super::well_known::server_metadata_doc)
        .service(super::well_known::jwks)
        .split_for_parts();
    let mut info = Info::new("Quire", env!("CARGO_PKG_VERSION"));
    info.description = Some(
        "Blog API with role-based access control. Authorize with the password flow; \
         the effective permissions of a request are the token's scopes intersected with \
         the user's current permissions."
            .into(),
    );
    api.info = info;
    let scopes = || {
        Scopes::from_iter(
            CATALOG
                .iter()
                .map(|(name, description)| (*name, *description)),
        )
    };
    // Both flows share the token endpoint. The code flow (SPEC §11) needs a registered
    // public client (`POST /api/clients`) whose redirect URI is this UI's
    // `/api/docs/oauth2-redirect.html`; the UI then sends PKCE (S256).
    let scheme = SecurityScheme::OAuth2(OAuth2::with_description(
        [
            Flow::Password(Password::new("/api/auth/token", scopes())),
            Flow::AuthorizationCode(AuthorizationCode::new(
                "/oauth/authorize",
                "/api/auth/token",
                scopes(),
            )),
        ],
        "OAuth2 (RFC 6749): the password grant for first-party scripts, the authorization \
         code flow with PKCE for apps; bearer JWT access tokens (RFC 9068)",
    ));
    let pat = SecurityScheme::Http(
        HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("qpat_")
            .description(Some(
                "Personal access token (`qpat_…`, from `POST /api/tokens`); its effective \
                 permissions are its scopes intersected with the owner's current permissions",
            ))
            .build(),
    );
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme("oauth2", scheme);
    components.add_security_scheme("pat", pat);
    offer_pats(&mut api);
    document_common_errors(&mut api);
    api
}

/// A PAT is accepted wherever a bearer JWT is, with the same scopes: each `oauth2`
/// requirement gets a `pat` twin (OpenAPI 3.1 lets a non-OAuth scheme list them too).
fn offer_pats(api: &mut OpenApi) {
    for item in api.paths.paths.values_mut() {
        for (_, op) in operations_mut(item) {
            let Some(security) = op.security.as_mut() else {
                continue;
            };
            let twins: Vec<SecurityRequirement> = security
                .iter()
                .filter_map(oauth2_scopes)
                .map(|scopes| SecurityRequirement::new("pat", scopes))
                .collect();
            security.extend(twins);
        }
    }
}

/// The scopes of a requirement naming the `oauth2` scheme.
fn oauth2_scopes(requirement: &SecurityRequirement) -> Option<Vec<String>> {
    let value = serde_json::to_value(requirement).ok()?;
    let scopes = value.get("oauth2")?.as_array()?;
    Some(
        scopes
            .iter()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect(),
    )
}

/// Adds the error answers that come from the shared machinery rather than from a handler
/// (SPEC §5–6): token checks, scope checks, and the query, path and body extractors
/// (`routes::extractors`). Each operation gets the ones its shape makes possible, unless
/// its own annotation already describes that status more precisely.
fn document_common_errors(api: &mut OpenApi) {
    for item in api.paths.paths.values_mut() {
        for (unsafe_method, op) in operations_mut(item) {
            let has_param = |place: ParameterIn| {
                op.parameters.iter().flatten().any(|p| match p {
                    RefOr::T(p) => p.parameter_in == place,
                    RefOr::Ref(_) => false,
                })
            };
            let mut errors: Vec<(&str, &str)> = Vec::new();
            if has_param(ParameterIn::Query) {
                errors.push((
                    "400",
                    "Malformed query, or a control character in it (`bad_request`)",
                ));
            }
            if has_param(ParameterIn::Path) {
                errors.push(("400", "A control character in the path (`bad_request`)"));
                errors.push(("404", "Nothing at this path (`not_found`)"));
            }
            if let Some(RefOr::T(body)) = &op.request_body {
                if body.content.contains_key("application/json") {
                    errors.push(("400", "Malformed JSON (`bad_request`)"));
                    errors.push(("415", "Not sent as application/json"));
                    errors.push(("422", "Invalid fields (`validation_failed`)"));
                } else {
                    errors.push(("400", "Malformed form (`invalid_request`)"));
                }
                errors.push(("413", "Body over the size limit"));
            }
            if let Some(security) = &op.security {
                // A bad token is refused even where anonymous access is allowed.
                errors.push(("401", "Missing, invalid, expired or revoked bearer token"));
                if security.iter().any(names_a_scope) {
                    errors.push((
                        "403",
                        "The effective permissions lack the scope (`insufficient_scope`), \
                         or the policy denies the action (`forbidden`)",
                    ));
                }
            }
            for (status, description) in errors {
                op.responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| RefOr::T(error_response(description)));
            }
            if unsafe_method && op.security.is_some() {
                document_csrf(op);
            }
        }
    }
}

/// SPEC H8: signed in by the session cookie instead of a token, an unsafe request needs
/// the session's CSRF token (`csrf_token` of `GET /api/me`) in `X-CSRF-Token`.
fn document_csrf(op: &mut Operation) {
    const CSRF: &str = "Signed in by the session cookie without the session's token in \
                        `X-CSRF-Token` (`csrf_failed`)";
    match op
        .responses
        .responses
        .entry("403".to_owned())
        .or_insert_with(|| RefOr::T(error_response(CSRF)))
    {
        RefOr::T(response) if !response.description.contains("csrf_failed") => {
            response.description = format!("{}; or: {CSRF}", response.description);
        }
        _ => {}
    }
}

/// Each operation, and whether its method is unsafe (changes something).
fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = (bool, &mut Operation)> {
    [
        (false, &mut item.get),
        (true, &mut item.put),
        (true, &mut item.post),
        (true, &mut item.delete),
        (true, &mut item.patch),
        (false, &mut item.head),
        (false, &mut item.options),
        (false, &mut item.trace),
    ]
    .into_iter()
    .filter_map(|(unsafe_method, op)| op.as_mut().map(|op| (unsafe_method, op)))
}

/// Whether a requirement names at least one scope (`oauth2 = []` only needs a token).
fn names_a_scope(requirement: &SecurityRequirement) -> bool {
    serde_json::to_value(requirement).is_ok_and(|v| {
        v.as_object().is_some_and(|schemes| {
            schemes
                .values()
                .any(|s| s.as_array().is_some_and(|a| !a.is_empty()))
        })
    })
}

fn error_response(description: &str) -> Response {
    let schema = Ref::from_schema_name("ErrorBody");
    let mut response = Response::new(description);
    response.content.insert(
        "application/json".into(),
        RefOr::T(Content::new(Some(schema))),
    );
    response
}

/// The document at `/api/openapi.json` and Swagger UI at `/api/docs/`, fully offline
/// (vendored assets). Mounted inside the `/api` scope, after the API's own routes, so the
/// hot API paths are matched before the UI's catch-all pattern.
pub fn configure(cfg: &mut actix_web::web::ServiceConfig, doc: DocumentJson) {
    let swagger = utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}")
        // The UI fetches the document by its absolute path.
        .config(utoipa_swagger_ui::Config::from("/api/openapi.json"))
        .oauth(
            utoipa_swagger_ui::oauth::Config::new()
                .app_name("Quire")
                .use_pkce_with_authorization_code_grant(true),
        );
    cfg.route("/docs", actix_web::web::get().to(docs_redirect))
        // Registered relative to the `/api` scope.
        .route(
            "/openapi.json",
            actix_web::web::get().to(move || {
                let bytes = doc.0.clone();
                async move {
                    actix_web::HttpResponse::Ok()
                        .content_type("application/json")
                        .body(bytes)
                }
            }),
        )
        .service(swagger);
}

/// The document as served, serialized once at start and shared by every worker (a
/// reference-counted buffer), rather than a copy of the document per worker.
#[derive(Clone)]
pub struct DocumentJson(actix_web::web::Bytes);

impl DocumentJson {
    pub fn new(doc: &OpenApi) -> Result<Self, serde_json::Error> {
        serde_json::to_vec(doc).map(|v| Self(v.into()))
    }
}

/// `/api/docs` → `/api/docs/`.
async fn docs_redirect() -> actix_web::HttpResponse {
    actix_web::HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/api/docs/"))
        .finish()
}
