"""End-to-end through the API: open a case, match, feed, feedback, withdraw."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.conftest import Api, make_api

HASH = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
NEAR = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b2d"  # 4 bits off


def test_case_match_feed_feedback_withdraw(api: Api) -> None:
    created = api.client.post("/v1/cases", json={"signals": [{"hash": HASH}], "language": "nl"})
    assert created.status_code == 201, created.text
    case = created.json()
    api.sync()

    found = api.client.post("/v1/match", json={"hashes": [NEAR]}, headers=api.auth("platform"))
    assert found.status_code == 200, found.text
    [match] = found.json()["matches"]
    assert (match["index"], match["distance"]) == (0, 4)

    feedback = api.client.post(
        "/v1/feedback",
        json={"match_event_id": match["match_event_id"], "verdict": "blocked"},
        headers=api.auth("platform"),
    )
    assert feedback.status_code == 201, feedback.text

    status = api.client.get(f"/v1/cases/{case['case_number']}", headers={"X-Case-Pin": case["pin"]})
    assert status.status_code == 200
    assert status.json()["partner_actions"] == {"blocked": 1}

    feed = api.client.get("/v1/feed?after=0", headers=api.auth("platform")).json()
    assert [c["kind"] for c in feed["changes"]] == ["add"]
    assert feed["changes"][0]["hash"] == HASH

    withdrawn = api.client.post(
        f"/v1/cases/{case['case_number']}/withdraw", json={"pin": case["pin"]}
    )
    assert withdrawn.json()["status"] == "withdrawn"
    api.sync()
    again = api.client.post("/v1/match", json={"hashes": [NEAR]}, headers=api.auth("platform"))
    assert again.json()["matches"] == []


def test_the_service_warms_up_before_it_takes_requests(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    """The compiled kernels and the guard's lazy parts load at start-up (seconds on a new
    machine), not on the first requests; tests/hashing/test_warm.py checks what they cover."""
    import stukje.api.app as app_module
    from stukje.guard import Guard

    warmed: list[str] = []

    def note(what: str) -> float:
        warmed.append(what)
        return 0.0

    monkeypatch.setattr(app_module, "warm_kernels", lambda: note("kernels"))
    monkeypatch.setattr(Guard, "warm_up", lambda self: note("guard"))
    for _ in make_api(database_url, tmp_path):
        assert warmed == ["kernels", "guard"]
