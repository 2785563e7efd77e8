"""The guard's vocabulary: what is being done, by whom, to whom, and what the guard decides.

These are plain data types with validation at the boundary, so the API can take a
:class:`Context` straight from a request body and return a :class:`Decision` as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from pydantic import BaseModel, ConfigDict, Field

from stukje.classify import Classification, Pixels
from stukje.hashing import PdqHash

__all__ = [
    "CONTENT_REASONS",
    "OUTGOING",
    "Action",
    "Audience",
    "BankMatch",
    "Content",
    "Context",
    "Matcher",
    "Reason",
    "Step",
    "Tier",
    "Verdict",
]


class Action(StrEnum):
    """When the guard is asked."""

    UPLOAD = "upload"
    SEND = "send"
    FORWARD = "forward"
    RECEIVE = "receive"


#: The actions that push a picture out to others; audience and forward count matter for these.
OUTGOING = (Action.UPLOAD, Action.SEND, Action.FORWARD)


class Audience(StrEnum):
    """Who would see the picture."""

    ONE = "one"
    GROUP = "group"
    PUBLIC = "public"


class Tier(StrEnum):
    """The policy tier of the person the guard speaks to."""

    CHILD = "child"  # under 13
    TEEN = "teen"  # 13 to 17
    ADULT = "adult"

    @classmethod
    def for_age(cls, age: int) -> Tier:
        if age < 13:
            return cls.CHILD
        return cls.TEEN if age < 18 else cls.ADULT


class Verdict(StrEnum):
    """What happens: let it through, warn and ask, stop it, or show it blurred (on receipt)."""

    ALLOW = "allow"
    NUDGE = "nudge"
    BLOCK = "block"
    BLUR = "blur"


class Step(IntEnum):
    """How strong a verdict is; nudge (outgoing) and blur (receiving) are the same step."""

    ALLOW = 0
    WARN = 1
    BLOCK = 2

    @classmethod
    def of(cls, verdict: Verdict) -> Step:
        if verdict is Verdict.ALLOW:
            return cls.ALLOW
        return cls.BLOCK if verdict is Verdict.BLOCK else cls.WARN


class Reason(StrEnum):
    """Why the guard decided as it did. The first two come from the content itself."""

    KNOWN_BANK_MATCH = "known_bank_match"
    LIKELY_NUDITY = "likely_nudity"
    LARGE_AUDIENCE = "large_audience"
    PUBLIC_AUDIENCE = "public_audience"
    FORWARDED_OFTEN = "forwarded_often"


#: Reasons found in the content, strongest claim first (a bank match outranks a classifier).
CONTENT_REASONS = (Reason.KNOWN_BANK_MATCH, Reason.LIKELY_NUDITY)


class Context(BaseModel):
    """The situation around one picture."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: Action
    audience: Audience = Audience.ONE
    group_size: int | None = Field(None, ge=2, le=10_000_000, description="People in the group.")
    tier: Tier | None = Field(None, description="None: the policy's default tier.")
    locale: str | None = Field(None, max_length=35, description="BCP 47, e.g. nl-NL.")
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166, e.g. NL.")
    forward_count: int = Field(0, ge=0, description="How often this picture was forwarded.")


class BankMatch(BaseModel):
    """One bank entry the picture matched. ``reference`` is opaque to the guard."""

    model_config = ConfigDict(frozen=True)

    distance: int = Field(ge=0, le=256)
    signal_type: str = "pdq"
    reference: str | None = None


#: Looks signals up in the bank; the API passes the live index here.
Matcher = Callable[[Sequence[PdqHash]], Sequence[BankMatch]]


@dataclass(frozen=True, slots=True)
class Content:
    """What is known about the picture.

    Give ``matches`` or ``signals`` (the guard then asks its matcher), and ``classification`` or
    ``pixels`` (the guard then asks its classifier). ``pixels`` is the picture already decoded
    for hashing; the guard never decodes.
    """

    signals: tuple[PdqHash, ...] = ()
    matches: tuple[BankMatch, ...] | None = None
    classification: Classification | None = None
    pixels: Pixels | None = None
