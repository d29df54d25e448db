//! The OpenAPI document: valid by a standard validator, oauth2 password flow over the
//! catalog, and every operation naming the scopes that satisfy it. Swagger UI offline.

use std::process::Command;

use serde_json::Value;

use crate::helpers::{spawn_app, venv_python, Backend, TestApp};

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
        "/.well-known/oauth-authorization-server",
        "/.well-known/jwks.json",
    ] {
        assert!(paths.contains_key(path), "{path} missing");
    }
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            if path == "/api/auth/token"
                || path == "/api/auth/register"
                || path.starts_with("/.well-known/")
            {
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
        &serde_json::json!([
            {"oauth2": ["posts:update"]},
            {"oauth2": ["posts:update_own"]},
            {"pat": ["posts:update"]},
            {"pat": ["posts:update_own"]},
        ])
    );
    // Personal access tokens (SPEC §11): a bearer scheme, offered wherever oauth2 is.
    let pat = &doc["components"]["securitySchemes"]["pat"];
    assert_eq!(pat["type"], "http");
    assert_eq!(pat["scheme"], "bearer");
    for (path, method) in [
        ("/api/tokens", "post"),
        ("/api/tokens", "get"),
        ("/api/tokens/{id}", "delete"),
        ("/api/auth/introspect", "post"),
    ] {
        assert!(
            paths[path][method]["security"].is_array(),
            "{method} {path}"
        );
    }
    assert_eq!(
        paths["/api/auth/introspect"]["post"]["security"],
        serde_json::json!([{"oauth2": ["users:read"]}, {"pat": ["users:read"]}])
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

/// Every success answer with a body documents its schema, so that schemathesis's
/// response_schema_conformance has something to check (the user, role and permission lists,
/// the revocation answer and `/api/me`'s extra fields were undocumented).
async fn every_success_body_has_a_documented_schema(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, response) in op["responses"].as_object().unwrap() {
                if !status.starts_with('2') || status == "204" {
                    continue;
                }
                let json = &response["content"]["application/json"]["schema"];
                assert!(json.is_object(), "{method} {path} {status}: {response}");
            }
        }
    }
    let me = &doc["components"]["schemas"]["MeView"];
    assert!(me.to_string().contains("effective_permissions"), "{me}");
}

/// The statuses an operation documents (the keys of its `responses`).
fn documented(doc: &Value, method: &str, path: &str) -> Vec<String> {
    doc["paths"][path][method]["responses"]
        .as_object()
        .unwrap_or_else(|| panic!("{method} {path} is not documented"))
        .keys()
        .cloned()
        .collect()
}

/// Sends `method uri` with the admin token and `body` as `content_type`; the answer must
/// be `expected` and documented for the operation at `path`, with the JSON error shape.
async fn answers_as_documented(
    app: &TestApp,
    doc: &Value,
    token: &str,
    (method, path, uri): (&str, &str, &str),
    body: Option<(&str, &str)>,
    expected: u16,
) {
    let verb = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let mut req = app.client.request(verb, app.url(uri)).bearer_auth(token);
    if let Some((content_type, raw)) = body {
        req = req
            .header("Content-Type", content_type)
            .body(raw.to_owned());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let json: Value = resp.json().await.unwrap_or(Value::Null);
    assert_eq!(status, expected, "{method} {uri}: {json}");
    assert!(
        json["error"].is_string() && json["message"].is_string(),
        "{method} {uri}: {json}"
    );
    let listed = documented(doc, method, path);
    assert!(
        listed.contains(&status.to_string()),
        "{method} {path} answered {status} but documents only {listed:?}"
    );
}

/// Schemathesis found these: the shared extractors answer malformed JSON (400), another
/// content type (415), a malformed query (400) and bad query values (422) on operations
/// whose documents did not list those statuses. Each operation with a JSON body is probed.
async fn extractor_errors_are_documented_statuses(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.admin_token().await.access_token;
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let mut with_json_body = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op["requestBody"]["content"]["application/json"].is_object() {
                with_json_body.push((method.clone(), path.clone()));
            }
        }
    }
    assert!(with_json_body.len() >= 8, "{with_json_body:?}");
    for (method, path) in &with_json_body {
        let uri = path
            .replace("{id}", "1")
            .replace("{name}", "user")
            .replace("{role}", "user");
        let op = (method.as_str(), path.as_str(), uri.as_str());
        let malformed = Some(("application/json", "{,"));
        answers_as_documented(&app, &doc, &token, op, malformed, 400).await;
        let other_type = Some(("text/plain", "title=x"));
        answers_as_documented(&app, &doc, &token, op, other_type, 415).await;
    }
    let queries = [
        ("get", "/api/posts", "/api/posts?cursor=not-a-cursor", 400),
        ("get", "/api/audit", "/api/audit?cursor=not-a-cursor", 400),
        ("get", "/api/audit", "/api/audit?limit=0", 422),
        ("get", "/api/audit", "/api/audit?outcome=maybe", 422),
        ("get", "/api/users", "/api/users?cursor=not-a-cursor", 400),
        (
            "delete",
            "/api/roles/{name}",
            "/api/roles/user?force=maybe",
            400,
        ),
        (
            "get",
            "/api/authz/explain",
            "/api/authz/explain?user=admin&action=post:read&post=99999999999999999999",
            400,
        ),
    ];
    for (method, path, uri, expected) in queries {
        answers_as_documented(&app, &doc, &token, (method, path, uri), None, expected).await;
    }
}

both_backends!(
    the_document_is_valid_and_documents_every_scope,
    swagger_ui_is_served_offline,
    extractor_errors_are_documented_statuses,
    every_success_body_has_a_documented_schema
);
