//! SPEC H12: NUL, other C0 control characters and DEL are refused before any query — 400
//! for query and path parameters, 422 naming the field for JSON bodies and admin forms,
//! 400 `invalid_request` naming the field at the OAuth endpoints — and bidirectional
//! overrides in names and titles; emails are unique whatever their case.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, Backend, TestApp, ADMIN_PASSWORD};
use crate::pages::{csrf_of, sign_in};

#[derive(Clone, Copy)]
enum Body<'a> {
    None,
    Json(&'a str),
    Form(&'a str),
}

/// What a refusal must say: a status and, for a 4xx naming something, what it names.
#[derive(Clone, Copy, Debug)]
enum Want<'a> {
    /// 400 `bad_request` whose message names the parameter (or "path").
    Query(&'a str),
    /// 422 with `fields.<name>`.
    Field(&'a str),
    /// 400 `invalid_request` whose description names the field.
    OAuth(&'a str),
    /// Accepted with this status.
    Ok(u16),
}

async fn send(
    client: &reqwest::Client,
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Body<'_>,
) -> (u16, String) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = client.request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req = match body {
        Body::None => req,
        Body::Json(raw) => req
            .header("content-type", "application/json")
            .body(raw.to_owned()),
        Body::Form(raw) => req
            .header("content-type", "application/x-www-form-urlencoded")
            .body(raw.to_owned()),
    };
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

fn check(case: &str, status: u16, text: &str, want: Want<'_>) {
    assert!(status < 500, "{case}: {status} {text}");
    let json: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    match want {
        Want::Query(name) => {
            assert_eq!(status, 400, "{case}: {text}");
            if !json.is_null() {
                assert_eq!(json["error"], "bad_request", "{case}");
                assert!(
                    json["message"].as_str().unwrap().contains(name),
                    "{case}: {text}"
                );
            } else {
                assert!(text.contains(name), "{case}: an HTML page naming {name}");
            }
        }
        Want::Field(name) => {
            assert_eq!(status, 422, "{case}: {text}");
            if !json.is_null() {
                assert!(json["fields"][name].is_array(), "{case}: {text}");
            } else {
                assert!(text.contains(name), "{case}: an HTML page naming {name}");
            }
        }
        Want::OAuth(name) => {
            assert_eq!(status, 400, "{case}: {text}");
            assert_eq!(json["error"], "invalid_request", "{case}");
            let description = json["error_description"].as_str().unwrap();
            assert!(description.contains(&format!("`{name}`")), "{case}: {text}");
        }
        Want::Ok(expected) => assert_eq!(status, expected, "{case}: {text}"),
    }
}

/// Requests that carry a control character, one a line:
/// `METHOD PATH | CALLER | BODY | EXPECTED`, where CALLER is `admin`, `wri` or `-`, BODY
/// is `-`, `json:…` or `form:…`, and EXPECTED is `query NAME` (400 `bad_request` naming the
/// parameter, or `path`), `field NAME` (422 naming it), `oauth NAME` (400
/// `invalid_request` naming it) or `ok STATUS`. `{p}`, `{c}`, `{u}` are a post, a comment
/// and a user.
const CASES: &str = r#"
GET /api/posts?author=a%00b | wri | - | query author
GET /api/posts?status=%01 | wri | - | query status
GET /api/posts?cursor=%7F | wri | - | query cursor
GET {p}/comments?cursor=a%1Fb | wri | - | query cursor
GET /api/users?q=%00 | admin | - | query q
GET /api/audit?action=a%00b | admin | - | query action
GET /api/audit?actor=%0A | admin | - | query actor
GET /api/authz/explain?user=a%00b&action=post:read | admin | - | query user
GET /?cursor=%00 | - | - | query cursor
GET /admin/users?q=%09 | - | - | query q
GET /api/roles/a%00b | admin | - | query path
GET /p/a%00b | - | - | query path
GET /api/posts/1%00 | wri | - | query path
PUT {u}/roles/a%00b | admin | - | query path
DELETE /api/roles/%1b | admin | - | query path
GET /admin/roles/a%00b | - | - | query path
POST /api/posts | wri | json:{"title":"a\u0000b","body":"x"} | field title
POST /api/posts | wri | json:{"title":"t","body":"a\u0001"} | field body
POST /api/posts | wri | json:{"title":"t","body":"x","slug":"a\u0000"} | field slug
POST /api/posts | wri | json:{"title":"t","body":"x","status":"draft\u0000"} | field status
PATCH {p} | wri | json:{"title":"\u0007"} | field title
POST {p}/comments | wri | json:{"body":"\u0000"} | field body
PATCH {c} | wri | json:{"body":"a\u007fb"} | field body
POST /api/users | admin | json:{"username":"ad\u0000min","email":"x@example.com","password":"password-1"} | field username
POST /api/users | admin | json:{"username":"newbie","email":"x\u0000@example.com","password":"password-1"} | field email
POST /api/users | admin | json:{"username":"newbie","email":"x@example.com","password":"pass\u0000word"} | field password
POST /api/users | admin | json:{"username":"newbie","email":"x@example.com","password":"password-1","roles":["user\u0000"]} | field roles
PATCH {u} | admin | json:{"display_name":"a\u0000b"} | field display_name
PATCH {u} | admin | json:{"email":"a@b.c\u0000"} | field email
PUT {u}/roles/editor | admin | json:{"expires_at":"2030-01-01T00:00:00Z\u0000"} | field expires_at
POST /api/roles | admin | json:{"name":"a\u0000","permissions":[],"inherits":[]} | field name
POST /api/roles | admin | json:{"name":"ok","description":"a\u0000","permissions":[],"inherits":[]} | field description
POST /api/roles | admin | json:{"name":"ok","permissions":["posts:read\u0000"],"inherits":[]} | field permissions
POST /api/roles | admin | json:{"name":"ok","permissions":[],"inherits":["user\u0000"]} | field inherits
PATCH /api/roles/editor | admin | json:{"description":"\u0000"} | field description
POST /api/auth/register | - | json:{"username":"a\u0000b","email":"r@example.com","password":"password-1"} | field username
POST /api/auth/token | - | form:username=ad%00min&password=x | oauth username
POST /api/auth/token | - | form:username=admin&password=pass%00word | oauth password
POST /api/auth/token | - | form:grant_type=refresh_token&refresh_token=%00 | oauth refresh_token
POST /api/auth/token | - | form:username=admin&password=x&scope=posts:read%0A | oauth scope
POST /api/auth/token | - | form:grant_type=pass%00word | oauth grant_type
POST /api/auth/revoke | wri | form:token=a%00b | oauth token
POST /api/roles | admin | json:{"name":"multi","description":"one\r\ntwo\tthree","permissions":[],"inherits":[]} | ok 201
POST /api/posts | wri | json:{"title":"Lines","body":"one\r\ntwo\tthree"} | ok 201
"#;

/// One line of [`CASES`]: (method, path, caller, body, expected).
fn parse_case(line: &str) -> (&str, &str, &str, Body<'_>, Want<'_>) {
    let parts: Vec<&str> = line.split(" | ").collect();
    let (method, path) = parts[0].split_once(' ').unwrap();
    let body = match parts[2] {
        "-" => Body::None,
        b if b.starts_with("json:") => Body::Json(&b[5..]),
        b => Body::Form(b.strip_prefix("form:").expect("a body kind")),
    };
    let (kind, arg) = parts[3].split_once(' ').unwrap();
    let want = match kind {
        "query" => Want::Query(arg),
        "field" => Want::Field(arg),
        "oauth" => Want::OAuth(arg),
        _ => Want::Ok(arg.parse().unwrap()),
    };
    (method, path, parts[1], body, want)
}

async fn control_characters_are_refused_on_every_route_family(backend: Backend) {
    let app = spawn_app(backend).await;
    let uid = app.create_user("wri", &["author"]).await;
    let admin = app.admin_token().await.access_token;
    let wri = app.token("wri", None).await.access_token;
    let published = json!({"title": "Hello", "body": "text", "status": "published"});
    let post = app.create_post(&wri, published).await["id"]
        .as_i64()
        .unwrap();
    let on_post = format!("/api/posts/{post}/comments");
    let (_, comment) = app
        .call("POST", &on_post, Some(&wri), Some(json!({"body": "c"})))
        .await;
    let comment = comment["id"].as_i64().unwrap();
    for line in CASES.lines().filter(|l| !l.is_empty()) {
        let (method, path, caller, body, want) = parse_case(line);
        let path = path
            .replace("{p}", &format!("/api/posts/{post}"))
            .replace("{c}", &format!("/api/comments/{comment}"))
            .replace("{u}", &format!("/api/users/{uid}"));
        let token = match caller {
            "admin" => Some(admin.as_str()),
            "wri" => Some(wri.as_str()),
            _ => None,
        };
        let (status, text) = send(&app.client, &app, method, &path, token, body).await;
        check(line, status, &text, want);
    }
    // Nothing refused was written: the author's posts are the two accepted, one role more.
    let (_, posts) = app
        .call("GET", "/api/posts?limit=100", Some(&wri), None)
        .await;
    let titles: Vec<&str> = posts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Lines", "Hello"]);
    let (_, roles) = app.call("GET", "/api/roles", Some(&admin), None).await;
    assert_eq!(roles["items"].as_array().map_or(0, Vec::len), 8, "{roles}");
}

async fn admin_forms_name_the_refused_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = sign_in(&app, "admin", ADMIN_PASSWORD).await;
    let html = browser
        .get(app.url("/admin/roles"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&html);
    let cases = [
        (
            "/admin/roles",
            format!("csrf={csrf}&name=a%00b&description=x"),
            Want::Field("name"),
        ),
        (
            "/admin/roles",
            format!("csrf={csrf}&name=ok&description=a%07b"),
            Want::Field("description"),
        ),
        (
            "/admin/roles/editor",
            format!("csrf={csrf}&description=x&permissions=posts:read%00"),
            Want::Field("permissions"),
        ),
        (
            "/admin/users/1/grant",
            format!("csrf={csrf}&role=editor%00"),
            Want::Field("role"),
        ),
        (
            "/admin/roles",
            format!("csrf={csrf}&name=lined&description=one%0D%0Atwo%09three"),
            Want::Ok(303),
        ),
    ];
    for (path, form, want) in cases {
        let (status, text) = send(&browser, &app, "POST", path, None, Body::Form(&form)).await;
        check(&format!("POST {path} {form}"), status, &text, want);
    }
    // The sign-in form too, before any account is looked up.
    let anonymous = crate::pages::browser();
    let html = anonymous
        .get(app.url("/admin/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form = format!("csrf={}&username=ad%00min&password=x", csrf_of(&html));
    let (status, text) = send(
        &anonymous,
        &app,
        "POST",
        "/admin/login",
        None,
        Body::Form(&form),
    )
    .await;
    check("POST /admin/login", status, &text, Want::Field("username"));
}

async fn bidi_overrides_are_refused_in_names_and_titles(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("wri", &["author"]).await;
    let admin = app.admin_token().await.access_token;
    let wri = app.token("wri", None).await.access_token;
    let uid = app.create_user("other", &["user"]).await;
    let (a, w) = (Some(admin.as_str()), Some(wri.as_str()));
    let cases: Vec<(&str, String, Option<&str>, Value, &str)> = vec![
        (
            "POST",
            "/api/posts".into(),
            w,
            json!({"title": "a\u{202e}b", "body": "x"}),
            "title",
        ),
        (
            "POST",
            "/api/posts".into(),
            w,
            json!({"title": "\u{2066}isolate\u{2069}", "body": "x"}),
            "title",
        ),
        (
            "POST",
            "/api/users".into(),
            a,
            json!({"username": "a\u{202d}b", "email": "b@example.com", "password": "password-1"}),
            "username",
        ),
        (
            "POST",
            "/api/users".into(),
            a,
            json!({"username": "newbie", "email": "b@example.com", "password": "password-1", "display_name": "x\u{202a}"}),
            "display_name",
        ),
        (
            "PATCH",
            format!("/api/users/{uid}"),
            a,
            json!({"display_name": "\u{2067}evil"}),
            "display_name",
        ),
        (
            "POST",
            "/api/roles".into(),
            a,
            json!({"name": "r\u{202e}", "permissions": [], "inherits": []}),
            "name",
        ),
    ];
    for (method, path, token, body, field) in cases {
        let (status, err) = app.call(method, &path, token, Some(body.clone())).await;
        assert_eq!(status, 422, "{method} {path} {body}: {err}");
        assert!(err["fields"][field].is_array(), "{method} {path}: {err}");
    }
    // In bodies they are text like any other.
    let made = app
        .create_post(
            &wri,
            json!({"title": "RTL", "body": "a \u{202e}reversed\u{202c} word"}),
        )
        .await;
    assert_eq!(made["body"], "a \u{202e}reversed\u{202c} word");
}

async fn emails_are_unique_whatever_their_case(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["user"]).await;
    let admin = app.admin_token().await.access_token;
    for email in ["ADA@example.com", "Ada@Example.COM"] {
        let body = json!({"username": "ada2", "email": email, "password": "password-1"});
        let (status, err) = app
            .call("POST", "/api/users", Some(&admin), Some(body))
            .await;
        assert_eq!(status, 409, "{email}: {err}");
        assert_eq!(err["message"], "email is already taken", "{email}");
    }
    let other = app.create_user("bea", &["user"]).await;
    let (status, err) = app
        .call(
            "PATCH",
            &format!("/api/users/{other}"),
            Some(&admin),
            Some(json!({"email": "aDa@EXAMPLE.com"})),
        )
        .await;
    assert_eq!(status, 409, "{err}");
    assert_eq!(err["message"], "email is already taken");
}

both_backends!(
    control_characters_are_refused_on_every_route_family,
    admin_forms_name_the_refused_field,
    bidi_overrides_are_refused_in_names_and_titles,
    emails_are_unique_whatever_their_case,
);
