//! `AppError`: the one place where errors become HTTP responses (SPEC §5–6 shapes).

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

pub const REALM: &str = "quire";

/// Per-field validation messages, keyed by field name.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// The JSON error body (documentation of the shapes `AppError` produces).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable code: `bad_request`, `not_found`, `insufficient_scope`, `csrf_failed`,
    /// `invalid_grant`…
    pub error: String,
    pub message: String,
    /// RFC 6749 errors repeat the message here.
    pub error_description: Option<String>,
    /// Permissions that would allow the action (403).
    pub required: Option<Vec<String>>,
    /// The caller's effective permissions (403 `insufficient_scope`).
    pub provided: Option<Vec<String>>,
    /// Per-field messages (422).
    pub fields: Option<BTreeMap<String, Vec<String>>>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No credentials where they are needed.
    #[error("authentication required")]
    Unauthenticated,
    /// A bad, expired or revoked bearer token (never downgraded to anonymous).
    #[error("invalid token: {0}")]
    InvalidToken(String),
    /// The route's permission requirement is not met by the effective permissions.
    #[error("insufficient scope: requires {required:?}")]
    InsufficientScope {
        required: Vec<String>,
        provided: Vec<String>,
    },
    /// A policy denial on a resource the caller may read.
    #[error("forbidden: requires {required:?}")]
    Forbidden {
        required: Vec<String>,
        message: String,
    },
    /// An unsafe API request authenticated by the session cookie without the session's
    /// CSRF token in `X-CSRF-Token` (SPEC H8).
    #[error("CSRF check failed")]
    CsrfFailed,
    #[error("not found")]
    NotFound,
    /// The path exists but not with this method; carries the `Allow` list.
    #[error("method not allowed")]
    MethodNotAllowed(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("validation failed")]
    Validation(FieldErrors),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    /// A bounded queue is full (SPEC H5): try again shortly.
    #[error("overloaded")]
    Overloaded { retry_after_secs: u64 },
    /// RFC 6749 §5.2 token endpoint errors.
    #[error("oauth error {error}: {description}")]
    OAuth {
        error: &'static str,
        description: String,
    },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl AppError {
    /// One field's validation error.
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(name.to_owned(), vec![message.into()]);
        Self::Validation(fields)
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidToken(_) => "invalid_token",
            Self::InsufficientScope { .. } => "insufficient_scope",
            Self::Forbidden { .. } => "forbidden",
            Self::CsrfFailed => "csrf_failed",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed(_) => "method_not_allowed",
            Self::BadRequest(_) => "bad_request",
            Self::Validation(_) => "validation_failed",
            Self::Conflict(_) => "conflict",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType(_) => "unsupported_media_type",
            Self::RateLimited { .. } => "rate_limited",
            Self::Overloaded { .. } => "service_unavailable",
            Self::OAuth { error, .. } => error,
            Self::Unexpected(_) => "internal_error",
        }
    }

    /// The human message of the JSON body; never includes internal causes.
    pub fn message(&self) -> String {
        match self {
            Self::Unauthenticated => "authentication required".into(),
            Self::InvalidToken(why) => format!("invalid token: {why}"),
            Self::InsufficientScope { required, .. } => {
                format!("requires one of: {}", required.join(", "))
            }
            Self::Forbidden { message, .. } => message.clone(),
            Self::CsrfFailed => "a request signed in by the session cookie needs the session's \
                                 CSRF token in the X-CSRF-Token header (see csrf_token in GET /api/me)"
                .into(),
            Self::NotFound => "not found".into(),
            Self::MethodNotAllowed(allow) => {
                format!("this method is not allowed here; allowed: {allow}")
            }
            Self::BadRequest(why) => why.clone(),
            Self::Validation(fields) => {
                let names: Vec<&str> = fields.keys().map(String::as_str).collect();
                format!("invalid fields: {}", names.join(", "))
            }
            Self::Conflict(why) => why.clone(),
            Self::PayloadTooLarge => "request body exceeds 1 MiB".into(),
            Self::UnsupportedMediaType(why) => why.clone(),
            Self::RateLimited { retry_after_secs } => {
                format!("too many attempts; retry in {retry_after_secs} s")
            }
            Self::Overloaded { retry_after_secs } => {
                format!("the server is busy checking passwords; retry in {retry_after_secs} s")
            }
            Self::OAuth { description, .. } => description.clone(),
            Self::Unexpected(_) => "internal error".into(),
        }
    }

    fn www_authenticate(&self) -> Option<String> {
        match self {
            Self::Unauthenticated => Some(format!("Bearer realm=\"{REALM}\"")),
            Self::InvalidToken(why) => Some(format!(
                "Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"{}\"",
                header_safe(why)
            )),
            Self::InsufficientScope { required, .. } => Some(format!(
                "Bearer realm=\"{REALM}\", error=\"insufficient_scope\", scope=\"{}\"",
                header_safe(&required.join(" "))
            )),
            _ => None,
        }
    }
}

