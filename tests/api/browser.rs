//! A browser for the session tests: the real login form, the real cookie, and a jar that
//! can be read, so a test can copy the cookie to a second client (the attacker who kept it).

use std::sync::Arc;

use reqwest::cookie::{CookieStore, Jar};

use crate::helpers::TestApp;
use crate::pages::csrf_of;

/// A browser with a cookie jar that can be read (to copy the cookie to an attacker).
pub struct Browser {
    pub client: reqwest::Client,
    jar: Arc<Jar>,
    base: String,
}

impl Browser {
    fn with_jar(base: &str, jar: Arc<Jar>) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar.clone())
            .build()
            .unwrap();
        Self {
            client,
            jar,
            base: base.to_owned(),
        }
    }

    /// Signs in through the login form of `app`.
    pub async fn sign_in(app: &TestApp, username: &str, password: &str) -> Self {
        let (b, status) = Self::try_sign_in(app, username, password).await;
        assert_eq!(status, 303, "sign in as {username}");
        b
    }

    /// The status the login form answers (303 signed in or sent to the code step, 401, 429).
    pub async fn sign_in_status(app: &TestApp, username: &str, password: &str) -> u16 {
        Self::try_sign_in(app, username, password).await.1
    }

    async fn try_sign_in(app: &TestApp, username: &str, password: &str) -> (Self, u16) {
        let b = Self::with_jar(&app.address, Arc::new(Jar::default()));
        let csrf = csrf_of(&b.page("/admin/login").await.1);
        let resp = b
            .client
            .post(b.url("/admin/login"))
            .form(&[
                ("username", username),
                ("password", password),
                ("csrf", &csrf),
            ])
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (b, status)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Another client holding a copy of this browser's cookie, speaking to `base` (this
    /// instance or another one on the same database).
    pub fn copy_to(&self, base: &str) -> Self {
        let url: reqwest::Url = self.base.parse().unwrap();
        let cookies = self.jar.cookies(&url).expect("a session cookie");
        let jar = Arc::new(Jar::default());
        let target: reqwest::Url = base.parse().unwrap();
        for pair in cookies.to_str().unwrap().split("; ") {
            jar.add_cookie_str(pair, &target);
        }
        Self::with_jar(base, jar)
    }

    pub async fn page(&self, path: &str) -> (u16, String) {
        let resp = self.client.get(self.url(path)).send().await.unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }

    /// `GET /api/me` through the cookie: the username when signed in, else `None`.
    pub async fn me(&self) -> Option<String> {
        let resp = self.client.get(self.url("/api/me")).send().await.unwrap();
        match resp.status().as_u16() {
            200 => {
                let me: serde_json::Value = resp.json().await.unwrap();
                assert_eq!(me["authenticated_by"], "session", "{me}");
                Some(me["username"].as_str().unwrap().to_owned())
            }
            401 => None,
            other => panic!("GET /api/me answered {other}"),
        }
    }

    /// The session's CSRF token, as a script in the page would get it.
    pub async fn csrf(&self) -> String {
        let me: serde_json::Value = self
            .client
            .get(self.url("/api/me"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        me["csrf_token"].as_str().expect("csrf_token").to_owned()
    }

    /// Posts a page form with the CSRF token of `from`; returns the status and `Location`.
    pub async fn submit(&self, from: &str, action: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let csrf = csrf_of(&self.page(from).await.1);
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let resp = self
            .client
            .post(self.url(action))
            .form(&form)
            .send()
            .await
            .unwrap();
        let location = resp
            .headers()
            .get("location")
            .map_or("", |v| v.to_str().unwrap());
        (resp.status().as_u16(), location.to_owned())
    }

    /// `PATCH /api/users/{id}` through the cookie, with the CSRF header.
    pub async fn patch_user(&self, id: i64, body: serde_json::Value) -> u16 {
        let csrf = self.csrf().await;
        let resp = self
            .client
            .patch(self.url(&format!("/api/users/{id}")))
            .header("X-CSRF-Token", csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        resp.status().as_u16()
    }
}
