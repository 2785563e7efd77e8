"""A classifier for any ONNX image model, described by an :class:`OnnxSpec`.

Two output shapes are understood: ``scores`` (one score per label, e.g. a softmax classifier)
and ``detections`` (a YOLOv8-style detector whose output is ``(1, 4 + labels, anchors)``; a
label's score is its best anchor). onnxruntime is imported only when a model is first used, so
stukje works without the ``nudity`` extra until someone asks for a classifier.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field, model_validator

from stukje.classify.base import Classification, Pixels, check_pixels
from stukje.errors import ConfigError, MissingDependencyError

__all__ = ["OnnxClassifier", "OnnxSpec", "import_onnxruntime", "label_scores", "preprocess"]

FloatArray = npt.NDArray[np.float32]


class OnnxSpec(BaseModel):
    """How to feed an ONNX model and read its answer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["onnx"] = "onnx"
    name: str = "onnx"
    model: Path = Field(description="The .onnx file (relative paths: to the policy file).")
    input_size: int = Field(ge=16, le=4096, description="The model's square input, pixels.")
    labels: tuple[str, ...] = Field(min_length=1, description="Output labels, in output order.")
    nudity_labels: tuple[str, ...] = Field(min_length=1, description="Labels that mean nudity.")
    output: Literal["scores", "detections"] = "scores"
    activation: Literal["none", "softmax", "sigmoid"] = "none"
    combine: Literal["max", "sum"] = Field("max", description="How nudity labels combine.")
    layout: Literal["nchw", "nhwc"] = "nchw"
    fit: Literal["pad", "stretch"] = Field("pad", description="Pad to a square, or stretch.")
    value_range: Literal["0-1", "0-255", "-1-1"] = "0-1"
    likely_threshold: float = Field(0.5, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _nudity_labels_are_labels(self) -> OnnxSpec:
        unknown = sorted(set(self.nudity_labels) - set(self.labels))
        if unknown:
            raise ValueError(f"nudity_labels not among labels: {', '.join(unknown)}")
        if len(set(self.labels)) != len(self.labels):
            raise ValueError("labels must be unique")
        return self


class InferenceSession(Protocol):
    """The part of ``onnxruntime.InferenceSession`` stukje uses (tests pass a stand-in)."""

    def get_inputs(self) -> list[Any]: ...

    def run(self, output_names: None, input_feed: dict[str, Any]) -> list[Any]: ...


def import_onnxruntime() -> Any:
    """onnxruntime, or a :class:`MissingDependencyError` saying how to install it."""
    try:
        return importlib.import_module("onnxruntime")
    except ImportError as exc:
        raise MissingDependencyError(
            "the nudity classifier needs onnxruntime: pip install 'stukje[nudity]'"
        ) from exc


def preprocess(pixels: Pixels, spec: OnnxSpec) -> FloatArray:
    """The model's input tensor for one picture (a batch of one)."""
    height, width, _ = pixels.shape
    image = Image.fromarray(pixels)
    if spec.fit == "pad":
        # Black bottom and right edges, as NudeNet's own reader does, so boxes keep their aspect.
        side = max(height, width)
        square = Image.new("RGB", (side, side))
        square.paste(image, (0, 0))
        image = square
    resized = image.resize((spec.input_size, spec.input_size), Image.Resampling.BILINEAR)
    tensor = np.asarray(resized, dtype=np.float32)
    if spec.value_range == "0-1":
        tensor = tensor / 255.0
    elif spec.value_range == "-1-1":
        tensor = tensor / 127.5 - 1.0
    if spec.layout == "nchw":
        tensor = tensor.transpose(2, 0, 1)
    return np.ascontiguousarray(tensor[np.newaxis], dtype=np.float32)


def label_scores(output: npt.NDArray[Any], spec: OnnxSpec) -> dict[str, float]:
    """Each label's score from the model's first output."""
    values = np.asarray(output, dtype=np.float64).squeeze()
    if spec.output == "detections":
        if values.ndim != 2 or values.shape[0] != 4 + len(spec.labels):
            raise ConfigError(
                f"{spec.name}: expected detections shaped (4 + {len(spec.labels)}, anchors), "
                f"got {values.shape}"
            )
        per_label = values[4:].max(axis=1) if values.shape[1] else np.zeros(len(spec.labels))
    else:
        per_label = values.reshape(-1)
        if per_label.shape[0] != len(spec.labels):
            raise ConfigError(
                f"{spec.name}: the model gives {per_label.shape[0]} scores "
                f"for {len(spec.labels)} labels"
            )
    if spec.activation == "softmax":
        shifted = np.exp(per_label - per_label.max())
        per_label = shifted / shifted.sum()
    elif spec.activation == "sigmoid":
        per_label = 1.0 / (1.0 + np.exp(-per_label))
    clipped = np.clip(per_label, 0.0, 1.0)
    return {label: float(score) for label, score in zip(spec.labels, clipped, strict=True)}


class OnnxClassifier:
    """Scores pictures with an ONNX model; the session opens on first use."""

    def __init__(self, spec: OnnxSpec, session: InferenceSession | None = None) -> None:
        self.spec = spec
        self._session = session

    @property
    def name(self) -> str:
        return self.spec.name

    def classify(self, pixels: Pixels) -> Classification:
        session = self._open()
        tensor = preprocess(check_pixels(pixels), self.spec)
        input_name = session.get_inputs()[0].name
        outputs = session.run(None, {input_name: tensor})
        scores = label_scores(outputs[0], self.spec)
        return Classification(
            nudity_score=self._nudity_score(scores),
            scores=scores,
            threshold=self.spec.likely_threshold,
            model=self.spec.name,
        )

    def _nudity_score(self, scores: dict[str, float]) -> float:
        chosen = [scores[label] for label in self.spec.nudity_labels]
        combined = max(chosen) if self.spec.combine == "max" else sum(chosen)
        return min(1.0, combined)

    def _open(self) -> InferenceSession:
        if self._session is None:
            onnxruntime = import_onnxruntime()
            if not self.spec.model.is_file():
                raise ConfigError(
                    f"{self.spec.name}: no ONNX model at {self.spec.model}", field="model"
                )
            self._session = onnxruntime.InferenceSession(
                str(self.spec.model), providers=["CPUExecutionProvider"]
            )
        return self._session
