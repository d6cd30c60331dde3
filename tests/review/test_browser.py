"""The review app in Debian's Chromium, driven by Playwright over a live loopback
server: sign in, filter the queue, confirm by keyboard, undo, correct a participant
through the type-ahead, and the hostile page where no script may run.

Screenshots of the queue and the event page go to a temporary folder, or to the
folder named by MINEWATCH_SCREENSHOTS (the README's command writes docs/screenshots/).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from review.server import bind
from tests.review.conftest import Site
from tests.review.seed import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's chromium at /usr/bin/chromium: apt-get install -y chromium",
)

if CHROMIUM.exists():
    from playwright.sync_api import Browser, Dialog, Page, expect, sync_playwright


@pytest.fixture
def live(site: Site) -> Iterator[str]:
    """The app served on a free loopback port in a thread; its base URL."""
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(site.app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, live: str) -> Iterator[Page]:
    context = browser.new_context(base_url=live, viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("MINEWATCH_SCREENSHOTS", "") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in(page: Page, name: str = "ana") -> None:
    page.goto("/events")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#count")).to_be_visible()


def test_filter_confirm_by_keyboard_and_undo(page: Page, site: Site, shots: Path) -> None:
    sign_in(page)
    expect(page.locator("#count")).to_contain_text("5 matches")
    page.fill("input[name=mineral]", "copper")
    page.click("#filters button[type=submit]")
    expect(page.locator("#count")).to_contain_text("2 matches")
    page.screenshot(path=str(shots / "queue.png"), full_page=True)
    page.keyboard.press("j")
    expect(page.locator("#queue tr.current")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#state")).to_have_text("new")
    page.keyboard.press("a")
    expect(page.locator("#state")).to_have_text("confirmed")
    expect(page.locator("#history")).to_contain_text("new → confirmed")
    page.screenshot(path=str(shots / "event.png"), full_page=True)
    page.keyboard.press("u")
    expect(page.locator("#state")).to_have_text("new")
    expect(page.locator("#history")).to_contain_text("confirmed → new")


def test_correct_a_participant_through_the_type_ahead(page: Page, site: Site) -> None:
    sign_in(page)
    page.goto(f"/events/{site.seeded.event_ids['production']}")
    page.keyboard.press("e")
    search = page.locator("#entity-search")
    expect(search).to_be_focused()
    search.fill("Per")
    expect(page.locator('#entity-options option[value="Peru (country)"]')).to_have_count(1)
    search.fill("Peru (country)")
    expect(page.locator('#participants input[value="country:PE"]')).to_be_checked()
    page.click("#form-correct button[type=submit]")
    expect(page.locator("#state")).to_have_text("corrected")
    expect(page.locator("#history")).to_contain_text("country:PE")


def test_hostile_article_runs_no_script(page: Page, site: Site) -> None:
    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    sign_in(page)
    page.goto(f"/events/{site.seeded.hostile_event}")
    expect(page.locator("#article-text")).to_contain_text("<script>window.__xss=3</script>")
    page.locator("#article-text").hover()
    title_link = page.locator("section.article h2 a")
    expect(title_link).to_have_count(0)  # a javascript: URL is never a link
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("#article-text script, #article-text img, #article-text a").count() == 0
    assert dialogs == []
