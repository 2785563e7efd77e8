"""Hash values: parsing, printing, distance (property tests for the codecs)."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stukje.errors import InvalidInputError, InvalidSignalError
from stukje.hashing import PdqHash, distance, matches, parse_hash

hash_bytes = st.binary(min_size=32, max_size=32)


@given(hash_bytes)
def test_hex_round_trip(raw: bytes) -> None:
    value = PdqHash(raw)
    assert PdqHash.from_hex(value.to_hex()) == value
    assert parse_hash(value.to_hex().upper()) == value
    assert len(value.to_hex()) == 64


@given(hash_bytes)
def test_base64_round_trip_with_and_without_padding(raw: bytes) -> None:
    value = PdqHash(raw)
    text = value.to_base64()
    assert len(text) == 44
    assert parse_hash(text) == value
    assert parse_hash(text.rstrip("=")) == value
    assert parse_hash(base64.urlsafe_b64encode(raw).decode()) == value


@given(hash_bytes)
def test_bits_and_int_round_trip(raw: bytes) -> None:
    value = PdqHash(raw)
    assert PdqHash.from_bits(value.to_bits()) == value
    assert PdqHash.from_int(int(value)) == value
    assert value.to_hex() == f"{int(value):064x}"


@given(hash_bytes, hash_bytes)
def test_distance_is_a_metric_counting_differing_bits(a: bytes, b: bytes) -> None:
    x, y = PdqHash(a), PdqHash(b)
    expected = sum(bin(p ^ q).count("1") for p, q in zip(a, b, strict=True))
    assert x.distance(y) == y.distance(x) == expected == distance(a, b)
    assert x.distance(x) == 0


def test_matches_at_threshold_boundary() -> None:
    zero = PdqHash(bytes(32))
    at_31 = PdqHash.from_int((1 << 31) - 1)
    at_32 = PdqHash.from_int((1 << 32) - 1)
    assert matches(zero, at_31)
    assert not matches(zero, at_32)
    assert matches(zero, at_32, threshold=32)
    with pytest.raises(InvalidInputError):
        matches(zero, at_32, threshold=300)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "g" * 64,
        "0" * 63,
        "0" * 65,
        "!" * 44,
        base64.b64encode(bytes(31)).decode(),
        base64.b64encode(bytes(33)).decode(),
    ],
)
def test_malformed_hashes_are_rejected_with_a_clear_error(text: str) -> None:
    with pytest.raises(InvalidSignalError, match=r"PDQ hash|base64"):
        parse_hash(text)


def test_wrong_length_bytes_rejected() -> None:
    with pytest.raises(InvalidSignalError):
        PdqHash(bytes(31))
