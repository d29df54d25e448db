//! Reading the `Authorization` header: a leaf with no state, so the fuzz target and the
//! principal extractor share one parser.

use actix_web::http::header;

use crate::error::AppError;

/// The token of an `Authorization: Bearer <token>` header value (scheme case-insensitive,
/// surrounding whitespace ignored). Any other scheme or an empty token is an invalid token.
pub fn bearer_token(value: &header::HeaderValue) -> Result<&str, AppError> {
    // `HeaderValue::to_str` checks byte by byte; this is the same ASCII test, vectorised.
    let value = std::str::from_utf8(value.as_bytes())
        .ok()
        .filter(|v| v.is_ascii())
        .ok_or_else(|| AppError::InvalidToken("the Authorization header is not ASCII".into()))?;
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AppError::InvalidToken(format!(
            "unsupported authorization scheme `{scheme}`"
        )));
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(AppError::InvalidToken("the bearer token is empty".into()));
    }
    Ok(token)
}
