"""Request and response bodies shared by several routers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from stukje.bank import SignalRecord
from stukje.hashing import parse_hash

__all__ = ["MAX_ID", "SignalIn", "to_records"]

#: The largest id or sequence number a request may name (a 64-bit signed integer column).
MAX_ID = 2**63 - 1


class SignalIn(BaseModel):
    """One hash of a picture, computed on the person's device."""

    model_config = ConfigDict(extra="forbid")

    hash: str = Field(
        description="PDQ hash: 64 hex digits or 44 base64 characters.",
        examples=["f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"],
        max_length=100,
    )
    signal_type: str = Field("pdq", pattern="^pdq$")
    quality: int | None = Field(None, ge=0, le=100, strict=True)  # strict: not `false`


def to_records(signals: list[SignalIn]) -> list[SignalRecord]:
    """Validate hash strings (InvalidSignalError -> 422) into bank records."""
    return [
        SignalRecord(value=parse_hash(s.hash), signal_type=s.signal_type, quality=s.quality)
        for s in signals
    ]
