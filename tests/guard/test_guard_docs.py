"""docs/guard.md is kept equal to the code it describes, and the public names stay importable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import stukje.classify
import stukje.guard
from stukje.guard import decision_table
from stukje.guard.messages import translations

DOCS = Path(__file__).resolve().parents[2] / "docs"

START, END = "<!-- decision-table:start -->\n", "<!-- decision-table:end -->"
ROW = re.compile(r"^\| `(?P<context>[a-z_.]+)` \| (?P<en>[^|]+) \| (?P<nl>[^|]+) \|$", re.M)


def guard_doc() -> str:
    return (DOCS / "guard.md").read_text(encoding="utf-8")


def test_the_decision_table_is_generated_from_the_default_policy() -> None:
    text = guard_doc()
    section = text[text.index(START) + len(START) : text.index(END)]
    assert section.strip() == decision_table().strip(), (
        "docs/guard.md is out of date: paste the output of stukje.guard.decision_table()"
    )


def test_the_messages_quoted_in_the_doc_are_the_catalogues() -> None:
    rows = list(ROW.finditer(guard_doc()))
    assert len(rows) >= 5
    dutch = translations("nl")
    for row in rows:
        english = row["en"].strip()
        assert dutch.pgettext(row["context"], english) == row["nl"].strip()


@pytest.mark.parametrize("module", [stukje.guard, stukje.classify])
def test_every_exported_name_exists(module: object) -> None:
    exported = module.__all__  # type: ignore[attr-defined]
    for name in exported:
        assert hasattr(module, name), name
