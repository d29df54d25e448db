"""End-to-end: the admin pages in headless Chromium (Debian's), driven by Playwright.

Run by tests/api/e2e.rs against a freshly spawned Quire:
    python admin_flow.py BASE_URL ADMIN_PASSWORD USERNAME SHOT_DIR
Signs in, creates a role with chosen permissions and a <script> in its description, grants
it to USERNAME, sees it on the matrix, revokes it, and checks that the script is shown as
text and never runs; then signs out a second session from the account page. Screenshots of each page go to SHOT_DIR (laptop and phone sizes).
"""
import os
import sys

from playwright.sync_api import expect, sync_playwright

BASE, ADMIN_PASSWORD, USERNAME, SHOTS = sys.argv[1:5]
ROLE = "reviewer"
SCRIPT = '<script>window.__pwned = 1; alert("x")</script>'
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def shot(page, name):
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def fits_phone(page, path):
    """Issue 17: at phone width the page never scrolls sideways, and a list table shows every
    column without scrolling (the roles x permissions matrix may scroll inside its frame)."""
    wide = page.evaluate("""() => [document.documentElement.scrollWidth, window.innerWidth,
        [...document.querySelectorAll('.table-wrap')].filter(w => !w.querySelector('.matrix'))
            .filter(w => w.scrollWidth > w.clientWidth + 1).length]""")
    assert wide[0] <= wide[1], f"{path} scrolls sideways at {wide[1]} px: {wide[0]} px wide"
    assert wide[2] == 0, f"{path}: {wide[2]} list table(s) wider than the phone"


def run():
    os.makedirs(SHOTS, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 860})
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

        page.goto(f"{BASE}/admin/roles")
        expect(page).to_have_url(f"{BASE}/admin/login?next=/admin/roles")
        shot(page, "01-login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", ADMIN_PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{BASE}/admin/roles")
        shot(page, "02-roles")

        # Create a role with chosen permissions.
        page.fill("input[name=name]", ROLE)
        page.fill("input[name=description]", SCRIPT)
        for perm in ["posts:read", "comments:read", "comments:delete"]:
            page.check(f"input[name=permission][value='{perm}']")
        page.click("text=Create role")
        expect(page).to_have_url(f"{BASE}/admin/roles/{ROLE}")
        expect(page.locator(".flash-ok")).to_contain_text("created")
        shot(page, "03-role")
        # The script is text: shown in the field, never executed.
        expect(page.locator("input[name=description]")).to_have_value(SCRIPT)
        assert page.evaluate("window.__pwned") is None, "the description ran as a script"
        page.goto(f"{BASE}/admin/roles")
        expect(page.locator("table")).to_contain_text(SCRIPT)
        assert page.evaluate("window.__pwned") is None, "the description ran as a script"

        # Grant it to the user.
        page.goto(f"{BASE}/admin/users")
        shot(page, "04-users")
        page.click(f"a:text-is('{USERNAME}')")
        page.select_option("select[name=role]", ROLE)
        page.click("text=Grant")
        expect(page.locator(".flash-ok")).to_contain_text(ROLE)
        expect(page.locator("table")).to_contain_text(ROLE)
        shot(page, "05-user")
        user_url = page.url

        # See it on the matrix: reviewer holds comments:delete directly.
        page.goto(f"{BASE}/admin/matrix")
        cell = page.locator(f"td[title^='{ROLE}: granted directly (comments:delete']")
        expect(cell).to_have_text("●")
        shot(page, "06-matrix")

        # Revoke it.
        page.goto(user_url)
        page.locator(f"form:has(input[name=role][value='{ROLE}']) button").click()
        expect(page.locator(".flash-ok")).to_contain_text("revoked")
        expect(page.locator("table")).not_to_contain_text(ROLE)
        shot(page, "07-revoked")

        # The same pages on a phone.
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.context.add_cookies(page.context.cookies())
        for path, name in [("/admin", "08-phone-dashboard"), (f"/admin/roles/{ROLE}", "09-phone-role"),
                           ("/admin/matrix", "10-phone-matrix"), ("/admin/users", "10-phone-users"),
                           ("/admin/roles", "10-phone-roles"), ("/admin/audit", "10-phone-audit")]:
            phone.goto(BASE + path)
            fits_phone(phone, path)
            shot(phone, name)

        # Your account: the laptop and the phone share this session; a sign-in elsewhere is
        # another one, which "Sign out everywhere else" ends.
        other = browser.new_page(viewport={"width": 1366, "height": 860})
        other.goto(f"{BASE}/admin/login")
        other.fill("input[name=username]", "admin")
        other.fill("input[name=password]", ADMIN_PASSWORD)
        other.click("button[type=submit]")
        expect(other).to_have_url(f"{BASE}/admin")
        page.click("nav >> text=Account")
        expect(page).to_have_url(f"{BASE}/admin/account")
        expect(page.locator(".session")).to_have_count(2)
        expect(page.locator(".session-current")).to_contain_text("this session")
        shot(page, "12-account")
        phone.goto(f"{BASE}/admin/account")
        shot(phone, "13-phone-account")
        page.click("text=Sign out everywhere else")
        expect(page.locator(".flash-ok")).to_contain_text("Signed out 1 other session")
        expect(page.locator(".session")).to_have_count(1)
        other.goto(f"{BASE}/admin")
        expect(other).to_have_url(f"{BASE}/admin/login?next=/admin")

        assert not dialogs, f"a dialog opened: {dialogs}"

        # Swagger UI (offline) authorizes with the password flow and calls the API.
        docs = browser.new_page(viewport={"width": 1366, "height": 900})
        docs.goto(f"{BASE}/api/docs/")
        docs.click("button.authorize")
        # One container per scheme and flow (oauth2's password and code flows, the PAT's
        # bearer): this test authorizes with the password flow's.
        password_flow = docs.locator("div.auth-container", has_text="OAuth2, password")
        password_flow.locator("input#oauth_username").fill("admin")
        password_flow.locator("input#oauth_password").fill(ADMIN_PASSWORD)
        password_flow.locator("div.auth-btn-wrapper button.authorize").click()
        expect(password_flow).to_contain_text("Authorized")
        docs.click("button.btn-done")
        docs.click("#operations-auth-get_me")
        docs.click("button.try-out__btn")
        docs.click("button.execute")
        expect(docs.locator(".responses-wrapper .live-responses-table")).to_contain_text("200")
        expect(docs.locator(".responses-wrapper")).to_contain_text('"username": "admin"')
        shot(docs, "11-swagger")
        browser.close()
    print("admin flow and swagger: ok")


if __name__ == "__main__":
    run()
