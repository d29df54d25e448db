//! The Python tools some tests drive.

/// A Python venv (made once per run under target/, from PyPI) with the tools the suite
/// drives: openapi-spec-validator, schemathesis, Playwright (which uses Debian's Chromium,
/// never a downloaded browser) and pyotp (the browser tests' authenticator app).
pub fn venv_python() -> &'static str {
    static PYTHON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PYTHON.get_or_init(|| {
        use std::process::Command;
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("pyvenv");
        let python = dir.join("bin/python");
        let ready = Command::new(&python)
            .args([
                "-c",
                "import openapi_spec_validator, playwright, pyotp, schemathesis",
            ])
            .status()
            .is_ok_and(|s| s.success());
        if !ready {
            let made = Command::new("python3")
                .args(["-m", "venv"])
                .arg(&dir)
                .status()
                .expect("python3 is needed");
            assert!(
                made.success(),
                "could not create a venv at {}",
                dir.display()
            );
            let pip = Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "openapi-spec-validator==0.9.0",
                    "playwright==1.65.2",
                    "pyotp==2.12.0",
                    "schemathesis==4.32.5",
                ])
                .status()
                .expect("pip");
            assert!(
                pip.success(),
                "could not install the Python test tools from PyPI"
            );
        }
        python.display().to_string()
    })
}

/// A venv named `name` under target/ with `packages` from PyPI (pinned `pkg==version`),
/// made once per run: reused when `import` already succeeds in it.
pub fn python_with(name: &str, import: &str, packages: &[&str]) -> String {
    use std::process::Command;
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let python = dir.join("bin/python");
    let ready = Command::new(&python)
        .args(["-c", &format!("import {import}")])
        .status()
        .is_ok_and(|s| s.success());
    if !ready {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&dir)
            .status()
            .expect("python3 is needed");
        assert!(made.success(), "could not create {}", dir.display());
        let pip = Command::new(&python)
            .args(["-m", "pip", "install", "--quiet"])
            .args(packages)
            .status()
            .expect("pip");
        assert!(pip.success(), "could not install {packages:?} from PyPI");
    }
    python.display().to_string()
}

/// A small venv of its own (under target/, from PyPI) with `feedparser`, the reference
/// parser feed readers build on: the feed tests check Quire's Atom with it. Kept apart from
/// [`venv_python`] so these tests need neither Playwright nor schemathesis.
pub fn feedparser_python() -> &'static str {
    static PYTHON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PYTHON.get_or_init(|| python_with("feedvenv", "feedparser", &["feedparser==6.0.14"]))
}