/// Header values must not carry quotes, backslashes or control characters.
fn header_safe(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '\\')
        .collect()
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthenticated | Self::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            Self::InsufficientScope { .. } | Self::Forbidden { .. } | Self::CsrfFailed => {
                StatusCode::FORBIDDEN
            }
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::BadRequest(_) | Self::OAuth { .. } => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Overloaded { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Unexpected(cause) = self {
            // The cause chain goes to the log only; the client gets a generic body.
            tracing::error!(error = ?cause, "unexpected error");
        }
        let mut body = json!({ "error": self.code(), "message": self.message() });
        match self {
            Self::InsufficientScope { required, provided } => {
                body["required"] = json!(required);
                body["provided"] = json!(provided);
            }
            Self::Forbidden { required, .. } => body["required"] = json!(required),
            Self::Validation(fields) => body["fields"] = json!(fields),
            Self::OAuth { description, .. } => body["error_description"] = json!(description),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        if let Some(value) = self.www_authenticate() {
            response.insert_header((header::WWW_AUTHENTICATE, value));
        }
        if let Self::RateLimited { retry_after_secs } | Self::Overloaded { retry_after_secs } = self
        {
            response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        if matches!(self, Self::OAuth { .. }) {
            response.insert_header((header::CACHE_CONTROL, "no-store"));
        }
        response.json(body)
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => Self::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Self::Conflict(unique_message(info.message()))
            }
            other => Self::Unexpected(anyhow::Error::new(other)),
        }
    }
}

/// A 409 message that names the field without echoing database internals.
fn unique_message(db_message: &str) -> String {
    for field in ["username", "email", "slug", "name"] {
        if db_message.contains(field) {
            return format!("{field} is already taken");
        }
    }
    "already exists".into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    async fn body(e: AppError) -> (StatusCode, serde_json::Value, Option<String>) {
        let resp = e.error_response();
        let status = resp.status();
        let www = resp
            .headers()
            .get(header::WWW_AUTHENTICATE)
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = to_bytes(resp.into_body()).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap(), www)
    }

    #[actix_web::test]
    async fn every_error_has_a_code_and_a_message() {
        let cases = vec![
            (AppError::Unauthenticated, 401),
            (AppError::InvalidToken("expired".into()), 401),
            (
                AppError::InsufficientScope {
                    required: vec!["posts:update".into()],
                    provided: vec!["posts:read".into()],
                },
                403,
            ),
            (
                AppError::Forbidden {
                    required: vec!["posts:publish".into()],
                    message: "no".into(),
                },
                403,
            ),
            (AppError::CsrfFailed, 403),
            (AppError::NotFound, 404),
            (AppError::MethodNotAllowed("GET, HEAD, OPTIONS".into()), 405),
            (AppError::BadRequest("bad json".into()), 400),
            (AppError::field("title", "must not be empty"), 422),
            (AppError::Conflict("slug is already taken".into()), 409),
            (AppError::PayloadTooLarge, 413),
            (AppError::UnsupportedMediaType("json only".into()), 415),
            (
                AppError::RateLimited {
                    retry_after_secs: 3,
                },
                429,
            ),
            (
                AppError::Overloaded {
                    retry_after_secs: 2,
                },
                503,
            ),
            (AppError::Unexpected(anyhow::anyhow!("secret cause")), 500),
        ];
        for (err, status) in cases {
            let code = err.code();
            let (got, json, _) = body(err).await;
            assert_eq!(got.as_u16(), status, "{code}");
            assert_eq!(json["error"], code);
            assert!(json["message"].is_string(), "{code}");
            assert!(!json.to_string().contains("secret cause"));
        }
    }

    #[actix_web::test]
    async fn rfc6750_headers() {
        let (_, _, www) = body(AppError::Unauthenticated).await;
        assert_eq!(www.as_deref(), Some("Bearer realm=\"quire\""));
        let (_, json, www) = body(AppError::InsufficientScope {
            required: vec!["posts:update".into(), "posts:update_own".into()],
            provided: vec![],
        })
        .await;
        assert_eq!(
            www.as_deref(),
            Some(
                "Bearer realm=\"quire\", error=\"insufficient_scope\", scope=\"posts:update posts:update_own\""
            )
        );
        assert_eq!(json["required"][0], "posts:update");
        let (_, _, www) = body(AppError::InvalidToken("bad \"sig\"".into())).await;
        assert_eq!(
            www.as_deref(),
            Some("Bearer realm=\"quire\", error=\"invalid_token\", error_description=\"bad sig\"")
        );
    }
}
