"""The NudeNet detector (``pip install 'stukje[nudity]'``) as a stukje classifier.

The ``nudenet`` wheel ships its 320-pixel ONNX detector (``320n.onnx``, about 12 MB). stukje reads
that file and runs it through :class:`~stukje.classify.onnx.OnnxClassifier` on the picture that is
already decoded; NudeNet's own Python code (and OpenCV) is never imported. NudeNet is AGPL-3.0
licensed (its wheel metadata says MIT, its LICENSE file says AGPL-3.0): see docs/guard.md.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from stukje.classify.onnx import OnnxClassifier, OnnxSpec, import_onnxruntime
from stukje.errors import MissingDependencyError

__all__ = [
    "NUDENET_LABELS",
    "NUDENET_NUDITY_LABELS",
    "NudeNetSpec",
    "nudenet_classifier",
    "nudenet_model_path",
]

#: The detector's output labels, in output order.
NUDENET_LABELS: Final = (
    "FEMALE_GENITALIA_COVERED",
    "FACE_FEMALE",
    "BUTTOCKS_EXPOSED",
    "FEMALE_BREAST_EXPOSED",
    "FEMALE_GENITALIA_EXPOSED",
    "MALE_BREAST_EXPOSED",
    "ANUS_EXPOSED",
    "FEET_EXPOSED",
    "BELLY_COVERED",
    "FEET_COVERED",
    "ARMPITS_COVERED",
    "ARMPITS_EXPOSED",
    "FACE_MALE",
    "BELLY_EXPOSED",
    "MALE_GENITALIA_EXPOSED",
    "ANUS_COVERED",
    "FEMALE_BREAST_COVERED",
    "BUTTOCKS_COVERED",
)

#: The labels that count as nudity. A bare male chest, belly, feet or armpits do not.
NUDENET_NUDITY_LABELS: Final = (
    "BUTTOCKS_EXPOSED",
    "FEMALE_BREAST_EXPOSED",
    "FEMALE_GENITALIA_EXPOSED",
    "MALE_GENITALIA_EXPOSED",
    "ANUS_EXPOSED",
)

_INSTALL_HINT: Final = "pip install 'stukje[nudity]' (NudeNet is AGPL-3.0; see docs/guard.md)"


class NudeNetSpec(BaseModel):
    """Settings for the NudeNet detector."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["nudenet"] = "nudenet"
    model: Path | None = Field(None, description="Another NudeNet .onnx; default: the wheel's.")
    input_size: int = Field(320, ge=32, le=4096)
    likely_threshold: float = Field(0.5, ge=0.0, le=1.0)


def nudenet_model_path() -> Path:
    """Where the installed ``nudenet`` wheel keeps its ONNX model, without importing nudenet."""
    spec = find_spec("nudenet")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for folder in locations:
        candidate = Path(folder) / "320n.onnx"
        if candidate.is_file():
            return candidate
    raise MissingDependencyError(f"the NudeNet model is not installed: {_INSTALL_HINT}")


def nudenet_classifier(spec: NudeNetSpec | None = None) -> OnnxClassifier:
    """A classifier running NudeNet's detector; fails early if the extra is missing."""
    settings = spec or NudeNetSpec()
    import_onnxruntime()
    onnx_spec = OnnxSpec(
        name="nudenet",
        model=settings.model or nudenet_model_path(),
        input_size=settings.input_size,
        labels=NUDENET_LABELS,
        nudity_labels=NUDENET_NUDITY_LABELS,
        output="detections",
        fit="pad",
        value_range="0-1",
        likely_threshold=settings.likely_threshold,
    )
    return OnnxClassifier(onnx_spec)
