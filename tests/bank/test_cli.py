"""The CLI: stukje migrate, stukje partner add|revoke|list, stukje bank import|export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bank.helpers import random_hashes
from stukje.bank import Bank, create_bank_engine, head_revision
from stukje.cli import main

from .conftest import FAST_SCRYPT


def _run(database_url: str, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--database-url", database_url], catch_exceptions=False)


@pytest.fixture
def migrated_url(database_url: str) -> str:
    result = _run(database_url, "migrate")
    assert result.exit_code == 0, result.output
    assert head_revision() in result.stdout
    return database_url


def test_commands_refuse_an_unmigrated_database(database_url: str) -> None:
    result = _run(database_url, "partner", "list")
    assert result.exit_code == 1
    assert "stukje migrate" in result.stderr


def test_partner_add_list_revoke(migrated_url: str) -> None:
    added = _run(migrated_url, "partner", "add", "acme", "--scopes", "match,feed")
    assert added.exit_code == 0, added.output
    api_key = added.stdout.strip()
    bank = Bank(create_bank_engine(migrated_url), scrypt_cost=FAST_SCRYPT)
    assert bank.authenticate(api_key).name == "acme"
    listed = _run(migrated_url, "partner", "list").stdout
    assert "acme" in listed
    assert "feed,match\tactive" in listed
    assert api_key not in listed
    assert _run(migrated_url, "partner", "revoke", "acme").exit_code == 0
    assert "revoked" in _run(migrated_url, "partner", "list").stdout
    assert _run(migrated_url, "partner", "revoke", "nobody").exit_code == 1
    assert _run(migrated_url, "partner", "add", "x", "--scopes", "root").exit_code == 1
    bank.close()


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_import_and_export(migrated_url: str, tmp_path: Path, suffix: str) -> None:
    hashes = [h.to_hex() for h in random_hashes(50)]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"value": h}) + "\n" for h in hashes))
    imported = _run(migrated_url, "bank", "import", str(source), "--bank", "shared")
    assert imported.exit_code == 0, imported.output
    assert "50 added" in imported.stdout
    target = tmp_path / f"out{suffix}"
    exported = _run(migrated_url, "bank", "export", str(target), "--bank", "shared")
    assert exported.exit_code == 0, exported.output
    assert [h for h in hashes if h in target.read_text()] == hashes


def test_a_bad_file_is_refused_or_skipped(migrated_url: str, tmp_path: Path) -> None:
    good = random_hashes(2)
    source = tmp_path / "in.csv"
    source.write_text(f"value\n{good[0]}\nnot-a-hash\n{good[1]}\n")
    refused = _run(migrated_url, "bank", "import", str(source))
    assert refused.exit_code == 1
    assert "line 3" in refused.stderr
    skipped = _run(migrated_url, "bank", "import", str(source), "--skip-invalid")
    assert skipped.exit_code == 0
    assert "2 added" in skipped.stdout
    assert "skipped line 3" in skipped.stderr
