"""The demo chat in Chromium: forwarding asks the guard; nudge and block dialogs, both languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from web.conftest import LiveServer, screenshot, serious_violations


def open_demo(page: Page, server: LiveServer, language: str, tier: str = "adult") -> None:
    page.goto(f"{server.url}/demo?lang={language}")
    page.wait_for_selector("body[data-ready='true']")
    page.fill("#partner-key", server.keys["platform"])
    page.select_option("#tier", tier)


def forward(page: Page, picture: str, audience: str) -> str:
    page.evaluate("delete document.body.dataset.verdict")
    index = 0 if audience == "one" else 1
    page.locator(f"[data-picture='{picture}'] .actions button").nth(index).click()
    page.wait_for_selector("body[data-verdict]")
    verdict: str = page.evaluate("document.body.dataset.verdict")
    return verdict


def test_a_harmless_picture_is_forwarded_without_a_dialog(
    page: Page, live_server: LiveServer
) -> None:
    open_demo(page, live_server, "en")
    assert serious_violations(page) == []
    screenshot(page, "demo-start-en")
    assert forward(page, "sunset", "one") == "allow"
    assert page.is_hidden("#guard-dialog")
    assert page.inner_text("#chat-status") == "You forwarded a picture."


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_demo_switch_shows_the_nudge_dialog_in_the_chosen_language(
    page: Page, live_server: LiveServer, language: str
) -> None:
    open_demo(page, live_server, language, tier="teen")
    page.check("#demo-intimate")
    verdict = forward(page, "sunset", "one")
    assert verdict in {"nudge", "block"}
    dialog = page.locator("#guard-dialog")
    assert dialog.is_visible()
    assert page.get_attribute("#guard-dialog", "lang") == language
    assert page.inner_text("#guard-title")
    assert page.locator("#guard-help li").count() >= 1
    choices = page.locator("#guard-choices button")
    assert choices.count() >= 1
    assert serious_violations(page) == []
    screenshot(page, f"demo-{verdict}-{language}")
    before = sum(c.count for c in live_server.bank.outcome_counts() if c.outcome == "cancelled")
    page.click("#guard-choices button[data-outcome='cancelled']")
    assert page.is_hidden("#guard-dialog")
    after = before
    for _ in range(50):
        after = sum(c.count for c in live_server.bank.outcome_counts() if c.outcome == "cancelled")
        if after > before:
            break
        page.wait_for_timeout(50)
    assert after == before + 1


def test_a_protected_picture_is_blocked_when_forwarded_to_a_group(
    page: Page, live_server: LiveServer
) -> None:
    open_demo(page, live_server, "nl", tier="teen")
    page.locator("[data-picture='boat'] .actions button").nth(2).click()
    page.wait_for_selector("body[data-protected='true']")
    live_server.sync()
    verdict = forward(page, "boat", "group")
    assert verdict == "block"
    assert page.get_attribute("#guard-dialog", "data-verdict") == "block"
    screenshot(page, "demo-block-nl")
    page.click("#guard-choices button >> nth=0")
    assert page.is_hidden("#guard-dialog")
