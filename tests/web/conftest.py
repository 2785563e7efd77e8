"""A live stukje server and Debian's Chromium (driven by Playwright) for the page tests.

The server runs uvicorn in a thread on 127.0.0.1 and a free port, over a fresh SQLite bank; one
per test session (one per xdist worker). Chromium is /usr/bin/chromium, installed by
scripts/install-browser.sh; Playwright never downloads a browser here. Screenshots go to
test-artifacts/web/ (git-ignored).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)

from conftest import FAST_SCRYPT, REPO
from stukje.api import create_app
from stukje.bank import Bank, create_bank_engine, migrate
from stukje.config import Settings
from stukje.matcher import Matcher

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = REPO / "test-artifacts" / "web"
PHONE: ViewportSize = {"width": 390, "height": 844}


@dataclass
class LiveServer:
    url: str
    bank: Bank
    matcher: Matcher
    keys: dict[str, str]

    def sync(self) -> None:
        """Apply pending bank changes to the index now."""
        self.matcher.catch_up()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("web")
    database_url = f"sqlite:///{data_dir / 'bank.db'}"
    engine = create_bank_engine(database_url)
    migrate(engine)
    bank = Bank(engine, scrypt_cost=FAST_SCRYPT)
    keys = {
        "helpline": bank.create_partner("Helpwanted", ["helpline"])[1],
        "platform": bank.create_partner("Chat app", ["match", "feed", "feedback"])[1],
    }
    matcher = Matcher(bank, poll_s=0.05)
    app = create_app(
        Settings(data_dir=data_dir, database_url=database_url), bank=bank, matcher=matcher
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "the test server stopped while starting"
        assert time.monotonic() < deadline, "the test server did not start within 30 s"
        time.sleep(0.02)
    yield LiveServer(f"http://127.0.0.1:{port}", bank, matcher, keys)
    server.should_exit = True
    thread.join(timeout=10)
    bank.close()


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        if os.environ.get("STUKJE_SKIP_BROWSER") == "1":
            pytest.skip("no /usr/bin/chromium and STUKJE_SKIP_BROWSER=1")
        pytest.fail("no /usr/bin/chromium: run scripts/install-browser.sh (or make test)")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    browser = playwright_session.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
    )
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh phone-sized browser profile (no storage carried between tests)."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def screenshot(page: Page, name: str) -> Path:
    """Keep a full-page screenshot as a test artefact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


SERIOUS = {"serious", "critical"}


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical accessibility violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]
