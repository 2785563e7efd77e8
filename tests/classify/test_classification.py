"""The classifier interface: Classification, the stand-in classifier and pixel checks."""

from __future__ import annotations

import numpy as np
import pytest

from stukje.classify import Classification, Classifier, FixedClassifier, check_pixels
from stukje.errors import InvalidInputError


@pytest.mark.parametrize(
    ("score", "threshold", "likely"),
    [(0.0, 0.5, False), (0.49, 0.5, False), (0.5, 0.5, True), (1.0, 0.5, True), (0.3, 0.2, True)],
)
def test_likely_applies_the_classifiers_threshold(
    score: float, threshold: float, likely: bool
) -> None:
    assert Classification(nudity_score=score, threshold=threshold).likely is likely


@pytest.mark.parametrize("score", [-0.01, 1.01, float("nan")])
def test_a_nudity_score_is_between_0_and_1(score: float) -> None:
    with pytest.raises(InvalidInputError):
        Classification(nudity_score=score)


@pytest.mark.parametrize(
    "pixels",
    [
        np.zeros((4, 4), np.uint8),
        np.zeros((4, 4, 4), np.uint8),
        np.zeros((4, 4, 3), np.float32),
        np.zeros((0, 4, 3), np.uint8),
        [[0, 0, 0]],
        b"\xff\xd8\xff",
    ],
)
def test_only_rgb_uint8_pictures_are_accepted(pixels: object) -> None:
    with pytest.raises(InvalidInputError):
        check_pixels(pixels)


def test_the_stand_in_is_a_classifier_and_checks_its_input() -> None:
    stand_in = FixedClassifier(0.8)
    assert isinstance(stand_in, Classifier)
    result = stand_in.classify(np.zeros((2, 3, 3), np.uint8))
    assert result.nudity_score == 0.8
    assert result.likely
    with pytest.raises(InvalidInputError):
        stand_in.classify(np.zeros((2, 3), np.uint8))
