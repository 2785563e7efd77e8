"""The browser's PDQ port (static/pdq.js) run in node: bit-exact against the Python engine.

No browser needed: on the very pixels the Python engine hashes, the JS hash, its 8 dihedral
variants and the quality equal pdqhash's; the JS shrinking (box reduction, Pillow's bilinear
resize, the target size) equals Pillow's pixel for pixel. tests/web/test_browser_hashing.py
then checks the whole path from photo file to code in Chromium.
"""

from __future__ import annotations

import io
import json
import math
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pdqhash
import pytest
from PIL import Image

from conftest import corpus_dir
from stukje.hashing import PdqHash, load_picture, pdq_target_size
from stukje.hashing.pdq import _pdq_input
from stukje.hashing.variants import labelled_submission_signals
from stukje.web.pages import STATIC_DIR

NODE = shutil.which("node")
RUNNER = Path(__file__).with_name("pdq_runner.js")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def run_node(jobs: list[dict[str, Any]]) -> list[Any]:
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(RUNNER), str(STATIC_DIR / "pdq.js")],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: list[Any] = json.loads(done.stdout)
    return result


def write_rgb(folder: Path, name: str, pixels: npt.NDArray[np.uint8]) -> dict[str, Any]:
    path = folder / f"{name}.rgb"
    path.write_bytes(np.ascontiguousarray(pixels).tobytes())
    return {"file": str(path), "width": pixels.shape[1], "height": pixels.shape[0]}


def python_hashes(pixels: npt.NDArray[np.uint8]) -> tuple[list[str], int]:
    vectors, quality = pdqhash.compute_dihedral(pixels)
    return [PdqHash.from_bits(v).to_hex() for v in vectors], int(quality)


def test_identical_pixels_hash_identically_for_every_corpus_photo(
    photos_dir: Path, tmp_path: Path
) -> None:
    jobs, expected = [], {}
    for photo in sorted(photos_dir.iterdir()):
        if photo.suffix.lower() not in {".jpg", ".jpeg", ".png"}:
            continue
        pixels = _pdq_input(load_picture(photo))
        jobs.append({"op": "hash", **write_rgb(tmp_path, photo.name, pixels)})
        expected[photo.name] = python_hashes(pixels)
    assert len(jobs) >= 50
    results = run_node(jobs)
    for (name, (hashes, quality)), got in zip(expected.items(), results, strict=True):
        assert got["quality"] == quality, name
        assert got["hash"] == hashes[0], name
        assert [d["hash"] for d in got["dihedral"]] == hashes, name


@pytest.mark.parametrize(
    ("shape", "seed"),
    [((5, 5), 1), ((64, 64), 2), ((17, 300), 3), ((257, 129), 4), ((4, 40), 5), ((640, 480), 6)],
)
def test_odd_shapes_hash_identically(shape: tuple[int, int], seed: int, tmp_path: Path) -> None:
    rng = np.random.default_rng(seed)
    height, width = shape
    gradient = np.linspace(0, 200, width, dtype=np.float64)[np.newaxis, :, np.newaxis]
    pixels = (rng.integers(0, 56, (height, width, 3)) + gradient).astype(np.uint8)
    [got] = run_node([{"op": "hash", **write_rgb(tmp_path, "odd", pixels)}])
    if min(shape) < 5:  # too small for PDQ: a zero hash of quality 0, as the reference
        assert got == {"hash": "0" * 64, "quality": 0, "dihedral": got["dihedral"]}
        return
    hashes, quality = python_hashes(pixels)
    assert (got["hash"], got["quality"]) == (hashes[0], quality)


RESIZES = [
    # (width, height, reduce factor (one or per axis), target size)
    (1000, 700, 3, (300, 210)),
    (1601, 999, 4, (384, 369)),
    (517, 389, 2, (250, 190)),
    (2560, 1600, 6, (384, 369)),
    (700, 900, 5, (101, 130)),
    (400, 300, 1, (384, 300)),
    (400, 300, 1, (400, 200)),
    (800, 640, (2, 1), (400, 640)),  # one side shrinks: Image.reduce along that axis alone
    (300, 1001, (1, 3), (300, 333)),
]


