//! New recovery codes on `/admin/account/2fa` (SPEC §12's recovery codes, issue 19): they
//! need a current code or a recovery code, are shown once, and the old ones stop working.

use crate::browser::Browser;
use crate::helpers::{password_of, spawn_app, Backend};
use crate::twofactor::{between, code, enrol, post, sign_in_with};

const PAGE: &str = "/admin/account/2fa";
const ACTION: &str = "/admin/account/2fa/recovery-codes";

/// The codes of a recovery-codes page.
fn codes_of(html: &str) -> Vec<String> {
    let list = between(html, "id=\"recovery-codes\"", "</ul>");
    let codes: Vec<String> = list
        .split("<code>")
        .skip(1)
        .map(|c| c.split('<').next().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10, "{list}");
    codes
}

/// Asks for new recovery codes with `factor`: the ten new ones.
async fn renew(b: &Browser, factor: &str) -> Vec<String> {
    let (status, _, html) = post(b, PAGE, ACTION, &[("code", factor)]).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("New recovery codes"), "{html}");
    codes_of(&html)
}

async fn new_recovery_codes_need_a_code_and_replace_the_old_ones(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("erin", &["user"]).await;
    let b = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    let (secret, first) = enrol(&b).await;
    assert!(b.page(PAGE).await.1.contains(ACTION), "the form is offered");

    // A wrong code changes nothing: the first codes still work (one of them is the factor).
    let (status, location, _) = post(&b, PAGE, ACTION, &[("code", "000000")]).await;
    assert_eq!((status, location.as_str()), (303, PAGE));
    let second = renew(&b, &first[1]).await;
    // A current code from the app works too.
    let third = renew(&b, &code(&secret, 1)).await;
    for set in [&first, &second] {
        assert!(set.iter().all(|c| !third.contains(c)), "all new codes");
    }
    // Shown once: the page does not list them again.
    let page = b.page(PAGE).await.1;
    assert!(!page.contains("id=\"recovery-codes\"") && !page.contains(&third[0]));
    let renewals = app.audit_actions().await;
    let renewals = renewals
        .iter()
        .filter(|(a, act, _)| a == "erin" && act == "user.2fa_recovery_codes");
    assert_eq!(renewals.count(), 2);

    // The earlier codes stopped working; the newest sign in.
    for old in [&first[2], &second[0]] {
        let (b, status, _) = sign_in_with(&app, "erin", old).await;
        assert_eq!(status, 401, "{old} is no longer a recovery code");
        assert_eq!(b.me().await, None);
    }
    let (signed, status, _) = sign_in_with(&app, "erin", &third[0]).await;
    assert_eq!(status, 303);
    assert_eq!(signed.me().await.as_deref(), Some("erin"));
}

async fn without_two_factor_there_are_no_recovery_codes_to_renew(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("erin", &["user"]).await;
    let b = Browser::sign_in(&app, "erin", &password_of("erin")).await;
    let (status, location, _) = post(&b, PAGE, ACTION, &[("code", "000000")]).await;
    assert_eq!((status, location.as_str()), (303, PAGE));
    assert!(!app
        .audit_actions()
        .await
        .iter()
        .any(|(_, act, _)| act == "user.2fa_recovery_codes"));
}

both_backends!(
    new_recovery_codes_need_a_code_and_replace_the_old_ones,
    without_two_factor_there_are_no_recovery_codes_to_renew,
);
