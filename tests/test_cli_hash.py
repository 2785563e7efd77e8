"""``stukje hash`` and ``stukje compare`` through click's CliRunner."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from stukje.cli import main
from stukje.hashing import DIHEDRAL_NAMES, hash_image

PHOTOS = ("opencv_baboon.jpg", "opencv_fruits.jpg", "skimage_coins.png")


@pytest.fixture
def folder(tmp_path: Path, photos_dir: Path, odd_dir: Path) -> Path:
    """Three photos, one nested, plus one truncated JPEG and one text file."""
    (tmp_path / "nested").mkdir()
    shutil.copy(photos_dir / PHOTOS[0], tmp_path / PHOTOS[0])
    shutil.copy(photos_dir / PHOTOS[1], tmp_path / "nested" / PHOTOS[1])
    shutil.copy(photos_dir / PHOTOS[2], tmp_path / "nested" / PHOTOS[2])
    shutil.copy(odd_dir / "truncated.jpg", tmp_path / "truncated.jpg")
    (tmp_path / "notes.txt").write_text("not a picture")
    return tmp_path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_hash_folder_reports_failures_and_goes_on(folder: Path, jobs: str) -> None:
    code, out, err = _run("hash", "--jobs", jobs, str(folder))
    rows = [json.loads(line) for line in out.splitlines()]
    assert sorted(Path(row["path"]).name for row in rows) == sorted(PHOTOS)
    for row in rows:
        assert row["pdq"] == hash_image(Path(row["path"])).signal.hash.to_hex()
        assert isinstance(row["low_quality"], bool)
    assert code == 1
    assert "truncated.jpg" in err
    assert "corrupt_image" in err
    assert "notes.txt" in err
    assert "unsupported_format" in err
    assert "hashed 3 of 5 files" in err
    assert "2 failed" in err


def test_hash_all_good_exits_zero_with_csv_and_dihedral(photos_dir: Path) -> None:
    paths = [str(photos_dir / name) for name in PHOTOS]
    code, out, _err = _run("hash", "--jobs", "1", "--format", "csv", "--dihedral", *paths)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["path"] for row in rows] == paths
    assert all(row["original"] == row["pdq"] for row in rows)
    assert set(DIHEDRAL_NAMES) <= set(rows[0])


def test_hash_jsonl_dihedral(photos_dir: Path) -> None:
    code, out, _err = _run("hash", "-j", "1", "--dihedral", str(photos_dir / PHOTOS[0]))
    assert code == 0
    row = json.loads(out)
    assert list(row["dihedral"]) == list(DIHEDRAL_NAMES)


def test_hash_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    code, _out, err = _run("hash", str(tmp_path / "absent.jpg"))
    assert code == 2
    assert "does not exist" in err


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("opencv_aloeL.jpg", "opencv_aloeL.jpg", "0\tmatch"),
        ("opencv_baboon.jpg", "opencv_fruits.jpg", "no match"),
    ],
)
def test_compare_pictures(photos_dir: Path, first: str, second: str, expected: str) -> None:
    code, out, _err = _run("compare", str(photos_dir / first), str(photos_dir / second))
    assert code == 0
    assert expected in out


def test_compare_a_hash_with_a_picture(photos_dir: Path) -> None:
    path = photos_dir / PHOTOS[0]
    signal = hash_image(path).signal.hash
    code, out, _err = _run("compare", signal.to_base64(), str(path))
    assert (code, out.strip()) == (0, "0\tmatch")
    flipped = bytes([signal.value[0] ^ 0xFF]) + signal.value[1:]
    code, out, _err = _run("compare", flipped.hex(), signal.to_hex(), "--threshold", "7")
    assert (code, out.strip()) == (0, "8\tno match")


@pytest.mark.parametrize("bad", ["zz", "not-a-file.jpg"])
def test_compare_rejects_what_is_neither_hash_nor_file(bad: str) -> None:
    code, _out, err = _run("compare", bad, "0" * 64)
    assert code == 2
    assert "neither a readable file nor a PDQ hash" in err


def test_compare_reports_a_bad_picture(odd_dir: Path) -> None:
    code, _out, err = _run("compare", str(odd_dir / "truncated.jpg"), "0" * 64)
    assert code == 1
    assert "corrupt_image" in err