@pytest.mark.parametrize(("width", "height", "factor", "target"), RESIZES)
def test_shrinking_matches_pillow_pixel_for_pixel(
    width: int, height: int, factor: int | tuple[int, int], target: tuple[int, int], tmp_path: Path
) -> None:
    rng = np.random.default_rng(width * height)
    ramp = np.linspace(0, 120, width)[np.newaxis, :, np.newaxis]
    pixels = (rng.integers(0, 128, (height, width, 3)) + ramp).astype(np.uint8)
    reduced = np.asarray(Image.fromarray(pixels).reduce(factor)) if factor != 1 else pixels
    factor_x, factor_y = factor if isinstance(factor, tuple) else (factor, factor)
    resized = np.asarray(Image.fromarray(reduced).resize(target, Image.Resampling.BILINEAR))
    source = write_rgb(tmp_path, "source", pixels)
    small = write_rgb(tmp_path, "reduced", reduced)
    run_node(
        [
            {
                "op": "reduce",
                **source,
                "factor": factor_x,
                "factor_y": factor_y,
                "out": str(tmp_path / "r.out"),
            },
            {
                "op": "resize",
                **small,
                "out_width": target[0],
                "out_height": target[1],
                "out": str(tmp_path / "s.out"),
            },
        ]
    )
    got_reduced = np.frombuffer((tmp_path / "r.out").read_bytes(), np.uint8)
    got_resized = np.frombuffer((tmp_path / "s.out").read_bytes(), np.uint8)
    np.testing.assert_array_equal(got_reduced.reshape(reduced.shape), reduced)
    np.testing.assert_array_equal(got_resized.reshape(resized.shape), resized)


def test_target_size_rule_matches_python() -> None:
    rng = np.random.default_rng(7)
    edges = [n for k in range(1, 60) for n in (128 * k - 1, 128 * k, 128 * k + 1)]
    lengths = [*range(1, 1000), *edges, *rng.integers(1000, 30_000, 500).tolist()]
    sizes = list(zip(lengths, reversed(lengths), strict=True))
    results = run_node([{"op": "target", "width": w, "height": h} for w, h in sizes])
    assert [tuple(r) for r in results] == [pdq_target_size(w, h) for w, h in sizes]


@pytest.mark.parametrize(
    ("size", "palette"),
    [((2400, 1800), False), ((1600, 600), False), ((1200, 900), True)],
    ids=["both-axes", "one-axis", "palette"],
)
def test_a_large_png_goes_through_the_same_reduction_as_the_python_engine(
    size: tuple[int, int], palette: bool, photos_dir: Path, tmp_path: Path
) -> None:
    # Not JPEG, so the Python engine reduces it with Image.reduce (along one axis when only
    # one shrinks twofold; palette pictures too) then resizes: the JS pipeline on the same
    # decoded pixels must give the very same PDQ input.
    photo = Image.open(photos_dir / "opencv_basketball1.png").convert("RGB").resize(size)
    if palette:
        photo = photo.quantize(64)
    png = tmp_path / "big.png"
    photo.save(png)
    full = np.asarray(Image.open(png).convert("RGB"))
    expected = _pdq_input(load_picture(png))
    [got] = run_node(
        [
            {
                "op": "input",
                **write_rgb(tmp_path, "big", full),
                "kind": "other",
                "out": str(tmp_path / "o"),
            }
        ]
    )
    assert (got["height"], got["width"]) == expected.shape[:2]
    pixels = np.frombuffer((tmp_path / "o").read_bytes(), np.uint8).reshape(expected.shape)
    np.testing.assert_array_equal(pixels, expected)


def resample_cases() -> list[tuple[int, int, int, int]]:
    rng = np.random.default_rng(11)
    sizes = rng.integers(3, 260, (24, 4)).tolist()
    # Crops of a portrait picture resized to 384: Pillow 13 runs the vertical pass first.
    return [(380, 608, 384, 384), (486, 486, 384, 384), (400, 700, 384, 384), *sizes]


@pytest.mark.parametrize("resample", [Image.Resampling.BILINEAR, Image.Resampling.BOX])
def test_resizing_matches_pillow_in_every_direction(
    resample: Image.Resampling, tmp_path: Path
) -> None:
    rng = np.random.default_rng(int(resample))
    jobs, expected = [], []
    for index, (width, height, out_width, out_height) in enumerate(resample_cases()):
        pixels = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        op = "box" if resample == Image.Resampling.BOX else "resize"
        out = str(tmp_path / f"{index}.out")
        source = write_rgb(tmp_path, str(index), pixels)
        jobs.append(
            {"op": op, **source, "out_width": out_width, "out_height": out_height, "out": out}
        )
        expected.append(
            np.asarray(Image.fromarray(pixels).resize((out_width, out_height), resample))
        )
    run_node(jobs)
    for job, want in zip(jobs, expected, strict=True):
        got = np.frombuffer(Path(job["out"]).read_bytes(), np.uint8).reshape(want.shape)
        np.testing.assert_array_equal(got, want, err_msg=str(job))


# The submission set (static/variants.js): the whole labelled set against
# labelled_submission_signals on the same decoded pixels, then its building blocks against
# their definitions in numpy or Pillow.


