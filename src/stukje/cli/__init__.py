"""The ``stukje`` command: thin commands that call the library.

Each command (or group) lives in its own module of this package and lists itself in that
module's ``COMMANDS``; :func:`_register` adds every module's commands to :data:`main`.
"""

from __future__ import annotations

import importlib
import pkgutil

import click

from stukje import __version__

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stukje")
def main() -> None:
    """stukje: hash pictures, keep a bank of hashes, match and guard against re-sharing."""


def _register() -> None:
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for command in getattr(module, "COMMANDS", ()):
            main.add_command(command)


_register()
