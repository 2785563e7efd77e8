"""POST /v1/guard (JSON and picture upload) and /v1/guard/outcome."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from api.conftest import Api
from stukje.api.routes.guard import MAX_GUARD_SIGNALS
from stukje.hashing import hash_image, load_picture, query_signals

CONTEXT = {"action": "forward", "tier": "adult", "locale": "nl-NL", "country": "NL"}


def _jpeg(photos_dir: Path, name: str = "opencv_fruits.jpg") -> bytes:
    return (photos_dir / name).read_bytes()


def test_known_picture_is_blocked_on_forward_and_a_match_event_is_recorded(
    api: Api, photos_dir: Path
) -> None:
    data = _jpeg(photos_dir)
    value = hash_image(data).signal.hash.to_hex()
    api.client.post("/v1/cases", json={"signals": [{"hash": value}]})
    api.sync()
    decision = api.client.post(
        "/v1/guard",
        files={"file": ("p.jpg", data, "image/jpeg")},
        data={"context": json.dumps(CONTEXT)},
        headers=api.auth("match"),
    )
    assert decision.status_code == 200, decision.text
    body = decision.json()
    assert body["verdict"] == "block"
    assert body["reasons"][0] == "known_bank_match"
    assert body["language"] == "nl"
    assert body["message"] is not None
    assert body["help"], "a block must come with help resources"
    assert body["record_match_event"] is True
    review = api.bank.signals_by_ids([int(body["matches"][0]["reference"])])
    assert review


@pytest.mark.parametrize(
    ("nudity_score", "tier", "verdict"),
    [(None, "adult", "allow"), (0.97, "adult", "nudge"), (0.97, "child", "block")],
)
def test_json_guard_uses_the_apps_own_nudity_score(
    api: Api, nudity_score: float | None, tier: str, verdict: str
) -> None:
    payload = {
        "signals": ["0" * 64],
        "nudity_score": nudity_score,
        "context": {**CONTEXT, "tier": tier},
    }
    decision = api.client.post("/v1/guard", json=payload, headers=api.auth("match"))
    assert decision.status_code == 200, decision.text
    assert decision.json()["verdict"] == verdict


def test_outcomes_are_counted(api: Api) -> None:
    report = {
        "outcome": "cancelled",
        "verdict": "nudge",
        "reason": "likely_nudity",
        "action": "forward",
        "tier": "teen",
    }
    for _ in range(3):
        answer = api.client.post("/v1/guard/outcome", json=report, headers=api.auth("match"))
        assert answer.status_code == 204, answer.text
    [count] = api.bank.outcome_counts()
    assert (count.outcome, count.tier, count.count) == ("cancelled", "teen", 3)


def test_an_app_can_send_the_whole_query_set_of_a_screenshot(api: Api, photos_dir: Path) -> None:
    """A screenshot trims, so its query set holds the parts of the picture and of its trimmed
    part (114 hashes here): the app sends them all; one more than the limit is refused."""
    photo = Image.open(photos_dir / "opencv_fruits.jpg").convert("RGB")
    height = round(photo.height * 720 / photo.width)
    screen = Image.new("RGB", (720, 1560))
    screen.paste(photo.resize((720, height)), (0, (1560 - height) // 2))
    ImageDraw.Draw(screen).text((20, 10), "12:30   4G   87%", fill=(255, 255, 255))
    out = io.BytesIO()
    screen.save(out, "PNG")
    signals = [s.hash.to_hex() for s in query_signals(load_picture(out.getvalue()))]
    assert 100 < len(signals) <= MAX_GUARD_SIGNALS
    payload = {"signals": signals, "context": CONTEXT}
    decision = api.client.post("/v1/guard", json=payload, headers=api.auth("match"))
    assert decision.status_code == 200, decision.text
    too_many = {"signals": ["0" * 64] * (MAX_GUARD_SIGNALS + 1), "context": CONTEXT}
    refused = api.client.post("/v1/guard", json=too_many, headers=api.auth("match"))
    assert refused.status_code == 422


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"context": {"action": "teleport"}}, 422),
        ({"signals": ["xyz"], "context": {"action": "send"}}, 422),
        ({"context": {"action": "send"}, "nudity_score": 3}, 422),
    ],
)
def test_bad_guard_requests_get_a_clear_4xx(api: Api, payload: object, status: int) -> None:
    answer = api.client.post("/v1/guard", json=payload, headers=api.auth("match"))
    assert answer.status_code == status
    assert answer.json()["error"]["code"] in {"invalid_request", "invalid_signal"}


def test_impossible_outcome_is_refused(api: Api) -> None:
    report = {
        "outcome": "sent_anyway",
        "verdict": "block",
        "reason": "known_bank_match",
        "action": "forward",
        "tier": "adult",
    }
    answer = api.client.post("/v1/guard/outcome", json=report, headers=api.auth("match"))
    assert answer.status_code == 422


def test_guard_upload_of_a_non_picture_is_refused(api: Api) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    answer = api.client.post(
        "/v1/guard",
        files={"file": ("x.txt", b"not a picture at all", "text/plain")},
        data={"context": json.dumps(CONTEXT)},
        headers=api.auth("match"),
    )
    assert answer.status_code in (415, 422)
    assert answer.json()["error"]["code"] in {"unsupported_format", "corrupt_image"}
