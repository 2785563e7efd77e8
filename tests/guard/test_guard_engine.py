"""The decision engine: the default table cell by cell, escalation, and what the guard asks for.

Sensitivity is tested with stand-in classifiers and scores, never with real nude images.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from importlib.resources import files
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stukje.classify import Classification, FixedClassifier
from stukje.classify.base import Pixels
from stukje.guard import (
    Action,
    Audience,
    BankMatch,
    Content,
    Context,
    Evidence,
    Guard,
    Reason,
    Tier,
    Verdict,
    default_policy,
    rule,
)
from stukje.guard.context import OUTGOING, Step
from stukje.guard.policy import Policy
from stukje.hashing import PdqHash

MATCH = BankMatch(distance=4, reference="entry-1")
PIXELS = np.zeros((8, 8, 3), np.uint8)
NUDE = 0.9  # a stand-in score well above the default threshold
CLEAN = 0.1


def shipped_table() -> dict[str, Any]:
    """The default policy read straight from its TOML: an oracle independent of the models."""
    text = files("stukje.guard").joinpath("data/policy.toml").read_text(encoding="utf-8")
    rules: dict[str, Any] = tomllib.loads(text)["rules"]
    return rules


CELLS = [
    (reason, tier, action)
    for reason in (Reason.KNOWN_BANK_MATCH, Reason.LIKELY_NUDITY)
    for tier in Tier
    for action in Action
]


def evidence_for(reason: Reason) -> Evidence:
    if reason is Reason.KNOWN_BANK_MATCH:
        return Evidence(matches=(MATCH,))
    return Evidence(nudity_score=NUDE)


@pytest.mark.parametrize(("reason", "tier", "action"), CELLS)
def test_each_default_cell_decides_as_the_file_says(
    reason: Reason, tier: Tier, action: Action
) -> None:
    expected = shipped_table()[reason.value][tier.value][action.value]
    ruling = rule(evidence_for(reason), Context(action=action, tier=tier), default_policy())
    assert ruling.verdict.value == expected
    assert ruling.reasons == (reason,)
    assert ruling.record_match_event is (reason is Reason.KNOWN_BANK_MATCH)


@pytest.mark.parametrize(
    ("tier", "action"), [(t, a) for t in Tier for a in (Action.UPLOAD, Action.FORWARD)]
)
def test_a_bank_match_blocks_forwarding_and_uploading_for_everyone(
    tier: Tier, action: Action
) -> None:
    ruling = rule(Evidence(matches=(MATCH,)), Context(action=action, tier=tier), default_policy())
    assert ruling.verdict is Verdict.BLOCK
    assert ruling.record_match_event


@pytest.mark.parametrize(
    ("tier", "action", "expected"),
    [
        (Tier.ADULT, Action.SEND, Verdict.NUDGE),
        (Tier.ADULT, Action.FORWARD, Verdict.NUDGE),
        (Tier.ADULT, Action.RECEIVE, Verdict.ALLOW),
        (Tier.TEEN, Action.FORWARD, Verdict.NUDGE),
        (Tier.TEEN, Action.RECEIVE, Verdict.BLUR),
        (Tier.CHILD, Action.SEND, Verdict.BLOCK),
        (Tier.CHILD, Action.RECEIVE, Verdict.BLUR),
    ],
)
def test_likely_nudity_as_the_issue_asks(tier: Tier, action: Action, expected: Verdict) -> None:
    ruling = rule(Evidence(nudity_score=NUDE), Context(action=action, tier=tier), default_policy())
    assert ruling.verdict is expected


@pytest.mark.parametrize("score", [None, 0.0, CLEAN, 0.4999])
@pytest.mark.parametrize("action", list(Action))
def test_without_a_reason_everything_is_allowed_however_far_it_goes(
    score: float | None, action: Action
) -> None:
    context = Context(action=action, tier=Tier.CHILD, audience=Audience.PUBLIC, forward_count=99)
    ruling = rule(Evidence(nudity_score=score), context, default_policy())
    assert ruling.verdict is Verdict.ALLOW
    assert ruling.reasons == ()


@pytest.mark.parametrize(
    ("context", "raised_by"),
    [
        (Context(action=Action.FORWARD, tier=Tier.ADULT), ()),
        (
            Context(action=Action.FORWARD, tier=Tier.ADULT, audience=Audience.GROUP, group_size=9),
            (),
        ),
        (
            Context(action=Action.FORWARD, tier=Tier.ADULT, audience=Audience.GROUP, group_size=10),
            (Reason.LARGE_AUDIENCE,),
        ),
        (
            Context(action=Action.UPLOAD, tier=Tier.ADULT, audience=Audience.PUBLIC),
            (Reason.PUBLIC_AUDIENCE,),
        ),
        (Context(action=Action.SEND, tier=Tier.TEEN, forward_count=4), ()),
        (Context(action=Action.SEND, tier=Tier.TEEN, forward_count=5), (Reason.FORWARDED_OFTEN,)),
        (
            Context(
                action=Action.FORWARD, tier=Tier.TEEN, audience=Audience.PUBLIC, forward_count=8
            ),
            (Reason.PUBLIC_AUDIENCE, Reason.FORWARDED_OFTEN),
        ),
    ],
)
def test_audience_and_forwards_raise_a_nudge_to_a_block(
    context: Context, raised_by: tuple[Reason, ...]
) -> None:
    ruling = rule(Evidence(nudity_score=NUDE), context, default_policy())
    assert ruling.reasons == (Reason.LIKELY_NUDITY, *raised_by)
    assert ruling.verdict is (Verdict.BLOCK if raised_by else Verdict.NUDGE)


def test_receiving_is_never_raised() -> None:
    context = Context(
        action=Action.RECEIVE, tier=Tier.TEEN, audience=Audience.PUBLIC, forward_count=50
    )
    ruling = rule(Evidence(nudity_score=NUDE), context, default_policy())
    assert ruling.verdict is Verdict.BLUR
    assert ruling.reasons == (Reason.LIKELY_NUDITY,)


def lenient_policy() -> Policy:
    """The default, but adults may send likely nudity to one person without a word."""
    base = default_policy()
    adult = base.rules.likely_nudity.adult.model_copy(
        update={"send": Verdict.ALLOW, "forward": Verdict.ALLOW}
    )
    nudity = base.rules.likely_nudity.model_copy(update={"adult": adult})
    return base.model_copy(
        update={"rules": base.rules.model_copy(update={"likely_nudity": nudity})}
    )


@pytest.mark.parametrize(
    ("audience", "group_size", "forward_count", "expected"),
    [
        (Audience.ONE, None, 0, Verdict.ALLOW),
        (Audience.GROUP, 40, 0, Verdict.NUDGE),
        (Audience.ONE, None, 6, Verdict.NUDGE),
        (Audience.GROUP, 40, 6, Verdict.BLOCK),
        (Audience.PUBLIC, None, 6, Verdict.BLOCK),
    ],
)
def test_steps_climb_from_allow_to_nudge_to_block(
    audience: Audience, group_size: int | None, forward_count: int, expected: Verdict
) -> None:
    context = Context(
        action=Action.SEND,
        tier=Tier.ADULT,
        audience=audience,
        group_size=group_size,
        forward_count=forward_count,
    )
    assert rule(Evidence(nudity_score=NUDE), context, lenient_policy()).verdict is expected


contexts = st.builds(
    Context,
    action=st.sampled_from(Action),
    audience=st.sampled_from(Audience),
    group_size=st.none() | st.integers(2, 1000),
    tier=st.none() | st.sampled_from(Tier),
    forward_count=st.integers(0, 100),
)
evidences = st.builds(
    Evidence,
    matches=st.lists(st.builds(BankMatch, distance=st.integers(0, 31)), max_size=2).map(tuple),
    nudity_score=st.none() | st.floats(0.0, 1.0),
)


@given(evidence=evidences, context=contexts)
def test_more_reach_never_lowers_the_step(evidence: Evidence, context: Context) -> None:
    policy = default_policy()
    wider = context.model_copy(
        update={"audience": Audience.PUBLIC, "forward_count": context.forward_count + 10}
    )
    assert Step.of(rule(evidence, wider, policy).verdict) >= Step.of(
        rule(evidence, context, policy).verdict
    )


@given(evidence=evidences, context=contexts)
def test_verdicts_fit_the_action_and_reasons_explain_them(
    evidence: Evidence, context: Context
) -> None:
    ruling = rule(evidence, context, default_policy())
    allowed = (
        {Verdict.ALLOW, Verdict.NUDGE, Verdict.BLOCK}
        if context.action in OUTGOING
        else {
            Verdict.ALLOW,
            Verdict.BLUR,
            Verdict.BLOCK,
        }
    )
    assert ruling.verdict in allowed
    if ruling.verdict is not Verdict.ALLOW:
        assert ruling.reasons[0] in (Reason.KNOWN_BANK_MATCH, Reason.LIKELY_NUDITY)
    if evidence.matches and context.action in OUTGOING:
        assert ruling.verdict is Verdict.BLOCK
        assert ruling.reasons[0] is Reason.KNOWN_BANK_MATCH


def test_an_unknown_age_gets_the_default_tier() -> None:
    ruling = rule(Evidence(nudity_score=NUDE), Context(action=Action.RECEIVE), default_policy())
    assert ruling.tier is Tier.TEEN
    assert ruling.verdict is Verdict.BLUR


@pytest.mark.parametrize(
    ("age", "tier"),
    [(0, Tier.CHILD), (12, Tier.CHILD), (13, Tier.TEEN), (17, Tier.TEEN), (18, Tier.ADULT)],
)
def test_tier_for_age(age: int, tier: Tier) -> None:
    assert Tier.for_age(age) is tier


class CountingMatcher:
    def __init__(self, matches: Sequence[BankMatch]) -> None:
        self.matches = matches
        self.calls = 0

    def __call__(self, signals: Sequence[PdqHash]) -> Sequence[BankMatch]:
        self.calls += 1
        return self.matches


class CountingClassifier:
    name = "counting"

    def __init__(self, score: float) -> None:
        self.score = score
        self.calls = 0

    def classify(self, pixels: Pixels) -> Classification:
        self.calls += 1
        return Classification(nudity_score=self.score)


SIGNAL = PdqHash(bytes(32))


def test_the_guard_asks_the_matcher_and_classifier_for_what_is_missing() -> None:
    matcher, classifier = CountingMatcher(()), CountingClassifier(NUDE)
    guard = Guard(matcher=matcher, classifier=classifier)
    decision = guard.decide(
        Content(signals=(SIGNAL,), pixels=PIXELS), Context(action=Action.FORWARD, tier=Tier.ADULT)
    )
    assert (matcher.calls, classifier.calls) == (1, 1)
    assert decision.verdict is Verdict.NUDGE
    assert decision.scores == {"nudity": NUDE}


def test_warming_up_runs_the_classifier_once_and_never_the_matcher() -> None:
    """At a service's start: the classifier's model loads then, not on the first picture; the
    bank is not searched for a made-up picture."""
    matcher, classifier = CountingMatcher((MATCH,)), CountingClassifier(NUDE)
    Guard(matcher=matcher, classifier=classifier).warm_up()
    assert (matcher.calls, classifier.calls) == (0, 1)
    Guard().warm_up()  # nothing plugged in: nothing to load, no error


def test_what_the_content_already_says_is_not_asked_again() -> None:
    matcher, classifier = CountingMatcher((MATCH,)), CountingClassifier(NUDE)
    guard = Guard(matcher=matcher, classifier=classifier)
    content = Content(
        signals=(SIGNAL,), matches=(), classification=Classification(CLEAN), pixels=PIXELS
    )
    decision = guard.decide(content, Context(action=Action.SEND, tier=Tier.ADULT))
    assert (matcher.calls, classifier.calls) == (0, 0)
    assert decision.verdict is Verdict.ALLOW
    assert decision.message is None


def test_a_blocking_bank_match_spares_the_classifier() -> None:
    classifier = CountingClassifier(NUDE)
    guard = Guard(matcher=CountingMatcher((MATCH,)), classifier=classifier)
    decision = guard.decide(
        Content(signals=(SIGNAL,), pixels=PIXELS), Context(action=Action.UPLOAD, tier=Tier.ADULT)
    )
    assert classifier.calls == 0
    assert decision.verdict is Verdict.BLOCK
    assert decision.record_match_event
    assert decision.matches == (MATCH,)
    assert decision.scores == {"best_match_distance": 4.0}


def test_no_signals_no_pixels_no_questions() -> None:
    matcher, classifier = CountingMatcher((MATCH,)), CountingClassifier(NUDE)
    decision = Guard(matcher=matcher, classifier=classifier).decide(
        Content(), Context(action=Action.FORWARD)
    )
    assert (matcher.calls, classifier.calls) == (0, 0)
    assert decision.verdict is Verdict.ALLOW


@pytest.mark.parametrize(
    ("score", "expected"), [(0.49, Verdict.ALLOW), (0.5, Verdict.NUDGE), (0.97, Verdict.NUDGE)]
)
def test_the_threshold_is_the_policys(score: float, expected: Verdict) -> None:
    guard = Guard(classifier=FixedClassifier(score, threshold=0.99))
    decision = guard.decide(Content(pixels=PIXELS), Context(action=Action.SEND, tier=Tier.ADULT))
    assert decision.verdict is expected


def test_a_decision_is_plain_json() -> None:
    guard = Guard(classifier=FixedClassifier(NUDE))
    context = Context(action=Action.FORWARD, tier=Tier.TEEN, locale="nl-NL", country="NL")
    decision = guard.decide(Content(pixels=PIXELS), context)
    restored = type(decision).model_validate_json(decision.model_dump_json())
    assert restored == decision
