"""The dashboard's read-only helpline routes: GET /v1/helpline/cases and /v1/helpline/stats."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.conftest import Api, make_api
from stukje.bank import NewMatchEvent, Verdict
from stukje.guard import Action, Outcome, OutcomeReport, Reason, Tier
from stukje.guard import Verdict as GuardVerdict
from stukje.hashing import PdqHash

HASHES = [f"{i:02x}" * 32 for i in (0x11, 0x5A, 0xC3, 0x0F)]


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    yield from make_api(database_url, tmp_path)


def open_case(api: Api, hashes: list[str], who: str | None = None) -> str:
    path = "/v1/cases" if who is None else "/v1/helpline/cases"
    headers = {} if who is None else api.auth(who)
    body = {"signals": [{"hash": h} for h in hashes], "language": "en"}
    response = api.client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    number: str = response.json()["case_number"]
    return number


def report_matches(api: Api, value: str, verdicts: list[Verdict]) -> None:
    api.sync()
    found = api.matcher.search([PdqHash.from_hex(value)], 0)
    [signal_id] = found.signal_ids.tolist()
    partner = api.bank.authenticate(api.keys["platform"])
    events = api.bank.record_match_events(
        partner, [NewMatchEvent(signal_id, 0, "upload") for _ in verdicts]
    )
    for event, verdict in zip(events, verdicts, strict=True):
        api.bank.record_feedback(partner, event, verdict)


def test_case_list_is_newest_first_with_counts_and_who_opened(api: Api) -> None:
    first = open_case(api, HASHES[:2])
    second = open_case(api, HASHES[2:3], who="helpline")
    report_matches(api, HASHES[0], [Verdict.BLOCKED, Verdict.PENDING_REVIEW])
    response = api.client.get("/v1/helpline/cases", headers=api.auth("helpline"))
    assert response.status_code == 200, response.text
    cases = response.json()["cases"]
    assert [c["case_number"] for c in cases] == [second, first]
    assert cases[0]["opened_by"] == "partner-helpline"
    assert cases[1]["opened_by"] is None
    assert (cases[1]["signal_count"], cases[1]["match_count"]) == (2, 2)
    assert (cases[0]["signal_count"], cases[0]["match_count"]) == (1, 0)
    assert response.json()["next_before"] is None


def test_case_list_pages_filters_by_status_and_is_audited(api: Api) -> None:
    numbers = [open_case(api, [h]) for h in HASHES]
    api.client.post(
        f"/v1/helpline/cases/{numbers[0]}/withdraw", headers=api.auth("helpline")
    ).raise_for_status()
    auth = api.auth("helpline")
    page = api.client.get("/v1/helpline/cases", params={"limit": 2}, headers=auth).json()
    assert [c["case_number"] for c in page["cases"]] == numbers[:1:-1]
    rest = api.client.get(
        "/v1/helpline/cases", params={"limit": 2, "before": page["next_before"]}, headers=auth
    ).json()
    assert [c["case_number"] for c in rest["cases"]] == numbers[1::-1]
    withdrawn = api.client.get("/v1/helpline/cases", params={"status": "withdrawn"}, headers=auth)
    assert [c["case_number"] for c in withdrawn.json()["cases"]] == [numbers[0]]
    audit = api.client.get("/v1/helpline/audit", headers=auth).json()["entries"]
    assert any(e["action"] == "list_cases" for e in audit)


@pytest.mark.parametrize("who", ["match", "feed", "feedback", None])
def test_dashboard_routes_need_the_helpline_scope(api: Api, who: str | None) -> None:
    headers = api.auth(who) if who else {}
    for path in ("/v1/helpline/cases", "/v1/helpline/stats"):
        response = api.client.get(path, headers=headers)
        assert response.status_code == (401 if who is None else 403), path


def test_stats_count_matches_per_day_partner_actions_and_nudge_outcomes(api: Api) -> None:
    open_case(api, HASHES[:1])
    report_matches(api, HASHES[0], [Verdict.BLOCKED, Verdict.BLOCKED, Verdict.FALSE_POSITIVE])
    nudge = {"verdict": GuardVerdict.NUDGE, "reason": Reason.LIKELY_NUDITY}
    situation = {"action": Action.FORWARD, "tier": Tier.TEEN, **nudge}
    for outcome in [Outcome.CANCELLED, Outcome.CANCELLED, Outcome.ASKED_FOR_HELP]:
        api.bank.record_outcome(OutcomeReport(outcome=outcome, **situation))
    api.bank.record_outcome(OutcomeReport(outcome=Outcome.SENT_ANYWAY, **situation))
    block = {"verdict": GuardVerdict.BLOCK, "reason": Reason.KNOWN_BANK_MATCH}
    api.bank.record_outcome(
        OutcomeReport(outcome=Outcome.CANCELLED, action=Action.FORWARD, tier=Tier.TEEN, **block)
    )
    response = api.client.get(
        "/v1/helpline/stats", params={"days": 7}, headers=api.auth("helpline")
    )
    assert response.status_code == 200, response.text
    stats = response.json()
    assert stats["days"] == 7
    assert len(stats["matches_per_day"]) == 7
    assert [d["count"] for d in stats["matches_per_day"]] == [0] * 6 + [3]
    assert stats["partner_actions"] == {
        "blocked": 2,
        "not_blocked": 0,
        "pending_review": 0,
        "false_positive": 1,
    }
    today = stats["nudge_outcomes"][-1]
    assert (today["cancelled"], today["asked_for_help"], today["sent_anyway"]) == (2, 1, 1)
    assert stats["reconsidered_share"] == pytest.approx(3 / 4)


def test_stats_on_an_empty_bank_have_no_share(api: Api) -> None:
    stats = api.client.get("/v1/helpline/stats", headers=api.auth("helpline")).json()
    assert stats["reconsidered_share"] is None
    assert sum(d["count"] for d in stats["matches_per_day"]) == 0
    assert len(stats["nudge_outcomes"]) == 30
