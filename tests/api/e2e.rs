//! Browser tests: the admin flow in headless Chromium (Debian's `/usr/bin/chromium`),
//! driven by Playwright for Python (installed from PyPI into a venv under target/; no
//! browser download). `scripts/test` installs Chromium when it is missing.

use std::process::Command;

use crate::helpers::{spawn_app, venv_python, Backend, ADMIN_PASSWORD};

async fn admin_creates_grants_sees_and_revokes_a_role_in_a_browser(backend: Backend) {
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "browser tests need Debian's chromium: run ./scripts/test, which installs it"
    );
    let python = venv_python();
    let app = spawn_app(backend).await;
    app.create_user("erin", &["user"]).await;
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("e2e-{backend:?}").to_lowercase());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/e2e/admin_flow.py");
    let address = app.address.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .args([address.as_str(), ADMIN_PASSWORD, "erin"])
            .arg(&shots)
            .output()
            .expect("run the browser test")
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "browser test failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The grant and the revocation went through the same audited operations as the API.
    let audit = app.audit_actions().await;
    for action in ["role.create", "role.grant", "role.revoke"] {
        assert!(
            audit
                .iter()
                .any(|(a, act, _)| a == "admin" && act == action),
            "{action}: {audit:?}"
        );
    }
}

both_backends!(admin_creates_grants_sees_and_revokes_a_role_in_a_browser);
