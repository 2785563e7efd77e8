"""The decision engine: from content and context to allow, nudge, block or blur.

:func:`rule` is pure: evidence, context and policy in, a :class:`Ruling` out. :class:`Guard` wraps
it for callers: it asks the injected matcher and classifier only for what the content does not
already say, then adds the localized message and the help resources to make a :class:`Decision`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from stukje.classify import Classifier, build_classifier
from stukje.guard.context import (
    CONTENT_REASONS,
    OUTGOING,
    Action,
    Audience,
    BankMatch,
    Content,
    Context,
    Matcher,
    Reason,
    Step,
    Tier,
    Verdict,
)
from stukje.guard.help import HelpDirectory, HelpResource, default_help
from stukje.guard.messages import Message, compose_message, negotiate_language
from stukje.guard.policy import Policy, default_policy, load_policy

__all__ = ["Decision", "Evidence", "Guard", "Ruling", "build_guard", "rule"]

_VERDICT_AT_STEP = {
    True: {Step.ALLOW: Verdict.ALLOW, Step.WARN: Verdict.NUDGE, Step.BLOCK: Verdict.BLOCK},
    False: {Step.ALLOW: Verdict.ALLOW, Step.WARN: Verdict.BLUR, Step.BLOCK: Verdict.BLOCK},
}


@dataclass(frozen=True, slots=True)
class Evidence:
    """What is known about the content: bank matches and a nudity score (None: not scored)."""

    matches: tuple[BankMatch, ...] = ()
    nudity_score: float | None = None

    def reasons(self, policy: Policy) -> tuple[Reason, ...]:
        found = []
        if self.matches:
            found.append(Reason.KNOWN_BANK_MATCH)
        if self.nudity_score is not None and self.nudity_score >= policy.nudity.likely_at:
            found.append(Reason.LIKELY_NUDITY)
        return tuple(found)


@dataclass(frozen=True, slots=True)
class Ruling:
    """The bare decision, before words are put to it."""

    verdict: Verdict
    tier: Tier
    reasons: tuple[Reason, ...]
    record_match_event: bool


def rule(evidence: Evidence, context: Context, policy: Policy) -> Ruling:
    """What the policy says for this evidence in this context. Pure and cheap."""
    tier = context.tier or policy.default_tier
    content_reasons = evidence.reasons(policy)
    if not content_reasons:
        return Ruling(Verdict.ALLOW, tier, (), record_match_event=False)
    # The strongest rule wins; on a tie the first reason (bank match before nudity) speaks.
    verdicts = {r: policy.rules.rule(r).row(tier).verdict(context.action) for r in content_reasons}
    leading = max(content_reasons, key=lambda r: (Step.of(verdicts[r]), -CONTENT_REASONS.index(r)))
    step = Step.of(verdicts[leading])
    raised = _raises(context, policy) if context.action in OUTGOING else ()
    step = Step(min(Step.BLOCK, step + len(raised)))
    others = tuple(r for r in content_reasons if r is not leading)
    record = any(policy.rules.rule(r).record_match_event for r in content_reasons)
    verdict = _VERDICT_AT_STEP[context.action in OUTGOING][step]
    return Ruling(verdict, tier, (leading, *others, *raised), record_match_event=record)


def _raises(context: Context, policy: Policy) -> tuple[Reason, ...]:
    escalation = policy.escalation
    found = []
    large_at = escalation.large_group_at
    if large_at and context.audience is Audience.GROUP and (context.group_size or 0) >= large_at:
        found.append(Reason.LARGE_AUDIENCE)
    if escalation.public_audience and context.audience is Audience.PUBLIC:
        found.append(Reason.PUBLIC_AUDIENCE)
    often_at = escalation.forwarded_often_at
    if often_at and context.forward_count >= often_at:
        found.append(Reason.FORWARDED_OFTEN)
    return tuple(found)


class Decision(BaseModel):
    """What the guard tells the app: the verdict, why, the words to show and where to find help.

    ``reasons[0]`` is the reason that led. ``record_match_event`` asks the caller to tell the bank
    that a known picture was caught (counts only).
    """

    model_config = ConfigDict(frozen=True)

    verdict: Verdict
    reasons: tuple[Reason, ...]
    scores: dict[str, float]
    tier: Tier
    language: str
    country: str | None
    message: Message | None
    help: tuple[HelpResource, ...]
    record_match_event: bool
    matches: tuple[BankMatch, ...] = ()


class Guard:
    """Decides for one picture at a time; the matcher and classifier are plugged in."""

    def __init__(
        self,
        policy: Policy | None = None,
        *,
        matcher: Matcher | None = None,
        classifier: Classifier | None = None,
        help_directory: HelpDirectory | None = None,
    ) -> None:
        self.policy = policy or default_policy()
        self.matcher = matcher
        self.classifier = classifier
        self.help_directory = help_directory or default_help()

    def warm_up(self) -> None:
        """Decide once for a blank picture, so that what loads on first use (the classifier's
        model, the message catalogues) is loaded before the first real picture."""
        blank = np.zeros((64, 64, 3), dtype=np.uint8)
        self.decide(Content(pixels=blank), Context(action=Action.SEND, locale="nl-NL"))

    def decide(self, content: Content, context: Context) -> Decision:
        evidence = self.gather(content, context)
        ruling = rule(evidence, context, self.policy)
        country = self.help_directory.country_code(context.country)
        language = negotiate_language(context.locale, self.help_directory.languages_of(country))
        scores = {} if evidence.nudity_score is None else {"nudity": evidence.nudity_score}
        if evidence.matches:
            scores["best_match_distance"] = float(min(m.distance for m in evidence.matches))
        return Decision(
            verdict=ruling.verdict,
            reasons=ruling.reasons,
            scores=scores,
            tier=ruling.tier,
            language=language,
            country=country,
            message=compose_message(ruling.verdict, ruling.reasons, ruling.tier, context, language),
            help=self.help_directory.find(country, language, ruling.tier),
            record_match_event=ruling.record_match_event,
            matches=evidence.matches,
        )

    def gather(self, content: Content, context: Context) -> Evidence:
        """The evidence, asking the matcher and classifier only for what is missing."""
        matches = content.matches
        if matches is None:
            found = self.matcher(content.signals) if self.matcher and content.signals else ()
            matches = tuple(found)
        if content.classification is not None:
            return Evidence(matches, content.classification.nudity_score)
        if (
            self.classifier is None
            or content.pixels is None
            or self._match_blocks(matches, context)
        ):
            return Evidence(matches, None)
        return Evidence(matches, self.classifier.classify(content.pixels).nudity_score)

    def _match_blocks(self, matches: tuple[BankMatch, ...], context: Context) -> bool:
        # A bank match that already blocks makes the classifier's answer moot: save its time.
        if not matches:
            return False
        tier = context.tier or self.policy.default_tier
        row = self.policy.rules.known_bank_match.row(tier)
        return row.verdict(context.action) is Verdict.BLOCK


def build_guard(
    policy_file: Path | None = None,
    *,
    matcher: Matcher | None = None,
    classifier: Classifier | None = None,
) -> Guard:
    """A guard from a policy file (None: the default); its ``[classifier]`` is built if given.

    Meant to be called once at start-up (e.g. with ``Settings.policy_file``): a missing extra or a
    bad file fails there, not on the first picture.
    """
    policy = load_policy(policy_file)
    if classifier is None and policy.classifier is not None:
        classifier = build_classifier(policy.classifier)
    return Guard(policy, matcher=matcher, classifier=classifier)
