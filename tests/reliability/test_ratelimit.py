"""Rate limits: the GCRA meter itself (against a fake clock), then 429s through the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.conftest import make_api
from stukje.api.ratelimit import RateLimit, client_key
from stukje.config import load_settings
from stukje.errors import RateLimitedError
from stukje.hashing import load_picture, query_signals

GOOD = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_full_burst_passes_then_one_unit_per_interval() -> None:
    clock = FakeClock()
    limit = RateLimit("t", limit=5, period_s=60, clock=clock)
    for _ in range(5):
        limit.charge("a")
    with pytest.raises(RateLimitedError) as refused:
        limit.charge("a")
    assert refused.value.retry_after_s == 12
    limit.charge("b")  # other keys are not affected
    clock.now += 11.9
    with pytest.raises(RateLimitedError):
        limit.charge("a")
    clock.now += 0.2
    limit.charge("a")
    assert limit.remaining("a") == 0
    clock.now += 60
    assert limit.remaining("a") == 5


def test_a_refused_charge_costs_nothing() -> None:
    clock = FakeClock()
    limit = RateLimit("t", limit=10, period_s=10, clock=clock)
    limit.charge("a", 8)
    with pytest.raises(RateLimitedError):
        limit.charge("a", 5)
    limit.charge("a", 2)


def test_a_cost_above_the_whole_limit_is_refused_and_zero_means_no_limit() -> None:
    with pytest.raises(RateLimitedError, match="at most 10"):
        RateLimit("t", limit=10, period_s=60).charge("a", 11)
    unlimited = RateLimit("t", limit=0, period_s=60)
    for _ in range(1000):
        unlimited.charge("a", 10**6)


@given(
    st.lists(
        st.tuples(st.floats(0, 30, allow_nan=False), st.integers(1, 7)), min_size=1, max_size=80
    )
)
def test_no_window_ever_admits_more_than_a_burst_plus_the_rate(
    steps: list[tuple[float, int]],
) -> None:
    clock = FakeClock()
    limit = RateLimit("t", limit=7, period_s=60, clock=clock)
    admitted: list[tuple[float, int]] = []
    waits: list[int] = []
    for wait, cost in steps:
        clock.now += wait
        try:
            limit.charge("k", cost)
        except RateLimitedError as refused:
            waits.append(refused.retry_after_s)
        else:
            admitted.append((clock.now, cost))
    assert all(wait >= 1 for wait in waits)
    for start, _ in admitted:
        for length in (0.0, 1.0, 30.0, 60.0, 120.0):
            units = sum(c for t, c in admitted if start <= t <= start + length)
            assert units <= 7 + length * 7 / 60 + 1e-9


def test_memory_stays_bounded_under_many_keys() -> None:
    clock = FakeClock()
    limit = RateLimit("t", limit=3, period_s=3600, max_keys=5000, clock=clock)
    for n in range(60_000):
        limit.charge(f"k{n}")
    assert len(limit) <= 10_000
    clock.now += 3601
    limit.charge("late")
    for n in range(2000):
        limit.charge(f"again{n}")
    assert len(limit) <= 10_000


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::9", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("testclient", "testclient"),
        (None, "unknown"),
    ],
)
def test_clients_count_by_address_and_ipv6_by_slash_64(host: str | None, key: str) -> None:
    assert client_key(host) == key


def test_limits_come_from_stukje_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUKJE_CASE_CREATES_PER_HOUR", "3")
    monkeypatch.setenv("STUKJE_CASE_PIN_TRIES_PER_HOUR", "4")
    monkeypatch.setenv("STUKJE_PARTNER_HASHES_PER_MINUTE", "0")
    settings = load_settings()
    assert (
        settings.case_creates_per_hour,
        settings.case_pin_tries_per_hour,
        settings.partner_hashes_per_minute,
    ) == (3, 4, 0)


def _assert_429(answer: object, code: str = "rate_limited") -> None:
    assert answer.status_code == 429, answer.text  # type: ignore[attr-defined]
    assert answer.json() == {"error": {"code": code, "message": answer.json()["error"]["message"]}}  # type: ignore[attr-defined]
    assert int(answer.headers["Retry-After"]) >= 1  # type: ignore[attr-defined]


def test_case_creation_is_limited_per_client(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    for api in make_api(url, tmp_path, case_creates_per_hour=3):
        body = {"signals": [{"hash": GOOD}]}
        for _ in range(3):
            assert api.client.post("/v1/cases", json=body).status_code == 201
        _assert_429(api.client.post("/v1/cases", json=body))
        # A helpline opening cases on someone's behalf is authenticated and not limited so.
        helpline = api.client.post("/v1/helpline/cases", json=body, headers=api.auth("helpline"))
        assert helpline.status_code == 201


def test_pin_requests_are_limited_per_client_across_cases(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    for api in make_api(url, tmp_path, case_pin_tries_per_hour=5):
        cases = [
            api.client.post("/v1/cases", json={"signals": [{"hash": GOOD}]}).json()
            for _ in range(3)
        ]
        tries = [
            api.client.get(f"/v1/cases/{c['case_number']}", headers={"X-Case-Pin": "00000000"})
            for c in cases + cases[:2]
        ]
        assert [t.status_code for t in tries] == [401] * 5
        # Spread over cases, the per-case throttle never fires; the per-client limit does,
        # for the right PIN too, and for every route that takes a PIN.
        right = cases[0]
        _assert_429(
            api.client.get(
                f"/v1/cases/{right['case_number']}", headers={"X-Case-Pin": right["pin"]}
            )
        )
        _assert_429(
            api.client.post(f"/v1/cases/{right['case_number']}/withdraw", json={"pin": "1"})
        )


def test_partners_have_a_quota_of_hashes_per_minute(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    for api in make_api(url, tmp_path, partner_hashes_per_minute=10):
        match = api.auth("match")
        assert api.client.post("/v1/match", json={"hashes": [GOOD] * 8}, headers=match).is_success
        assert api.client.get(
            "/m/raw_lookup", params={"signal_type": "pdq", "signal": GOOD}, headers=match
        ).is_success
        _assert_429(api.client.post("/v1/match", json={"hashes": [GOOD] * 2}, headers=match))
        lookup = {"signal_type": "pdq", "signal": GOOD}
        assert api.client.get("/m/lookup", params=lookup, headers=match).is_success  # the 10th
        _assert_429(api.client.get("/m/lookup", params=lookup, headers=match))
        other = api.client.post(
            "/v1/match", json={"hashes": [GOOD] * 10}, headers=api.auth("platform")
        )
        assert other.is_success  # another partner's quota is its own


def test_a_picture_is_charged_for_every_hash_of_its_query_set(
    tmp_path: Path, photos_dir: Path
) -> None:
    data = (photos_dir / "opencv_fruits.jpg").read_bytes()
    looked_up = len(query_signals(load_picture(data)))
    assert looked_up > 1
    url = f"sqlite:///{tmp_path / 'b.db'}"
    for api in make_api(url, tmp_path, partner_hashes_per_minute=looked_up + 5):
        match = api.auth("match")
        files = {"file": ("p.jpg", data, "image/jpeg")}
        assert api.client.post("/v1/match/image", files=files, headers=match).is_success
        _assert_429(api.client.post("/v1/match", json={"hashes": [GOOD] * 6}, headers=match))
        assert api.client.post("/v1/match", json={"hashes": [GOOD] * 5}, headers=match).is_success
        _assert_429(api.client.post("/v1/match/image", files=files, headers=match))
