//! The whole code flow driven by a standard client: Authlib's `OAuth2Session` (from PyPI,
//! in a venv under target/) as the app, `requests` as the user's browser
//! (tests/e2e/code_flow.py), against the running server.

use std::process::Command;

use super::*;

fn authlib_python() -> &'static str {
    static PYTHON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PYTHON.get_or_init(|| {
        crate::helpers::venv::python_with(
            "authlib-venv",
            "authlib, requests",
            &["Authlib==1.6.5", "requests==2.32.3"],
        )
    })
}

async fn authlib_completes_the_code_flow_with_pkce(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    let client = register(&app, &[CALLBACK], &["posts:read", "posts:create"]).await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/e2e/code_flow.py");
    let (python, address) = (authlib_python().to_owned(), app.address.clone());
    let client_id = client.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .args([
                script,
                &address,
                &client_id,
                CALLBACK,
                "ada",
                &password_of("ada"),
                PUBLIC_URL,
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(seen["scope"], "posts:create posts:read");
    assert_eq!(seen["token_type"], "bearer");
    assert_eq!(
        (seen["me_status"].as_u64(), seen["after_status"].as_u64()),
        (Some(200), Some(200))
    );
    assert_eq!(seen["me_username"], "ada");
    assert_eq!(seen["refreshed"], true);
    let access = seen["access_token"].as_str().unwrap();
    assert_eq!(claims_of(access)["client_id"], client);
}

both_backends!(authlib_completes_the_code_flow_with_pkce);
