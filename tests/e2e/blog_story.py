"""End-to-end: SPEC §10's story of a post, through the real pages in headless Chromium.

Run by tests/api/e2e.rs against a freshly spawned Quire whose users already exist:
    python blog_story.py BASE_URL PASSWORDS SHOT_DIR
where PASSWORDS is `name=password,...` for the contributor `con`, the editor `ed`, the
reader `rea` and the moderator `mod`. A contributor writes a post (Markdown with a table and
~~strike~~), previews it (nothing saved), saves and submits it; the editor sends it back with
a note; the contributor sees the note, fixes the body and submits again; the editor schedules
it a minute ahead (`at` is UTC with minute granularity) and it appears on /, in /feed.atom and
under /t/{tag}; a reader comments; a moderator deletes the comment from /admin/comments.
Screenshots of each step go to SHOT_DIR.
"""
import datetime
import os
import re
import sys
import time

from playwright.sync_api import expect, sync_playwright

BASE, PASSWORDS, SHOTS = sys.argv[1:4]
PASSWORD = dict(pair.split("=", 1) for pair in PASSWORDS.split(","))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
TITLE = "Tables and strikes"
TAG = "web-dev"
BODY = """Some **bold** words and ~~struck~~ ones.

| tool | verdict |
| --- | --- |
| quire | good |
"""
FIXED = BODY + "\nNow with a conclusion.\n"
NOTE = "Please add a conclusion."
COMMENT = "Nice table, thanks!"


def shot(page, name):
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def sign_in(browser, name, next_path):
    """A new browser session (own cookies) signed in as `name` on /login, landing on next_path."""
    page = browser.new_context(viewport={"width": 1366, "height": 860}).new_page()
    page.goto(f"{BASE}/login?next={next_path}")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD[name])
    page.click("button[type=submit]")
    expect(page).to_have_url(BASE + next_path)
    return page


def press(page, action):
    page.click(f"button[name=action][value={action}]")


def fresh_anonymous(browser):
    """A page with an empty cache: public pages are cacheable for a minute (SPEC §10)."""
    return browser.new_context(viewport={"width": 1366, "height": 860}).new_page()


def next_minute():
    """The next whole UTC minute at least 5 s ahead, as a datetime-local value."""
    now = datetime.datetime.now(datetime.timezone.utc)
    at = (now + datetime.timedelta(seconds=65)).replace(second=0, microsecond=0)
    if (at - now).total_seconds() > 60:
        at -= datetime.timedelta(minutes=1)
    return at.strftime("%Y-%m-%dT%H:%M")


