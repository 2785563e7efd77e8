"""Signal files for bulk import and export: CSV (with a header) and JSON lines.

Both hold one signal per row: ``value`` (64 hex digits or base64), ``signal_type`` (default
``pdq``) and ``quality`` (0-100, optional). Reading yields a :class:`SignalRecord` or, for a row
that cannot be read, a :class:`BadRow` naming its line, so the caller decides what to do.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Final, Literal

from stukje.bank.models import BadRow, SignalRecord
from stukje.errors import InvalidInputError
from stukje.hashing import PdqHash, parse_hash

__all__ = ["FileFormat", "detect_format", "read_signals", "write_signals"]

FileFormat = Literal["csv", "jsonl"]
_EXTENSIONS: Final[dict[str, FileFormat]] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
SIGNAL_TYPES: Final = frozenset({"pdq"})
_FIELDS: Final = ("signal_type", "value", "quality")


def detect_format(path: Path, given: str | None = None) -> FileFormat:
    """The format named by ``given``, or else by the file's extension."""
    if given is not None:
        if given not in ("csv", "jsonl"):
            raise InvalidInputError(f"unknown format {given!r}; use csv or jsonl")
        return "csv" if given == "csv" else "jsonl"
    suffix = path.suffix.lower()
    if suffix not in _EXTENSIONS:
        raise InvalidInputError(
            f"cannot tell the format of {path.name} from its extension; "
            "name it .csv or .jsonl, or pass --format"
        )
    return _EXTENSIONS[suffix]


def _record(fields: dict[str, Any]) -> SignalRecord:
    if "value" not in fields or not isinstance(fields["value"], str):
        raise InvalidInputError("no 'value'")
    signal_type = fields.get("signal_type") or "pdq"
    if signal_type not in SIGNAL_TYPES:
        raise InvalidInputError(f"unknown signal type {signal_type!r:.40}")
    quality = fields.get("quality")
    if quality in (None, ""):
        quality = None
    else:
        try:
            quality = int(quality)
        except (TypeError, ValueError):
            raise InvalidInputError(f"quality is not a whole number: {quality!r:.40}") from None
        if not 0 <= quality <= 100:
            raise InvalidInputError(f"quality {quality} is not between 0 and 100")
    value = _parse_value(fields["value"])
    return SignalRecord(value=value, signal_type=signal_type, quality=quality)


def _parse_value(text: str) -> PdqHash:
    if len(text) == 64:
        # The common case, 64 hex digits, without parse_hash's slower checks.
        try:
            return PdqHash(bytes.fromhex(text))
        except ValueError:
            pass
    return parse_hash(text)  # raises InvalidSignalError, an InvalidInputError


def _read_csv(stream: IO[str]) -> Iterator[SignalRecord | BadRow]:
    reader = csv.DictReader(stream)
    if reader.fieldnames is None or "value" not in reader.fieldnames:
        raise InvalidInputError("a CSV signal file starts with a header naming a 'value' column")
    for fields in reader:
        try:
            yield _record(dict(fields))
        except InvalidInputError as exc:
            yield BadRow(line=reader.line_num, reason=exc.message)


def _read_jsonl(stream: IO[str]) -> Iterator[SignalRecord | BadRow]:
    for line_number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            fields = json.loads(line)
            if not isinstance(fields, dict):
                raise InvalidInputError("not a JSON object")
            yield _record(fields)
        except json.JSONDecodeError as exc:
            yield BadRow(line=line_number, reason=f"not JSON: {exc.msg}")
        except InvalidInputError as exc:
            yield BadRow(line=line_number, reason=exc.message)


def read_signals(stream: IO[str], file_format: FileFormat) -> Iterator[SignalRecord | BadRow]:
    """Signals from an open text stream, one by one (nothing is read ahead)."""
    return _read_csv(stream) if file_format == "csv" else _read_jsonl(stream)


def write_signals(
    stream: IO[str], records: Iterable[SignalRecord], file_format: FileFormat
) -> Iterator[SignalRecord]:
    """Write records as they pass through (yielding each after writing it, for progress bars)."""
    if file_format == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(_FIELDS)
        for record in records:
            quality = "" if record.quality is None else record.quality
            writer.writerow((record.signal_type, record.value.to_hex(), quality))
            yield record
        return
    for record in records:
        row: dict[str, object] = {"signal_type": record.signal_type, "value": record.value.to_hex()}
        if record.quality is not None:
            row["quality"] = record.quality
        stream.write(json.dumps(row) + "\n")
        yield record
