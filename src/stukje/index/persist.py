"""Snapshots of an index as plain numpy files (memory-mappable, no pickle), written atomically.

A snapshot directory holds ``CURRENT`` (the name of the live snapshot) and one folder per
snapshot::

    <directory>/CURRENT                       "snapshot-000000000042-1f3a9c2e"
    <directory>/snapshot-000000000042-1f3a9c2e/
        manifest.json                         format, version, seq, segment and buffer sizes
        layout.npy                            the bit layout (substrings, -1 separated)
        seg0000.id_base.npy  .id_offsets.npy  .codes.npy  .dead.npy
                .dir_high.npy  .dir_low.npy  .dir_overflow.npy  .entries.npy
        buffer.ids.npy  buffer.codes.npy      rows not yet frozen into a segment

A new snapshot is written into a hidden temporary folder, flushed, renamed into place, and only
then named in ``CURRENT`` (itself replaced by an atomic rename); older snapshots are deleted
last. A crash at any point leaves the previous snapshot intact and current.

Version 2 (packed ids, two-level directory, bit-packed entries) cannot read version 1: loading
one raises ConfigError, and the matcher then rebuilds the index from the change feed.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from stukje.errors import ConfigError, NotFoundError
from stukje.index.buffer import Buffer
from stukje.index.ids import PackedIds
from stukje.index.layout import BitLayout
from stukje.index.segment import SearchPlan, Segment, Tables

__all__ = ["FORMAT_VERSION", "Snapshot", "load", "restore_segment", "save"]

FORMAT_NAME = "stukje-signal-index"
FORMAT_VERSION = 2
_CURRENT = "CURRENT"
_ARRAYS = (
    "id_base",
    "id_offsets",
    "codes",
    "dead",
    "dir_high",
    "dir_low",
    "dir_overflow",
    "entries",
)

SegmentArrays = dict[str, npt.NDArray[Any]]


@dataclass(frozen=True)
class Snapshot:
    seq: int
    layout: BitLayout
    fingerprint_bits: int
    segments: list[tuple[SegmentArrays, dict[str, int]]]
    buffer_ids: npt.NDArray[np.int64]
    buffer_codes: npt.NDArray[np.uint8]


def save(
    directory: Path, seq: int, plan: SearchPlan, segments: tuple[Segment, ...], buffer: Buffer
) -> Path:
    """Write a snapshot and make it current; returns its folder."""
    if seq < 0:
        raise ValueError(f"seq is a non-negative change-feed position, got {seq}")
    directory.mkdir(parents=True, exist_ok=True)
    name = f"snapshot-{seq:012d}-{uuid.uuid4().hex[:8]}"
    temporary = directory / f".tmp-{name}"
    temporary.mkdir()
    try:
        np.save(temporary / "layout.npy", plan.layout.to_array())
        for number, segment in enumerate(segments):
            for array_name, array in _segment_arrays(segment).items():
                np.save(temporary / f"seg{number:04d}.{array_name}.npy", array)
        ids, codes = buffer.alive_rows()
        np.save(temporary / "buffer.ids.npy", ids)
        np.save(temporary / "buffer.codes.npy", codes)
        manifest = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "seq": seq,
            "fingerprint_bits": plan.max_fingerprint_bits,
            "segments": [
                {
                    "rows": len(s),
                    "row_bits": s.tables.row_bits,
                    "width": s.tables.width,
                }
                for s in segments
            ],
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
    segments: list[tuple[SegmentArrays, dict[str, int]]] = []
    for number, meta in enumerate(manifest["segments"]):
        # Plain arrays over the mapping: np.memmap's Python-level __getitem__ and
        # __array_finalize__ would run on every slice a search takes.
        arrays = {
            array_name: np.asarray(
                np.load(folder / f"seg{number:04d}.{array_name}.npy", mmap_mode=mode)
            )
            for array_name in _ARRAYS
        }
        arrays["dead"] = np.array(arrays["dead"])  # dead flags change after loading
        segments.append((arrays, meta))
    return Snapshot(
        seq=int(manifest["seq"]),
        layout=BitLayout.from_array(np.load(folder / "layout.npy")),
        fingerprint_bits=int(manifest["fingerprint_bits"]),
        segments=segments,
        buffer_ids=np.load(folder / "buffer.ids.npy"),
        buffer_codes=np.load(folder / "buffer.codes.npy"),
    )


def restore_segment(plan: SearchPlan, arrays: SegmentArrays, meta: dict[str, int]) -> Segment:
    """A segment from the arrays and manifest entry that ``save`` wrote."""
    tables = Tables(
        arrays["dir_high"],
        arrays["dir_low"],
        arrays["dir_overflow"],
        arrays["entries"],
        meta["row_bits"],
        meta["width"],
    )
    ids = PackedIds(arrays["id_base"], arrays["id_offsets"])
    if len(ids) != meta["rows"]:
        raise ConfigError(f"a snapshot segment has {len(ids)} ids for {meta['rows']} rows")
    return Segment(plan, ids, arrays["codes"], arrays["dead"], tables)


def _segment_arrays(segment: Segment) -> SegmentArrays:
    tables = segment.tables
    return {
        "id_base": segment.ids.base,
        "id_offsets": segment.ids.offsets,
        "codes": segment.codes,
        "dead": segment.dead,
        "dir_high": tables.dir_high,
        "dir_low": tables.dir_low,
        "dir_overflow": tables.dir_overflow,
        "entries": tables.entries,
    }


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
