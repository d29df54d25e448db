"""End-to-end: SPEC §12's two-factor sign-in through the real pages in headless Chromium.

Run by tests/api/e2e.rs against a freshly spawned Quire whose staff user already exists:
    python two_factor.py BASE_URL USERNAME PASSWORD SHOT_DIR
Signs in, opens /admin/account/2fa, reads the key from #totp-secret and computes codes from
it with pyotp as an authenticator app does, confirms, reads the ten #recovery-codes items,
then signs in with password + code, with password + a recovery code, and finally tries that
recovery code again: refused, and the browser stays signed out. Screenshots go to SHOT_DIR.
"""
import os
import sys
import time

import pyotp
from playwright.sync_api import expect, sync_playwright

BASE, USERNAME, PASSWORD, SHOTS = sys.argv[1:5]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def shot(page, name):
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def password_step(page):
    """The password form: the right password leads to the code page, not signed in yet."""
    page.goto(f"{BASE}/admin/login")
    page.fill("input[name=username]", USERNAME)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{BASE}/admin/login/2fa")
    expect(page.locator("form.signout")).to_have_count(0)


def code_step(page, code):
    page.fill("input[name=code]", code)
    page.click("button:text-is('Sign in')")


def assert_signed_in(page):
    expect(page).to_have_url(f"{BASE}/admin")
    expect(page.locator("form.signout .who")).to_have_text(USERNAME)


def assert_signed_out(page):
    page.goto(f"{BASE}/admin")
    expect(page).to_have_url(f"{BASE}/admin/login?next=/admin")


def sign_out(page):
    page.click("form.signout button")
    expect(page).to_have_url(f"{BASE}/")
    assert_signed_out(page)


def enrol(page):
    """Turns two-factor on: the app's TOTP and the ten recovery codes."""
    page.goto(f"{BASE}/admin/account/2fa")
    expect(page.locator("figure.qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    uri = page.locator("#totp-uri").get_attribute("href")
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri, uri
    shot(page, "01-enrol")
    totp = pyotp.TOTP(secret)
    page.fill("input[name=code]", totp.now())
    page.click("button:text-is('Turn on two-factor sign-in')")
    items = page.locator("#recovery-codes li")
    expect(items).to_have_count(10)
    codes = [c.strip() for c in items.all_inner_texts()]
    assert len(set(codes)) == 10, codes
    shot(page, "02-recovery-codes")
    return totp, codes


def run():
    os.makedirs(SHOTS, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 860})
        page.goto(f"{BASE}/admin/login")
        page.fill("input[name=username]", USERNAME)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        assert_signed_in(page)
        totp, codes = enrol(page)
        sign_out(page)

        # Password + code. The confirming code's step is used up (a code is accepted once);
        # rather than wait for the app's next code, type it now: the next step is accepted.
        password_step(page)
        shot(page, "03-code-step")
        code_step(page, totp.at(time.time() + 30))
        assert_signed_in(page)
        sign_out(page)

        # Password + a recovery code.
        password_step(page)
        code_step(page, codes[0])
        assert_signed_in(page)
        sign_out(page)

        # The same recovery code again: refused, and still not signed in.
        password_step(page)
        code_step(page, codes[0])
        expect(page).to_have_url(f"{BASE}/admin/login/2fa")
        expect(page.locator(".flash-error")).to_contain_text("not right")
        shot(page, "04-used-recovery-code")
        assert_signed_out(page)
        browser.close()
    print("two-factor sign-in: ok")


if __name__ == "__main__":
    run()
