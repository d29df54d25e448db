//! Extractor configuration: malformed input becomes the JSON error shapes of SPEC §6.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError, UrlencodedError};
use actix_web::web;

use crate::error::AppError;

/// Bodies over 1 MiB are refused with 413.
pub const MAX_BODY: usize = 1 << 20;

pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_BODY)
        .error_handler(|err, _req| {
            match err {
                JsonPayloadError::OverflowKnownLength { .. }
                | JsonPayloadError::Overflow { .. } => AppError::PayloadTooLarge,
                JsonPayloadError::ContentType => AppError::UnsupportedMediaType(
                    "send JSON with Content-Type: application/json".into(),
                ),
                JsonPayloadError::Deserialize(e) if e.is_data() => data_error(&e.to_string()),
                JsonPayloadError::Deserialize(e) => {
                    AppError::BadRequest(format!("malformed JSON: {e}"))
                }
                other => AppError::BadRequest(format!("unreadable body: {other}")),
            }
            .into()
        })
}

/// serde's "missing field `x`" / "unknown field `x`" become 422s on `x`. Other data errors
/// ("invalid type: integer `42`, expected a string") do not name the field — the backticks
/// there quote the value — so they are reported on `body`, the request body as a whole.
fn data_error(message: &str) -> AppError {
    let field = ["missing field `", "unknown field `", "duplicate field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next())
        .filter(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or("body");
    let clean = message.split(" at line ").next().unwrap_or(message);
    AppError::field(field, clean)
}

pub fn form_config() -> web::FormConfig {
    web::FormConfig::default()
        .limit(64 * 1024)
        .error_handler(|err, _req| {
            match err {
                UrlencodedError::Overflow { .. } => AppError::PayloadTooLarge,
                UrlencodedError::ContentType => AppError::OAuth {
                    error: "invalid_request",
                    description: "send the form as application/x-www-form-urlencoded".into(),
                },
                other => AppError::OAuth {
                    error: "invalid_request",
                    description: format!("unreadable form: {other}"),
                },
            }
            .into()
        })
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        AppError::BadRequest(format!("bad query: {err}")).into()
    })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err: PathError, _req| {
        // A non-numeric id names nothing that exists.
        let _ = err;
        AppError::NotFound.into()
    })
}

/// Runs the `validator` rules of a request body; failures become 422 with per-field
/// messages (SPEC §6).
pub fn validated<T: validator::Validate>(body: T) -> Result<T, AppError> {
    body.validate().map_err(|errors| {
        let mut fields = crate::error::FieldErrors::new();
        for (field, errs) in errors.field_errors() {
            let messages = errs
                .iter()
                .map(|e| {
                    e.message
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_else(|| format!("is invalid ({})", e.code))
                })
                .collect();
            fields.insert(field.to_string(), messages);
        }
        AppError::Validation(fields)
    })?;
    Ok(body)
}

/// A JSON body that may be left out entirely (`PUT` with nothing to say): an empty request
/// body, or JSON `null` (what the document's optional body allows), is `T::default()`;
/// anything else goes through `web::Json` and its error mapping, so malformed JSON is still
/// a 400 and another content type a 415.
#[derive(Debug)]
pub struct JsonOrEmpty<T>(pub T);

impl<T> actix_web::FromRequest for JsonOrEmpty<T>
where
    T: serde::de::DeserializeOwned + Default + 'static,
{
    type Error = actix_web::Error;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(
        req: &actix_web::HttpRequest,
        payload: &mut actix_web::dev::Payload,
    ) -> Self::Future {
        use actix_web::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
        let headers = req.headers();
        let no_body = !headers.contains_key(TRANSFER_ENCODING)
            && headers
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .is_none_or(|v| v.trim() == "0");
        if no_body {
            return Box::pin(std::future::ready(Ok(Self(T::default()))));
        }
        let json = web::Json::<Option<T>>::from_request(req, payload);
        Box::pin(async move { Ok(Self(json.await?.into_inner().unwrap_or_default())) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(message: &str) -> Vec<String> {
        match data_error(message) {
            AppError::Validation(fields) => fields.into_keys().collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn data_errors_name_the_field_only_when_serde_does() {
        assert_eq!(
            fields("missing field `title` at line 1 column 2"),
            ["title"]
        );
        assert_eq!(
            fields("unknown field `extra`, expected `body` at line 1 column 9"),
            ["extra"]
        );
        assert_eq!(
            fields("duplicate field `body` at line 1 column 20"),
            ["body"]
        );
        assert_eq!(
            fields("invalid type: integer `42`, expected a string at line 1 column 11"),
            ["body"]
        );
        assert_eq!(
            fields("invalid type: boolean `true`, expected a string"),
            ["body"]
        );
    }
}
