"""POST /v1/match/image looks up the picture's query set: a framed re-share still matches."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps

from api.conftest import Api
from stukje.hashing import hash_image


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_a_picture_with_a_frame_added_matches_its_stored_original(
    api: Api, photos_dir: Path
) -> None:
    original = Image.open(photos_dir / "opencv_fruits.jpg").convert("RGB")
    stored = hash_image(_png(original)).signal.hash
    api.client.post("/v1/cases", json={"signals": [{"hash": stored.to_hex()}]})
    api.sync()
    border = original.width // 5
    framed = _png(ImageOps.expand(original, border=border, fill="white"))
    assert hash_image(framed).signal.hash.distance(stored) > 31, "plain PDQ alone misses it"

    answer = api.client.post(
        "/v1/match/image",
        files={"file": ("framed.png", framed, "image/png")},
        headers=api.auth("match"),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["checked"] == 1
    assert body["hash"] == hash_image(framed).signal.hash.to_hex()
    [match] = body["matches"]
    assert match["index"] == 0
    assert match["distance"] <= 31


def test_an_unrelated_picture_does_not_match(api: Api, photos_dir: Path) -> None:
    stored = hash_image(photos_dir / "opencv_fruits.jpg").signal.hash
    api.client.post("/v1/cases", json={"signals": [{"hash": stored.to_hex()}]})
    api.sync()
    answer = api.client.post(
        "/v1/match/image",
        content=(photos_dir / "opencv_baboon.jpg").read_bytes(),
        headers={**api.auth("match"), "content-type": "image/jpeg"},
    )
    assert answer.status_code == 200
    assert answer.json()["matches"] == []
