"""PDQ hash values: parsing, printing, distance and matching.

A PDQ hash is 256 bits. It travels as 64 hex digits (the field's usual form, as in ThreatExchange
and HMA) or as 44 characters of standard base64 (43 without padding). Inside stukje it is a
:class:`PdqHash`, an immutable 32-byte value; bit 255 is the first hex digit's high bit, so the hex
form round-trips exactly with python-threatexchange and pdqhash's bit vectors.

Error messages never repeat the text they reject: a malformed hash may still be most of a
victim's hash, and messages end up in logs.
"""

from __future__ import annotations

import base64
import binascii
import string
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from stukje.errors import InvalidInputError, InvalidSignalError

__all__ = [
    "DEFAULT_THRESHOLD",
    "HASH_BITS",
    "HASH_BYTES",
    "PdqHash",
    "distance",
    "matches",
    "parse_hash",
    "parse_hash_array",
]

HASH_BITS: Final = 256
HASH_BYTES: Final = HASH_BITS // 8
#: The default match threshold: two hashes at Hamming distance <= 31 are the same picture.
#: 31 is the operating point recommended with PDQ and used by ThreatExchange and HMA.
DEFAULT_THRESHOLD: Final = 31

_HEX_DIGITS: Final = frozenset(string.hexdigits)


def _size(value: object) -> str:
    return f"{len(value)} bytes" if isinstance(value, bytes) else type(value).__name__


@dataclass(frozen=True, slots=True)
class PdqHash:
    """One 256-bit PDQ hash."""

    value: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.value, bytes) or len(self.value) != HASH_BYTES:
            raise InvalidSignalError(f"a PDQ hash is {HASH_BYTES} bytes, got {_size(self.value)}")

    @classmethod
    def from_hex(cls, text: str) -> PdqHash:
        cleaned = text.strip().lower()
        if len(cleaned) != 2 * HASH_BYTES or not _HEX_DIGITS.issuperset(cleaned):
            raise InvalidSignalError(
                f"a PDQ hash in hex is {2 * HASH_BYTES} hex digits (0-9, a-f); "
                f"got {len(cleaned)} characters"
            )
        return cls(bytes.fromhex(cleaned))

    @classmethod
    def from_base64(cls, text: str) -> PdqHash:
        # Accept the URL-safe alphabet too, and missing padding.
        cleaned = text.strip().replace("-", "+").replace("_", "/")
        padded = cleaned + "=" * (-len(cleaned) % 4)
        try:
            raw = base64.b64decode(padded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidSignalError(
                "a PDQ hash in base64 has characters that are not base64"
            ) from exc
        if len(raw) != HASH_BYTES:
            raise InvalidSignalError(
                f"a PDQ hash in base64 decodes to {HASH_BYTES} bytes; got {len(raw)}"
            )
        return cls(raw)

    @classmethod
    def from_bits(cls, bits: npt.ArrayLike) -> PdqHash:
        """From pdqhash's vector of 256 zeros and ones (first element = most significant bit)."""
        array = np.asarray(bits)
        if array.shape != (HASH_BITS,):
            raise InvalidSignalError(f"expected {HASH_BITS} bits, got shape {array.shape}")
        return cls(np.packbits(array.astype(np.uint8) & 1).tobytes())

    @classmethod
    def from_int(cls, number: int) -> PdqHash:
        if not 0 <= number < 1 << HASH_BITS:
            raise InvalidSignalError("a PDQ hash as an integer must fit in 256 unsigned bits")
        return cls(number.to_bytes(HASH_BYTES, "big"))

    def to_hex(self) -> str:
        return self.value.hex()

    def to_base64(self) -> str:
        return base64.b64encode(self.value).decode("ascii")

    def to_bits(self) -> npt.NDArray[np.uint8]:
        return np.unpackbits(np.frombuffer(self.value, dtype=np.uint8))

    def __int__(self) -> int:
        return int.from_bytes(self.value, "big")

    def __str__(self) -> str:
        return self.to_hex()

    def __repr__(self) -> str:
        return f"PdqHash({self.to_hex()!r})"

    def distance(self, other: PdqHash) -> int:
        """Hamming distance: the number of differing bits, 0 to 256."""
        return (int(self) ^ int(other)).bit_count()

    def matches(self, other: PdqHash, threshold: int = DEFAULT_THRESHOLD) -> bool:
        return self.distance(other) <= threshold


def parse_hash(text: str | bytes | PdqHash) -> PdqHash:
    """Parse a hash given as hex (64 digits), base64 (43-44 chars), raw 32 bytes or a PdqHash."""
    if isinstance(text, PdqHash):
        return text
    if isinstance(text, bytes):
        return PdqHash(text)
    if not isinstance(text, str):
        raise InvalidSignalError(f"a PDQ hash is a string, got {type(text).__name__}")
    cleaned = text.strip()
    if len(cleaned) == 2 * HASH_BYTES:
        return PdqHash.from_hex(cleaned)
    if len(cleaned) in (43, 44):
        return PdqHash.from_base64(cleaned)
    raise InvalidSignalError(
        f"a PDQ hash is 64 hex digits or 44 base64 characters; got {len(cleaned)} characters"
    )


def distance(a: str | bytes | PdqHash, b: str | bytes | PdqHash) -> int:
    """Hamming distance between two hashes in any accepted form."""
    return parse_hash(a).distance(parse_hash(b))


def matches(
    a: str | bytes | PdqHash, b: str | bytes | PdqHash, threshold: int = DEFAULT_THRESHOLD
) -> bool:
    """Whether two hashes are within ``threshold`` bits of each other."""
    if not 0 <= threshold <= HASH_BITS:
        raise InvalidInputError(f"a threshold is between 0 and {HASH_BITS}, got {threshold}")
    return distance(a, b) <= threshold


def parse_hash_array(texts: list[str]) -> npt.NDArray[np.uint8]:
    """Parse many hash strings into an (n, 32) uint8 array, fast for the usual all-hex case.

    A bad entry raises :class:`InvalidSignalError` naming its position in the list.
    """
    if all(len(text) == 2 * HASH_BYTES for text in texts):
        try:
            raw = bytes.fromhex("".join(texts))
        except ValueError:
            pass  # find and name the bad one below
        else:
            # fromhex skips whitespace, so a short result means a malformed entry.
            if len(raw) == len(texts) * HASH_BYTES:
                return np.frombuffer(raw, dtype=np.uint8).reshape(len(texts), HASH_BYTES)
    out = np.empty((len(texts), HASH_BYTES), dtype=np.uint8)
    for position, text in enumerate(texts):
        try:
            out[position] = np.frombuffer(parse_hash(text).value, dtype=np.uint8)
        except InvalidSignalError as exc:
            raise InvalidSignalError(f"hash #{position}: {exc.message}") from exc
    return out
