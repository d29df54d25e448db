//! The OpenAPI document: valid by a standard validator, oauth2 password flow over the
//! catalog, and every operation naming the scopes that satisfy it. Swagger UI offline.

use std::process::Command;

use serde_json::Value;

use crate::helpers::{spawn_app, venv_python, Backend};

async fn the_document_is_valid_and_documents_every_scope(backend: Backend) {
    let app = spawn_app(backend).await;
    let resp = app.get("/api/openapi.json").await;
    assert_eq!(resp.status(), 200);
    let doc: Value = resp.json().await.unwrap();

    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), doc.to_string()).unwrap();
    let out = Command::new(venv_python())
        .args(["-m", "openapi_spec_validator", "--errors", "all"])
        .arg(file.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openapi-spec-validator: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    let flow = &doc["components"]["securitySchemes"]["oauth2"]["flows"]["password"];
    assert_eq!(flow["tokenUrl"], "/api/auth/token");
    let scopes = flow["scopes"].as_object().unwrap();
    for (name, description) in quire::authz::CATALOG {
        assert_eq!(scopes[*name], *description, "{name}");
    }
    // Every operation except the public token/register endpoints names its scopes, and
    // every scope it names is in the catalog.
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/posts",
        "/api/posts/{id}",
        "/api/auth/token",
        "/api/me",
        "/api/audit",
        "/api/authz/explain",
    ] {
        assert!(paths.contains_key(path), "{path} missing");
    }
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            if path == "/api/auth/token" || path == "/api/auth/register" {
                continue;
            }
            let security = op["security"]
                .as_array()
                .unwrap_or_else(|| panic!("{method} {path} has no security"));
            for requirement in security {
                for granted in requirement
                    .as_object()
                    .unwrap()
                    .values()
                    .flat_map(|v| v.as_array().unwrap())
                {
                    assert!(
                        scopes.contains_key(granted.as_str().unwrap()),
                        "{method} {path}: {granted}"
                    );
                }
            }
        }
    }
    let update = &paths["/api/posts/{id}"]["patch"]["security"];
    assert_eq!(
        update,
        &serde_json::json!([{"oauth2": ["posts:update"]}, {"oauth2": ["posts:update_own"]}])
    );
}

async fn swagger_ui_is_served_offline(backend: Backend) {
    let app = spawn_app(backend).await;
    let resp = app.get("/api/docs").await;
    assert_eq!(resp.status(), 308);
    assert_eq!(resp.headers()["location"], "/api/docs/");
    let resp = app.get("/api/docs/").await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    for asset in [
        "/api/docs/swagger-ui.css",
        "/api/docs/swagger-ui-bundle.js",
        "/api/docs/swagger-initializer.js",
    ] {
        let resp = app.get(asset).await;
        assert_eq!(resp.status(), 200, "{asset}");
        let body = resp.text().await.unwrap();
        assert!(
            !body.contains("unpkg.com") && !body.contains("cdn.jsdelivr"),
            "{asset} loads from the internet"
        );
    }
    let init = app
        .get("/api/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(init.contains("/api/openapi.json"), "{init}");
}

both_backends!(
    the_document_is_valid_and_documents_every_scope,
    swagger_ui_is_served_offline
);
