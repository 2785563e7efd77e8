"""Reading the guard's TOML data files into validated models, with errors that say where.

A mistake in a policy or help file becomes one :class:`~stukje.errors.ConfigError` naming the
file, the line and the field (``policy.toml:14: rules.likely_nudity.teen.send: ...``), so whoever
edits the file can fix it without reading stukje's code.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from stukje.errors import ConfigError

__all__ = ["find_line", "load_model", "parse_model"]

Model = TypeVar("Model", bound=BaseModel)

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.\-\"' ]+?)\s*=")
_DECODE_LINE = re.compile(r"line (\d+)")


def load_model(path: Path, model: type[Model], context: dict[str, Any] | None = None) -> Model:
    """The model read from a TOML file; :class:`ConfigError` if it is missing or invalid."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}", file=str(path)) from exc
    return parse_model(text, model, source=str(path), context=context)


def parse_model(
    text: str, model: type[Model], source: str = "<string>", context: dict[str, Any] | None = None
) -> Model:
    """The model read from TOML text; ``source`` names the text in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _DECODE_LINE.search(str(exc))
        line = int(found.group(1)) if found else None
        where = f"{source}:{line}" if line else source
        raise ConfigError(f"{where}: not valid TOML: {exc}", file=source, line=line) from exc
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise _located(exc, text, source) from exc


def _located(exc: ValidationError, text: str, source: str) -> ConfigError:
    problems = []
    first_line: int | None = None
    first_field: str | None = None
    for error in exc.errors():
        path = [str(part) for part in error["loc"]]
        field = ".".join(path) or "(top level)"
        line = find_line(text, path)
        problems.append(f"{source}:{line or '?'}: {field}: {error['msg']}")
        if first_field is None:
            first_line, first_field = line, field
    return ConfigError("\n".join(problems), file=source, line=first_line, field=first_field)


def find_line(text: str, path: Sequence[str]) -> int | None:
    """The 1-based line that sets the deepest part of ``path`` found in the TOML text.

    Tracks table headers and (dotted) keys line by line; a value inside an inline table is
    reported at the line of the key that opens it. Good enough for hand-written data files.
    """
    wanted = tuple(path)
    best_line: int | None = None
    best_depth = 0
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = _split_key(header.group(1))
            here = table
        else:
            key = _KEY.match(line)
            if not key:
                continue
            here = table + _split_key(key.group(1))
        depth = _common_prefix(here, wanted)
        if depth == len(here) and depth > best_depth:
            best_line, best_depth = number, depth
    return best_line


def _split_key(key: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in key.split("."))


def _common_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    count = 0
    for left, right in zip(a, b, strict=False):
        if left != right:
            break
        count += 1
    return count
