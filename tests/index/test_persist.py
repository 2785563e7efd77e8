"""Snapshots: round trip, seq, memory mapping, atomicity and the format version."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from stukje.errors import ConfigError, NotFoundError
from stukje.index import FORMAT_VERSION, SignalIndex, persist


def filled_index(rows: int = 3000) -> tuple[SignalIndex, np.ndarray]:
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 256, (rows, 32), dtype=np.uint8)
    index = SignalIndex(buffer_rows=256, background=False)
    index.add(np.arange(rows), codes)
    index.add(np.arange(rows, rows + 50), codes[:50])  # rows still in the buffer
    index.remove([5, rows + 1])
    return index, codes


@pytest.mark.parametrize("mmap", [True, False])
def test_round_trip_keeps_results_seq_and_size(tmp_path: Path, mmap: bool) -> None:
    index, codes = filled_index()
    index.save(tmp_path, seq=42)
    loaded, seq = SignalIndex.load(tmp_path, mmap=mmap)
    assert seq == 42
    assert len(loaded) == len(index)
    assert loaded.query_batch(codes[:60]) == index.query_batch(codes[:60])


def test_loaded_index_catches_up_with_changes(tmp_path: Path) -> None:
    index, codes = filled_index()
    index.save(tmp_path, seq=7)
    loaded, _ = SignalIndex.load(tmp_path)
    loaded.remove([10])
    loaded.add([99_999], codes[11])
    assert 10 not in {m.signal_id for m in loaded.query(codes[10])}
    assert {m.signal_id for m in loaded.query(codes[11])} == {11, 3011, 99_999}
    loaded.compact()
    loaded.save(tmp_path, seq=8)
    again, seq = SignalIndex.load(tmp_path)
    assert seq == 8
    assert again.query_batch(codes[:20]) == loaded.query_batch(codes[:20])


def test_a_new_snapshot_replaces_the_old_one(tmp_path: Path) -> None:
    index, _ = filled_index(500)
    first = index.save(tmp_path, seq=1)
    second = index.save(tmp_path, seq=2)
    assert not first.exists()
    assert (tmp_path / "CURRENT").read_text() == second.name
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_failed_save_leaves_the_previous_snapshot_current(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index, codes = filled_index(500)
    index.save(tmp_path, seq=1)

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(persist, "_flush_folder", crash)
    with pytest.raises(OSError, match="disk full"):
        index.save(tmp_path, seq=2)
    monkeypatch.undo()
    loaded, seq = SignalIndex.load(tmp_path)
    assert seq == 1
    assert loaded.query(codes[0]) == index.query(codes[0])
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp")] == []


def test_snapshot_files_are_plain_numpy_without_pickle(tmp_path: Path) -> None:
    index, _ = filled_index(500)
    folder = index.save(tmp_path, seq=3)
    for path in folder.glob("*.npy"):
        np.load(path, allow_pickle=False)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["version"] == FORMAT_VERSION
    assert manifest["seq"] == 3


@pytest.mark.parametrize("version", [1, FORMAT_VERSION + 1])
def test_an_older_or_newer_version_is_refused(tmp_path: Path, version: int) -> None:
    # Version 1 (int ids, flat directory, 4-byte entries) is not converted: the matcher catches
    # ConfigError and rebuilds from the change feed.
    index, _ = filled_index(200)
    folder = index.save(tmp_path, seq=1)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["version"] = version
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ConfigError, match=f"version {version}"):
        SignalIndex.load(tmp_path)


def test_tables_and_fingerprint_bits_survive_a_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    codes = rng.integers(0, 256, (2000, 32), dtype=np.uint8)
    index = SignalIndex(tables=8, fingerprint_bits=4, buffer_rows=256, background=False)
    index.add(np.arange(2000), codes)
    index.save(tmp_path, seq=5)
    loaded, _ = SignalIndex.load(tmp_path)
    assert (loaded._plan.layout, loaded._plan.max_fingerprint_bits) == (index._plan.layout, 4)
    loaded.add(np.arange(2000, 2300), codes[:300])  # new segments use the same settings
    for code in codes[:40]:
        before = index.query(code)
        copies = [m._replace(signal_id=m.signal_id + 2000) for m in before]
        assert loaded.query(code) == sorted(before + copies, key=lambda m: (m.distance, m[0]))


def test_loading_an_empty_directory_says_so(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        SignalIndex.load(tmp_path)


def test_an_empty_index_round_trips(tmp_path: Path) -> None:
    SignalIndex().save(tmp_path, seq=0)
    loaded, seq = SignalIndex.load(tmp_path)
    assert (len(loaded), seq) == (0, 0)
    assert loaded.query(bytes(32)) == []
