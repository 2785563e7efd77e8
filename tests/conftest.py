"""Shared test helpers: where the image corpus lives."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def corpus_dir() -> Path:
    """../shared/corpus beside the repository (CI clones the repo with shared/ beside it)."""
    return REPO.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def photos_dir() -> Path:
    path = corpus_dir() / "photos"
    assert path.is_dir(), f"the image corpus is missing at {path}"
    return path


@pytest.fixture(scope="session")
def odd_dir() -> Path:
    path = corpus_dir() / "odd"
    assert path.is_dir(), f"the odd-image corpus is missing at {path}"
    return path
