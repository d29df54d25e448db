"""SPEC §11: a third-party app doing the authorization code flow with PKCE against a
running Quire, with Authlib's OAuth2Session as the app and `requests` as the user's
browser (sign in through the login form, approve on the consent page).

Usage: code_flow.py BASE_URL CLIENT_ID REDIRECT_URI USERNAME PASSWORD ISSUER
Prints one JSON object with what the test asserts on.
"""

import html
import json
import re
import sys
from urllib.parse import parse_qs, urlparse

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

base, client_id, redirect_uri, username, password, issuer = sys.argv[1:7]


def hidden_fields(page):
    """The hidden inputs of a page's form, unescaped."""
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', page)
    }


# The user's browser signs in.
browser = requests.Session()
login = browser.get(f"{base}/admin/login")
fields = hidden_fields(login.text)
signed_in = browser.post(
    f"{base}/admin/login",
    data={"username": username, "password": password, "csrf": fields["csrf"], "next": "/admin"},
    allow_redirects=False,
)
assert signed_in.status_code == 303, signed_in.status_code

# The app starts the flow (a public client: no secret, PKCE S256).
app = OAuth2Session(
    client_id,
    redirect_uri=redirect_uri,
    scope="posts:read posts:create",
    code_challenge_method="S256",
    token_endpoint_auth_method="none",
)
verifier = generate_token(64)
url, state = app.create_authorization_url(f"{base}/oauth/authorize", code_verifier=verifier)

# The browser follows it to the consent page and approves.
consent = browser.get(url, allow_redirects=False)
assert consent.status_code == 200, consent.status_code
form = hidden_fields(consent.text)
form["decision"] = "approve"
approved = browser.post(f"{base}/oauth/authorize", data=form, allow_redirects=False)
assert approved.status_code == 303, approved.status_code
back = approved.headers["Location"]
query = parse_qs(urlparse(back).query)
assert query["iss"] == [issuer], query
assert query["state"] == [state], query

# The app exchanges the code (Authlib checks `state`) and uses the token.
token = app.fetch_token(f"{base}/api/auth/token", authorization_response=back, code_verifier=verifier)
me = app.get(f"{base}/api/me")
refreshed = app.refresh_token(f"{base}/api/auth/token", refresh_token=token["refresh_token"])
after = app.get(f"{base}/api/me")

print(json.dumps({
    "scope": token["scope"],
    "token_type": token["token_type"],
    "me_status": me.status_code,
    "me_username": me.json().get("username") or me.json().get("user", {}).get("username"),
    "refreshed": refreshed["access_token"] != token["access_token"],
    "after_status": after.status_code,
    "access_token": refreshed["access_token"],
}))
