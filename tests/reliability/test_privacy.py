"""Privacy: uploaded pictures leave no trace on disk or in logs, victims' hashes none in logs.

A real server (with its stdout and stderr captured to a log file at debug level, and its
TMPDIR inside the data directory) is sent pictures on every route that takes one (match/image
as a form and as a raw body, guard as a form, HMA's h/hash), and cases with the pictures'
hashes that partners then match. Afterwards every file under the data directory (the SQLite
database and its WAL, index snapshots, temporary files, the log) is searched for any 64-byte
window of any uploaded file, and the log for the hashes in every spelling.
"""

from __future__ import annotations

import base64
import io
import json
import os
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from reliability.live import start_server
from stukje.bank import Bank, create_bank_engine, migrate
from stukje.hashing import hash_image

WINDOW = 64
_CHUNK = WINDOW // 2  # a 64-byte common run always holds one whole chunk aligned at 32
_MIN_DISTINCT_BYTES = 12  # runs of zeros or padding are not the picture's


def _chunk_keys(uploads: list[bytes]) -> dict[int, list[tuple[int, int]]]:
    """First 8 bytes (as an integer) of every distinctive aligned chunk -> (upload, offset)."""
    keys: dict[int, list[tuple[int, int]]] = {}
    for which, data in enumerate(uploads):
        for offset in range(0, len(data) - _CHUNK + 1, _CHUNK):
            chunk = data[offset : offset + _CHUNK]
            if len(set(chunk)) >= _MIN_DISTINCT_BYTES:
                key = int.from_bytes(chunk[:8], "little")
                keys.setdefault(key, []).append((which, offset))
    return keys


def find_leaks(haystack: bytes, uploads: list[bytes]) -> list[tuple[int, int]]:
    """Positions in ``haystack`` of a run of at least WINDOW bytes of an upload, and its length."""
    keys = _chunk_keys(uploads)
    wanted = np.fromiter(keys, dtype=np.uint64, count=len(keys))
    leaks: set[tuple[int, int]] = set()
    for shift in range(8):
        usable = (len(haystack) - shift) // 8 * 8
        if usable <= 0:
            continue
        words = np.frombuffer(haystack, dtype="<u8", count=usable // 8, offset=shift)
        for index in np.flatnonzero(np.isin(words, wanted)).tolist():
            at = shift + 8 * index
            for which, offset in keys[int(words[index])]:
                back, ahead = _common_run(haystack, at, uploads[which], offset)
                if back + ahead >= WINDOW:
                    leaks.add((at - back, back + ahead))
    return sorted(leaks)


def _common_run(haystack: bytes, at: int, upload: bytes, offset: int) -> tuple[int, int]:
    """How far haystack[at:] and upload[offset:] agree backwards and forwards."""
    ahead = 0
    while (
        at + ahead < len(haystack)
        and offset + ahead < len(upload)
        and haystack[at + ahead] == upload[offset + ahead]
    ):
        ahead += 1
    back = 0
    while (
        at - back > 0 and offset - back > 0 and haystack[at - back - 1] == upload[offset - back - 1]
    ):
        back += 1
    return back, ahead


def hash_spellings(raw: bytes) -> list[bytes]:
    text = raw.hex()
    return [
        text.encode(),
        text.upper().encode(),
        base64.b64encode(raw),
        base64.urlsafe_b64encode(raw),
        base64.b64encode(raw).rstrip(b"="),
        raw,
    ]


def test_the_scanner_finds_a_planted_window_and_nothing_shorter(photos_dir: Path) -> None:
    upload = (photos_dir / "opencv_HappyFish.jpg").read_bytes()
    noise = np.random.default_rng(1).bytes(50_000)
    for start in (1000, 1001, 3333):
        planted = noise[:7777] + upload[start : start + WINDOW] + noise[7777:]
        assert [run for _, run in find_leaks(planted, [upload])] == [WINDOW]
        shorter = noise[:7777] + upload[start : start + WINDOW - 1] + noise[7777:]
        assert find_leaks(shorter, [upload]) == []


def _pictures(photos_dir: Path) -> list[bytes]:
    small = sorted(photos_dir.iterdir(), key=lambda path: path.stat().st_size)[:3]
    pictures = [path.read_bytes() for path in small]
    with Image.open(small[0]) as image:
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PNG")
    return [*pictures, buffer.getvalue()]


def _exercise(base_url: str, key: str, pictures: list[bytes]) -> list[bytes]:
    """Send every picture through every route that takes one; returns the hashes involved."""
    auth = {"Authorization": f"Bearer {key}"}
    context = json.dumps({"action": "forward", "audience": "group", "group_size": 40})
    hashes = [hash_image(picture).signal.hash.value for picture in pictures]
    with httpx.Client(base_url=base_url, timeout=60) as client:
        case = client.post("/v1/cases", json={"signals": [{"hash": h.hex()} for h in hashes]})
        assert case.status_code == 201, case.text
        for picture in pictures:
            form = client.post("/v1/match/image", files={"file": ("p", picture)}, headers=auth)
            assert form.status_code == 200, form.text
            raw = client.post(
                "/v1/match/image", content=picture, headers={**auth, "content-type": "image/jpeg"}
            )
            assert raw.status_code == 200, raw.text
            guard = client.post(
                "/v1/guard", files={"file": ("p", picture)}, data={"context": context}, headers=auth
            )
            assert guard.status_code == 200, guard.text
            assert client.post("/h/hash", files={"file": ("p", picture)}, headers=auth).is_success
        matched = client.post("/v1/match", json={"hashes": [h.hex() for h in hashes]}, headers=auth)
        assert matched.status_code == 200
        bad = client.post("/v1/match", json={"hashes": [hashes[0].hex()[:-1] + "z"]}, headers=auth)
        assert bad.status_code == 422
        client.get(f"/v1/cases/{case.json()['case_number']}", headers={"X-Case-Pin": "0"})
    return hashes


@pytest.mark.parametrize("log_level", ["debug"])
def test_no_picture_bytes_on_disk_and_no_hashes_in_logs(
    photos_dir: Path, tmp_path: Path, log_level: str
) -> None:
    data_dir = tmp_path / "data"
    (data_dir / "tmp").mkdir(parents=True)
    url = f"sqlite:///{data_dir / 'stukje.db'}"
    engine = create_bank_engine(url)
    migrate(engine)
    with Bank(engine, scrypt_cost=2**8) as bank:
        key = bank.create_partner("platform", ["match"])[1]
    engine.dispose()
    log_path = data_dir / "server.log"
    env = {"STUKJE_LOG_LEVEL": log_level, "TMPDIR": str(data_dir / "tmp")}
    server = start_server(url, data_dir, log_path, env=env)
    pictures = _pictures(photos_dir)
    try:
        server.wait_ready()
        hashes = _exercise(server.base_url, key, pictures)
    finally:
        server.stop()

    scanned = [path for path in data_dir.rglob("*") if path.is_file()]
    assert log_path in scanned
    assert any(path.name.startswith("stukje.db") for path in scanned)
    assert "Started server process" in server.log()  # the server's own output is in the log
    for path in scanned:
        leaks = find_leaks(path.read_bytes(), pictures)
        assert not leaks, f"{path} holds {len(leaks)} runs of uploaded picture bytes"
    log = log_path.read_bytes()
    for value in hashes:
        for spelling in hash_spellings(value):
            assert spelling not in log, "a hash value is in the server's log"
    assert not os.listdir(data_dir / "tmp"), "something was spooled to a temporary file"
