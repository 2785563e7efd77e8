"""Nudity classifiers behind one small interface, for the guard.

:class:`Classifier` is the interface (``classify(pixels) -> Classification``);
:func:`build_classifier` makes one from a spec: NudeNet's detector (optional extra
``stukje[nudity]``) or any ONNX model described by an :class:`OnnxSpec`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from stukje.classify.base import (
    Classification,
    Classifier,
    FixedClassifier,
    Pixels,
    check_pixels,
)
from stukje.classify.nudenet import (
    NUDENET_LABELS,
    NUDENET_NUDITY_LABELS,
    NudeNetSpec,
    nudenet_classifier,
    nudenet_model_path,
)
from stukje.classify.onnx import OnnxClassifier, OnnxSpec

__all__ = [
    "NUDENET_LABELS",
    "NUDENET_NUDITY_LABELS",
    "Classification",
    "Classifier",
    "ClassifierSpec",
    "FixedClassifier",
    "NudeNetSpec",
    "OnnxClassifier",
    "OnnxSpec",
    "Pixels",
    "build_classifier",
    "check_pixels",
    "nudenet_classifier",
    "nudenet_model_path",
]

#: A classifier as configured in a policy file's ``[classifier]`` table, told apart by ``kind``.
ClassifierSpec = Annotated[NudeNetSpec | OnnxSpec, Field(discriminator="kind")]


def build_classifier(spec: NudeNetSpec | OnnxSpec) -> Classifier:
    """The classifier a spec describes."""
    if isinstance(spec, NudeNetSpec):
        return nudenet_classifier(spec)
    return OnnxClassifier(spec)
