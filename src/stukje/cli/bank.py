"""``stukje migrate``, ``stukje partner ...`` and ``stukje bank import|export``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click
from tqdm import tqdm

from stukje.bank import (
    DEFAULT_BANK,
    Bank,
    create_bank_engine,
    detect_format,
    open_bank,
    read_signals,
    write_signals,
)
from stukje.bank.engine import head_revision
from stukje.bank.engine import migrate as migrate_database
from stukje.cli.options import database_url_option, friendly_errors
from stukje.config import load_settings


@contextmanager
def _bank(database_url: str | None) -> Iterator[Bank]:
    with open_bank(load_settings(database_url=database_url)) as bank:
        yield bank


def _progress_bar(desc: str) -> tqdm[NoReturn]:
    return tqdm(unit=" signals", desc=desc, file=sys.stderr)


@click.command()
@database_url_option
@friendly_errors
def migrate(database_url: str | None) -> None:
    """Create or upgrade the bank's database to the newest schema."""
    settings = load_settings(database_url=database_url)
    engine = create_bank_engine(settings.resolved_database_url)
    try:
        migrate_database(engine)
    finally:
        engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    click.echo(f"{where} is at revision {head_revision()}")


@click.group()
def partner() -> None:
    """Add, revoke and list partners (platforms and helplines) and their API keys."""


@partner.command("add")
@click.argument("name")
@click.option("--scopes", required=True, help="Comma-separated: match,feed,feedback,helpline,admin")
@database_url_option
@friendly_errors
def partner_add(name: str, scopes: str, database_url: str | None) -> None:
    """Add a partner and print its API key (shown this once: store it safely)."""
    with _bank(database_url) as bank:
        created, api_key = bank.create_partner(name, scopes)
    click.echo(
        f"partner {created.id} {created.name}: {', '.join(sorted(created.scopes))}", err=True
    )
    click.echo("API key (shown once, store it safely):", err=True)
    click.echo(api_key)


@partner.command("revoke")
@click.argument("name_or_id")
@database_url_option
@friendly_errors
def partner_revoke(name_or_id: str, database_url: str | None) -> None:
    """Revoke a partner's API key."""
    with _bank(database_url) as bank:
        revoked = bank.revoke_partner(name_or_id)
    click.echo(f"partner {revoked.id} {revoked.name}: key revoked")


@partner.command("list")
@database_url_option
@friendly_errors
def partner_list(database_url: str | None) -> None:
    """List partners: id, name, key id, scopes, status."""
    with _bank(database_url) as bank:
        partners = bank.list_partners()
    for row in partners:
        status = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        scopes = ",".join(sorted(row.scopes))
        click.echo(f"{row.id}\t{row.name}\t{row.key_id}\t{scopes}\t{status}")


@click.group("bank")
def bank_group() -> None:
    """Bulk import and export of a bank's signals (CSV or JSON lines)."""


format_option = click.option(
    "--format", "file_format", type=click.Choice(["csv", "jsonl"]), help="Default: by extension."
)


@bank_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank_name", default=DEFAULT_BANK, show_default=True)
@format_option
@click.option("--skip-invalid", is_flag=True, help="Skip bad rows instead of refusing the file.")
@database_url_option
@friendly_errors
def bank_import(
    file: Path,
    bank_name: str,
    file_format: str | None,
    skip_invalid: bool,
    database_url: str | None,
) -> None:
    """Import signals from FILE; all or nothing (bad rows refuse it unless --skip-invalid)."""
    kind = detect_format(file, file_format)
    bar = _progress_bar("import")
    with _bank(database_url) as bank, file.open(encoding="utf-8", newline="") as stream, bar:
        report = bank.import_signals(
            bank_name, read_signals(stream, kind), skip_invalid=skip_invalid, progress=bar.update
        )
    for bad in report.bad_rows:
        click.echo(f"skipped line {bad.line}: {bad.reason}", err=True)
    if report.bad_count > len(report.bad_rows):
        click.echo(f"... and {report.bad_count - len(report.bad_rows)} more bad lines", err=True)
    click.echo(
        f"bank {report.bank}: {report.added} added, {report.duplicates} already there, "
        f"{report.bad_count} bad rows skipped"
    )


@bank_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--bank", "bank_name", default=DEFAULT_BANK, show_default=True)
@format_option
@click.option("--include-withdrawn", is_flag=True, help="Also export withdrawn signals.")
@database_url_option
@friendly_errors
def bank_export(
    file: Path,
    bank_name: str,
    file_format: str | None,
    include_withdrawn: bool,
    database_url: str | None,
) -> None:
    """Export a bank's signals to FILE (hashes of victims' pictures: keep the file safe)."""
    kind = detect_format(file, file_format)
    with _bank(database_url) as bank:
        records = bank.export_signals(bank_name, include_withdrawn=include_withdrawn)
        bar = _progress_bar("export")
        with file.open("w", encoding="utf-8", newline="") as stream, bar:
            for _ in write_signals(stream, records, kind):
                bar.update()
            count = bar.n
    click.echo(f"bank {bank_name}: {count} signals written to {file}")


COMMANDS = [migrate, partner, bank_group]
