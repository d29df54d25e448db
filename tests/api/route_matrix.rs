//! The HTTP authorization matrix (STYLE "Tests"): for every route, the status an anonymous
//! caller, a token without the needed scope, a user lacking the permission and one holding
//! it get. It catches a route that forgot its guard, and a route added to the OpenAPI
//! document without a row here fails the test (so every new route gets one).
//!
//! The API's routes come from the served document (`/api/openapi.json`); the pages, which
//! it does not describe, from [`rows::PAGES`]. Every row acts on fixtures of its own
//! (`{post}`, `{user}`, … made fresh for it), so a holder's delete never disturbs another row.

mod rows;

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use crate::helpers::{password_of, spawn_app, Backend, TestApp, Tokens, ADMIN_PASSWORD};
use crate::pages::{browser, sign_in};
use rows::{Body, Row, API, PAGES};

/// Who asks, in the order of [`Row::expect`].
const PRINCIPALS: [&str; 4] = ["anonymous", "token without the scope", "lacking", "holder"];

/// The scope of a page row's narrow token: admin's, but nothing a page needs.
const PAGE_NARROW_SCOPE: &str = "comments:read";

/// `METHOD path` of every operation the served document lists, with the scopes that
/// satisfy it.
async fn documented(app: &TestApp) -> (Vec<String>, HashMap<String, BTreeSet<String>>) {
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let catalog = doc["components"]["securitySchemes"]["oauth2"]["flows"]["password"]["scopes"]
        .as_object()
        .expect("the oauth2 scopes")
        .keys()
        .cloned()
        .collect();
    let mut needs = HashMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            let scopes = op["security"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|req| req.as_object().unwrap().values())
                .flat_map(|v| v.as_array().unwrap())
                .map(|s| s.as_str().unwrap().to_owned())
                .collect();
            needs.insert(format!("{} {path}", method.to_uppercase()), scopes);
        }
    }
    (catalog, needs)
}

/// Fresh fixtures for one row: each placeholder in `text` becomes a new object made by
/// admin through the API.
struct Fixtures<'a> {
    app: &'a TestApp,
    admin: &'a str,
    values: HashMap<&'static str, String>,
    serial: usize,
}

impl<'a> Fixtures<'a> {
    async fn new(app: &'a TestApp, admin: &'a str, row: &Row, serial: usize) -> Self {
        let mut f = Self {
            app,
            admin,
            values: HashMap::new(),
            serial,
        };
        let text = format!("{} {}", row.path, row.body.text());
        if text.contains("{post}") || text.contains("{slug}") {
            let post = f.post("published").await;
            f.values.insert("{post}", post["id"].to_string());
            f.values
                .insert("{slug}", post["slug"].as_str().unwrap().to_owned());
        }
        if text.contains("{draft}") {
            let draft = f.post("draft").await;
            f.values.insert("{draft}", draft["id"].to_string());
        }
        if text.contains("{review}") {
            let draft = f.post("draft").await;
            let path = format!("/api/posts/{}/submit", draft["id"]);
            let review = f.admin_call("POST", &path, Value::Null).await;
            f.values.insert("{review}", review["id"].to_string());
        }
        if text.contains("{comment}") {
            let post = f.post("published").await;
            let path = format!("/api/posts/{}/comments", post["id"]);
            let body = serde_json::json!({"body": "a comment"});
            let comment = f.admin_call("POST", &path, body).await;
            f.values.insert("{comment}", comment["id"].to_string());
        }
        if text.contains("{user}") {
            let name = format!("fixture{serial}");
            let body = serde_json::json!({"username": name, "email": format!("{name}@example.com"),
                "password": password_of(&name), "roles": ["user"]});
            let user = f.admin_call("POST", "/api/users", body).await;
            f.values.insert("{user}", user["id"].to_string());
        }
        if text.contains("{role}") {
            let name = format!("fixture-role-{serial}");
            let body =
                serde_json::json!({"name": name, "permissions": ["posts:read"], "inherits": []});
            f.admin_call("POST", "/api/roles", body).await;
            f.values.insert("{role}", name);
        }
        f.values.insert("{n}", serial.to_string());
        f.values
            .insert("{admin_password}", ADMIN_PASSWORD.to_owned());
        f
    }

    async fn post(&mut self, status: &str) -> Value {
        self.serial += 1000;
        let title = format!("Matrix {} {status}", self.serial);
        let body = serde_json::json!({"title": title, "body": "text", "status": status});
        self.app.create_post(self.admin, body).await
    }

    async fn admin_call(&self, method: &str, path: &str, body: Value) -> Value {
        let (status, answer) = self
            .app
            .call(method, path, Some(self.admin), Some(body))
            .await;
        assert!(status < 300, "fixture {method} {path}: {status} {answer}");
        answer
    }

    fn fill(&self, text: &str) -> String {
        self.values
            .iter()
            .fold(text.to_owned(), |t, (k, v)| t.replace(k, v))
    }
}

/// How one principal sends a request: bearer token, browser session (with its CSRF
/// token for forms), or nothing.
enum Auth {
    None,
    Bearer(String),
    Session(reqwest::Client, String),
}

