"""Threats from docs/security.md that no other test shows: each test names its threat."""

from __future__ import annotations

import hmac
import struct
import zlib

import pytest
from sqlalchemy import select

from api.conftest import Api
from stukje.bank import credentials, schema

GOOD = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def test_poisoning_a_false_match_goes_to_review_and_a_helpline_withdraws_it(api: Api) -> None:
    # Someone submits the hash of a legitimate picture to have it blocked everywhere.
    poisoned = api.client.post("/v1/cases", json={"signals": [{"hash": GOOD}]})
    assert poisoned.status_code == 201
    api.sync()
    platform = api.auth("platform")
    [match] = api.client.post("/v1/match", json={"hashes": [GOOD]}, headers=platform).json()[
        "matches"
    ]
    flagged = api.client.post(
        "/v1/feedback",
        json={"match_event_id": match["match_event_id"], "verdict": "false_positive"},
        headers=platform,
    )
    assert flagged.status_code == 201
    helpline = api.auth("helpline")
    queue = api.client.get("/v1/helpline/review", headers=helpline).json()
    assert [item["match_event_id"] for item in queue] == [match["match_event_id"]]
    decided = api.client.post(
        f"/v1/helpline/review/{match['match_event_id']}",
        json={"decision": "signal_withdrawn"},
        headers=helpline,
    )
    assert decided.status_code == 204
    api.sync()
    again = api.client.post("/v1/match", json={"hashes": [GOOD]}, headers=platform)
    assert again.json()["matches"] == []
    actions = [
        e["action"]
        for e in api.client.get("/v1/helpline/audit", headers=helpline).json()["entries"]
    ]
    assert any(action.startswith("review") for action in actions)


def test_pins_and_keys_are_stored_only_as_scrypt_hashes(api: Api) -> None:
    case = api.client.post("/v1/cases", json={"signals": [{"hash": GOOD}]}).json()
    with api.bank.engine.connect() as connection:
        pin_hashes = connection.scalars(select(schema.cases.c.pin_hash)).all()
        key_hashes = connection.scalars(select(schema.partners.c.key_hash)).all()
    assert pin_hashes
    assert all(h.startswith("scrypt$") for h in [*pin_hashes, *key_hashes])
    assert not any(case["pin"] in h for h in pin_hashes)
    assert not any(key in h for key in api.keys.values() for h in key_hashes)


def test_secrets_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        calls.append(1)
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", counting)  # the module credentials uses
    encoded = credentials.hash_secret("12345678", cost=2**8)
    assert credentials.verify_secret("12345678", encoded)
    assert not credentials.verify_secret("12345679", encoded)
    assert len(calls) == 2


def test_a_rotated_key_stops_working_at_once(api: Api) -> None:
    old = api.auth("match")
    assert api.client.post("/v1/match", json={"hashes": [GOOD]}, headers=old).status_code == 200
    _, new_key = api.bank.rotate_key("partner-match")
    refused = api.client.post("/v1/match", json={"hashes": [GOOD]}, headers=old)
    assert refused.status_code == 401
    fresh = {"Authorization": f"Bearer {new_key}"}
    assert api.client.post("/v1/match", json={"hashes": [GOOD]}, headers=fresh).status_code == 200


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1000)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("route", ["/v1/match/image", "/h/hash"])
def test_a_decompression_bomb_is_refused_from_its_header(api: Api, route: str) -> None:
    bomb = _png_claiming(40_000, 40_000)  # 1.6 gigapixels in under 100 bytes
    assert len(bomb) < 200
    answer = api.client.post(route, files={"file": ("b.png", bomb)}, headers=api.auth("match"))
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_many_pixels"
