"""``stukje hash`` and ``stukje compare``."""

from __future__ import annotations

import click

from stukje.hashing import parse_hash


@click.command()
@click.argument("first")
@click.argument("second")
@click.option("--threshold", type=click.IntRange(0, 256), default=31, show_default=True)
def compare(first: str, second: str, threshold: int) -> None:
    """Print the distance between two hashes (placeholder until the hashing engine lands)."""
    d = parse_hash(first).distance(parse_hash(second))
    click.echo(f"{d}\t{'match' if d <= threshold else 'no match'}")


COMMANDS = [compare]
