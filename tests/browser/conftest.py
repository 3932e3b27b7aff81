"""The console served for real (uvicorn in a thread) with seeded data, and Debian's chromium.

Playwright only drives the browser: it never downloads one. Without chromium the tests skip,
or fail when CI=true (scripts/test installs it as root). Playwright's sync API holds an event
loop on the main thread while it runs, so it lives per module, gone before any async test.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from bot.app import create_app
from bot.settings import DEFAULT_PROGRAMS_DIR
from storage.infra.migrate import upgrade
from tests.browser.seed import seed
from tests.integration.api_harness import KEY, LiveServer, api_settings

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
REGISTRATIONS = 300
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@dataclass(frozen=True)
class Console:
    url: str
    accounts: dict[str, tuple[str, str]]
    recovery: list[str]  # the admin's unused recovery codes


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """The whole server on 127.0.0.1 with a few hundred registrations in SQLite."""
    folder = tmp_path_factory.mktemp("console")
    url = f"sqlite+aiosqlite:///{folder / 'lindungi.sqlite3'}"

    recovery: list[str] = []

    def prepare() -> dict[str, tuple[str, str]]:
        upgrade(url)
        return asyncio.run(seed(url, KEY, REGISTRATIONS, recovery))

    # Playwright's sync API keeps an event loop on this thread: set up the data on another.
    with ThreadPoolExecutor(1) as pool:
        accounts = pool.submit(prepare).result()
    settings = api_settings(url, folder / "data", programs=DEFAULT_PROGRAMS_DIR)
    with LiveServer(create_app(settings)) as server:
        yield Console(server.url, accounts, recovery)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
    try:
        yield launched
    finally:
        launched.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
