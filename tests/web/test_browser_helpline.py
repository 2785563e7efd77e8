"""The helpline dashboard in Chromium: sign in, charts, cases, notes, open a case, review, audit."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from stukje.bank import NewMatchEvent, Verdict
from stukje.guard import Action, Outcome, OutcomeReport, Reason, Tier
from stukje.guard import Verdict as GuardVerdict
from stukje.hashing import PdqHash
from web.conftest import LiveServer, screenshot, serious_violations


def seed(server: LiveServer) -> str:
    """A case with a match a platform flagged for review, and a few nudge outcomes."""
    value = PdqHash(bytes(range(100, 132)))
    receipt = server.bank.create_case([value], "nl")
    server.sync()
    [signal_id] = server.matcher.search([value], 0).signal_ids.tolist()
    platform = server.bank.authenticate(server.keys["platform"])
    [event] = server.bank.record_match_events(platform, [NewMatchEvent(signal_id, 0, "upload")])
    server.bank.record_feedback(platform, event, Verdict.PENDING_REVIEW)
    situation = {
        "verdict": GuardVerdict.NUDGE,
        "reason": Reason.LIKELY_NUDITY,
        "action": Action.FORWARD,
        "tier": Tier.TEEN,
    }
    for outcome in (Outcome.CANCELLED, Outcome.SENT_ANYWAY, Outcome.ASKED_FOR_HELP):
        server.bank.record_outcome(OutcomeReport(outcome=outcome, **situation))
    return receipt.case_number


def sign_in(page: Page, server: LiveServer, key: str, language: str = "en") -> None:
    page.goto(f"{server.url}/helpline?lang={language}")
    page.wait_for_selector("body[data-ready='true']")
    page.fill("#helpline-key", key)
    page.click("#sign-in button[type=submit]")


def test_a_wrong_key_is_refused(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, live_server.keys["platform"])
    page.wait_for_selector("text=This key is not valid for the helpline.")
    assert page.is_hidden("#dashboard")


def test_the_dashboard_shows_charts_cases_review_and_audit(
    page: Page, live_server: LiveServer, photos_dir: Path
) -> None:
    number = seed(live_server)
    sign_in(page, live_server, live_server.keys["helpline"])
    page.wait_for_selector("body[data-signed-in='true']")
    for chart in ("#chart-matches", "#chart-actions", "#chart-nudges"):
        assert page.locator(f"{chart} svg rect").count() >= 1, chart
    assert "%" in page.inner_text("#reconsidered-share")
    expect(page.locator(f"#cases-table tr[data-case='{number}']")).to_have_count(1)
    assert page.locator("#review-table tr[data-event]").count() >= 1
    assert page.locator("#audit-table tbody tr").count() >= 1
    assert serious_violations(page) == []
    screenshot(page, "helpline-dashboard-en")

    page.click(f"#cases-table tr[data-case='{number}'] button")
    page.wait_for_selector("#case-detail:not([hidden])")
    assert number in page.inner_text("#detail-title")
    page.fill("#note-text", "Called back; she wants the case kept open.")
    page.click("#note-form button")
    page.wait_for_selector("#detail-notes li >> text=Called back")
    screenshot(page, "helpline-case-en")

    page.click("#review-table tr[data-event] button[data-decision='confirmed'] >> nth=0")
    expect(page.locator("#review-table tr[data-event]")).to_have_count(0)

    page.set_input_files("#open-photos", [str(photos_dir / "opencv_orange.jpg")])
    page.wait_for_selector("#open-case:not([disabled])")
    page.click("#open-case")
    page.wait_for_selector("#open-receipt:not([hidden])")
    opened = page.inner_text("#open-number")
    expect(page.locator(f"#cases-table tr[data-case='{opened}']")).to_have_count(1)
    assert serious_violations(page) == []
    screenshot(page, "helpline-opened-en")


def test_the_dashboard_speaks_dutch(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, live_server.keys["helpline"], language="nl")
    page.wait_for_selector("body[data-signed-in='true']")
    assert page.inner_text("h1") == "Dashboard voor hulplijnen"
    assert page.is_visible("text=Treffers per dag")
