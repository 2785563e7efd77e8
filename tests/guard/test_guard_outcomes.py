"""Outcomes after a decision: only possible ones, only countable ones."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from stukje.guard import Action, Outcome, OutcomeReport, Reason, Tier, Verdict
from stukje.guard.outcomes import OUTCOMES_AFTER

PAIRS = [(verdict, outcome) for verdict in Verdict for outcome in Outcome]


@pytest.mark.parametrize(("verdict", "outcome"), PAIRS)
def test_only_outcomes_that_can_follow_the_verdict(verdict: Verdict, outcome: Outcome) -> None:
    fields = {
        "outcome": outcome,
        "verdict": verdict,
        "reason": Reason.LIKELY_NUDITY,
        "action": Action.FORWARD,
        "tier": Tier.TEEN,
    }
    if outcome in OUTCOMES_AFTER[verdict]:
        report = OutcomeReport.model_validate(fields)
        assert report.count_key() == (outcome, verdict, "likely_nudity", "forward", "teen")
    else:
        with pytest.raises(ValidationError, match="cannot follow"):
            OutcomeReport.model_validate(fields)


def test_the_issues_outcomes_follow_a_nudge() -> None:
    assert {"sent_anyway", "cancelled", "asked_for_help"} == set(OUTCOMES_AFTER[Verdict.NUDGE])


def test_a_report_carries_nothing_that_identifies_anyone() -> None:
    assert set(OutcomeReport.model_fields) == {"outcome", "verdict", "reason", "action", "tier"}
    with pytest.raises(ValidationError):
        OutcomeReport.model_validate(
            {
                "outcome": "cancelled",
                "verdict": "block",
                "reason": "known_bank_match",
                "action": "send",
                "tier": "adult",
                "user_id": "someone",
            }
        )
