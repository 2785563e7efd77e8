"""POST /v1/match/image looks up the picture's query set: framed, cropped and captioned re-shares
still match."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

from api.conftest import Api
from stukje.hashing import hash_image, load_picture, submission_signals


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


def test_a_cropped_and_captioned_copy_matches_a_case_holding_the_submission_set(
    api: Api, photos_dir: Path
) -> None:
    """End to end: the page's submission set in a case, a re-share checked as a picture."""
    original = Image.open(photos_dir / "opencv_fruits.jpg").convert("RGB")
    submitted = submission_signals(load_picture(_png(original)))
    created = api.client.post(
        "/v1/cases", json={"signals": [{"hash": s.hash.to_hex()} for s in submitted]}
    )
    assert created.status_code == 201, created.text
    api.sync()
    width, height = original.size
    copy = original.crop((width // 25, height // 25, width * 94 // 100, height * 94 // 100))
    draw, top = ImageDraw.Draw(copy), copy.height * 8 // 9
    draw.rectangle((0, top, copy.width, copy.height), fill="black")
    draw.text((copy.width // 10, top + 8), "look at this lol", fill="white")
    data = _png(copy)
    assert min(hash_image(data).signal.hash.distance(s.hash) for s in submitted) > 31, (
        "the stored set alone misses it; the query set's crops find it"
    )

    answer = api.client.post(
        "/v1/match/image",
        files={"file": ("copy.png", data, "image/png")},
        headers=api.auth("match"),
    )
    assert answer.status_code == 200, answer.text
    matches = answer.json()["matches"]
    assert matches
    assert all(match["distance"] <= 31 for match in matches)
    assert len({match["signal_id"] for match in matches}) == len(matches)  # each stored hash once