async fn send(
    app: &TestApp,
    auth: &Auth,
    method: &str,
    path: &str,
    body: &str,
    kind: &Body,
) -> u16 {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let client = match auth {
        Auth::Session(b, _) => b.clone(),
        _ => browser(),
    };
    let mut req = client.request(method, app.url(path));
    match auth {
        Auth::Bearer(t) => req = req.bearer_auth(t),
        Auth::Session(_, csrf) => req = req.header("X-CSRF-Token", csrf.as_str()),
        Auth::None => {}
    }
    match kind {
        Body::Empty => {}
        Body::Json(_) => {
            let json: Value = serde_json::from_str(body).expect("a row's JSON body");
            req = req.json(&json);
        }
        Body::Form(_) => {
            let mut form = body.to_owned();
            if let Auth::Session(_, csrf) = auth {
                form = format!("{form}&csrf={csrf}");
            }
            req = req
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(form);
        }
    }
    req.send().await.expect("request").status().as_u16()
}

/// The password of a matrix user (admin's comes from the configuration).
fn password(user: &str) -> String {
    if user == "admin" {
        ADMIN_PASSWORD.to_owned()
    } else {
        password_of(user)
    }
}

/// A signed-in browser for `name` and its CSRF token (from `GET /api/me`).
async fn session_of(app: &TestApp, name: &str) -> Auth {
    let b = sign_in(app, name, &password(name)).await;
    let me: Value = b
        .get(app.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let csrf = me["csrf_token"].as_str().expect("a session's CSRF token");
    Auth::Session(b, csrf.to_owned())
}

/// One password-grant token per (user, scope), asked for once.
struct TokenCache<'a> {
    app: &'a TestApp,
    by_key: HashMap<(String, String), String>,
}

impl TokenCache<'_> {
    /// A token for `user` narrowed to `scope` (all their permissions when empty).
    async fn get(&mut self, user: &str, scope: &str) -> String {
        let key = (user.to_owned(), scope.to_owned());
        if let Some(token) = self.by_key.get(&key) {
            return token.clone();
        }
        let password = password(user);
        let mut form = vec![("username", user), ("password", password.as_str())];
        if !scope.is_empty() {
            form.push(("scope", scope));
        }
        let resp = self.app.token_request(&form).await;
        assert_eq!(
            resp.status(),
            200,
            "a token for {user} with scope {scope:?}"
        );
        let token = resp.json::<Tokens>().await.unwrap().access_token;
        self.by_key.insert(key, token.clone());
        token
    }
}

async fn every_route_answers_each_principal_as_the_matrix_says(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("member", &["user"]).await;
    app.create_user("bare", &[]).await;
    let admin = app.admin_token().await.access_token;
    let (catalog, needs) = documented(&app).await;

    // Every documented operation has exactly one row, and every row one operation.
    let rows: BTreeSet<String> = API
        .iter()
        .map(|r| format!("{} {}", r.method, r.route))
        .collect();
    let documented: BTreeSet<String> = needs.keys().cloned().collect();
    let missing: Vec<_> = documented.difference(&rows).collect();
    assert!(
        missing.is_empty(),
        "routes in the OpenAPI document without a row: {missing:?}"
    );
    let stale: Vec<_> = rows.difference(&documented).collect();
    assert!(
        stale.is_empty(),
        "rows for routes the document no longer has: {stale:?}"
    );
    assert_eq!(rows.len(), API.len(), "a route has two rows");

    let mut tokens = TokenCache {
        app: &app,
        by_key: HashMap::new(),
    };
    let mut failures = Vec::new();
    for (serial, (row, api)) in API
        .iter()
        .map(|r| (r, true))
        .chain(PAGES.iter().map(|r| (r, false)))
        .enumerate()
    {
        let fixtures = Fixtures::new(&app, &admin, row, serial).await;
        let path = fixtures.fill(row.path);
        let body = fixtures.fill(row.body.text());
        let narrow_scope = if api {
            let needed = &needs[&format!("{} {}", row.method, row.route)];
            let rest: Vec<&str> = catalog
                .iter()
                .filter(|s| !needed.contains(*s))
                .map(String::as_str)
                .collect();
            rest.join(" ")
        } else {
            PAGE_NARROW_SCOPE.to_owned()
        };
        // API rows ask with bearer tokens; page rows with browser sessions, except the
        // narrowed token (a session has no scopes to narrow).
        let mut auths = vec![
            Auth::None,
            Auth::Bearer(tokens.get("admin", &narrow_scope).await),
        ];
        for user in [row.lacking, row.holder] {
            auths.push(if api {
                Auth::Bearer(tokens.get(user, "").await)
            } else {
                session_of(&app, user).await
            });
        }
        for (i, auth) in auths.iter().enumerate() {
            let got = send(&app, auth, row.method, &path, &body, &row.body).await;
            if got != row.expect[i] {
                failures.push(format!(
                    "{} {} as {} ({}): expected {}, got {got}",
                    row.method, path, PRINCIPALS[i], row.route, row.expect[i]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

both_backends!(every_route_answers_each_principal_as_the_matrix_says);
