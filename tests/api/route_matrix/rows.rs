//! The matrix's rows: `expect` is `[anonymous, token without the scope, lacking, holder]`.
//!
//! "Token without the scope" is admin's token narrowed to every catalog scope except those
//! the document names for the operation (for pages: `comments:read` only). "Lacking" is
//! `member` (role `user`) or `bare` (no role at all, for what `user` may do); "holder" is
//! admin. API rows use bearer tokens; page rows use signed-in browser sessions for the
//! last two (forms carry the session's CSRF token).
//!
//! Placeholders get fresh fixtures per row: `{post}` (published, by admin) and its `{slug}`,
//! `{draft}`, `{review}` (admin's, submitted for review), `{comment}` (admin's, on a published post), `{user}` (role `user`), `{role}`
//! (custom), `{n}` (a number unique to the row), `{admin_password}`.

/// What a row sends.
pub enum Body {
    Empty,
    Json(&'static str),
    /// `application/x-www-form-urlencoded`, already encoded.
    Form(&'static str),
}

impl Body {
    pub fn text(&self) -> &'static str {
        match self {
            Body::Empty => "",
            Body::Json(s) | Body::Form(s) => s,
        }
    }
}

pub struct Row {
    pub method: &'static str,
    /// The route as the OpenAPI document (or the page list) names it.
    pub route: &'static str,
    /// The path sent, with placeholders.
    pub path: &'static str,
    pub body: Body,
    pub lacking: &'static str,
    pub holder: &'static str,
    pub expect: [u16; 4],
}

const fn row(
    method: &'static str,
    route: &'static str,
    path: &'static str,
    body: Body,
    lacking: &'static str,
    expect: [u16; 4],
) -> Row {
    Row {
        method,
        route,
        path,
        body,
        lacking,
        holder: "admin",
        expect,
    }
}

use Body::{Empty, Form, Json};

/// One row per operation of the OpenAPI document (checked by the test).
#[rustfmt::skip]
pub const API: &[Row] = &[
    // Public: the token endpoint answers the same to everyone with the same form. Closed
    // registration (the default) is 403 for everyone.
    row("POST", "/api/auth/token", "/api/auth/token", Form("grant_type=password&username=admin&password={admin_password}"), "bare", [200, 200, 200, 200]),
    row("POST", "/api/auth/revoke", "/api/auth/revoke", Form("token=not-a-token"), "bare", [401, 200, 200, 200]),
    row("POST", "/api/auth/register", "/api/auth/register", Json(r#"{"username":"reg{n}","email":"reg{n}@example.com","password":"a-long-password"}"#), "bare", [403, 403, 403, 403]),
    row("GET", "/api/me", "/api/me", Empty, "bare", [401, 200, 200, 200]),
    // Introspection needs users:read; an unknown token is `{"active": false}` (200).
    row("POST", "/api/auth/introspect", "/api/auth/introspect", Form("token=not-a-token"), "member", [401, 403, 403, 200]),
    // Discovery is public.
    row("GET", "/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server", Empty, "bare", [200, 200, 200, 200]),
    row("GET", "/.well-known/jwks.json", "/.well-known/jwks.json", Empty, "bare", [200, 200, 200, 200]),
    // PATs need a sign-in; the scopes must lie within the request's permissions (`bare`
    // holds none: 400 invalid_scope). Deleting someone else's or no token is 404.
    row("POST", "/api/tokens", "/api/tokens", Json(r#"{"name":"t{n}","scopes":["posts:read"],"expires_in_days":7}"#), "bare", [401, 201, 400, 201]),
    row("GET", "/api/tokens", "/api/tokens", Empty, "bare", [401, 200, 200, 200]),
    row("DELETE", "/api/tokens/{id}", "/api/tokens/999999", Empty, "bare", [401, 404, 404, 404]),
    // Clients need a request that holds `*`. The document names no scope for them (`*` is
    // no catalog name), so the "narrowed" token here is admin's whole catalog: it holds `*`.
    row("POST", "/api/clients", "/api/clients", Json(r#"{"name":"App {n}","redirect_uris":["https://app.example/cb"],"scopes":["posts:read"]}"#), "member", [401, 201, 403, 201]),
    row("GET", "/api/clients", "/api/clients", Empty, "member", [401, 200, 403, 200]),
    row("GET", "/api/clients/{client_id}", "/api/clients/no-such-client", Empty, "member", [401, 404, 403, 404]),
    row("DELETE", "/api/clients/{client_id}", "/api/clients/no-such-client", Empty, "member", [401, 404, 403, 404]),
    row("GET", "/api/permissions", "/api/permissions", Empty, "member", [401, 403, 403, 200]),
    row("GET", "/api/authz/explain", "/api/authz/explain?user=admin&action=post:read&post={post}", Empty, "member", [401, 403, 403, 200]),
    row("GET", "/api/audit", "/api/audit", Empty, "member", [401, 403, 403, 200]),
    row("GET", "/api/posts", "/api/posts", Empty, "bare", [200, 403, 403, 200]),
    row("GET", "/api/tags", "/api/tags", Empty, "bare", [200, 403, 403, 200]),
    row("POST", "/api/posts", "/api/posts", Json(r#"{"title":"New {n}","body":"text"}"#), "bare", [401, 403, 403, 201]),
    row("GET", "/api/posts/{id}", "/api/posts/{post}", Empty, "bare", [200, 403, 403, 200]),
    // `member` may edit only their own posts: admin's published post is readable → 403.
    row("PATCH", "/api/posts/{id}", "/api/posts/{post}", Json(r#"{"title":"Changed"}"#), "member", [401, 403, 403, 200]),
    row("DELETE", "/api/posts/{id}", "/api/posts/{post}", Empty, "member", [401, 403, 403, 204]),
    // Someone else's draft is not even readable for `member`: 404, its existence hidden.
    row("POST", "/api/posts/{id}/publish", "/api/posts/{draft}/publish", Empty, "member", [401, 403, 404, 200]),
    row("POST", "/api/posts/{id}/unpublish", "/api/posts/{post}/unpublish", Empty, "member", [401, 403, 403, 200]),
    // Only an owner submits; admin's draft is not readable for `member`: 404.
    row("POST", "/api/posts/{id}/submit", "/api/posts/{draft}/submit", Empty, "member", [401, 403, 404, 200]),
    // Sending back needs `posts:publish`, which `member` lacks whatever the post.
    row("POST", "/api/posts/{id}/reject", "/api/posts/{review}/reject", Json(r#"{"note":"Needs a source."}"#), "member", [401, 403, 403, 200]),
    row("GET", "/api/posts/{id}/comments", "/api/posts/{post}/comments", Empty, "bare", [200, 403, 403, 200]),
    row("POST", "/api/posts/{id}/comments", "/api/posts/{post}/comments", Json(r#"{"body":"hello"}"#), "bare", [401, 403, 403, 201]),
    row("PATCH", "/api/comments/{id}", "/api/comments/{comment}", Json(r#"{"body":"edited"}"#), "member", [401, 403, 403, 200]),
    row("DELETE", "/api/comments/{id}", "/api/comments/{comment}", Empty, "member", [401, 403, 403, 204]),
    row("GET", "/api/users", "/api/users", Empty, "member", [401, 403, 403, 200]),
    row("POST", "/api/users", "/api/users", Json(r#"{"username":"made{n}","email":"made{n}@example.com","password":"a-long-password"}"#), "member", [401, 403, 403, 201]),
    row("GET", "/api/users/{id}", "/api/users/{user}", Empty, "member", [401, 403, 403, 200]),
    row("PATCH", "/api/users/{id}", "/api/users/{user}", Json(r#"{"display_name":"Renamed"}"#), "member", [401, 403, 403, 200]),
    row("PUT", "/api/users/{id}/roles/{role}", "/api/users/{user}/roles/editor", Json("{}"), "member", [401, 403, 403, 201]),
    row("DELETE", "/api/users/{id}/roles/{role}", "/api/users/{user}/roles/user", Empty, "member", [401, 403, 403, 204]),
    // The fixture user has no two-factor to reset: 404 for the holder.
    row("DELETE", "/api/users/{id}/2fa", "/api/users/{user}/2fa", Empty, "member", [401, 403, 403, 404]),
    row("GET", "/api/roles", "/api/roles", Empty, "member", [401, 403, 403, 200]),
    row("POST", "/api/roles", "/api/roles", Json(r#"{"name":"made-{n}","permissions":["posts:read"],"inherits":[]}"#), "member", [401, 403, 403, 201]),
    row("GET", "/api/roles/{name}", "/api/roles/{role}", Empty, "member", [401, 403, 403, 200]),
    row("PATCH", "/api/roles/{name}", "/api/roles/{role}", Json(r#"{"description":"changed"}"#), "member", [401, 403, 403, 200]),
    row("DELETE", "/api/roles/{name}", "/api/roles/{role}", Empty, "member", [401, 403, 403, 204]),
];

/// Every route outside the OpenAPI document (the pages, health, static files, the
/// document itself and Swagger UI). Forms are for browser sessions: a bearer token carries
/// no session, so its POST fails the CSRF check (403) before anything else.
#[rustfmt::skip]
pub const PAGES: &[Row] = &[
    row("GET", "/", "/", Empty, "bare", [200, 200, 200, 200]),
    // A caller whose permissions (or token) lack `posts:read` cannot read the post: a page
    // answers 404 for it, as for a post that does not exist.
    row("GET", "/p/{slug}", "/p/{slug}", Empty, "bare", [200, 404, 404, 200]),
    // The fixtures carry no tags: a tag page exists only while a post carries its tag.
    row("GET", "/t/{tag}", "/t/no-such-tag", Empty, "bare", [404, 404, 404, 404]),
    // Callers who may read nothing get an empty feed and sitemap, not an error.
    row("GET", "/feed.atom", "/feed.atom", Empty, "bare", [200, 200, 200, 200]),
    row("GET", "/sitemap.xml", "/sitemap.xml", Empty, "bare", [200, 200, 200, 200]),
    // The reader's forms: signed in (by session) to comment; registration is closed here.
    row("POST", "/p/{slug}/comments", "/p/{slug}/comments", Form("body=hi"), "bare", [303, 403, 403, 303]),
    row("POST", "/comments/{id}/{action}", "/comments/{comment}/edit", Form("body=changed"), "member", [303, 403, 403, 303]),
    row("GET", "/login", "/login", Empty, "bare", [200, 303, 303, 303]),
    row("POST", "/login", "/login", Form("username=admin&password={admin_password}"), "bare", [403, 403, 303, 303]),
    row("POST", "/logout", "/logout", Form(""), "bare", [303, 403, 303, 303]),
    row("GET", "/register", "/register", Empty, "bare", [404, 404, 404, 404]),
    row("POST", "/register", "/register", Form("username=x&email=x@example.com&password=long-enough"), "bare", [404, 404, 404, 404]),
    row("GET", "/healthz", "/healthz", Empty, "bare", [200, 200, 200, 200]),
    row("GET", "/static/quire.css", "/static/quire.css", Empty, "bare", [200, 200, 200, 200]),
    row("GET", "/api/openapi.json", "/api/openapi.json", Empty, "bare", [200, 200, 200, 200]),
    row("GET", "/api/docs", "/api/docs", Empty, "bare", [308, 308, 308, 308]),
    row("GET", "/api/docs/{_:.*}", "/api/docs/", Empty, "bare", [200, 200, 200, 200]),
    row("GET", "/admin", "/admin", Empty, "bare", [303, 200, 200, 200]),
    row("GET", "/admin/login", "/admin/login", Empty, "bare", [200, 303, 303, 303]),
    row("POST", "/admin/login", "/admin/login", Form("username=admin&password={admin_password}"), "bare", [403, 403, 303, 303]),
    row("POST", "/admin/logout", "/admin/logout", Form(""), "bare", [303, 403, 303, 303]),
    row("GET", "/admin/account", "/admin/account", Empty, "bare", [303, 200, 200, 200]),
    row("POST", "/admin/account/sessions/{id}/revoke", "/admin/account/sessions/999999/revoke", Form(""), "bare", [303, 403, 303, 303]),
    row("POST", "/admin/account/sessions/revoke-others", "/admin/account/sessions/revoke-others", Form(""), "bare", [303, 403, 303, 303]),
    // No approval of that client: the page flashes it and redirects.
    row("POST", "/admin/account/apps/{client_id}/revoke", "/admin/account/apps/no-such-client/revoke", Form(""), "bare", [303, 403, 303, 303]),
    row("GET", "/admin/clients", "/admin/clients", Empty, "member", [303, 403, 403, 200]),
    row("POST", "/admin/clients", "/admin/clients", Form("name=App+{n}&redirect_uris=https%3A%2F%2Fapp.example%2Fcb&scopes=posts%3Aread"), "member", [303, 403, 403, 303]),
    row("POST", "/admin/clients/{client_id}/delete", "/admin/clients/no-such-client/delete", Form(""), "member", [303, 403, 403, 404]),
    // An unknown client is a 400 page for everyone, never a redirect; the consent form
    // needs a browser session (else the login page) and its CSRF token.
    row("GET", "/oauth/authorize", "/oauth/authorize?response_type=code&client_id=no-such-client", Empty, "bare", [400, 400, 400, 400]),
    row("POST", "/oauth/authorize", "/oauth/authorize", Form("decision=deny&client_id=no-such-client"), "bare", [303, 303, 400, 400]),
    row("POST", "/admin/account/password", "/admin/account/password", Form("current_password=wrong&password=a-long-password&password_confirm=a-long-password"), "bare", [303, 403, 303, 303]),
    row("GET", "/admin/account/2fa", "/admin/account/2fa", Empty, "bare", [303, 200, 200, 200]),
    row("POST", "/admin/account/2fa/confirm", "/admin/account/2fa/confirm", Form("code=000000"), "bare", [303, 403, 303, 303]),
    row("POST", "/admin/account/2fa/disable", "/admin/account/2fa/disable", Form("code=000000"), "bare", [303, 403, 303, 303]),
    row("POST", "/admin/account/2fa/recovery-codes", "/admin/account/2fa/recovery-codes", Form("code=000000"), "bare", [303, 403, 303, 303]),
    // Without a pending sign-in the code step sends the browser back to the password.
    row("GET", "/admin/login/2fa", "/admin/login/2fa", Empty, "bare", [303, 303, 303, 303]),
    row("POST", "/admin/login/2fa", "/admin/login/2fa", Form("code=000000"), "bare", [403, 403, 303, 303]),
    row("GET", "/admin/posts", "/admin/posts", Empty, "bare", [303, 403, 403, 200]),
    // `member` holds `posts:publish_own`, so for admin's post the page flashes the policy's
    // refusal and redirects (303); `bare` holds no publish permission at all: 403.
    row("POST", "/admin/posts/{id}/{action}", "/admin/posts/{post}/unpublish", Form(""), "bare", [303, 403, 403, 303]),
    // The editor (SPEC §10): a bearer token carries no session, so its form POSTs fail CSRF.
    row("GET", "/admin/posts/new", "/admin/posts/new", Empty, "bare", [303, 403, 403, 200]),
    row("POST", "/admin/posts/new", "/admin/posts/new", Form("action=save&title=Matrix {n}&body=b"), "bare", [303, 403, 403, 303]),
    row("GET", "/admin/posts/{id}/edit", "/admin/posts/{draft}/edit", Empty, "bare", [303, 403, 403, 200]),
    // `member` may read admin's published post but not edit it: 403.
    row("POST", "/admin/posts/{id}/edit", "/admin/posts/{post}/edit", Form("action=save&title=t&body=b"), "member", [303, 403, 403, 303]),
    row("GET", "/admin/review", "/admin/review", Empty, "member", [303, 403, 403, 200]),
    row("GET", "/admin/comments", "/admin/comments", Empty, "member", [303, 403, 403, 200]),
    row("POST", "/admin/comments/{id}/delete", "/admin/comments/{comment}/delete", Form(""), "member", [303, 403, 403, 303]),
    row("GET", "/admin/audit", "/admin/audit", Empty, "member", [303, 403, 403, 200]),
    row("GET", "/admin/matrix", "/admin/matrix", Empty, "member", [303, 403, 403, 200]),
    row("GET", "/admin/roles", "/admin/roles", Empty, "member", [303, 403, 403, 200]),
    row("POST", "/admin/roles", "/admin/roles", Form("name=page-{n}&description=d&permissions=posts:read"), "member", [303, 403, 403, 303]),
    row("GET", "/admin/roles/{name}", "/admin/roles/{role}", Empty, "member", [303, 403, 403, 200]),
    row("POST", "/admin/roles/{name}", "/admin/roles/{role}", Form("description=changed&permissions=posts:read"), "member", [303, 403, 403, 303]),
    row("POST", "/admin/roles/{name}/delete", "/admin/roles/{role}/delete", Form(""), "member", [303, 403, 403, 303]),
    row("GET", "/admin/users", "/admin/users", Empty, "member", [303, 403, 403, 200]),
    row("GET", "/admin/users/{id}", "/admin/users/{user}", Empty, "member", [303, 403, 403, 200]),
    row("POST", "/admin/users/{id}/grant", "/admin/users/{user}/grant", Form("role=editor&expires_at="), "member", [303, 403, 403, 303]),
    row("POST", "/admin/users/{id}/revoke", "/admin/users/{user}/revoke", Form("role=user"), "member", [303, 403, 403, 303]),
    row("POST", "/admin/users/{id}/{action}", "/admin/users/{user}/disable", Form(""), "member", [303, 403, 403, 303]),
    row("POST", "/admin/users/{id}/2fa/reset", "/admin/users/{user}/2fa/reset", Form(""), "member", [303, 403, 403, 303]),
];
