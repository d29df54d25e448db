use actix_web::{get, HttpResponse};
use serde_json::json;

use crate::error::AppError;
use crate::state::State;

/// `{"status":"ok"}` when the database answers.
#[get("/healthz")]
pub async fn healthz(state: State) -> Result<HttpResponse, AppError> {
    state
        .db
        .run(|conn| crate::db::queries::settings::find_generation(conn).map_err(AppError::from))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({ "status": "ok" })))
}
