"""Case numbers, PINs and API keys: making them, and keeping only slow hashes of the secrets.

Secrets are hashed with scrypt and a random salt per secret; the encoded hash carries its own
cost parameters (``scrypt$n$r$p$salt$hash``), so the cost can be raised later without breaking
old hashes. Comparisons are constant-time (:func:`hmac.compare_digest`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string
from typing import Final

from stukje.errors import InvalidCredentialsError, InvalidInputError

__all__ = [
    "CASE_ALPHABET",
    "CASE_NUMBER_LENGTH",
    "DEFAULT_SCRYPT_COST",
    "PIN_DIGITS",
    "format_case_number",
    "hash_secret",
    "new_api_key",
    "new_case_number",
    "new_pin",
    "normalize_case_number",
    "parse_api_key",
    "verify_secret",
]

#: No 0/O, 1/I/L or U: a case number read aloud or copied by hand comes through intact.
CASE_ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
#: 12 characters of a 30-letter alphabet: about 2**59 case numbers, too many to guess.
CASE_NUMBER_LENGTH: Final = 12
CASE_GROUP: Final = 4
PIN_DIGITS: Final = 8
#: scrypt's N: 2**14 with r=8 costs about 16 MiB and tens of milliseconds per hash.
DEFAULT_SCRYPT_COST: Final = 2**14
_SCRYPT_R: Final = 8
_SCRYPT_P: Final = 1
_SALT_BYTES: Final = 16
_HASH_BYTES: Final = 32
API_KEY_PREFIX: Final = "stk"
_KEY_ID_ALPHABET: Final = string.ascii_lowercase + string.digits
_KEY_ID_LENGTH: Final = 12


def new_case_number() -> str:
    """A fresh case number in its stored form: 12 characters, no separators."""
    return "".join(secrets.choice(CASE_ALPHABET) for _ in range(CASE_NUMBER_LENGTH))


def format_case_number(stored: str) -> str:
    """The form shown to people: ``K7QM-4XRP-9TWD``."""
    return "-".join(stored[i : i + CASE_GROUP] for i in range(0, len(stored), CASE_GROUP))


def normalize_case_number(text: str) -> str:
    """The stored form of a case number typed by a person (any case, dashes or spaces)."""
    cleaned = "".join(ch for ch in text.upper() if ch not in "- \t")
    if len(cleaned) != CASE_NUMBER_LENGTH or not set(cleaned) <= set(CASE_ALPHABET):
        raise InvalidInputError(
            f"a case number is {CASE_NUMBER_LENGTH} letters and digits like "
            f"{format_case_number('K7QM4XRP9TWD')}"
        )
    return cleaned


def new_pin() -> str:
    return "".join(secrets.choice(string.digits) for _ in range(PIN_DIGITS))


def hash_secret(secret: str, cost: int = DEFAULT_SCRYPT_COST) -> str:
    """The slow hash of a PIN or API key secret (which never holds a NUL character, and is text
    UTF-8 can encode)."""
    if "\x00" in secret:
        raise ValueError("a secret never holds a NUL character")
    if not _encodable(secret):
        raise ValueError("a secret is text that UTF-8 can encode (no lone surrogate)")
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(secret, salt, cost, _SCRYPT_R, _SCRYPT_P)
    return "$".join(["scrypt", str(cost), str(_SCRYPT_R), str(_SCRYPT_P), _b64(salt), _b64(digest)])


def verify_secret(secret: str, encoded: str) -> bool:
    """Whether ``secret`` hashes to ``encoded``; False for any malformed hash.

    scrypt's key derivation (HMAC) pads a secret with NUL bytes, so ``"x"`` and ``"x\\0"``
    would hash alike: a secret holding NUL is refused, as no PIN or API key holds one.
    """
    if "\x00" in secret or not _encodable(secret):
        return False
    try:
        scheme, cost, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(secret, base64.b64decode(salt), int(cost), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def new_api_key() -> tuple[str, str]:
    """A fresh ``(key_id, api_key)``; the key reads ``stk_<key_id>_<secret>``."""
    key_id = "".join(secrets.choice(_KEY_ID_ALPHABET) for _ in range(_KEY_ID_LENGTH))
    return key_id, f"{API_KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"


def parse_api_key(api_key: str) -> str:
    """The key id of a well-formed API key; InvalidCredentialsError for anything else."""
    parts = api_key.strip().split("_", 2)
    if (
        len(parts) != 3
        or parts[0] != API_KEY_PREFIX
        or len(parts[1]) != _KEY_ID_LENGTH
        or not set(parts[1]) <= set(_KEY_ID_ALPHABET)
        or len(parts[2]) < 16
    ):
        raise InvalidCredentialsError("the API key is missing or malformed")
    return parts[1]


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r, dklen=_HASH_BYTES
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
