"""The guard's policy: a TOML data file, validated, with a documented default in the package.

The policy says, for each content reason (a bank match, likely nudity), each tier (child, teen,
adult) and each action (upload, send, forward, receive), what the guard does; how audience size and
earlier forwards raise that step; and the nudity score that counts as likely. See docs/guard.md.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from stukje.classify import ClassifierSpec, OnnxSpec
from stukje.guard.context import Action, Reason, Tier, Verdict
from stukje.guard.datafile import load_model, parse_model

__all__ = ["Escalation", "Policy", "Rule", "TierRow", "default_policy", "load_policy"]

_OUTGOING_VERDICTS = frozenset({Verdict.ALLOW, Verdict.NUDGE, Verdict.BLOCK})
_RECEIVE_VERDICTS = frozenset({Verdict.ALLOW, Verdict.BLUR, Verdict.BLOCK})


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TierRow(_Frozen):
    """One tier's verdict per action."""

    upload: Verdict
    send: Verdict
    forward: Verdict
    receive: Verdict

    @field_validator("upload", "send", "forward")
    @classmethod
    def _outgoing(cls, verdict: Verdict) -> Verdict:
        if verdict not in _OUTGOING_VERDICTS:
            raise ValueError("upload, send and forward take allow, nudge or block")
        return verdict

    @field_validator("receive")
    @classmethod
    def _receiving(cls, verdict: Verdict) -> Verdict:
        if verdict not in _RECEIVE_VERDICTS:
            raise ValueError("receive takes allow, blur or block")
        return verdict

    def verdict(self, action: Action) -> Verdict:
        verdict: Verdict = getattr(self, action.value)
        return verdict


class Rule(_Frozen):
    """What one content reason leads to, per tier."""

    child: TierRow
    teen: TierRow
    adult: TierRow
    record_match_event: bool = Field(False, description="Tell the bank a match happened.")

    def row(self, tier: Tier) -> TierRow:
        row: TierRow = getattr(self, tier.value)
        return row


class Rules(_Frozen):
    known_bank_match: Rule
    likely_nudity: Rule

    def rule(self, reason: Reason) -> Rule:
        rule: Rule = getattr(self, reason.value)
        return rule


class Escalation(_Frozen):
    """What raises an outgoing step by one (allow -> nudge -> block) when the content gave a reason.

    A setting left out (or set to 0) switches that raise off.
    """

    large_group_at: int = Field(0, ge=0, description="A group of at least this many people.")
    public_audience: bool = False
    forwarded_often_at: int = Field(0, ge=0, description="Forwarded at least this many times.")


class Nudity(_Frozen):
    likely_at: float = Field(0.5, gt=0.0, le=1.0, description="Nudity score counted as likely.")


class Policy(_Frozen):
    """A whole policy file."""

    name: str = Field(min_length=1)
    last_reviewed: dt.date
    default_tier: Tier = Field(description="For a person whose age is not known.")
    nudity: Nudity = Nudity()
    escalation: Escalation = Escalation()
    rules: Rules
    classifier: ClassifierSpec | None = None

    @field_validator("classifier")
    @classmethod
    def _model_beside_file(
        cls, spec: ClassifierSpec | None, info: ValidationInfo
    ) -> ClassifierSpec | None:
        # A relative model path is relative to the policy file, not to where stukje runs.
        base = (info.context or {}).get("base_dir")
        if isinstance(spec, OnnxSpec) and base is not None and not spec.model.is_absolute():
            return spec.model_copy(update={"model": Path(base) / spec.model})
        return spec


def load_policy(path: Path | None = None) -> Policy:
    """The policy in a TOML file, or the built-in default when ``path`` is None."""
    if path is None:
        return default_policy()
    context: dict[str, Any] = {"base_dir": path.parent}
    return load_model(path, Policy, context=context)


@cache
def default_policy() -> Policy:
    """The default policy shipped with stukje (``stukje/guard/data/policy.toml``)."""
    text = files("stukje.guard").joinpath("data/policy.toml").read_text(encoding="utf-8")
    return parse_model(text, Policy, source="stukje/guard/data/policy.toml")
