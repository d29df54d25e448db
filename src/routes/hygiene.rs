//! The one middleware every request passes before routing:
//! - no control characters (SPEC H12) in the percent-decoded path and query (400
//!   `bad_request`) or in the text of a JSON or form body (422 naming the field; at the
//!   OAuth endpoints, whose errors are RFC 6749's, 400 `invalid_request` naming it), so no
//!   query ever sees one — PostgreSQL answers an error to NUL in text;
//! - `HEAD` is served as `GET` (SPEC H13): actix-http leaves the body out of the response
//!   to a request that arrived as `HEAD` and keeps its `Content-Length`;
//! - responses with personal data or tokens get `Cache-Control: no-store` (SPEC H13).
//!
//! One layer rather than three: the hot read path pays one extra future, and only a scan of
//! its short URI.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use futures_util::StreamExt;

use super::extractors::MAX_BODY;
use super::methods::is_personal;
use crate::domain::check_controls;
use crate::error::AppError;

pub async fn hygiene(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if let Some(why) = uri_error(req.uri()) {
        let resp = refusal(req.path(), AppError::BadRequest(why));
        return Ok(req.into_response(resp).map_into_right_body());
    }
    if let Some(kind) = text_body(&req) {
        let body = match read_body(&mut req).await {
            Ok(body) => body,
            Err(e) => {
                let resp = refusal(req.path(), e);
                return Ok(req.into_response(resp).map_into_right_body());
            }
        };
        if let Some((field, message)) = body_error(kind, &body) {
            let resp = refusal(req.path(), body_refusal(req.path(), kind, &field, message));
            return Ok(req.into_response(resp).map_into_right_body());
        }
        req.set_payload(actix_web::dev::Payload::from(body));
    }
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    let mut res = next.call(req).await?;
    if is_personal(res.request().path()) {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    Ok(res.map_into_left_body())
}

/// An error response in the shape of the path's audience: JSON under `/api`, an HTML
/// page elsewhere.
fn refusal(path: &str, e: AppError) -> HttpResponse {
    if path.starts_with("/api") {
        e.error_response()
    } else {
        super::admin::PageError::App(e).error_response()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BodyKind {
    Json,
    Form,
}

/// The kind of a body whose text is checked, by its content type.
fn text_body(req: &ServiceRequest) -> Option<BodyKind> {
    let content_type = req.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = content_type.split(';').next()?.trim().to_ascii_lowercase();
    if essence == "application/x-www-form-urlencoded" {
        Some(BodyKind::Form)
    } else if essence == "application/json" || essence.ends_with("+json") {
        Some(BodyKind::Json)
    } else {
        None
    }
}

/// The body, read whole (it is put back for the handler). Over [`MAX_BODY`]: 413.
async fn read_body(req: &mut ServiceRequest) -> Result<Bytes, AppError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        return Err(AppError::PayloadTooLarge);
    }
    let mut payload = req.take_payload();
    let mut body = BytesMut::with_capacity(declared.unwrap_or(0));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::BadRequest(format!("unreadable body: {e}")))?;
        if body.len() + chunk.len() > MAX_BODY {
            return Err(AppError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The first field whose name or text holds a refused control character, with the
/// message. A body that does not parse is left to the handler, which answers its own 400.
fn body_error(kind: BodyKind, body: &[u8]) -> Option<(String, String)> {
    match kind {
        BodyKind::Json => {
            let value: serde_json::Value = serde_json::from_slice(body).ok()?;
            match &value {
                serde_json::Value::Object(fields) => fields.iter().find_map(|(name, value)| {
                    bad_name(name)
                        .or_else(|| json_error(name, value).map(|message| (name.clone(), message)))
                }),
                other => json_error("body", other).map(|m| ("body".to_owned(), m)),
            }
        }
        BodyKind::Form => {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
            pairs.into_iter().find_map(|(name, value)| {
                bad_name(&name).or_else(|| check_controls(&name, &value).err().map(|m| (name, m)))
            })
        }
    }
}

/// A field name that itself holds a control character is the error, reported escaped.
fn bad_name(name: &str) -> Option<(String, String)> {
    check_controls("", name)
        .err()
        .map(|message| (name.escape_debug().take(64).collect(), message))
}

/// The message for the first refused string anywhere in `value` (the field's own rule for
/// multi-line text applies to everything inside it).
fn json_error(field: &str, value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) => check_controls(field, s).err(),
        Value::Array(items) => items.iter().find_map(|v| json_error(field, v)),
        Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| check_controls("", k).err().or_else(|| json_error(field, v))),
        _ => None,
    }
}

