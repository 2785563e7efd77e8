"""What a person did after the guard spoke: a small pure type, counted by the API, never traced.

An :class:`OutcomeReport` holds no identifiers and no picture: only the outcome and the situation
(verdict, leading reason, action, tier), so storing it can only ever add up to counts.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator

from stukje.guard.context import Action, Reason, Tier, Verdict

__all__ = ["OUTCOMES_AFTER", "Outcome", "OutcomeReport"]


class Outcome(StrEnum):
    SENT_ANYWAY = "sent_anyway"  # went on after a nudge
    CANCELLED = "cancelled"  # stopped, or closed a block or blur notice
    ASKED_FOR_HELP = "asked_for_help"  # opened the help resources or messaged someone trusted
    VIEWED_ANYWAY = "viewed_anyway"  # looked at a blurred picture


#: The outcomes that can follow each verdict (an allowed picture has nothing to report).
OUTCOMES_AFTER: dict[Verdict, frozenset[Outcome]] = {
    Verdict.ALLOW: frozenset(),
    Verdict.NUDGE: frozenset({Outcome.SENT_ANYWAY, Outcome.CANCELLED, Outcome.ASKED_FOR_HELP}),
    Verdict.BLOCK: frozenset({Outcome.CANCELLED, Outcome.ASKED_FOR_HELP}),
    Verdict.BLUR: frozenset({Outcome.VIEWED_ANYWAY, Outcome.CANCELLED, Outcome.ASKED_FOR_HELP}),
}


class OutcomeReport(BaseModel):
    """One outcome, in a form that can only be counted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    outcome: Outcome
    verdict: Verdict
    reason: Reason
    action: Action
    tier: Tier

    @model_validator(mode="after")
    def _possible(self) -> OutcomeReport:
        if self.outcome not in OUTCOMES_AFTER[self.verdict]:
            raise ValueError(f"{self.outcome.value} cannot follow a {self.verdict.value}")
        return self

    def count_key(self) -> tuple[str, str, str, str, str]:
        """The counter this outcome adds one to."""
        return (self.outcome, self.verdict, self.reason, self.action, self.tier)
