"""Policy files: the default loads, and every mistake is a ConfigError naming file, line, field."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from stukje.classify import NudeNetSpec, OnnxSpec
from stukje.errors import ConfigError
from stukje.guard import Tier, Verdict, default_policy, load_policy
from stukje.guard.datafile import find_line


def default_text() -> str:
    return files("stukje.guard").joinpath("data/policy.toml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(fragment))


def test_the_default_policy_loads_and_is_the_none_path() -> None:
    policy = load_policy(None)
    assert policy is default_policy()
    assert policy.default_tier is Tier.TEEN
    assert policy.rules.known_bank_match.record_match_event
    assert policy.classifier is None


def test_a_copy_of_the_default_loads_from_a_file(tmp_path: Path) -> None:
    assert load_policy(write(tmp_path, default_text())) == default_policy()


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            'teen  = { upload = "nudge", send = "nudge"',
            'teen  = { upload = "nudge", send = "blur"',
            "rules.likely_nudity.teen.send",
            "allow, nudge or block",
        ),
        (
            'adult = { upload = "nudge", send = "nudge", forward = "nudge", receive = "allow" }',
            'adult = { upload = "nudge", send = "nudge", forward = "nudge", receive = "nudge" }',
            "rules.likely_nudity.adult.receive",
            "allow, blur or block",
        ),
        (
            'child = { upload = "block", send = "block", forward = "block", receive = "blur" }',
            'child = { upload = "block", send = "block", forward = "block" }',
            "rules.likely_nudity.child.receive",
            "Field required",
        ),
        ("likely_at = 0.5", "likely_at = 1.5", "nudity.likely_at", "less than or equal"),
        ('default_tier = "teen"', 'default_tier = "toddler"', "default_tier", "child"),
        ("large_group_at = 10", "large_group_at = -1", "escalation.large_group_at", "greater"),
        (
            "public_audience = true",
            "public_audiences = true",
            "escalation.public_audiences",
            "Extra",
        ),
    ],
)
def test_mistakes_name_file_line_and_field(
    tmp_path: Path, old: str, new: str, field: str, message: str
) -> None:
    text = default_text()
    assert old in text
    broken = text.replace(old, new)
    path = write(tmp_path, broken)
    with pytest.raises(ConfigError) as caught:
        load_policy(path)
    error = caught.value
    assert error.file == str(path)
    assert error.field == field
    assert error.line == line_of(broken, new)
    assert message in error.message
    assert f"{path}:{error.line}: {field}:" in error.message


def test_a_toml_syntax_error_names_its_line(tmp_path: Path) -> None:
    text = default_text().replace("likely_at = 0.5", "likely_at = = 0.5")
    with pytest.raises(ConfigError, match="not valid TOML") as caught:
        load_policy(write(tmp_path, text))
    assert caught.value.line == line_of(text, "likely_at = = 0.5")


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_policy(tmp_path / "nowhere.toml")


def test_a_classifier_can_be_chosen_and_its_model_path_is_beside_the_file(tmp_path: Path) -> None:
    onnx = (
        '\n[classifier]\nkind = "onnx"\nmodel = "models/m.onnx"\ninput_size = 224\n'
        'labels = ["neutral", "nude"]\nnudity_labels = ["nude"]\n'
    )
    policy = load_policy(write(tmp_path, default_text() + onnx))
    assert isinstance(policy.classifier, OnnxSpec)
    assert policy.classifier.model == tmp_path / "models" / "m.onnx"
    nudenet = load_policy(write(tmp_path, default_text() + '\n[classifier]\nkind = "nudenet"\n'))
    assert isinstance(nudenet.classifier, NudeNetSpec)


def test_an_unknown_classifier_kind_is_a_config_error(tmp_path: Path) -> None:
    text = default_text() + '\n[classifier]\nkind = "magic"\n'
    with pytest.raises(ConfigError) as caught:
        load_policy(write(tmp_path, text))
    assert caught.value.field == "classifier"
    assert caught.value.line == line_of(text, "[classifier]")


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (["name"], 1),
        (["rules", "likely_nudity", "teen", "send"], 5),
        (["rules", "likely_nudity"], 4),
        (["rules", "likely_nudity", "adult", "x"], 6),
        (["escalation", "public_audience"], 3),
        (["nowhere"], None),
    ],
)
def test_find_line(path: list[str], line: int | None) -> None:
    text = (
        'name = "x"\n[escalation]\npublic_audience = true\n[rules.likely_nudity]\n'
        'teen = { send = "nudge" }\nadult.x = 1\n'
    )
    assert find_line(text, path) == line


def test_verdicts_are_read_as_verdicts() -> None:
    assert default_policy().rules.likely_nudity.child.send is Verdict.BLOCK


def test_build_guard_builds_the_configured_classifier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from stukje.errors import MissingDependencyError
    from stukje.guard import build_guard

    assert build_guard().classifier is None
    path = write(tmp_path, default_text() + '\n[classifier]\nkind = "nudenet"\n')
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(MissingDependencyError, match=r"stukje\[nudity\]"):
        build_guard(path)
