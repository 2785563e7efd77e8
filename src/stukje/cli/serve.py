"""``stukje serve``: run the bank service (API and pages) with uvicorn."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import click

from stukje.api.app import snapshot_dir
from stukje.bank import create_bank_engine, migrate, open_bank
from stukje.cli.options import database_url_option, friendly_errors
from stukje.config import Settings, load_settings
from stukje.matcher import Matcher

__all__ = ["COMMANDS", "serve"]


def _export(settings: Settings) -> None:
    """Hand the settings to the worker processes, which read STUKJE_* variables."""
    os.environ["STUKJE_DATA_DIR"] = str(settings.data_dir)
    os.environ["STUKJE_DATABASE_URL"] = settings.resolved_database_url
    os.environ["STUKJE_LOG_LEVEL"] = settings.log_level
    if settings.policy_file is not None:
        os.environ["STUKJE_POLICY_FILE"] = str(settings.policy_file)


def _prepare_metrics_dir(settings: Settings) -> None:
    """Several workers share their Prometheus samples through a folder, emptied at start."""
    folder = settings.data_dir / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


def _snapshot(settings: Settings) -> tuple[int, int]:
    """Bring the index snapshot up to date once, so every worker starts by loading it.

    The index is compacted first (about 1 s per million signals): one segment answers a search
    with less CPU than the several that bulk imports and merges leave (docs/service.md).
    """
    with open_bank(settings) as bank:
        matcher = Matcher.open(bank, snapshot_dir(settings))
        matcher.index.compact()
        seq = matcher.save_snapshot(snapshot_dir(settings))
        return len(matcher.index), seq


@click.command()
@click.option("--host", help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, help="Port (default 8000).")
@click.option("--workers", type=click.IntRange(1, 64), help="Worker processes (default 1).")
@database_url_option
@click.option("--data-dir", type=click.Path(path_type=Path), help="Default: ./.stukje")
@click.option("--demo", is_flag=True, help="Migrate, seed a demo bank and a demo partner key.")
@friendly_errors
def serve(
    host: str | None,
    port: int | None,
    workers: int | None,
    database_url: str | None,
    data_dir: Path | None,
    demo: bool,
) -> None:
    """Serve the API, the hashing page, the demo chat and the helpline dashboard."""
    import uvicorn

    settings = load_settings(
        host=host, port=port, workers=workers, database_url=database_url, data_dir=data_dir
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if demo:
        engine = create_bank_engine(settings.resolved_database_url)
        migrate(engine)
        engine.dispose()
        with open_bank(settings) as bank:
            seed = bank.seed_demo()
    signals, seq = _snapshot(settings)
    _export(settings)
    if settings.workers > 1:
        _prepare_metrics_dir(settings)
    base = f"http://{settings.host}:{settings.port}"
    click.echo(f"stukje is serving {signals:,} signals (change feed at {seq}) on {base}")
    click.echo(f"  hashing page      {base}/")
    click.echo(f"  demo chat         {base}/demo")
    click.echo(f"  helpline          {base}/helpline")
    click.echo(f"  API docs          {base}/docs")
    if demo:
        click.echo(f"  demo partner key  {seed.api_key}   (every scope but admin; shown once)")
    uvicorn.run(
        "stukje.api:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        access_log=False,
    )


COMMANDS = [serve]
