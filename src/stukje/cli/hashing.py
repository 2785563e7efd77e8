"""``stukje hash`` (hash files and folders in parallel) and ``stukje compare``."""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import click
from tqdm import tqdm

from stukje.config import load_settings
from stukje.errors import InvalidSignalError, StukjeError
from stukje.hashing import (
    DIHEDRAL_NAMES,
    HashResult,
    ImageLimits,
    PdqHash,
    hash_image,
    hash_picture,
    load_picture,
    parse_hash,
)
from stukje.hashing.variants import labelled_query_signals, labelled_submission_signals

__all__ = ["COMMANDS", "compare", "hash_command"]

_CSV_FIELDS = ("path", "pdq", "quality", "low_quality", "width", "height", "format")
#: The labelled hash sets ``stukje hash`` can add to a row (docs/quality.md): what a case stores
#: for the picture, and what a platform looks up for it.
_SETS = {"submission_set": labelled_submission_signals, "query_set": labelled_query_signals}


@dataclass(frozen=True, slots=True)
class _Outcome:
    """One file's result, or why it failed (picklable, to cross the process pool)."""

    path: str
    row: dict[str, Any] | None
    error: str | None


def _hash_one(path: str, dihedral: bool, limits: ImageLimits, sets: tuple[str, ...]) -> _Outcome:
    try:
        picture = load_picture(path, limits=limits)
        row = _row(path, hash_picture(picture, dihedral=dihedral))
        for name in sets:  # each set whole, in its order
            row[name] = [
                {"kind": kind, "pdq": signal.hash.to_hex(), "quality": signal.quality}
                for kind, signal in _SETS[name](picture)
            ]
    except StukjeError as exc:
        return _Outcome(path, None, f"{exc.message} [{exc.code}]")
    except OSError as exc:
        return _Outcome(path, None, f"cannot read the file ({exc.strerror or exc}) [os_error]")
    return _Outcome(path, row, None)


def _row(path: str, result: HashResult) -> dict[str, Any]:
    row: dict[str, Any] = {
        "path": path,
        "pdq": result.signal.hash.to_hex(),
        "quality": result.signal.quality,
        "low_quality": result.signal.low_quality,
        "width": result.width,
        "height": result.height,
        "format": result.format,
    }
    if result.dihedral is not None:
        row["dihedral"] = {
            name: signal.hash.to_hex()
            for name, signal in zip(DIHEDRAL_NAMES, result.dihedral, strict=True)
        }
    return row


def _expand(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given, and every file under the given folders (recursively, sorted)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        else:
            yield path


def _outcomes(
    files: list[str], jobs: int, dihedral: bool, limits: ImageLimits, sets: tuple[str, ...] = ()
) -> Iterator[_Outcome]:
    if jobs == 1 or len(files) < 2:
        for path in files:
            yield _hash_one(path, dihedral, limits, sets)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        chunk = max(1, min(16, len(files) // (4 * jobs)))
        yield from pool.map(
            _hash_one,
            files,
            [dihedral] * len(files),
            [limits] * len(files),
            [sets] * len(files),
            chunksize=chunk,
        )


class _Writer:
    """Writes rows as JSON lines or CSV (dihedral hashes as one column per variant, each hash
    set as one column of space-separated hashes)."""

    def __init__(self, out: TextIO, fmt: str, dihedral: bool, sets: tuple[str, ...] = ()) -> None:
        self._out = out
        self._csv: csv.DictWriter[str] | None = None
        if fmt == "csv":
            fields = list(_CSV_FIELDS) + (list(DIHEDRAL_NAMES) if dihedral else [])
            fields += list(sets)
            self._csv = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
            self._csv.writeheader()

    def write(self, row: dict[str, Any]) -> None:
        if self._csv is None:
            self._out.write(json.dumps(row) + "\n")
            return
        flat = {key: value for key, value in row.items() if key != "dihedral"}
        flat.update(row.get("dihedral", {}))
        for name in _SETS:
            if name in row:
                flat[name] = " ".join(item["pdq"] for item in row[name])
        self._csv.writerow(flat)


@click.command("hash")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@click.option("--dihedral", is_flag=True, help="Also print the 8 rotated/flipped hashes.")
@click.option(
    "--submission-set",
    "full_set",
    is_flag=True,
    help="Also print every hash a case stores for the picture (docs/quality.md).",
)
@click.option(
    "--query-set",
    is_flag=True,
    help="Also print every hash a platform looks up for the picture (docs/quality.md).",
)
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None, help="Processes [default: cores]."
)
@click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")
def hash_command(
    paths: tuple[Path, ...],
    fmt: str,
    dihedral: bool,
    full_set: bool,
    query_set: bool,
    jobs: int | None,
    no_progress: bool,
) -> None:
    """Hash pictures (files, or folders searched recursively) with PDQ.

    Prints one row per picture on stdout; failures and a summary go to stderr. Exits with 1
    when any file could not be hashed.
    """
    limits = ImageLimits.from_settings(load_settings())
    files = [str(path) for path in _expand(paths)]
    sets = ("submission_set",) * full_set + ("query_set",) * query_set
    writer = _Writer(sys.stdout, fmt, dihedral, sets)
    started = time.perf_counter()
    hashed = failed = low = 0
    outcomes = _outcomes(files, jobs or os.cpu_count() or 1, dihedral, limits, sets)
    bar = tqdm(outcomes, total=len(files), unit="img", disable=no_progress, file=sys.stderr)
    for outcome in bar:
        if outcome.row is None:
            failed += 1
            tqdm.write(f"error: {outcome.path}: {outcome.error}", file=sys.stderr)
            continue
        hashed += 1
        low += bool(outcome.row["low_quality"])
        writer.write(outcome.row)
    seconds = time.perf_counter() - started
    click.echo(
        f"hashed {hashed} of {len(files)} files in {seconds:.1f} s; "
        f"{failed} failed; {low} low quality (below 50)",
        err=True,
    )
    if failed:
        sys.exit(1)


def _signal_of(text: str, limits: ImageLimits) -> PdqHash:
    """A hash string, or the hash of the picture at that path."""
    if Path(text).is_file():
        return hash_image(text, limits=limits).signal.hash
    try:
        return parse_hash(text)
    except InvalidSignalError as exc:
        raise click.BadParameter(
            f"{text!r:.80} is neither a readable file nor a PDQ hash ({exc.message})"
        ) from exc


@click.command()
@click.argument("first")
@click.argument("second")
@click.option("--threshold", type=click.IntRange(0, 256), default=31, show_default=True)
def compare(first: str, second: str, threshold: int) -> None:
    """Print the distance between two hashes or pictures, and whether they match.

    FIRST and SECOND are each a PDQ hash (hex or base64) or a picture's path.
    """
    limits = ImageLimits.from_settings(load_settings())
    try:
        a, b = _signal_of(first, limits), _signal_of(second, limits)
    except StukjeError as exc:
        raise click.ClickException(f"{exc.message} [{exc.code}]") from exc
    d = a.distance(b)
    click.echo(f"{d}\t{'match' if d <= threshold else 'no match'}")


COMMANDS = [hash_command, compare]