fn body_refusal(path: &str, kind: BodyKind, field: &str, message: String) -> AppError {
    if kind == BodyKind::Form && path.starts_with("/api/auth/") {
        AppError::OAuth {
            error: "invalid_request",
            description: format!("`{field}` {message}"),
        }
    } else {
        AppError::field(field, message)
    }
}

/// Why the URI is refused: a control character in the path or in a query parameter,
/// raw or percent-encoded (control characters are ASCII, so UTF-8 never hides one).
fn uri_error(uri: &actix_web::http::Uri) -> Option<String> {
    if has_control(uri.path()) {
        return Some("the path must not contain control characters".into());
    }
    let query = uri.query()?;
    if !has_control(query) {
        return None;
    }
    let pair = query.split('&').find(|pair| has_control(pair))?;
    let name = pair.split('=').next().unwrap_or(pair);
    let name: String = name.chars().take(40).collect();
    Some(format!(
        "query parameter `{name}` must not contain control characters"
    ))
}

fn has_control(s: &str) -> bool {
    let bytes = s.as_bytes();
    let refused = |b: u8| b < 0x20 || b == 0x7f;
    bytes.iter().enumerate().any(|(i, &b)| {
        refused(b)
            || (b == b'%'
                && bytes
                    .get(i + 1..i + 3)
                    .and_then(|hex| std::str::from_utf8(hex).ok())
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                    .is_some_and(refused))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_controls_are_found_anywhere_in_the_uri() {
        for bad in ["a%00b", "%1F", "%7f", "x%0A", "%09"] {
            assert!(has_control(bad), "{bad}");
        }
        for ok in [
            "",
            "plain",
            "%20",
            "%25",
            "%2500",
            "%e2%80%ae",
            "%",
            "%0",
            "%zz",
            "100%",
        ] {
            assert!(!has_control(ok), "{ok}");
        }
        let uri: actix_web::http::Uri = "/api/posts?limit=2&author=a%00b".parse().unwrap();
        assert_eq!(
            uri_error(&uri).unwrap(),
            "query parameter `author` must not contain control characters"
        );
        let uri: actix_web::http::Uri = "/p/a%00b".parse().unwrap();
        assert!(uri_error(&uri).unwrap().contains("path"));
    }

    #[test]
    fn body_fields_are_named_and_bodies_keep_their_line_breaks() {
        let json = |s: &str| body_error(BodyKind::Json, s.as_bytes()).map(|(f, _)| f);
        assert_eq!(
            json(r#"{"title":"a\u0000b","body":"x"}"#).as_deref(),
            Some("title")
        );
        assert_eq!(json(r#"{"body":"line\nnext\ttab\r\n"}"#), None);
        assert_eq!(json(r#"{"body":"a\u0007"}"#).as_deref(), Some("body"));
        assert_eq!(
            json(r#"{"permissions":["posts:read","a\u0000"]}"#).as_deref(),
            Some("permissions")
        );
        assert_eq!(json(r#"{"a\u0000":"x"}"#).as_deref(), Some("a\\0"));
        assert_eq!(json(r#"not json"#), None);
        let form = |s: &str| body_error(BodyKind::Form, s.as_bytes()).map(|(f, _)| f);
        assert_eq!(
            form("username=ad%00min&password=x").as_deref(),
            Some("username")
        );
        assert_eq!(form("description=a%0Ab&name=x").as_deref(), None);
        assert_eq!(form("name=a%0Ab").as_deref(), Some("name"));
    }
}