@pytest.mark.parametrize(
    "name", ["opencv_graf1.png", "skimage_horse.png", "opencv_fruits.jpg", "skimage_page.png"]
)
def test_submission_set_equals_the_python_engine_on_the_same_pixels(
    name: str, photos_dir: Path, tmp_path: Path
) -> None:
    picture = load_picture(photos_dir / name)
    # The decoded pixels the page would have: Python's own when it does not shrink them; for
    # a large PNG the full picture, which JS reduces as Image.reduce does.
    flat = np.asarray(Image.open(photos_dir / name).convert("RGB"))
    if not picture.reduced:
        flat = picture.pixels
    assert not picture.reduced or name.endswith(".png")
    job = {"op": "submission", **write_rgb(tmp_path, "s", flat), "kind": "other"}
    [got] = run_node([job])
    expected = labelled_submission_signals(picture)
    assert [s["label"] for s in got] == [label for label, _ in expected]
    assert [(s["hash"], s["quality"]) for s in got] == [
        (signal.hash.to_hex(), signal.quality) for _, signal in expected
    ]


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("skimage_page.png", (48, 96)),  # a quarter-size text page: enlarged to 128 x 256
        ("opencv_fruits.jpg", (300, 40)),  # a strip: enlarged to 128 on its short side
        ("opencv_fruits.jpg", (2000, 20)),  # a thin strip: enlarged only as far as 512 x 512
        ("Storm.jpg", (480, 320)),  # smooth sky: extras of quality 40-49 are kept
    ],
)
def test_submission_set_of_small_and_smooth_pictures_equals_the_python_engine(
    name: str, size: tuple[int, int], photos_dir: Path, tmp_path: Path
) -> None:
    image = Image.fromarray(load_picture(photos_dir / name).pixels)
    pixels = np.asarray(image.resize(size, Image.Resampling.LANCZOS), dtype=np.uint8)
    job = {"op": "submission", **write_rgb(tmp_path, "s", pixels), "kind": "other"}
    [got] = run_node([job])
    # Decoded from PNG bytes in memory, as the page's pixels: a long strip is reduced alike.
    png = io.BytesIO()
    Image.fromarray(pixels).save(png, "PNG")
    expected = labelled_submission_signals(load_picture(png.getvalue()))
    assert [s["label"] for s in got] == [label for label, _ in expected]
    assert [(s["hash"], s["quality"]) for s in got] == [
        (signal.hash.to_hex(), signal.quality) for _, signal in expected
    ]
    if name == "Storm.jpg":
        assert any(40 <= signal.quality < 50 for _, signal in expected[1:])


Pixels = npt.NDArray[np.uint8]
DIHEDRAL_PIXELS: dict[str, Callable[[Pixels], Pixels]] = {
    "original": lambda p: p,
    "rotate90_ccw": lambda p: np.rot90(p, 1),
    "rotate180": lambda p: np.rot90(p, 2),
    "rotate90_cw": lambda p: np.rot90(p, 3),
    "flip_top_bottom": lambda p: p[::-1],
    "flip_left_right": lambda p: p[:, ::-1],
    "transpose": lambda p: p.transpose(1, 0, 2),
    "transverse": lambda p: np.rot90(p, 2).transpose(1, 0, 2),
}


def test_dihedral_pixels_match_numpy(tmp_path: Path) -> None:
    pixels = np.random.default_rng(3).integers(0, 256, (7, 11, 3), dtype=np.uint8)
    source = write_rgb(tmp_path, "d", pixels)
    jobs = [
        {"op": "dihedral", **source, "name": name, "out": str(tmp_path / name)}
        for name in DIHEDRAL_PIXELS
    ]
    for (name, operation), shape in zip(DIHEDRAL_PIXELS.items(), run_node(jobs), strict=True):
        expected = np.ascontiguousarray(operation(pixels))
        got = np.frombuffer((tmp_path / name).read_bytes(), np.uint8)
        assert (shape["height"], shape["width"]) == expected.shape[:2], name
        np.testing.assert_array_equal(got.reshape(expected.shape), expected, err_msg=name)


@pytest.mark.parametrize("degrees", [-4.0, -2.0, 2.0, 4.0, 30.0])
def test_small_rotations_match_pillows_affine_transform(degrees: float, tmp_path: Path) -> None:
    pixels = _pdq_input(load_picture(corpus_dir() / "photos" / "opencv_fruits.jpg"))
    height, width = pixels.shape[:2]
    angle = math.radians(degrees)
    cos, sin = math.cos(angle), math.sin(angle)
    cx, cy = width / 2, height / 2
    matrix = (cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy)
    expected = np.asarray(
        Image.fromarray(pixels).transform(
            (width, height), Image.Transform.AFFINE, matrix, Image.Resampling.BILINEAR
        )
    )
    job = {"op": "rotate", **write_rgb(tmp_path, "r", pixels), "degrees": degrees}
    run_node([{**job, "out": str(tmp_path / "out")}])
    got = np.frombuffer((tmp_path / "out").read_bytes(), np.uint8).reshape(expected.shape)
    np.testing.assert_array_equal(got, expected)
