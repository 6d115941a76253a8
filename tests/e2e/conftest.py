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
