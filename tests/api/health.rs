use crate::helpers::{spawn_app, Backend};

async fn healthz_answers_ok_when_the_database_answers(backend: Backend) {
    let app = spawn_app(backend).await;
    let resp = app.get("/healthz").await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"status": "ok"}));
}

async fn unknown_routes_are_404(backend: Backend) {
    let app = spawn_app(backend).await;
    let resp = app.get("/nowhere").await;
    assert_eq!(resp.status(), 404);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
}

both_backends!(
    healthz_answers_ok_when_the_database_answers,
    unknown_routes_are_404
);
