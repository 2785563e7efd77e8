"""Case numbers, PINs, API keys and slow secret hashes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stukje.bank.credentials import (
    CASE_ALPHABET,
    PIN_DIGITS,
    format_case_number,
    hash_secret,
    new_api_key,
    new_case_number,
    new_pin,
    normalize_case_number,
    parse_api_key,
    verify_secret,
)
from stukje.errors import InvalidCredentialsError, InvalidInputError

case_numbers = st.text(alphabet=CASE_ALPHABET, min_size=12, max_size=12)


@given(case_numbers)
def test_case_numbers_survive_formatting_and_sloppy_typing(number: str) -> None:
    shown = format_case_number(number)
    assert len(shown) == 14
    assert shown.count("-") == 2
    assert normalize_case_number(shown) == number
    assert normalize_case_number(shown.lower().replace("-", " ")) == number


@pytest.mark.parametrize(
    "text", ["", "ABCD-EFGH-JKM", "ABCD-EFGH-JKMNP", "0BCD-EFGH-JKMN", "IIII-1111-OOOO"]
)
def test_malformed_case_numbers_are_refused(text: str) -> None:
    with pytest.raises(InvalidInputError):
        normalize_case_number(text)


def test_new_case_numbers_and_pins_look_right() -> None:
    numbers = {new_case_number() for _ in range(200)}
    assert len(numbers) == 200
    assert all(normalize_case_number(n) == n for n in numbers)
    pin = new_pin()
    assert len(pin) == PIN_DIGITS
    assert pin.isdigit()


#: Secrets as stukje makes them: text without NUL that UTF-8 can encode (no lone surrogate).
_NO_NUL = st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=40)


@given(_NO_NUL, st.text(st.characters(), max_size=40))
def test_secrets_verify_only_themselves(secret: str, other: str) -> None:
    encoded = hash_secret(secret, cost=2**4)
    assert secret not in encoded.split("$")[4:]
    assert verify_secret(secret, encoded)
    assert verify_secret(other, encoded) == (other == secret)


def test_a_lone_surrogate_is_refused_clearly_and_never_verifies() -> None:
    """JSON can carry "\\ud800", which UTF-8 cannot encode: no crash, no match."""
    encoded = hash_secret("123456", cost=2**4)
    assert not verify_secret("\ud800", encoded)
    assert not verify_secret("123456\udfff", encoded)
    with pytest.raises(ValueError, match="UTF-8"):
        hash_secret("12\ud80034", cost=2**4)


def test_a_secret_padded_with_nul_does_not_verify() -> None:
    """scrypt (HMAC) would hash "" and "\\0" alike; the NUL-padded secret is refused."""
    for secret in ("", "123456"):
        encoded = hash_secret(secret, cost=2**4)
        assert not verify_secret(secret + "\x00", encoded)
        assert not verify_secret(secret + "\x00\x00", encoded)
    with pytest.raises(ValueError, match="NUL"):
        hash_secret("12\x0034")


@pytest.mark.parametrize("encoded", ["", "bcrypt$1$2$3$4$5", "scrypt$x$8$1$AA==$AA==", "scrypt$16"])
def test_malformed_hashes_verify_nothing(encoded: str) -> None:
    assert not verify_secret("secret", encoded)


def test_api_keys_carry_their_key_id() -> None:
    key_id, api_key = new_api_key()
    assert parse_api_key(api_key) == key_id
    with pytest.raises(InvalidCredentialsError):
        parse_api_key(api_key.replace(key_id, key_id.upper()))
