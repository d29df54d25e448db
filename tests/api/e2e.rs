//! Browser tests: the admin flow, the blog's story (SPEC §10) and two-factor sign-in (§12)
//! in headless Chromium (Debian's `/usr/bin/chromium`), driven by Playwright for Python
//! (installed from PyPI into a venv under target/; no browser download). `scripts/test`
//! installs Chromium when it is missing.

use std::process::Command;

use crate::helpers::{password_of, spawn_app, venv_python, Backend, TestApp, ADMIN_PASSWORD};

/// Runs `tests/e2e/{script}` with `args` (then a screenshot directory) in the venv's
/// Python, failing the test with its output unless it succeeds.
async fn run_browser_script(backend: Backend, script: &str, args: Vec<String>) {
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "browser tests need Debian's chromium: run ./scripts/test, which installs it"
    );
    let python = venv_python();
    let stem = script.trim_end_matches(".py");
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("e2e-{stem}-{backend:?}").to_lowercase());
    let script = format!("{}/tests/e2e/{script}", env!("CARGO_MANIFEST_DIR"));
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .args(args)
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
}

async fn admin_creates_grants_sees_and_revokes_a_role_in_a_browser(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("erin", &["user"]).await;
    let args = vec![app.address.clone(), ADMIN_PASSWORD.into(), "erin".into()];
    run_browser_script(backend, "admin_flow.py", args).await;
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

/// SPEC §10 in a browser: a contributor writes and submits, an editor sends back, the
/// contributor fixes and resubmits, the editor schedules, the scheduler publishes (on /,
/// the feed and the tag page), a reader comments and a moderator deletes the comment.
async fn a_post_goes_from_draft_through_review_to_the_blog_in_a_browser(backend: Backend) {
    let app = spawn_app(backend).await;
    let people = [
        ("con", "contributor"),
        ("ed", "editor"),
        ("rea", "user"),
        ("mod", "moderator"),
    ];
    for (name, role) in people {
        app.create_user(name, &[role]).await;
    }
    let passwords = people
        .iter()
        .map(|(name, _)| format!("{name}={}", password_of(name)))
        .collect::<Vec<_>>()
        .join(",");
    run_browser_script(
        backend,
        "blog_story.py",
        vec![app.address.clone(), passwords],
    )
    .await;
    // Each step went through the audited workflow, the publication in the scheduler's name.
    let audit = app.audit_actions().await;
    for (actor, action) in [
        ("ed", "post.schedule"),
        ("scheduler", "post.publish"),
        ("mod", "comment.delete"),
    ] {
        assert!(
            audit.iter().any(|(a, act, _)| a == actor && act == action),
            "{actor} {action}: {audit:?}"
        );
    }
    assert_published_once(&app).await;
}

/// SPEC §12 in a browser: a staff user enrols (the code computed from `#totp-secret` as an
/// authenticator app would), signs in with password + code, then with a recovery code, and
/// is refused when using that recovery code a second time.
async fn staff_enrol_and_sign_in_with_a_code_then_a_recovery_code_once_in_a_browser(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    app.create_user("sam", &["editor"]).await;
    let args = vec![app.address.clone(), "sam".into(), password_of("sam")];
    run_browser_script(backend, "two_factor.py", args).await;
    let audit = app.audit_actions().await;
    assert!(
        audit
            .iter()
            .any(|(a, act, _)| a == "sam" && act == "user.2fa_enable"),
        "{audit:?}"
    );
}

/// Exactly one `post.publish` event: the scheduler published the post once.
async fn assert_published_once(app: &TestApp) {
    let audit = app.audit_actions().await;
    let publishes = audit.iter().filter(|(_, act, _)| act == "post.publish");
    assert_eq!(publishes.count(), 1, "{audit:?}");
}

both_backends!(
    admin_creates_grants_sees_and_revokes_a_role_in_a_browser,
    a_post_goes_from_draft_through_review_to_the_blog_in_a_browser,
    staff_enrol_and_sign_in_with_a_code_then_a_recovery_code_once_in_a_browser,
);