def run():
    os.makedirs(SHOTS, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)

        # 1. The contributor writes, previews (nothing saved), saves and submits.
        con = sign_in(browser, "con", "/admin/posts/new")
        con.fill("input[name=title]", TITLE)
        con.fill("input[name=tags]", f"Rust, {TAG.title()}")
        con.fill("textarea[name=body]", BODY)
        expect(con.locator("button[name=action][value=publish]")).to_have_count(0)
        press(con, "preview")
        preview = con.locator("section.preview .rendered")
        expect(preview.locator("table td")).to_contain_text(["quire", "good"])
        expect(preview.locator("del")).to_have_text("struck")
        expect(preview.locator("strong")).to_have_text("bold")
        expect(con.locator("textarea[name=body]")).to_have_value(BODY)
        shot(con, "01-preview")
        expect(con).to_have_url(f"{BASE}/admin/posts/new")
        posts = con.context.new_page()
        posts.goto(f"{BASE}/admin/posts")
        expect(posts.locator("main")).not_to_contain_text(TITLE)
        posts.close()
        press(con, "save")
        expect(con).to_have_url(re.compile(re.escape(BASE) + r"/admin/posts/\d+/edit$"))
        expect(con.locator(".flash-ok")).to_contain_text("Created")
        expect(con.locator("input[name=tags]")).to_have_value("rust, web-dev")
        edit_url = con.url
        press(con, "submit")
        expect(con.locator(".flash-ok")).to_contain_text("Submitted for review")
        expect(con.locator(".badge")).to_have_text("review")
        shot(con, "02-submitted")

        # 2. The editor opens the review queue and sends the post back with a note.
        ed = sign_in(browser, "ed", "/admin/review")
        shot(ed, "03-review")
        ed.click(f"a:text-is('{TITLE}')")
        expect(ed).to_have_url(edit_url)
        ed.fill("textarea[name=note]", NOTE)
        press(ed, "reject")
        expect(ed.locator(".flash-ok")).to_contain_text("Sent back")
        expect(ed.locator(".badge")).to_have_text("draft")
        ed.goto(f"{BASE}/admin/review")
        expect(ed.locator("main")).to_contain_text("Nothing is waiting for review")

        # 3. The contributor sees the note, fixes the body, saves and submits again.
        con.goto(edit_url)
        expect(con.locator("[role=note]")).to_contain_text(NOTE)
        shot(con, "04-sent-back")
        con.fill("textarea[name=body]", FIXED)
        press(con, "save")
        expect(con.locator(".flash-ok")).to_contain_text("Saved")
        press(con, "submit")
        expect(con.locator(".flash-ok")).to_contain_text("Submitted for review")

        # 4. The editor schedules it; the scheduler publishes it at its time.
        ed.goto(f"{BASE}/admin/review")
        ed.click(f"a:text-is('{TITLE}')")
        expect(ed.locator("textarea[name=body]")).to_have_value(FIXED)
        ed.fill("input[name=at]", next_minute())
        press(ed, "schedule")
        expect(ed.locator(".flash-ok")).to_contain_text("Scheduled")
        expect(ed.locator(".badge")).to_have_text("scheduled")
        shot(ed, "05-scheduled")
        anon = fresh_anonymous(browser)
        assert TITLE not in anon.request.get(f"{BASE}/").text(), "published before its time"
        deadline = time.monotonic() + 75
        while TITLE not in anon.request.get(f"{BASE}/").text():
            assert time.monotonic() < deadline, "the scheduled post was never published"
            time.sleep(1)
        home = fresh_anonymous(browser)
        home.goto(f"{BASE}/")
        link = home.locator(f"article.post-item a:text-is('{TITLE}')")
        expect(link).to_be_visible()
        post_path = link.get_attribute("href")
        shot(home, "06-home")
        feed = home.request.get(f"{BASE}/feed.atom")
        assert feed.ok and TITLE in feed.text() and post_path in feed.text(), feed.text()
        home.goto(f"{BASE}/t/{TAG}")
        expect(home.locator(f"article.post-item a:text-is('{TITLE}')")).to_be_visible()
        home.goto(BASE + post_path)
        expect(home.locator("article del")).to_have_text("struck")
        expect(home.locator("article")).to_contain_text("Now with a conclusion.")
        expect(home.locator("ul.tags")).to_contain_text(TAG)
        shot(home, "07-post")

        # 5. A reader comments; a moderator deletes the comment; it is gone from the post.
        rea = sign_in(browser, "rea", post_path)
        rea.fill("form.comment-form textarea[name=body]", COMMENT)
        rea.click("text=Post comment")
        expect(rea.locator("#comments .comment")).to_contain_text(COMMENT)
        shot(rea, "08-commented")
        mod = sign_in(browser, "mod", "/admin/comments")
        row = mod.locator("tr", has_text=COMMENT)
        expect(row).to_have_count(1)
        shot(mod, "09-moderation")
        row.locator("button:text-is('Delete')").click()
        expect(mod.locator("tr", has_text=COMMENT)).to_have_count(0)
        rea.goto(BASE + post_path)
        expect(rea.locator("#comments")).not_to_contain_text(COMMENT)
        expect(rea.locator("#comments")).to_contain_text("No comments yet")
        shot(rea, "10-comment-gone")
        browser.close()
    print("blog story: ok")


if __name__ == "__main__":
    run()
