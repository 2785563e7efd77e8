"""Partners and API keys: creating, authenticating, revoking, rotating, listing."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine

from bank.conftest import FAST_SCRYPT
from stukje.bank import Bank, Scope, parse_scopes, partners
from stukje.bank.credentials import verify_secret
from stukje.errors import (
    ConflictError,
    InvalidCredentialsError,
    InvalidInputError,
    NotFoundError,
    RevokedKeyError,
)


def test_a_new_key_authenticates_its_partner(bank: Bank) -> None:
    created, api_key = bank.create_partner("acme", "match,feed")
    assert api_key.startswith(f"stk_{created.key_id}_")
    found = bank.authenticate(api_key)
    assert found == created
    assert found.scopes == {Scope.MATCH, Scope.FEED}
    assert bank.authenticate(api_key) == created  # the remembered path gives the same answer


def test_the_key_is_not_in_the_database(bank: Bank) -> None:
    _, api_key = bank.create_partner("acme", "match")
    secret = api_key.split("_", 2)[2]  # stk_<key id>_<secret>; the secret may hold "_"
    with bank.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT key_hash FROM partners").scalar_one()
    assert secret not in stored
    assert api_key not in stored


@pytest.mark.parametrize(
    "tamper",
    [
        lambda key: key[:-1] + ("A" if key[-1] != "A" else "B"),
        lambda key: key.replace("stk_", "xyz_"),
        lambda key: "stk_aaaaaaaaaaaa_" + key.split("_", 2)[2],
        lambda key: "",
    ],
)
def test_a_wrong_key_is_refused(bank: Bank, tamper: object) -> None:
    _, api_key = bank.create_partner("acme", "match")
    assert callable(tamper)
    with pytest.raises(InvalidCredentialsError):
        bank.authenticate(tamper(api_key))


def test_a_revoked_key_is_refused_at_once(bank: Bank) -> None:
    created, api_key = bank.create_partner("acme", "match")
    bank.authenticate(api_key)  # remembered as verified
    revoked = bank.revoke_partner("acme")
    assert revoked.revoked
    assert revoked.id == created.id
    with pytest.raises(RevokedKeyError):
        bank.authenticate(api_key)


def test_rotating_a_key_retires_the_old_one(bank: Bank) -> None:
    created, old_key = bank.create_partner("acme", "match")
    bank.revoke_partner(created.id)
    rotated, new_key = bank.rotate_key(str(created.id))
    assert not rotated.revoked
    assert bank.authenticate(new_key).id == created.id
    with pytest.raises(InvalidCredentialsError):
        bank.authenticate(old_key)


def test_partner_names_are_unique(bank: Bank) -> None:
    bank.create_partner("acme", "match")
    with pytest.raises(ConflictError):
        bank.create_partner("acme", "feed")


def test_listing_and_finding_partners(bank: Bank) -> None:
    first, _ = bank.create_partner("acme", "match")
    second, _ = bank.create_partner("help", "helpline,admin")
    assert [p.name for p in bank.list_partners()] == ["acme", "help"]
    assert bank.get_partner("help") == second
    assert bank.get_partner(first.id) == first
    with pytest.raises(NotFoundError):
        bank.revoke_partner("nobody")


@pytest.mark.parametrize("scopes", ["", "match,flying", "root"])
def test_unknown_or_missing_scopes_are_refused(bank: Bank, scopes: str) -> None:
    with pytest.raises(InvalidInputError):
        bank.create_partner("acme", scopes)


def test_parse_scopes_accepts_lists_and_strings() -> None:
    assert parse_scopes(" Match , feed ") == parse_scopes([Scope.MATCH, "feed"])


def test_a_recent_key_is_remembered_for_at_most_its_age(bank: Bank, engine: Engine) -> None:
    created, api_key = bank.create_partner("acme", "match")
    assert bank.recently_authenticated(api_key, 1.0) is None  # never authenticated here
    bank.authenticate(api_key)
    assert bank.recently_authenticated(api_key, 60.0) == created
    assert bank.recently_authenticated(api_key + "x", 60.0) is None
    elsewhere = Bank(engine, scrypt_cost=FAST_SCRYPT)  # another worker's store
    elsewhere.revoke_partner("acme")
    elsewhere.close()
    assert bank.recently_authenticated(api_key, 60.0) == created  # not seen here until it ages
    time.sleep(0.02)
    assert bank.recently_authenticated(api_key, 0.01) is None
    with pytest.raises(RevokedKeyError):
        bank.authenticate(api_key)


@pytest.mark.parametrize("change", ["revoke", "rotate"])
def test_revoking_or_rotating_here_forgets_recent_keys_at_once(bank: Bank, change: str) -> None:
    _, api_key = bank.create_partner("acme", "match")
    bank.authenticate(api_key)
    if change == "revoke":
        bank.revoke_partner("acme")
    else:
        bank.rotate_key("acme")
    assert bank.recently_authenticated(api_key, 60.0) is None


def test_concurrent_checks_of_one_key_run_scrypt_once(
    bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A worker that starts under load gets many requests with the same key at once.
    created, api_key = bank.create_partner("acme", "match")
    calls: list[str] = []
    start = threading.Barrier(8)

    def slow_verify(secret: str, key_hash: str) -> bool:
        calls.append(secret)
        time.sleep(0.2)  # long enough for every other thread to arrive meanwhile
        return verify_secret(secret, key_hash)

    monkeypatch.setattr(partners, "verify_secret", slow_verify)

    def check() -> object:
        start.wait()
        return bank.authenticate(api_key)

    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(lambda _: check(), range(8)))
    assert found == [created] * 8
    assert len(calls) == 1


def test_a_wrong_key_is_not_held_up_by_the_right_ones_check(
    bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, api_key = bank.create_partner("acme", "match")
    wrong = api_key[:-1] + ("A" if api_key[-1] != "A" else "B")
    wrong_checked = threading.Event()

    def verify(secret: str, key_hash: str) -> bool:
        if secret == api_key:  # the right key's check waits until the wrong one's has run
            assert wrong_checked.wait(timeout=10), "the wrong key waited for the right one"
        else:
            wrong_checked.set()
        return verify_secret(secret, key_hash)

    monkeypatch.setattr(partners, "verify_secret", verify)
    with ThreadPoolExecutor(2) as pool:
        right = pool.submit(bank.authenticate, api_key)
        time.sleep(0.05)  # the right key's check is under way
        with pytest.raises(InvalidCredentialsError):
            pool.submit(bank.authenticate, wrong).result(timeout=10)
        assert right.result(timeout=10).name == "acme"
