"""Bad input gets a clear 4xx in the one error shape, and nothing already stored is touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.conftest import Api, make_api

GOOD = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def _open_case(api: Api) -> dict[str, str]:
    answer = api.client.post("/v1/cases", json={"signals": [{"hash": GOOD}]})
    assert answer.status_code == 201
    api.sync()
    return answer.json()  # type: ignore[no-any-return]


def _error(answer: object) -> dict[str, str]:
    body = answer.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    assert body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "bad_hash",
    ["", "abc", GOOD[:-1], GOOD + "0", "z" * 64, "!" * 44, GOOD[:30] + " " + GOOD[31:]],
)
def test_malformed_hashes_are_422_everywhere(api: Api, bad_hash: str) -> None:
    opened = api.client.post("/v1/cases", json={"signals": [{"hash": bad_hash}]})
    assert opened.status_code == 422
    matched = api.client.post(
        "/v1/match", json={"hashes": [GOOD, bad_hash]}, headers=api.auth("match")
    )
    assert matched.status_code == 422
    assert _error(matched)["code"] in {"invalid_signal", "invalid_request"}
    assert bad_hash == "" or bad_hash not in matched.text  # never echo submitted hashes


def test_oversize_batch_is_413(tmp_path: Path) -> None:
    for api in make_api(f"sqlite:///{tmp_path / 'b.db'}", tmp_path, max_batch=100):
        answer = api.client.post(
            "/v1/match", json={"hashes": [GOOD] * 101}, headers=api.auth("match")
        )
        assert answer.status_code == 413
        assert _error(answer)["code"] == "batch_too_large"
        ok = api.client.post("/v1/match", json={"hashes": [GOOD] * 100}, headers=api.auth("match"))
        assert ok.status_code == 200


def test_oversize_upload_is_413_and_never_read_whole(tmp_path: Path) -> None:
    for api in make_api(f"sqlite:///{tmp_path / 'b.db'}", tmp_path, max_image_bytes=10_000):
        big = b"\xff\xd8" + bytes(20_000)
        raw = api.client.post(
            "/v1/match/image",
            content=big,
            headers={**api.auth("match"), "content-type": "image/jpeg"},
        )
        assert raw.status_code == 413
        assert _error(raw)["code"] == "image_too_large"
        form = api.client.post(
            "/v1/match/image",
            files={"file": ("big.jpg", big, "image/jpeg")},
            headers=api.auth("match"),
        )
        assert form.status_code == 413


def test_unknown_case_and_wrong_pin(api: Api) -> None:
    case = _open_case(api)
    unknown = api.client.get("/v1/cases/AAAA-BBBB-CCCC", headers={"X-Case-Pin": "12345678"})
    assert unknown.status_code in (401, 404)
    wrong = api.client.get(f"/v1/cases/{case['case_number']}", headers={"X-Case-Pin": "00000000"})
    assert wrong.status_code == 401
    assert _error(wrong)["code"] == "invalid_credentials"
    no_pin = api.client.get(f"/v1/cases/{case['case_number']}")
    assert no_pin.status_code == 422
    withdraw = api.client.post(
        f"/v1/cases/{case['case_number']}/withdraw", json={"pin": "00000000"}
    )
    assert withdraw.status_code == 401
    # Nothing was touched: the case is active and its hash still matches.
    still = api.client.post("/v1/match", json={"hashes": [GOOD]}, headers=api.auth("match"))
    assert len(still.json()["matches"]) == 1


def test_pin_tries_are_throttled(api: Api) -> None:
    case = _open_case(api)
    url = f"/v1/cases/{case['case_number']}"
    for _ in range(10):
        assert api.client.get(url, headers={"X-Case-Pin": "00000000"}).status_code == 401
    throttled = api.client.get(url, headers={"X-Case-Pin": case["pin"]})
    assert throttled.status_code == 429
    assert _error(throttled)["code"] == "too_many_attempts"
    assert int(throttled.headers["Retry-After"]) > 0


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("POST", "/v1/cases", {"signals": []}),
        ("POST", "/v1/cases", {"signals": [{"hash": GOOD}], "language": "not a language!"}),
        ("POST", "/v1/cases", {"signals": [{"hash": GOOD, "quality": 101}]}),
        ("POST", "/v1/cases", {"signals": [{"hash": GOOD}], "surprise": 1}),
        ("POST", "/v1/match", {"hashes": []}),
        ("POST", "/v1/match", {"hashes": [GOOD], "threshold": 65}),
        ("POST", "/v1/feedback", {"match_event_id": 1, "verdict": "maybe"}),
    ],
)
def test_invalid_bodies_are_422_with_details(
    api: Api, method: str, url: str, body: dict[str, object]
) -> None:
    answer = api.client.request(method, url, json=body, headers=api.auth("platform"))
    assert answer.status_code == 422
    error = _error(answer)
    assert error["code"] == "invalid_request"
    assert error["details"]


def test_feedback_on_someone_elses_or_unknown_match_is_refused(api: Api) -> None:
    answer = api.client.post(
        "/v1/feedback",
        json={"match_event_id": 999, "verdict": "blocked"},
        headers=api.auth("platform"),
    )
    assert answer.status_code == 404


def test_unknown_route_and_method_use_the_error_shape(api: Api) -> None:
    assert _error(api.client.get("/v1/nothing-here"))["code"] == "not_found"
    assert _error(api.client.delete("/v1/cases"))["code"] == "method_not_allowed"


def test_garbage_json_is_422(api: Api) -> None:
    answer = api.client.post(
        "/v1/match",
        content=b"{not json",
        headers={**api.auth("match"), "content-type": "application/json"},
    )
    assert answer.status_code == 422
