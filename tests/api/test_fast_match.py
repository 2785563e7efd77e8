"""The lean /v1/match path answers exactly as the full route does, and only when nothing matches."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from api.conftest import Api, make_api
from stukje.api import fast_match
from stukje.api.routes import match as match_route

STORED = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
NEAR = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b2d"  # 4 bits off
FAR = "0f0f0f31bf0b57b0f9c8f5ddfc709c0f4c91d12a699de1e2cc194c63b163646d"  # ~all bits off
FAR_B64 = base64.b64encode(bytes.fromhex(FAR)).decode()
QUOTA = 5

Call = Callable[[Api], Any]


def _match(body: object, who: str = "match", **headers: str) -> Call:
    def call(api: Api) -> Any:
        sent = {**(api.auth(who) if who else {}), **headers}
        return api.client.post("/v1/match", json=body, headers=sent)

    return call


def _raw(content: bytes, content_type: str) -> Call:
    def call(api: Api) -> Any:
        headers = {**api.auth("match"), "content-type": content_type}
        return api.client.post("/v1/match", content=content, headers=headers)

    return call


REQUESTS: dict[str, Call] = {
    "miss": _match({"hashes": [FAR]}),
    "miss, base64, batch": _match({"hashes": [FAR_B64, FAR], "action": "forward"}),
    "hit": _match({"hashes": [FAR, NEAR]}),
    "hit only within a wider threshold": _match({"hashes": [NEAR], "threshold": 3}),
    "threshold as text": _match({"hashes": [FAR], "threshold": "8"}),
    "threshold out of range": _match({"hashes": [FAR], "threshold": 65}),
    "unknown field": _match({"hashes": [FAR], "extra": 1}),
    "unknown action": _match({"hashes": [FAR], "action": "print"}),
    "action not text": _match({"hashes": [FAR], "action": {"kind": "send"}}),
    "malformed hash": _match({"hashes": [FAR, "abc"]}),
    "no hashes": _match({"hashes": []}),
    "hashes not a list": _match({"hashes": FAR}),
    "over the batch limit": _match({"hashes": [FAR] * 11}),
    "over the hash quota": _match({"hashes": [FAR] * (QUOTA + 1)}),
    "no key": _match({"hashes": [FAR]}, who=""),
    "wrong scope": _match({"hashes": [FAR]}, who="feed"),
    "unknown key": _match({"hashes": [FAR]}, who="", authorization="Bearer stk_x_y"),
    "lowercase bearer": _match({"hashes": [FAR]}, who="", authorization="bearer stk_x_y"),
    "not JSON": _raw(b"hashes=" + FAR.encode(), "application/x-www-form-urlencoded"),
    "broken JSON": _raw(b'{"hashes": [', "application/json"),
}


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    yield from make_api(database_url, tmp_path, max_batch=10, partner_hashes_per_minute=QUOTA)


def _comparable(answer: Any) -> tuple[int, object]:
    body = answer.json()
    for found in body.get("matches", []) if isinstance(body, dict) else []:
        found.pop("match_event_id")  # differs between two recorded events, by design
    return answer.status_code, body


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_same_answer_as_the_full_route(
    api: Api, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store(api)
    lean = _comparable(REQUESTS[name](api))
    monkeypatch.setattr(fast_match.FastMatch, "_answer", _never)
    full = _comparable(REQUESTS[name](api))
    assert lean == full


async def _never(*_args: object) -> None:
    return None


def _store(api: Api) -> None:
    opened = api.client.post("/v1/cases", json={"signals": [{"hash": STORED}]})
    assert opened.status_code == 201, opened.text
    api.sync()


def test_well_formed_requests_skip_the_route(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    _store(api)
    reached: list[int] = []
    full_route = match_route.find_matches

    async def counting(*args: Any, **kwargs: Any) -> Any:
        reached.append(1)
        return await full_route(*args, **kwargs)

    monkeypatch.setattr(match_route, "find_matches", counting)
    miss = _match({"hashes": [FAR, FAR_B64]})(api)
    assert (miss.status_code, miss.json(), reached) == (200, {"checked": 2, "matches": []}, [])
    hit = _match({"hashes": [FAR, NEAR]})(api)
    assert hit.status_code == 200
    assert [m["index"] for m in hit.json()["matches"]] == [1]
    assert reached == []
    assert _match({"hashes": [FAR], "threshold": "8"})(api).status_code == 200  # route reads it
    assert reached == [1]


def test_a_hit_gives_the_same_bytes_and_records_an_event_per_path(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store(api)
    lean = _match({"hashes": [FAR, NEAR], "action": "send"})(api)
    monkeypatch.setattr(fast_match.FastMatch, "_answer", _never)
    full = _match({"hashes": [FAR, NEAR], "action": "send"})(api)
    first, second = lean.json()["matches"][0], full.json()["matches"][0]
    assert second["match_event_id"] == first["match_event_id"] + 1
    event_id = re.compile(rb'"match_event_id":\d+')
    assert event_id.sub(b"", full.content) == event_id.sub(b"", lean.content)
    assert lean.headers["content-type"] == full.headers["content-type"]
    assert lean.headers["content-length"] == full.headers["content-length"]


def test_misses_count_against_the_hash_quota(api: Api) -> None:
    for _ in range(QUOTA):
        assert _match({"hashes": [FAR]})(api).status_code == 200
    refused = _match({"hashes": [FAR]})(api)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"


def test_misses_are_counted_in_metrics_under_the_route(api: Api) -> None:
    assert _match({"hashes": [FAR, FAR]})(api).status_code == 200
    samples = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in api.client.get("/metrics").text.splitlines()
        if line and not line.startswith("#")
    }
    assert samples['stukje_http_requests_total{route="/v1/match",status="200"}'] == 1
    assert samples["stukje_hashes_checked_total"] == 2


def test_a_hit_is_searched_once(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """The route takes the lean path's search of the same codes instead of searching again."""
    _store(api)
    searched: list[int] = []
    search = api.matcher.search

    def counting(codes: Any, radius: int = 31) -> Any:
        searched.append(len(codes))
        return search(codes, radius)

    monkeypatch.setattr(api.matcher, "search", counting)
    hit = _match({"hashes": [FAR, NEAR]})(api)
    assert [m["index"] for m in hit.json()["matches"]] == [1]
    assert searched == [2]
    searched.clear()
    monkeypatch.setattr(fast_match.FastMatch, "_answer", _never)
    assert _match({"hashes": [FAR, NEAR]})(api).json()["matches"][0]["index"] == 1
    assert searched == [2]  # the route alone searches for itself
