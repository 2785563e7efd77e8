"""The policy as a Markdown table, so docs/guard.md is generated from the code it describes.

Regenerate the doc's table with
``python -c "from stukje.guard import decision_table; print(decision_table(), end='')"``;
tests/guard/test_docs.py keeps the two equal.
"""

from __future__ import annotations

from stukje.guard.context import CONTENT_REASONS, OUTGOING, Action, Step, Tier, Verdict
from stukje.guard.policy import Policy, default_policy

__all__ = ["decision_table"]

_RAISED = {Verdict.ALLOW: Verdict.NUDGE, Verdict.NUDGE: Verdict.BLOCK}


def decision_table(policy: Policy | None = None) -> str:
    """One table per content reason (tiers by actions), then the escalation rules."""
    chosen = policy or default_policy()
    parts = [f"Policy: **{chosen.name}** (last reviewed {chosen.last_reviewed.isoformat()})."]
    for reason in CONTENT_REASONS:
        rule = chosen.rules.rule(reason)
        heading = f"#### `{reason.value}`"
        if rule.record_match_event:
            heading += " (the caller records a match event)"
        header = "| tier | " + " | ".join(action.value for action in Action) + " |"
        rows = [heading, "", header, "|" + " --- |" * (len(Action) + 1)]
        for tier in Tier:
            row = rule.row(tier)
            cells = [_cell(row.verdict(action), action) for action in Action]
            rows.append(f"| {tier.value} | " + " | ".join(cells) + " |")
        parts.append("\n".join(rows))
    parts.append(_escalation_text(chosen))
    return "\n\n".join(parts) + "\n"


def _cell(verdict: Verdict, action: Action) -> str:
    if action in OUTGOING and Step.of(verdict) < Step.BLOCK:
        return f"{verdict.value} ↑ {_RAISED[verdict].value}"
    return verdict.value


def _escalation_text(policy: Policy) -> str:
    escalation = policy.escalation
    raises = []
    if escalation.large_group_at:
        raises.append(f"a group of {escalation.large_group_at} or more (`large_audience`)")
    if escalation.public_audience:
        raises.append("a public audience (`public_audience`)")
    if escalation.forwarded_often_at:
        raises.append(
            f"a picture forwarded {escalation.forwarded_often_at} times or more already "
            "(`forwarded_often`)"
        )
    lines = [
        f"Nudity counts as likely from a score of {policy.nudity.likely_at}. "
        f"A person whose age is not known is treated as `{policy.default_tier.value}`.",
    ]
    if raises:
        lines.append(
            "`a ↑ b`: an upload, send or forward moves one step up (allow → nudge → block) for "
            "each of these, when the content gave a reason: " + "; ".join(raises) + "."
        )
    return "\n\n".join(lines)
