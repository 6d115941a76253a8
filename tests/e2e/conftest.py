"""Browser journeys: Playwright for Python driving Debian's chromium against live_server."""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("KABINET_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db, settings):
    settings.KABINET_PUBLIC_URL = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base = live_server.url
    yield page
    context.close()


@pytest.fixture
def new_page(browser, live_server, transactional_db):
    """Another browser (its own cookies), for sessions on two devices."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
        context.set_default_timeout(10_000)
        contexts.append(context)
        p = context.new_page()
        p.base = live_server.url
        return p

    yield make
    for c in contexts:
        c.close()


def last_link(body: str) -> str:
    return re.search(r"https?://\S+/(?:confirm|activate)/\S+/", body).group(0)


def last_code(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


# Screenshots: every page at 1280 and 360 px (tests/e2e/test_screenshots*.py).
OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = (1280, 360)

UNLABELLED_JS = """() => Array.from(document.querySelectorAll(
  'input:not([type=hidden]):not([type=submit]), select, textarea'))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.closest('label'))
  .map(el => el.name || el.id)"""


@pytest.fixture
def shoot(page, request):
    write = request.config.getoption("--screenshots")
    if write:
        OUT.mkdir(parents=True, exist_ok=True)
    taken = []

    # Blinking markers stop (the CSS honours reduced motion): pictures do not depend on timing.
    page.emulate_media(reduced_motion="reduce")

    def shoot(name: str) -> None:
        # A click that navigates returns once the new page is committed, before it has a
        # document: wait for it to load before measuring it.
        page.wait_for_load_state("load")
        assert page.evaluate(UNLABELLED_JS) == [], f"{name}: form fields without a label"
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
            if write:
                page.screenshot(path=str(OUT / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        taken.append(name)

    yield shoot
    assert taken
