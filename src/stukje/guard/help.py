"""Help resources per country: who to call or write to, in the person's language.

The directory is a TOML data file (``stukje/guard/data/help.toml``, with a ``last_reviewed``
date). A person gets their country's resources that fit their tier, then the international ones
(StopNCII.org for adults, Take It Down for minors); an unknown country gets the international ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from stukje.guard.context import Tier
from stukje.guard.datafile import load_model, parse_model

__all__ = ["HelpDirectory", "HelpResource", "ResourceKind", "default_help", "load_help"]

#: Country codes people use that ISO 3166 spells differently.
_COUNTRY_ALIASES: Final = {"UK": "GB"}


class ResourceKind(StrEnum):
    IMAGE_ABUSE = "image_abuse"  # removal of intimate images, helplines for image abuse
    VICTIM_SUPPORT = "victim_support"
    YOUTH_LINE = "youth_line"  # for children and young people to talk to someone
    CRISIS_LINE = "crisis_line"  # suicide prevention and emotional crisis


class HelpResource(BaseModel):
    """One resource, ready to show: the description is in the language asked for (or English)."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: ResourceKind
    url: str
    phone: str | None
    description: str
    language: str


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    kind: ResourceKind
    url: HttpUrl
    phone: str | None = None
    tiers: tuple[Tier, ...] = Field(min_length=1)
    description: dict[str, str]

    @model_validator(mode="after")
    def _has_english(self) -> _Entry:
        if not self.description.get("en"):
            raise ValueError("every resource needs an English description (description.en)")
        return self

    def show(self, language: str) -> HelpResource:
        shown_in = language if self.description.get(language) else "en"
        return HelpResource(
            name=self.name,
            kind=self.kind,
            url=str(self.url),
            phone=self.phone,
            description=self.description[shown_in],
            language=shown_in,
        )


class _Country(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    languages: tuple[str, ...] = Field(min_length=1)
    resources: tuple[str, ...] = Field(min_length=1)


class HelpDirectory(BaseModel):
    """The whole help file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    last_reviewed: dt.date
    international: tuple[str, ...] = Field(min_length=1)
    countries: dict[str, _Country]
    resources: dict[str, _Entry]

    @model_validator(mode="after")
    def _references_exist(self) -> HelpDirectory:
        named = set(self.international)
        for code, country in self.countries.items():
            if len(code) != 2 or not code.isupper():
                raise ValueError(f"country codes are two capital letters (ISO 3166), got {code!r}")
            named.update(country.resources)
        missing = sorted(named - set(self.resources))
        if missing:
            raise ValueError(f"resources named but not described: {', '.join(missing)}")
        unused = sorted(set(self.resources) - named)
        if unused:
            raise ValueError(f"resources described but never used: {', '.join(unused)}")
        return self

    def country_code(self, country: str | None) -> str | None:
        """The directory's code for a country (``UK`` becomes ``GB``), or None if unknown."""
        if not country:
            return None
        code = country.strip().upper()
        code = _COUNTRY_ALIASES.get(code, code)
        return code if code in self.countries else None

    def languages_of(self, country: str | None) -> Sequence[str]:
        code = self.country_code(country)
        return self.countries[code].languages if code else ()

    def find(self, country: str | None, language: str, tier: Tier) -> tuple[HelpResource, ...]:
        """The country's resources for this tier, then the international ones."""
        code = self.country_code(country)
        names = [*(self.countries[code].resources if code else ()), *self.international]
        chosen = [
            self.resources[n] for n in dict.fromkeys(names) if tier in self.resources[n].tiers
        ]
        return tuple(entry.show(language) for entry in chosen)


def load_help(path: Path | None = None) -> HelpDirectory:
    """The help directory in a TOML file, or the built-in one when ``path`` is None."""
    return default_help() if path is None else load_model(path, HelpDirectory)


@cache
def default_help() -> HelpDirectory:
    """The help directory shipped with stukje (``stukje/guard/data/help.toml``)."""
    text = files("stukje.guard").joinpath("data/help.toml").read_text(encoding="utf-8")
    return parse_model(text, HelpDirectory, source="stukje/guard/data/help.toml")
