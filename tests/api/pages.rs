//! Admin and public pages over HTTP: sessions, CSRF, redirects, permission pages, headers.

use serde_json::json;

use crate::helpers::{password_of, spawn_app, spawn_app_with, Backend, TestApp, ADMIN_PASSWORD};

mod admin;
mod editor;
mod login;
mod post_pages;
mod reader;

/// A browser: its own cookie jar, no redirects followed.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

/// `text` shows as text: its `<` and `>` are escaped (as named or numeric entities).
pub fn shows_escaped(html: &str, text: &str) -> bool {
    let named = text.replace('<', "&lt;").replace('>', "&gt;");
    let numeric = text.replace('<', "&#60;").replace('>', "&#62;");
    !html.contains(text) && (html.contains(&named) || html.contains(&numeric))
}

pub fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[start..start + 64].to_owned()
}

/// Signs in through the login form; returns the browser.
pub async fn sign_in(app: &TestApp, username: &str, password: &str) -> reqwest::Client {
    let b = browser();
    let page = b
        .get(app.url("/admin/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let resp = b
        .post(app.url("/admin/login"))
        .form(&[
            ("username", username),
            ("password", password),
            ("csrf", &csrf),
            ("next", "/admin"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303, "sign in as {username}");
    b
}

async fn page(b: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let resp = b.get(app.url(path)).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}
