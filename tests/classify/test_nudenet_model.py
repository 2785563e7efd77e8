"""NudeNet's real model on real photos: no false nudges. Runs where ``stukje[nudity]`` is installed.

These tests are skipped only when the extra is absent; sensitivity (that nudity *is* caught) is
tested through the interface with stand-in classifiers in tests/guard, never with nude images.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from stukje.classify import (
    NUDENET_LABELS,
    Classification,
    Classifier,
    NudeNetSpec,
    OnnxSpec,
    build_classifier,
    nudenet_classifier,
    nudenet_model_path,
)
from stukje.classify.base import Pixels
from stukje.guard import Action, Audience, Content, Context, Guard, Tier, Verdict, default_policy
from stukje.guard.policy import Policy

pytestmark = pytest.mark.skipif(
    find_spec("onnxruntime") is None or find_spec("nudenet") is None,
    reason="needs the optional extra: pip install -e '.[nudity]'",
)

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}


def decoded(path: Path) -> Pixels:
    """Decoded as the hashing engine hands pictures over: RGB, at most 512 px a side."""
    with Image.open(path) as image:
        image.draft("RGB", (1024, 1024))
        rgb = image.convert("RGB")
    rgb.thumbnail((512, 512))
    return np.asarray(rgb)


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return nudenet_classifier()


@pytest.fixture(scope="module")
def corpus(photos_dir: Path) -> dict[str, Pixels]:
    paths = sorted(p for p in photos_dir.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)
    assert len(paths) >= 20
    return {path.name: decoded(path) for path in paths}


def test_the_wheel_ships_the_onnx_model() -> None:
    path = nudenet_model_path()
    assert path.name == "320n.onnx"
    assert path.stat().st_size > 1_000_000


@pytest.fixture(scope="module")
def classified(classifier: Classifier, corpus: dict[str, Pixels]) -> dict[str, Classification]:
    return {name: classifier.classify(pixels) for name, pixels in corpus.items()}


def test_no_corpus_photo_is_likely_nudity(classified: dict[str, Classification]) -> None:
    likely_at = default_policy().nudity.likely_at
    flagged = {n: c.nudity_score for n, c in classified.items() if c.nudity_score >= likely_at}
    assert flagged == {}, f"false nudity on ordinary photos: {flagged}"


@pytest.mark.parametrize("tier", list(Tier))
@pytest.mark.parametrize("action", list(Action))
def test_no_false_nudges_through_the_guard(
    classified: dict[str, Classification], tier: Tier, action: Action
) -> None:
    # The widest audience and many forwards: the context that raises a step the most.
    guard = Guard()
    context = Context(action=action, tier=tier, audience=Audience.PUBLIC, forward_count=50)
    verdicts = {
        name: guard.decide(Content(classification=result), context).verdict
        for name, result in classified.items()
    }
    assert set(verdicts.values()) == {Verdict.ALLOW}


def test_the_guard_runs_the_classifier_on_decoded_pixels(
    classifier: Classifier, corpus: dict[str, Pixels]
) -> None:
    guard = Guard(classifier=classifier)
    context = Context(action=Action.FORWARD, tier=Tier.CHILD, audience=Audience.PUBLIC)
    decision = guard.decide(Content(pixels=corpus["skimage_astronaut.png"]), context)
    assert decision.verdict is Verdict.ALLOW
    assert 0.0 <= decision.scores["nudity"] < 0.5


def test_the_detector_sees_what_is_there(classifier: Classifier, corpus: dict[str, Pixels]) -> None:
    # A sanity check of channel order, scaling and padding: a portrait's face is found.
    result = classifier.classify(corpus["skimage_astronaut.png"])
    assert set(result.scores) == set(NUDENET_LABELS)
    assert result.scores["FACE_FEMALE"] > 0.5
    assert not result.likely


def test_any_onnx_model_can_be_configured_from_the_policy_file(
    tmp_path: Path, corpus: dict[str, Pixels]
) -> None:
    from stukje.guard import load_policy

    model = tmp_path / "models" / "detector.onnx"
    model.parent.mkdir()
    model.write_bytes(nudenet_model_path().read_bytes())
    policy_text = default_policy_text() + (
        '\n[classifier]\nkind = "onnx"\nname = "my-detector"\nmodel = "models/detector.onnx"\n'
        f'input_size = 320\noutput = "detections"\nlabels = {list(NUDENET_LABELS)!r}\n'
        'nudity_labels = ["FEMALE_BREAST_EXPOSED"]\n'
    ).replace("'", '"')
    path = tmp_path / "policy.toml"
    path.write_text(policy_text, encoding="utf-8")
    policy: Policy = load_policy(path)
    assert isinstance(policy.classifier, OnnxSpec)
    assert policy.classifier.model == model
    result = build_classifier(policy.classifier).classify(corpus["skimage_astronaut.png"])
    assert result.model == "my-detector"
    assert result.scores["FACE_FEMALE"] > 0.5


def test_nudenet_is_chosen_by_kind(corpus: dict[str, Pixels]) -> None:
    classifier = build_classifier(NudeNetSpec(likely_threshold=0.6))
    assert classifier.name == "nudenet"
    assert classifier.classify(corpus["skimage_astronaut.png"]).threshold == 0.6


def default_policy_text() -> str:
    from importlib.resources import files

    return files("stukje.guard").joinpath("data/policy.toml").read_text(encoding="utf-8")
