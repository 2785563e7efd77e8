"""Messages: the catalogues are complete and current, and every situation has words."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

import stukje.guard.texts
from stukje.guard import LANGUAGES, Action, Context, Reason, Tier, Verdict, negotiate_language
from stukje.guard.messages import compose_message, translations
from stukje.guard.outcomes import OUTCOMES_AFTER, Outcome

TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
KEYWORDS = {"T_": ((1, "c"), 2), "TN_": ((1, "c"), 2, 3)}
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
LOCALE = Path(str(files("stukje.guard").joinpath("locale")))


def extracted() -> dict[str, str | tuple[str, ...]]:
    """Every marked text in the code, by context, as ``pybabel extract`` would find it."""
    path = str(Path(stukje.guard.texts.__file__))
    found = extract_from_file("python", path, keywords=KEYWORDS)
    return {str(context): message for _line, message, _comments, context in found}


def read_catalogue(path: Path) -> dict[str, object]:
    with path.open("rb") as po_file:
        catalog = read_po(po_file)
    return {str(message.context): message for message in catalog if message.id}


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalogue_has_every_text_translated(language: str) -> None:
    wanted = extracted()
    catalogue = read_catalogue(LOCALE / language / "LC_MESSAGES" / "stukje.po")
    assert set(catalogue) == set(wanted), "run the update steps in docs/guard.md"
    for context, message in catalogue.items():
        source = wanted[context]
        assert message.id == source, f"{language} {context}: stale msgid"  # type: ignore[attr-defined]
        assert not message.fuzzy, f"{language} {context}: fuzzy"  # type: ignore[attr-defined]
        strings = message.string  # type: ignore[attr-defined]
        for text in strings if isinstance(strings, tuple) else (strings,):
            assert text.strip(), f"{language} {context}: empty"
            source_text = source[0] if isinstance(source, tuple) else source
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(source_text))


def test_the_template_is_current() -> None:
    template = read_catalogue(LOCALE / "stukje.pot")
    assert {c: m.id for c, m in template.items()} == extracted()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("locale", "country_languages", "expected"),
    [
        ("nl-NL", (), "nl"),
        ("nl_BE", (), "nl"),
        ("de-AT", (), "de"),
        ("es-419", (), "es"),
        ("EN-gb", (), "en"),
        ("fr-BE", ("nl", "fr"), "en"),
        ("x", (), "en"),
        ("", ("de",), "de"),
        (None, ("fr", "nl"), "nl"),
        (None, ("fr",), "en"),
        (None, (), "en"),
    ],
)
def test_negotiate_language(
    locale: str | None, country_languages: tuple[str, ...], expected: str
) -> None:
    assert negotiate_language(locale, country_languages) == expected


def test_the_campaign_line_in_dutch() -> None:
    context = Context(action=Action.FORWARD, tier=Tier.ADULT)
    message = compose_message(Verdict.NUDGE, (Reason.LIKELY_NUDITY,), Tier.ADULT, context, "nl")
    assert message is not None
    assert message.title == "Denk na voordat je doorstuurt"


SITUATIONS = [
    (verdict, reason, tier, action)
    for verdict in (Verdict.NUDGE, Verdict.BLOCK, Verdict.BLUR)
    for reason in (Reason.KNOWN_BANK_MATCH, Reason.LIKELY_NUDITY)
    for tier in Tier
    for action in Action
    if (verdict is Verdict.BLUR) == (action is Action.RECEIVE) or verdict is Verdict.BLOCK
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("verdict", "reason", "tier", "action"), SITUATIONS)
def test_every_situation_has_words_in_every_language(
    verdict: Verdict, reason: Reason, tier: Tier, action: Action, language: str
) -> None:
    context = Context(action=action, tier=tier, forward_count=7)
    reasons = (reason, Reason.LARGE_AUDIENCE, Reason.PUBLIC_AUDIENCE, Reason.FORWARDED_OFTEN)
    message = compose_message(verdict, reasons, tier, context, language)
    assert message is not None
    assert all([message.title, message.body, message.help_heading])
    assert len(message.notes) == 3
    assert "7" in message.notes[-1]
    assert "{" not in " ".join(message.notes)
    assert {choice.outcome for choice in message.choices} <= OUTCOMES_AFTER[verdict]
    assert Outcome.ASKED_FOR_HELP in {choice.outcome for choice in message.choices}
    if language != "en":
        english = compose_message(verdict, reasons, tier, context, "en")
        assert english is not None
        assert message.body != english.body


def test_an_allowed_picture_needs_no_words() -> None:
    context = Context(action=Action.SEND)
    assert compose_message(Verdict.ALLOW, (), Tier.ADULT, context, "nl") is None


@pytest.mark.parametrize(("count", "expected"), [(1, "1 vez."), (5, "5 veces.")])
def test_plural_forms_follow_the_language(count: int, expected: str) -> None:
    text = translations("es").npgettext(
        "note.forwarded_often",
        "This picture has already been forwarded {count} time.",
        "This picture has already been forwarded {count} times.",
        count,
    )
    assert text.format(count=count).endswith(expected)


def test_minors_are_offered_someone_they_trust() -> None:
    context = Context(action=Action.SEND, tier=Tier.TEEN)
    teen = compose_message(Verdict.NUDGE, (Reason.LIKELY_NUDITY,), Tier.TEEN, context, "en")
    adult = compose_message(Verdict.NUDGE, (Reason.LIKELY_NUDITY,), Tier.ADULT, context, "en")
    assert teen is not None
    assert adult is not None
    assert teen.choices[-1].label == "Message someone you trust"
    assert teen.body != adult.body
    assert "under 18" in teen.body
