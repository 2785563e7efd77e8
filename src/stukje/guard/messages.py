"""Putting words to a ruling, in the person's language, through gettext catalogues.

The catalogues are ``stukje/guard/locale/<language>/LC_MESSAGES/stukje.po``, read with Babel and
compiled in memory on first use, so a fresh ``pip install -e .`` needs no build step. English is
the source language (the message ids), Dutch came first in writing, German and Spanish follow.
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Sequence
from functools import cache
from importlib.resources import files

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from pydantic import BaseModel, ConfigDict

from stukje.guard import texts
from stukje.guard.context import Action, Context, Reason, Tier, Verdict
from stukje.guard.outcomes import Outcome

__all__ = [
    "LANGUAGES",
    "Choice",
    "Message",
    "compose_message",
    "negotiate_language",
    "translations",
]

#: The languages with a catalogue, source language first.
LANGUAGES = ("en", "nl", "de", "es")
_LANGUAGE_TAG = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_]|$)")


class Choice(BaseModel):
    """A button: what the person can do next, and its label."""

    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    label: str


class Message(BaseModel):
    """The words for one decision."""

    model_config = ConfigDict(frozen=True)

    title: str
    body: str
    notes: tuple[str, ...]
    choices: tuple[Choice, ...]
    help_heading: str


def negotiate_language(locale: str | None, country_languages: Sequence[str] = ()) -> str:
    """The catalogue language for a locale such as ``nl-BE``; English when there is none.

    Without a locale, the country's first language with a catalogue is used.
    """
    if locale:
        found = _LANGUAGE_TAG.match(locale)
        language = found.group(1).lower() if found else ""
        return language if language in LANGUAGES else "en"
    return next((lang for lang in country_languages if lang in LANGUAGES), "en")


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue for a language (English: the message ids themselves)."""
    if language == "en" or language not in LANGUAGES:
        return gettext.NullTranslations()
    path = files("stukje.guard").joinpath(f"locale/{language}/LC_MESSAGES/stukje.po")
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def compose_message(
    verdict: Verdict, reasons: Sequence[Reason], tier: Tier, context: Context, language: str
) -> Message | None:
    """The message for a decision, or None when it allows (nothing to say)."""
    if verdict is Verdict.ALLOW:
        return None
    catalogue = translations(language)

    def say(text: texts.Text) -> str:
        return catalogue.pgettext(text.context, text.msgid)

    title, body = _title_and_body(verdict, reasons[0], tier, context.action)
    notes = [say(note) for note in _notes(reasons)]
    if Reason.FORWARDED_OFTEN in reasons:
        plural = texts.NOTE_FORWARDED_OFTEN
        count = context.forward_count
        template = catalogue.npgettext(plural.context, plural.singular, plural.plural, count)
        notes.append(template.format(count=count))
    help_text = texts.CHOICE_HELP_ADULT if tier is Tier.ADULT else texts.CHOICE_HELP_MINOR
    choices = [Choice(outcome=o, label=say(t)) for o, t in _choices(verdict, context.action)]
    choices.append(Choice(outcome=Outcome.ASKED_FOR_HELP, label=say(help_text)))
    return Message(
        title=say(title),
        body=say(body),
        notes=tuple(notes),
        choices=tuple(choices),
        help_heading=say(texts.HELP_HEADING),
    )


def _title_and_body(
    verdict: Verdict, leading: Reason, tier: Tier, action: Action
) -> tuple[texts.Text, texts.Text]:
    if verdict is Verdict.BLUR:
        child = tier is Tier.CHILD
        return texts.TITLE_BLURRED, (
            texts.BODY_NUDITY_BLUR_CHILD if child else texts.BODY_NUDITY_BLUR
        )
    if action is Action.RECEIVE:
        if leading is Reason.KNOWN_BANK_MATCH:
            return texts.TITLE_HIDDEN, texts.BODY_MATCH_HIDDEN
        return texts.TITLE_HIDDEN, texts.BODY_NUDITY_HIDDEN
    if leading is Reason.KNOWN_BANK_MATCH:
        return texts.TITLE_CANNOT_SHARE, texts.BODY_MATCH_BLOCK
    if verdict is Verdict.NUDGE:
        adult = tier is Tier.ADULT
        body = texts.BODY_NUDITY_NUDGE_ADULT if adult else texts.BODY_NUDITY_NUDGE_MINOR
        return texts.TITLE_THINK[action.value], body
    child = tier is Tier.CHILD
    body = texts.BODY_NUDITY_BLOCK_CHILD if child else texts.BODY_NUDITY_BLOCK
    return texts.TITLE_CANNOT_SHARE, body


def _notes(reasons: Sequence[Reason]) -> list[texts.Text]:
    notes = []
    if Reason.LARGE_AUDIENCE in reasons:
        notes.append(texts.NOTE_LARGE_AUDIENCE)
    if Reason.PUBLIC_AUDIENCE in reasons:
        notes.append(texts.NOTE_PUBLIC_AUDIENCE)
    return notes


def _choices(verdict: Verdict, action: Action) -> list[tuple[Outcome, texts.Text]]:
    if verdict is Verdict.NUDGE:
        return [
            (Outcome.CANCELLED, texts.CHOICE_STOP[action.value]),
            (Outcome.SENT_ANYWAY, texts.CHOICE_GO_ON[action.value]),
        ]
    if verdict is Verdict.BLUR:
        return [
            (Outcome.CANCELLED, texts.CHOICE_KEEP_HIDDEN),
            (Outcome.VIEWED_ANYWAY, texts.CHOICE_VIEW),
        ]
    return [(Outcome.CANCELLED, texts.CHOICE_OK)]
