"""The guard: "think before you forward", decided at upload, send, forward and receive time.

Build a :class:`Guard` once (policy, matcher and classifier plugged in) and call
:meth:`Guard.decide` with what is known about a picture (:class:`Content`) and its situation
(:class:`Context`); it returns a :class:`Decision` with the verdict, the reasons, the words to show
in the person's language and help resources for their country. See docs/guard.md.
"""

from __future__ import annotations

from stukje.guard.context import (
    Action,
    Audience,
    BankMatch,
    Content,
    Context,
    Matcher,
    Reason,
    Tier,
    Verdict,
)
from stukje.guard.engine import Decision, Evidence, Guard, Ruling, build_guard, rule
from stukje.guard.help import HelpDirectory, HelpResource, default_help, load_help
from stukje.guard.messages import LANGUAGES, Choice, Message, negotiate_language
from stukje.guard.outcomes import Outcome, OutcomeReport
from stukje.guard.policy import Policy, default_policy, load_policy
from stukje.guard.table import decision_table

__all__ = [
    "LANGUAGES",
    "Action",
    "Audience",
    "BankMatch",
    "Choice",
    "Content",
    "Context",
    "Decision",
    "Evidence",
    "Guard",
    "HelpDirectory",
    "HelpResource",
    "Matcher",
    "Message",
    "Outcome",
    "OutcomeReport",
    "Policy",
    "Reason",
    "Ruling",
    "Tier",
    "Verdict",
    "build_guard",
    "decision_table",
    "default_help",
    "default_policy",
    "load_help",
    "load_policy",
    "negotiate_language",
    "rule",
]
