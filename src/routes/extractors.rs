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
                // Bodies are read as `serde_json::Value` (see `JsonBody`), so what is left
                // here is JSON that does not parse.
                JsonPayloadError::Deserialize(e) => {
                    AppError::BadRequest(format!("malformed JSON: {e}"))
                }
                other => AppError::BadRequest(format!("unreadable body: {other}")),
            }
            .into()
        })
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

/// A JSON body deserialized into `T`, whose field types carry their rules
/// (`crate::domain`). Content type, size and syntax are checked by `web::Json` as
/// configured in [`json_config`] (415, 413, 400); a body that parses but does not fit `T` is
/// a 422 naming the field (SPEC §6): every required field that is absent, else the first
/// field that breaks its rule, with the path `serde_path_to_error` tracked and the rule's own
/// message — no error text is taken apart. A body that is not an object is reported on
/// `body`.
///
/// The body is read as a `serde_json::Value` first, as the control-character check of
/// `routes::hygiene` reads it: a key sent twice is the last one in both (RFC 8259 leaves
/// duplicates to the reader).
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    /// The body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> actix_web::FromRequest for JsonBody<T>
where
    T: serde::de::DeserializeOwned + utoipa::PartialSchema + 'static,
{
    type Error = actix_web::Error;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(
        req: &actix_web::HttpRequest,
        payload: &mut actix_web::dev::Payload,
    ) -> Self::Future {
        let json = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move { Ok(Self(from_value(json.await?.into_inner())?)) })
    }
}

/// `value` as a `T`, or the 422 of [`JsonBody`].
fn from_value<T>(value: serde_json::Value) -> Result<T, AppError>
where
    T: serde::de::DeserializeOwned + utoipa::PartialSchema,
{
    if let serde_json::Value::Object(fields) = &value {
        let missing: crate::error::FieldErrors = required_fields::<T>()
            .into_iter()
            .filter(|name| !fields.contains_key(name))
            .map(|name| (name, vec!["is required".to_owned()]))
            .collect();
        if !missing.is_empty() {
            return Err(AppError::Validation(missing));
        }
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let field = match e.path().iter().next() {
            None => "body".to_owned(),
            Some(_) => e.path().to_string(),
        };
        AppError::field(&field, e.into_inner().to_string())
    })
}

/// The fields `T`'s OpenAPI schema marks required: the one list, derived from the struct,
/// that the document also shows.
fn required_fields<T: utoipa::PartialSchema>() -> Vec<String> {
    use utoipa::openapi::{schema::Schema, RefOr};
    match T::schema() {
        RefOr::T(Schema::Object(object)) => object.required,
        _ => Vec::new(),
    }
}

/// A JSON body that may be left out entirely (`PUT` with nothing to say): an empty request
/// body, or JSON `null` (what the document's optional body allows), is `T::default()`;
/// anything else is read as [`JsonBody`] reads it, so malformed JSON is still a 400, another
/// content type a 415, and a bad field a 422 naming it.
#[derive(Debug)]
pub struct JsonOrEmpty<T>(pub T);

impl<T> actix_web::FromRequest for JsonOrEmpty<T>
where
    T: serde::de::DeserializeOwned + utoipa::PartialSchema + Default + 'static,
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
        let json = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            Ok(Self(match json.await?.into_inner() {
                serde_json::Value::Null => T::default(),
                value => from_value(value)?,
            }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
    #[serde(deny_unknown_fields)]
    struct Body {
        title: crate::domain::Title,
        tags: Option<Vec<crate::domain::Slug>>,
    }

    fn fields(value: serde_json::Value) -> Vec<(String, Vec<String>)> {
        match from_value::<Body>(value) {
            Err(AppError::Validation(fields)) => fields.into_iter().collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_fields_are_named_by_their_path_with_the_rule_message() {
        let ok: Body = from_value(json!({"title": " t ", "tags": ["a-b"]})).unwrap();
        assert_eq!(ok.title.as_str(), "t");
        assert_eq!(ok.tags.unwrap()[0].as_str(), "a-b");
        let required = vec!["is required".to_owned()];
        assert_eq!(fields(json!({})), [("title".to_owned(), required)]);
        let [(field, messages)] = &fields(json!({"title": " "}))[..] else {
            panic!()
        };
        assert_eq!(
            (field.as_str(), &messages[..]),
            ("title", &["must be 1 to 200 characters".to_owned()][..])
        );
        assert_eq!(
            fields(json!({"title": "t", "tags": ["ok", "Not Ok"]}))[0].0,
            "tags[1]"
        );
        assert_eq!(fields(json!({"title": 5}))[0].0, "title");
        assert_eq!(fields(json!({"title": "t", "extra": 1}))[0].0, "extra");
        assert_eq!(fields(json!([1, 2]))[0].0, "[0]");
        assert_eq!(fields(json!("text"))[0].0, "body");
    }
}
