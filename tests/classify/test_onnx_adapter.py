"""The generic ONNX adapter, with a stand-in session: preprocessing, outputs, configuration."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from pydantic import ValidationError

from stukje.classify import OnnxClassifier, OnnxSpec, build_classifier, nudenet_model_path
from stukje.classify import nudenet as nudenet_module
from stukje.classify.onnx import label_scores, preprocess
from stukje.errors import ConfigError, MissingDependencyError

LABELS = ("neutral", "sexy", "porn")


def spec(**changes: Any) -> OnnxSpec:
    fields: dict[str, Any] = {
        "model": Path("model.onnx"),
        "input_size": 32,
        "labels": LABELS,
        "nudity_labels": ("porn",),
    }
    return OnnxSpec(**(fields | changes))


class StandInSession:
    """Answers like onnxruntime, with a fixed output; remembers what it was fed."""

    def __init__(self, output: npt.NDArray[Any]) -> None:
        self.output = output
        self.fed: list[npt.NDArray[Any]] = []

    def get_inputs(self) -> list[Any]:
        class Input:
            name = "images"

        return [Input()]

    def run(self, output_names: None, input_feed: dict[str, Any]) -> list[Any]:
        self.fed.append(input_feed["images"])
        return [self.output]


@pytest.mark.parametrize(("layout", "shape"), [("nchw", (1, 3, 32, 32)), ("nhwc", (1, 32, 32, 3))])
@pytest.mark.parametrize(
    ("value_range", "low", "high"), [("0-1", 0.0, 1.0), ("0-255", 0.0, 255.0), ("-1-1", -1.0, 1.0)]
)
def test_preprocess_gives_the_models_tensor(
    layout: str, shape: tuple[int, ...], value_range: str, low: float, high: float
) -> None:
    pixels = np.full((20, 10, 3), 255, np.uint8)
    tensor = preprocess(pixels, spec(layout=layout, value_range=value_range))
    assert tensor.shape == shape
    assert tensor.dtype == np.float32
    assert tensor.min() == pytest.approx(low)
    assert tensor.max() == pytest.approx(high)


def test_pad_keeps_the_aspect_with_black_on_the_right() -> None:
    tall_white = np.full((40, 20, 3), 255, np.uint8)
    padded = preprocess(tall_white, spec(fit="pad"))[0]
    stretched = preprocess(tall_white, spec(fit="stretch"))[0]
    assert padded[:, :, :12].min() > 0.9  # left half: the picture
    assert padded[:, :, 20:].max() == 0.0  # right half: padding
    assert stretched.min() > 0.9


def test_preprocess_keeps_red_in_the_first_channel() -> None:
    red = np.zeros((8, 8, 3), np.uint8)
    red[..., 0] = 255
    tensor = preprocess(red, spec())[0]
    assert tensor[0].min() == pytest.approx(1.0)
    assert tensor[1:].max() == 0.0


def test_scores_output_is_read_in_label_order() -> None:
    assert label_scores(np.array([[0.1, 0.2, 0.7]]), spec()) == pytest.approx(
        {"neutral": 0.1, "sexy": 0.2, "porn": 0.7}
    )


@pytest.mark.parametrize("activation", ["softmax", "sigmoid"])
def test_activations_turn_logits_into_scores(activation: str) -> None:
    scores = label_scores(np.array([[-2.0, 0.0, 3.0]]), spec(activation=activation))
    assert all(0.0 <= value <= 1.0 for value in scores.values())
    assert scores["porn"] > scores["sexy"] > scores["neutral"]
    if activation == "softmax":
        assert sum(scores.values()) == pytest.approx(1.0)


def test_detections_take_each_labels_best_anchor() -> None:
    anchors = np.zeros((1, 4 + len(LABELS), 5))
    anchors[0, 4 + 2, 3] = 0.9  # one anchor sure of "porn"
    anchors[0, 4 + 0, 1] = 0.4
    scores = label_scores(anchors, spec(output="detections"))
    assert scores == pytest.approx({"neutral": 0.4, "sexy": 0.0, "porn": 0.9})


@pytest.mark.parametrize(("output", "shape"), [("scores", (1, 4)), ("detections", (1, 6, 10))])
def test_a_model_that_does_not_fit_its_spec_is_a_config_error(
    output: str, shape: tuple[int, ...]
) -> None:
    with pytest.raises(ConfigError):
        label_scores(np.zeros(shape), spec(output=output))


@pytest.mark.parametrize(("combine", "expected"), [("max", 0.5), ("sum", 0.8)])
def test_nudity_labels_combine(combine: str, expected: float) -> None:
    session = StandInSession(np.array([[0.2, 0.3, 0.5]]))
    chosen = spec(nudity_labels=("sexy", "porn"), combine=combine)
    result = OnnxClassifier(chosen, session=session).classify(np.zeros((9, 7, 3), np.uint8))
    assert result.nudity_score == pytest.approx(expected)
    assert session.fed[0].shape == (1, 3, 32, 32)
    assert result.model == "onnx"


def test_the_spec_rejects_nudity_labels_it_does_not_have() -> None:
    with pytest.raises(ValidationError, match="nudity_labels"):
        spec(nudity_labels=("nude",))


def test_a_missing_model_file_is_a_config_error(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    classifier = build_classifier(spec(model=tmp_path / "absent.onnx"))
    with pytest.raises(ConfigError, match="no ONNX model"):
        classifier.classify(np.zeros((4, 4, 3), np.uint8))


def test_without_onnxruntime_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(MissingDependencyError, match=r"stukje\[nudity\]"):
        OnnxClassifier(spec()).classify(np.zeros((4, 4, 3), np.uint8))


def test_without_nudenet_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nudenet_module, "find_spec", lambda name: None)
    with pytest.raises(MissingDependencyError, match=r"stukje\[nudity\]"):
        nudenet_model_path()
