"""Every route times every scope: the right key passes, any other is refused, none is 401.

ROUTE_SCOPES is the contract; a test checks it names every route the app serves, so a new
route cannot ship without saying who may call it.
"""

from __future__ import annotations

import threading
import time

import pytest

from api.conftest import Api
from conftest import FAST_SCRYPT
from stukje.api import deps
from stukje.api.deps import KEY_REUSE_S
from stukje.bank import Bank, Partner, Scope, create_bank_engine

PUBLIC = None

#: (method, path) -> the scope a partner key needs; PUBLIC routes need none.
ROUTE_SCOPES: dict[tuple[str, str], Scope | None] = {
    ("POST", "/v1/cases"): PUBLIC,
    ("POST", "/v1/cases/{case_number}/signals"): PUBLIC,
    ("GET", "/v1/cases/{case_number}"): PUBLIC,
    ("POST", "/v1/cases/{case_number}/withdraw"): PUBLIC,
    ("POST", "/v1/match"): Scope.MATCH,
    ("POST", "/v1/match/image"): Scope.MATCH,
    ("GET", "/v1/feed"): Scope.FEED,
    ("POST", "/v1/feedback"): Scope.FEEDBACK,
    ("POST", "/v1/guard"): Scope.MATCH,
    ("POST", "/v1/guard/outcome"): Scope.MATCH,
    ("POST", "/v1/helpline/cases"): Scope.HELPLINE,
    ("GET", "/v1/helpline/cases/{case_number}"): Scope.HELPLINE,
    ("POST", "/v1/helpline/cases/{case_number}/signals"): Scope.HELPLINE,
    ("POST", "/v1/helpline/cases/{case_number}/withdraw"): Scope.HELPLINE,
    ("GET", "/v1/helpline/cases/{case_number}/notes"): Scope.HELPLINE,
    ("POST", "/v1/helpline/cases/{case_number}/notes"): Scope.HELPLINE,
    ("GET", "/v1/helpline/review"): Scope.HELPLINE,
    ("POST", "/v1/helpline/review/{match_event_id}"): Scope.HELPLINE,
    ("GET", "/v1/helpline/audit"): Scope.HELPLINE,
    ("GET", "/v1/helpline/cases"): Scope.HELPLINE,
    ("GET", "/v1/helpline/stats"): Scope.HELPLINE,
    ("GET", "/m/lookup"): Scope.MATCH,
    ("GET", "/m/raw_lookup"): Scope.MATCH,
    ("POST", "/h/hash"): Scope.MATCH,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
}

SCOPED = [(method, path, scope) for (method, path), scope in ROUTE_SCOPES.items() if scope]


def test_every_served_api_route_has_a_declared_scope(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    served = {(method.upper(), path) for path, item in paths.items() for method in item}
    assert served >= set(ROUTE_SCOPES)
    api_routes = {(m, p) for m, p in served if not p.startswith(("/demo", "/helpline", "/static"))}
    assert api_routes - {("GET", "/")} == set(ROUTE_SCOPES) - {("GET", "/")}


def _url(path: str) -> str:
    return path.replace("{case_number}", "ABCD-EFGH-JKLM").replace("{match_event_id}", "1")


@pytest.mark.parametrize(("method", "path", "scope"), SCOPED)
def test_scoped_routes_refuse_missing_wrong_and_revoked_keys(
    api: Api, method: str, path: str, scope: Scope
) -> None:
    url = _url(path)
    missing = api.client.request(method, url)
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "invalid_credentials"

    bogus = api.client.request(method, url, headers={"Authorization": "Bearer stk_nope_nope"})
    assert bogus.status_code == 401

    for other in Scope:
        if other is scope:
            continue
        wrong = api.client.request(method, url, headers=api.auth(other.value))
        assert wrong.status_code == 403, (other, wrong.text)
        assert wrong.json()["error"]["code"] == "missing_scope"

    right = api.client.request(method, url, headers=api.auth(scope.value))
    assert right.status_code not in (401, 403), right.text


def test_revocation_takes_effect_on_the_next_request(api: Api) -> None:
    headers = api.auth("match")
    ok = api.client.post("/v1/match", json={"hashes": ["0" * 64]}, headers=headers)
    assert ok.status_code == 200
    api.bank.revoke_partner("partner-match")
    refused = api.client.post("/v1/match", json={"hashes": ["0" * 64]}, headers=headers)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "revoked_key"


def test_a_revocation_made_elsewhere_reaches_the_worker_within_a_second(
    api: Api, database_url: str
) -> None:
    """Another process (here: another store) revokes; a worker remembers a key for KEY_REUSE_S."""
    headers = api.auth("match")
    assert api.client.post("/v1/match", json={"hashes": ["0" * 64]}, headers=headers).is_success
    elsewhere = Bank(create_bank_engine(database_url), scrypt_cost=FAST_SCRYPT)
    elsewhere.revoke_partner("partner-match")
    elsewhere.close()
    time.sleep(KEY_REUSE_S)
    refused = api.client.post("/v1/match", json={"hashes": ["0" * 64]}, headers=headers)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "revoked_key"


def test_a_key_in_steady_use_is_read_again_in_the_background(
    api: Api, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past KEY_REFRESH_S a key's row is read once, in the background; no request waits for it."""
    monkeypatch.setattr(deps, "KEY_REFRESH_S", 0.0)  # every remembered use starts a read
    body, headers = {"hashes": ["0" * 64]}, api.auth("match")
    assert api.client.post("/v1/match", json=body, headers=headers).is_success  # read, remembered
    reads: list[float] = []
    release = threading.Event()
    authenticate = api.bank.authenticate

    def slow(api_key: str) -> Partner:
        reads.append(time.monotonic())
        release.wait(10)
        return authenticate(api_key)

    monkeypatch.setattr(api.bank, "authenticate", slow)
    started = time.monotonic()
    for _ in range(5):  # answered from memory while the one read waits
        assert api.client.post("/v1/match", json=body, headers=headers).is_success
    assert time.monotonic() - started < KEY_REUSE_S
    assert len(reads) == 1
    release.set()
    # The read done, the next use starts another; a revocation made elsewhere still reaches the
    # worker within KEY_REUSE_S, though requests no longer read the row themselves.
    deadline = time.monotonic() + 5
    while len(reads) < 2 and time.monotonic() < deadline:
        assert api.client.post("/v1/match", json=body, headers=headers).is_success
        time.sleep(0.01)
    assert len(reads) >= 2
    elsewhere = Bank(create_bank_engine(database_url), scrypt_cost=FAST_SCRYPT)
    elsewhere.revoke_partner("partner-match")
    elsewhere.close()
    refused_after = time.monotonic() + KEY_REUSE_S
    while time.monotonic() < refused_after + 0.5:
        response = api.client.post("/v1/match", json=body, headers=headers)
        if response.status_code == 401:
            break
        time.sleep(0.02)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "revoked_key"
