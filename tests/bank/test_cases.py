"""Cases: opening, reading, adding to and withdrawing them; PINs, throttling and helplines."""

from __future__ import annotations

import pytest

import stukje.bank.cases as cases_module
from bank.helpers import FakeClock, random_hashes
from stukje.bank import MAX_PIN_FAILURES, Bank, Status, normalize_case_number
from stukje.errors import (
    ConflictError,
    InvalidCredentialsError,
    InvalidInputError,
    NotFoundError,
    ScopeError,
    TooManyAttemptsError,
)


def _wrong(pin: str) -> str:
    return "0" * len(pin) if pin != "0" * len(pin) else "1" * len(pin)


def test_a_new_case_shows_its_signals_to_the_pin_holder(bank: Bank) -> None:
    receipt = bank.create_case(random_hashes(3), "nl")
    view = bank.get_case(receipt.case_number, receipt.pin)
    assert receipt.signal_count == 3
    assert (view.case_number, view.status, view.language) == (receipt.case_number, "active", "nl")
    assert (view.signal_count, view.match_count, dict(view.partner_actions)) == (3, 0, {})


def test_case_numbers_are_typed_forgivingly(bank: Bank) -> None:
    receipt = bank.create_case(random_hashes(1), "en")
    sloppy = receipt.case_number.lower().replace("-", " ")
    assert bank.get_case(sloppy, receipt.pin).case_number == receipt.case_number


def test_the_pin_is_not_in_the_database(bank: Bank) -> None:
    receipt = bank.create_case(random_hashes(1), "en")
    with bank.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT pin_hash, case_number FROM cases").one()
    assert receipt.pin not in stored[0]
    assert stored[1] == normalize_case_number(receipt.case_number)


def test_wrong_pin_and_unknown_case_raise_different_errors(bank: Bank) -> None:
    receipt = bank.create_case(random_hashes(1), "en")
    with pytest.raises(InvalidCredentialsError):
        bank.get_case(receipt.case_number, _wrong(receipt.pin))
    with pytest.raises(NotFoundError):
        bank.get_case("2222-2222-2222", receipt.pin)
    with pytest.raises(InvalidInputError):
        bank.get_case("not a case", receipt.pin)
    with pytest.raises(InvalidCredentialsError):
        bank.get_case(receipt.case_number)


def test_ten_wrong_pins_in_an_hour_lock_the_case(bank: Bank, clock: FakeClock) -> None:
    receipt = bank.create_case(random_hashes(1), "en")
    for _ in range(MAX_PIN_FAILURES):
        with pytest.raises(InvalidCredentialsError):
            bank.get_case(receipt.case_number, _wrong(receipt.pin))
        clock.advance(minutes=1)
    with pytest.raises(TooManyAttemptsError) as caught:
        bank.get_case(receipt.case_number, receipt.pin)  # even the right PIN waits
    assert 50 * 60 < caught.value.retry_after_s <= 51 * 60 + 1
    clock.advance(minutes=51)  # the oldest failure is now over an hour old
    assert bank.get_case(receipt.case_number, receipt.pin).status == Status.ACTIVE


def test_failures_spread_over_hours_do_not_lock(bank: Bank, clock: FakeClock) -> None:
    receipt = bank.create_case(random_hashes(1), "en")
    for _ in range(3 * MAX_PIN_FAILURES):
        with pytest.raises(InvalidCredentialsError):
            bank.get_case(receipt.case_number, _wrong(receipt.pin))
        clock.advance(minutes=7)
    assert bank.get_case(receipt.case_number, receipt.pin).status == Status.ACTIVE


def test_adding_signals_skips_ones_already_in_the_case(bank: Bank) -> None:
    first, second = random_hashes(2)
    receipt = bank.create_case([first], "en")
    assert bank.add_signals(receipt.case_number, [first, second, second], pin=receipt.pin) == 1
    assert bank.get_case(receipt.case_number, receipt.pin).signal_count == 2


def test_withdrawing_a_case_withdraws_its_signals(bank: Bank) -> None:
    receipt = bank.create_case(random_hashes(4), "en")
    view = bank.withdraw_case(receipt.case_number, pin=receipt.pin)
    assert (view.status, view.signal_count) == (Status.WITHDRAWN, 0)
    infos = bank.signals_by_ids(range(1, 10)).values()
    assert {(i.status, i.case_status) for i in infos} == {(Status.WITHDRAWN, Status.WITHDRAWN)}
    with pytest.raises(ConflictError):
        bank.add_signals(receipt.case_number, random_hashes(1, seed=9), pin=receipt.pin)


def test_a_helpline_acts_without_the_pin(bank: Bank) -> None:
    helpline, _ = bank.create_partner("helpline", "helpline")
    receipt = bank.create_case(random_hashes(2), "de", opened_by=helpline)
    assert bank.add_signals(receipt.case_number, random_hashes(1, seed=5), helpline=helpline) == 1
    assert bank.get_case(receipt.case_number, helpline=helpline).signal_count == 3
    view = bank.withdraw_case(receipt.case_number, helpline=helpline)
    assert view.status == Status.WITHDRAWN


def test_only_helplines_act_without_the_pin(bank: Bank) -> None:
    platform, _ = bank.create_partner("platform", "match,feed")
    receipt = bank.create_case(random_hashes(1), "en")
    with pytest.raises(ScopeError):
        bank.get_case(receipt.case_number, helpline=platform)
    with pytest.raises(ScopeError):
        bank.create_case(random_hashes(1), "en", opened_by=platform)


@pytest.mark.parametrize("count", [0, 6])
def test_a_case_is_opened_with_one_to_the_limit_of_signals(
    bank: Bank, count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cases_module, "MAX_SIGNALS_PER_CASE", 5)
    with pytest.raises(InvalidInputError):
        bank.create_case(random_hashes(count), "en")


def test_a_case_holds_at_most_the_case_limit_across_requests(
    bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cases_module, "MAX_SIGNALS_PER_CASE", 5)
    hashes = random_hashes(7, seed=11)
    receipt = bank.create_case(hashes[:4], "nl")
    assert bank.add_signals(receipt.case_number, hashes[:5], pin=receipt.pin) == 1
    with pytest.raises(InvalidInputError, match="at most 5"):
        bank.add_signals(receipt.case_number, hashes[5:], pin=receipt.pin)
    assert bank.get_case(receipt.case_number, receipt.pin).signal_count == 5
