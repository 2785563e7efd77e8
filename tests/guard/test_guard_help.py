"""Help resources: every country and language resolves, unknowns fall back, the file is checked."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from stukje.errors import ConfigError
from stukje.guard import (
    LANGUAGES,
    Action,
    Content,
    Context,
    Guard,
    Tier,
    default_help,
    load_help,
)
from stukje.guard.help import ResourceKind

REQUIRED_COUNTRIES = ("NL", "BE", "DE", "GB", "US", "ES")
INTERNATIONAL = {"StopNCII.org", "Take It Down (NCMEC)", "Find A Helpline"}


def names(country: str | None, language: str, tier: Tier) -> list[str]:
    return [resource.name for resource in default_help().find(country, language, tier)]


def test_the_file_says_when_it_was_last_reviewed() -> None:
    assert default_help().last_reviewed.year >= 2025


@pytest.mark.parametrize("country", sorted(default_help().countries))
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("tier", list(Tier))
def test_every_country_and_language_resolves(country: str, language: str, tier: Tier) -> None:
    found = default_help().find(country, language, tier)
    local = [r for r in found if r.name not in INTERNATIONAL]
    assert local, f"no {country} resource for a {tier.value}"
    assert {r.kind for r in found} & {ResourceKind.IMAGE_ABUSE}
    assert {r.kind for r in found} & {ResourceKind.CRISIS_LINE, ResourceKind.YOUTH_LINE}
    for resource in found:
        assert resource.description
        assert resource.language in {language, "en"}
        assert resource.url.startswith("https://")


@pytest.mark.parametrize("country", REQUIRED_COUNTRIES)
def test_the_required_countries_are_there(country: str) -> None:
    assert default_help().country_code(country) == country


@pytest.mark.parametrize(
    ("country", "language", "tier", "expected"),
    [
        ("NL", "nl", Tier.TEEN, "Helpwanted.nl"),
        ("NL", "nl", Tier.ADULT, "113 Zelfmoordpreventie"),
        ("BE", "nl", Tier.CHILD, "Child Focus"),
        ("DE", "de", Tier.ADULT, "HateAid"),
        ("DE", "de", Tier.TEEN, "Nummer gegen Kummer"),
        ("UK", "en", Tier.ADULT, "Revenge Porn Helpline"),
        ("gb", "en", Tier.TEEN, "Report Remove (Childline and IWF)"),
        ("GB", "en", Tier.ADULT, "Samaritans"),
        ("US", "en", Tier.ADULT, "CCRI Image Abuse Helpline"),
        ("US", "es", Tier.TEEN, "988 Suicide & Crisis Lifeline"),
        ("ES", "es", Tier.TEEN, "Fundación ANAR"),
        ("ES", "es", Tier.ADULT, "INCIBE: Tu Ayuda en Ciberseguridad (017)"),
        ("ES", "es", Tier.ADULT, "Línea 024"),
    ],
)
def test_named_resources(country: str, language: str, tier: Tier, expected: str) -> None:
    assert expected in names(country, language, tier)


@pytest.mark.parametrize("country", [None, "FR", "JP", "XX"])
@pytest.mark.parametrize("tier", list(Tier))
def test_an_unknown_country_gets_the_international_resources(
    country: str | None, tier: Tier
) -> None:
    found = set(names(country, "en", tier))
    assert "Find A Helpline" in found
    assert found <= INTERNATIONAL


@pytest.mark.parametrize("country", [None, *REQUIRED_COUNTRIES])
def test_stopncii_for_adults_and_take_it_down_for_minors_everywhere(country: str | None) -> None:
    assert "StopNCII.org" in names(country, "en", Tier.ADULT)
    assert "Take It Down (NCMEC)" not in names(country, "en", Tier.ADULT)
    for minor in (Tier.CHILD, Tier.TEEN):
        assert "Take It Down (NCMEC)" in names(country, "en", minor)
        assert "StopNCII.org" not in names(country, "en", minor)


def test_descriptions_come_in_the_language_asked_for_or_english() -> None:
    dutch = {r.name: r for r in default_help().find("NL", "nl", Tier.TEEN)}
    assert dutch["Helpwanted.nl"].language == "nl"
    german_in_nl = {r.name: r for r in default_help().find("NL", "de", Tier.TEEN)}
    assert german_in_nl["Helpwanted.nl"].language == "en"
    assert german_in_nl["Take It Down (NCMEC)"].language == "de"


@pytest.mark.parametrize(
    ("country", "locale", "language"),
    [
        ("NL", None, "nl"),
        ("BE", None, "nl"),
        ("BE", "fr-BE", "en"),
        ("US", "es-US", "es"),
        ("FR", None, "en"),
        (None, "de-CH", "de"),
    ],
)
def test_the_guard_speaks_the_persons_language(
    country: str | None, locale: str | None, language: str
) -> None:
    context = Context(action=Action.SEND, tier=Tier.TEEN, country=country, locale=locale)
    decision = Guard().decide(Content(), context)
    assert decision.language == language
    assert decision.help
    assert all(r.language in {language, "en"} for r in decision.help)


def help_text() -> str:
    return files("stukje.guard").joinpath("data/help.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('resources = ["helpwanted",', 'resources = ["helpwantd",', "helpwantd"),
        ('url = "https://www.awel.be"', 'url = "not a url"', "resources.awel.url"),
        (
            'tiers = ["child", "teen"]\ndescription.en = "For children and young people in Fl',
            'tiers = []\ndescription.en = "For children and young people in Fl',
            "resources.awel.tiers",
        ),
        ("[countries.NL]", "[countries.nl]", "two capital letters"),
        (
            'description.en = "Someone to talk to',
            'description.fr = "Someone to talk to',
            "English description",
        ),
    ],
)
def test_mistakes_in_the_help_file_are_config_errors(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    text = help_text()
    assert old in text
    path = tmp_path / "help.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_help(path)
    assert caught.value.file == str(path)


def test_a_copy_of_the_help_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "help.toml"
    path.write_text(help_text(), encoding="utf-8")
    assert load_help(path) == default_help()
    assert load_help(None) is default_help()
