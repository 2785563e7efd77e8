"""The classifier interface: what the guard asks of any nudity classifier.

A classifier looks at a picture that is already decoded (an RGB ``uint8`` array of shape
``(height, width, 3)``, as the hashing engine hands it over) and returns a
:class:`Classification`: a score per label and one ``nudity_score`` between 0 and 1. It never
decodes bytes itself, so a picture is decoded once for hashing and classifying together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from stukje.errors import InvalidInputError

__all__ = [
    "Classification",
    "Classifier",
    "FixedClassifier",
    "Pixels",
    "check_pixels",
]

#: A decoded picture: RGB, ``uint8``, shape ``(height, width, 3)``.
Pixels = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Classification:
    """What a classifier saw in one picture.

    ``scores`` holds each label's score (0 to 1); ``nudity_score`` combines the labels that mean
    nudity. ``likely`` applies the classifier's own threshold; the guard applies its policy's
    thresholds to ``nudity_score`` instead, so a policy file can tune them.
    """

    nudity_score: float
    scores: Mapping[str, float] = field(default_factory=dict)
    threshold: float = 0.5
    model: str = "unknown"

    def __post_init__(self) -> None:
        if not 0.0 <= self.nudity_score <= 1.0:
            raise InvalidInputError(f"a nudity score is between 0 and 1, got {self.nudity_score}")

    @property
    def likely(self) -> bool:
        """Whether the picture likely shows nudity, by the classifier's own threshold."""
        return self.nudity_score >= self.threshold


@runtime_checkable
class Classifier(Protocol):
    """Anything that can score a decoded picture for nudity."""

    @property
    def name(self) -> str: ...

    def classify(self, pixels: Pixels) -> Classification: ...


def check_pixels(pixels: object) -> Pixels:
    """The picture itself if it is an RGB ``uint8`` array; otherwise :class:`InvalidInputError`."""
    if not isinstance(pixels, np.ndarray):
        raise InvalidInputError(f"a picture is a numpy array, got {type(pixels).__name__}")
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise InvalidInputError(
            f"a picture is an RGB uint8 array (height, width, 3), got {pixels.dtype} {pixels.shape}"
        )
    if pixels.shape[0] == 0 or pixels.shape[1] == 0:
        raise InvalidInputError(f"a picture has at least one pixel, got shape {pixels.shape}")
    return pixels


@dataclass(frozen=True, slots=True)
class FixedClassifier:
    """A stand-in that gives every picture the same score: for tests, demos and dry runs."""

    nudity_score: float
    threshold: float = 0.5
    name: str = "fixed"

    def classify(self, pixels: Pixels) -> Classification:
        check_pixels(pixels)
        return Classification(
            nudity_score=self.nudity_score,
            scores={"nudity": self.nudity_score},
            threshold=self.threshold,
            model=self.name,
        )
