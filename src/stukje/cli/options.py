"""Options and error handling shared by the ``stukje`` commands (this module has no commands)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click

from stukje.errors import StukjeError

__all__ = ["database_url_option", "friendly_errors"]

P = ParamSpec("P")
R = TypeVar("R")

database_url_option = click.option(
    "--database-url", help="SQLAlchemy URL of the bank (default: STUKJE_DATABASE_URL or SQLite)."
)


def friendly_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Show stukje's errors as one line and exit 1, instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except StukjeError as exc:
            raise click.ClickException(f"{exc.code}: {exc.message}") from exc

    return wrapper
