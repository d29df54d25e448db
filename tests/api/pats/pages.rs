//! `/admin/account` manages personal access tokens with CSRF forms; the secret is shown
//! once, on the answer to the create form.

use super::*;
use crate::helpers::password_of;
use crate::pages::{csrf_of, sign_in};

async fn account_page(browser: &reqwest::Client, app: &TestApp) -> String {
    let resp = browser.get(app.url("/admin/account")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    resp.text().await.unwrap()
}

async fn the_account_page_creates_lists_and_revokes_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["author"]).await;
    let browser = sign_in(&app, "ada", &password_of("ada")).await;
    let html = account_page(&browser, &app).await;
    assert!(html.contains("Personal access tokens"));
    assert!(
        html.contains("value=\"posts:create\""),
        "the caller's permissions are offered"
    );
    assert!(!html.contains("value=\"users:manage\""), "and only those");
    let csrf = csrf_of(&html);
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "laptop script"),
        ("expires_in_days", "10"),
        ("scopes", "posts:read"),
        ("scopes", "posts:create"),
    ];
    // Without the CSRF token nothing is made.
    let resp = browser
        .post(app.url("/admin/account/tokens"))
        .form(&form[1..])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = browser
        .post(app.url("/admin/account/tokens"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let shown = resp.text().await.unwrap();
    let start = shown.find("qpat_").expect("the secret is shown");
    let secret = shown[start..start + 49].to_owned();
    let (status, me) = app.call("GET", "/api/me", Some(&secret), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        me["effective_permissions"],
        json!(["posts:create", "posts:read"])
    );

    let html = account_page(&browser, &app).await;
    assert!(html.contains("laptop script"));
    assert!(html.contains("posts:create posts:read"));
    assert!(!html.contains(&secret), "shown once only");
    let id = {
        let (_, list) = app.call("GET", "/api/tokens", Some(&secret), None).await;
        list["items"][0]["id"].as_i64().unwrap()
    };
    let action = format!("/admin/account/tokens/{id}/revoke");
    assert!(html.contains(&action));
    let resp = browser
        .post(app.url(&action))
        .form(&[("csrf", csrf_of(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_invalid_token(&app, &secret, "revoked on the page").await;
    let html = account_page(&browser, &app).await;
    assert!(html.contains("The token was revoked."));
    assert!(!html.contains("laptop script"));
}

async fn the_account_page_refuses_scopes_beyond_the_caller(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["author"]).await;
    let browser = sign_in(&app, "ada", &password_of("ada")).await;
    let csrf = csrf_of(&account_page(&browser, &app).await);
    for (days, scope, message) in [
        ("10", "users:manage", "Not yours to grant: users:manage"),
        ("0", "posts:read", "expires_in_days"),
        ("ten", "posts:read", "Expires in"),
    ] {
        let resp = browser
            .post(app.url("/admin/account/tokens"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "x"),
                ("expires_in_days", days),
                ("scopes", scope),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303, "{scope} {days}");
        let html = account_page(&browser, &app).await;
        assert!(html.contains(message), "{message}");
    }
    let ada = app.token("ada", None).await.access_token;
    let (_, list) = app.call("GET", "/api/tokens", Some(&ada), None).await;
    assert_eq!(list["items"], json!([]));
}

both_backends!(
    the_account_page_creates_lists_and_revokes_tokens,
    the_account_page_refuses_scopes_beyond_the_caller,
);
