"""The hashing page in Chromium: conformance with the Python engine, and proof the photo stays.

Photos are chosen through the page's own file input, as a person would; the codes are read back
from the page. Figures (bits between browser and Python per photo) are written to
test-artifacts/web/conformance.json.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, Request

from stukje.hashing import PdqHash, distance, hash_image, hash_pixels, load_picture, parse_hash
from stukje.hashing.pdq import _pdq_input
from web.conftest import ARTIFACTS, LiveServer, screenshot, serious_violations

PDQ_CONFORMANCE_BITS = 10  # PDQ's own bound between implementations, at quality 80 and up
HEX_HASH = re.compile(r"^[0-9a-f]{64}$")


def corpus_photos(photos_dir: Path) -> list[Path]:
    return sorted(p for p in photos_dir.iterdir() if p.suffix.lower() in {".jpg", ".png"})


def hash_in_browser(page: Page, server: LiveServer, files: list[Path]) -> dict[str, str]:
    """Choose these files on the hashing page; the codes the page shows, by file name."""
    page.goto(f"{server.url}/?lang=en")
    page.wait_for_selector("body[data-ready='true']")
    page.set_input_files("#photos", [str(f) for f in files])
    page.wait_for_selector(f"body[data-hashed='{len(files)}']", timeout=90_000)
    items = page.eval_on_selector_all(
        "li.photo", "items => items.map(i => [i.dataset.name, i.dataset.hash || ''])"
    )
    return dict(items)


def test_browser_hashes_every_corpus_photo_within_pdq_bound(
    page: Page, live_server: LiveServer, photos_dir: Path
) -> None:
    photos = corpus_photos(photos_dir)
    got = hash_in_browser(page, live_server, photos)
    rows: list[tuple[str, int, int]] = []  # photo, bits apart, Python's quality
    for photo in photos:
        python = hash_image(photo).signal
        rows.append(
            (photo.name, distance(parse_hash(got[photo.name]), python.hash), python.quality)
        )
    apart = [bits for _, bits, _ in rows]
    summary = {"photos": len(rows), "max_bits": max(apart), "mean_bits": sum(apart) / len(apart)}
    table = [{"photo": name, "bits": bits, "quality": quality} for name, bits, quality in rows]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "conformance.json").write_text(json.dumps({**summary, "rows": table}, indent=1))
    too_far = [row for row in rows if row[1] > PDQ_CONFORMANCE_BITS]
    assert not too_far, f"{summary}; beyond {PDQ_CONFORMANCE_BITS} bits: {too_far}"


def test_browser_hash_is_identical_on_identical_pixels(
    page: Page, live_server: LiveServer, photos_dir: Path, tmp_path: Path
) -> None:
    # The very pixels the Python engine hashes, as lossless PNGs small enough that the page
    # hashes them as they are: the two codes must be equal bit for bit.
    expected = {}
    files = []
    for photo in corpus_photos(photos_dir):
        pixels = _pdq_input(load_picture(photo))
        path = tmp_path / f"{photo.stem}.png"
        Image.fromarray(pixels).save(path)
        files.append(path)
        expected[path.name] = hash_pixels(pixels).hash.to_hex()
    got = hash_in_browser(page, live_server, files)
    differing = {
        name: distance(parse_hash(got[name]), parse_hash(value))
        for name, value in expected.items()
        if got[name] != value
    }
    assert not differing, f"bits apart on identical pixels: {differing}"


def test_no_request_carries_image_bytes_only_codes(
    page: Page, live_server: LiveServer, photos_dir: Path
) -> None:
    photos = [photos_dir / n for n in ("Elephants_5640x3172.jpg", "opencv_fruits.jpg")]
    photos.append(photos_dir / "opencv_graf1.png")
    heads = [p.read_bytes()[:64] for p in photos]
    requests: list[Request] = []
    page.context.on("request", lambda request: requests.append(request))
    hash_in_browser(page, live_server, photos)
    shown = page.eval_on_selector_all("li.photo", "items => items.map(i => i.dataset.codes)")
    codes = {code for item in shown for code in item.split()}
    page.click("#send")
    page.wait_for_selector("#receipt:not([hidden])")
    screenshot(page, "hashing-receipt-en")

    assert requests, "no requests were recorded"
    for request in requests:
        assert request.url.startswith(live_server.url), f"left the server: {request.url}"
        body = request.post_data_buffer or b""
        # A code is 64 hex digits; with its quality and JSON punctuation under 100 bytes.
        limit = 200 + 100 * len(codes)
        assert len(body) < limit, f"{request.method} {request.url} sent {len(body)} bytes"
        for head in heads:
            assert head[:16] not in body
        assert "multipart" not in (request.headers.get("content-type") or "")
    writes = [r for r in requests if r.method != "GET"]
    assert [(r.method, r.url) for r in writes] == [("POST", f"{live_server.url}/v1/cases")]
    sent = json.loads(writes[0].post_data_buffer or b"")
    assert set(sent) == {"signals", "language"}
    assert {s["hash"] for s in sent["signals"]} == codes
    for signal in sent["signals"]:
        assert set(signal) == {"hash", "quality"}
        assert HEX_HASH.match(signal["hash"])


def test_open_a_case_then_see_and_withdraw_it(
    page: Page, live_server: LiveServer, photos_dir: Path
) -> None:
    page.goto(f"{live_server.url}/?lang=nl")
    assert page.inner_text("h1") == "Zorg dat je foto niet verder gaat"
    assert serious_violations(page) == []
    screenshot(page, "hashing-start-nl")
    page.set_input_files("#photos", [str(photos_dir / "opencv_baboon.jpg")])
    page.wait_for_selector("body[data-hashed='1']")
    assert page.is_visible("text=Alleen deze codes worden verstuurd")
    assert serious_violations(page) == []
    screenshot(page, "hashing-photos-nl")
    page.click("#send")
    page.wait_for_selector("#receipt:not([hidden])")
    number = page.inner_text("#case-number")
    pin = page.inner_text("#case-pin")
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4})+", number)
    assert page.get_attribute("#download", "href", timeout=1000).startswith("blob:")  # type: ignore[union-attr]
    assert serious_violations(page) == []
    screenshot(page, "hashing-receipt-nl")

    page.click("#to-case")
    page.wait_for_selector("body[data-case-status='active']")
    assert number in page.inner_text("#shown-number")
    assert serious_violations(page) == []
    screenshot(page, "case-active-nl")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#withdraw")
    page.wait_for_selector("body[data-case-status='withdrawn']")
    assert live_server.bank.get_case(number, pin).status.value == "withdrawn"
    screenshot(page, "case-withdrawn-nl")


def test_case_page_says_when_the_pin_is_wrong(page: Page, live_server: LiveServer) -> None:
    receipt = live_server.bank.create_case([PdqHash(bytes(range(32)))], "en")
    page.goto(f"{live_server.url}/case?lang=en")
    page.fill("#number", receipt.case_number)
    page.fill("#pin", "wrong-pin")
    page.click("button[type=submit]")
    page.wait_for_selector("text=The case number or PIN is not right.")
    assert page.is_hidden("#case")


@pytest.mark.parametrize(
    ("accept", "heading"),
    [
        ("en-GB,en", "Stop your photo from spreading"),
        ("nl-NL", "Zorg dat je foto niet verder gaat"),
    ],
)
def test_language_follows_the_browser_and_switches(
    live_server: LiveServer, accept: str, heading: str, page: Page
) -> None:
    page.set_extra_http_headers({"Accept-Language": accept})
    page.goto(f"{live_server.url}/")
    assert page.inner_text("h1") == heading
    page.click("a.lang")
    assert page.inner_text("h1") != heading
