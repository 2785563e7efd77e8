"""Snapshots of an index as plain numpy files (memory-mappable, no pickle), written atomically.

A snapshot directory holds ``CURRENT`` (the name of the live snapshot) and one folder per
snapshot::

    <directory>/CURRENT                       "snapshot-000000000042-1f3a9c2e"
    <directory>/snapshot-000000000042-1f3a9c2e/
        manifest.json                         format, version, seq, segment and buffer sizes
        layout.npy                            the bit layout (substrings, -1 separated)
        seg0000.ids.npy  .codes.npy  .dead.npy  .directory.npy  .entries.npy
        buffer.ids.npy  buffer.codes.npy      rows not yet frozen into a segment

A new snapshot is written into a hidden temporary folder, flushed, renamed into place, and only
then named in ``CURRENT`` (itself replaced by an atomic rename); older snapshots are deleted
last. A crash at any point leaves the previous snapshot intact and current.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from stukje.errors import ConfigError, NotFoundError
from stukje.index.buffer import Buffer
from stukje.index.layout import BitLayout
from stukje.index.segment import Segment

__all__ = ["FORMAT_VERSION", "Snapshot", "load", "save"]

FORMAT_NAME = "stukje-signal-index"
FORMAT_VERSION = 1
_CURRENT = "CURRENT"
_ARRAYS = ("ids", "codes", "dead", "directory", "entries")

SegmentArrays = tuple[npt.NDArray[np.generic], ...]


@dataclass(frozen=True)
class Snapshot:
    seq: int
    layout: BitLayout
    segments: list[SegmentArrays]
    buffer_ids: npt.NDArray[np.int64]
    buffer_codes: npt.NDArray[np.uint8]


def save(
    directory: Path, seq: int, layout: BitLayout, segments: tuple[Segment, ...], buffer: Buffer
) -> Path:
    """Write a snapshot and make it current; returns its folder."""
    if seq < 0:
        raise ValueError(f"seq is a non-negative change-feed position, got {seq}")
    directory.mkdir(parents=True, exist_ok=True)
    name = f"snapshot-{seq:012d}-{uuid.uuid4().hex[:8]}"
    temporary = directory / f".tmp-{name}"
    temporary.mkdir()
    try:
        np.save(temporary / "layout.npy", layout.to_array())
        for number, segment in enumerate(segments):
            for array_name in _ARRAYS:
                path = temporary / f"seg{number:04d}.{array_name}.npy"
                np.save(path, getattr(segment, array_name))
        ids, codes = buffer.alive_rows()
        np.save(temporary / "buffer.ids.npy", ids)
        np.save(temporary / "buffer.codes.npy", codes)
        manifest = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "seq": seq,
            "segments": [len(s) for s in segments],
            "buffer_rows": len(ids),
        }
        (temporary / "manifest.json").write_text(json.dumps(manifest, indent=2))
        _flush_folder(temporary)
        final = directory / name
        temporary.rename(final)
        _write_atomically(directory / _CURRENT, name)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    for old in directory.glob("snapshot-*"):
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)
    return final


def load(directory: Path, *, mmap: bool = True) -> Snapshot:
    """Read the current snapshot; big arrays are memory-mapped when ``mmap`` is true."""
    try:
        name = (directory / _CURRENT).read_text().strip()
    except FileNotFoundError as exc:
        raise NotFoundError(f"no index snapshot in {directory}") from exc
    folder = directory / name
    manifest = json.loads((folder / "manifest.json").read_text())
    if manifest.get("format") != FORMAT_NAME or manifest.get("version") != FORMAT_VERSION:
        raise ConfigError(
            f"{folder} is not a version {FORMAT_VERSION} {FORMAT_NAME} snapshot "
            f"(found {manifest.get('format')!r} version {manifest.get('version')!r})"
        )
    mode: Literal["r"] | None = "r" if mmap else None
    segments: list[SegmentArrays] = []
    for number in range(len(manifest["segments"])):
        arrays = [
            np.load(folder / f"seg{number:04d}.{array_name}.npy", mmap_mode=mode)
            for array_name in _ARRAYS
        ]
        arrays[2] = np.array(arrays[2])  # dead flags change after loading
        segments.append(tuple(arrays))
    return Snapshot(
        seq=int(manifest["seq"]),
        layout=BitLayout.from_array(np.load(folder / "layout.npy")),
        segments=segments,
        buffer_ids=np.load(folder / "buffer.ids.npy"),
        buffer_codes=np.load(folder / "buffer.codes.npy"),
    )


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    with open(temporary, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_path(path.parent)


def _flush_folder(folder: Path) -> None:
    for path in folder.iterdir():
        _fsync_path(path)
    _fsync_path(folder)


def _fsync_path(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
