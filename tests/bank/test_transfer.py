"""Bulk import and export: file formats, all-or-nothing imports, duplicates, round trips."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, Select, TextClause, text

from bank.helpers import random_hashes
from stukje.bank import (
    BadRow,
    Bank,
    SignalRecord,
    detect_format,
    read_signals,
    write_signals,
)
from stukje.bank.transfer import existing_query
from stukje.errors import InvalidInputError, NotFoundError
from stukje.hashing import PdqHash

HEX = random_hashes(1, seed=42)[0].to_hex()


def _records(count: int, seed: int = 0) -> list[SignalRecord]:
    return [SignalRecord(h, quality=i % 101) for i, h in enumerate(random_hashes(count, seed))]


@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
@given(
    records=st.lists(
        st.builds(
            SignalRecord,
            value=st.binary(min_size=32, max_size=32).map(PdqHash),
            quality=st.none() | st.integers(0, 100),
        ),
        max_size=20,
    )
)
def test_files_round_trip(file_format: str, records: list[SignalRecord]) -> None:
    kind = detect_format(Path(f"x.{file_format}"))
    stream = io.StringIO()
    assert list(write_signals(stream, records, kind)) == records
    stream.seek(0)
    assert list(read_signals(stream, kind)) == records


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"value,quality\n{HEX},90\nnope,1\n{HEX},101\n", [None, 3, 4]),
        (f"signal_type,value\nvpdq,{HEX}\n,{HEX.upper()}\n", [2, None]),
    ],
)
def test_bad_csv_rows_are_named_by_line(text: str, expected: list[int | None]) -> None:
    rows = list(read_signals(io.StringIO(text), "csv"))
    assert [row.line if isinstance(row, BadRow) else None for row in rows] == expected


def test_bad_json_lines_are_named_by_line() -> None:
    text = f'{{"value": "{HEX}"}}\n\n{{"value": 5}}\n[1]\n{{oops\n'
    rows = list(read_signals(io.StringIO(text), "jsonl"))
    assert [row.line if isinstance(row, BadRow) else None for row in rows] == [None, 3, 4, 5]


def test_a_csv_without_a_value_column_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        list(read_signals(io.StringIO("hash\nabc\n"), "csv"))


@pytest.mark.parametrize("name", ["signals.txt", "signals"])
def test_unknown_extensions_need_a_format(name: str) -> None:
    with pytest.raises(InvalidInputError):
        detect_format(Path(name))
    assert detect_format(Path(name), "csv") == "csv"


def test_import_then_export_gives_the_signals_back(bank: Bank) -> None:
    records = _records(120)
    seen: list[int] = []
    report = bank.import_signals("shared", records, batch_size=50, progress=seen.append)
    assert (report.added, report.duplicates, report.bad_count) == (120, 0, 0)
    assert sum(seen) == 120
    assert list(bank.export_signals("shared")) == records
    assert bank.last_seq() == 120


def test_reimporting_adds_nothing_and_revives_nothing(bank: Bank) -> None:
    records = _records(30)
    receipt = bank.create_case([records[0].value], "en", bank="shared")
    bank.withdraw_case(receipt.case_number, pin=receipt.pin)
    report = bank.import_signals("shared", records + records[:5], batch_size=7)
    assert (report.added, report.duplicates) == (29, 6)
    assert bank.import_signals("shared", records).added == 0
    assert len(list(bank.export_signals("shared"))) == 29
    assert len(list(bank.export_signals("shared", include_withdrawn=True))) == 30


def test_bad_rows_refuse_the_whole_import(bank: Bank) -> None:
    rows: list[SignalRecord | BadRow] = [*_records(20), BadRow(21, "broken"), *_records(5, 1)]
    with pytest.raises(InvalidInputError, match="line 21"):
        bank.import_signals("shared", rows, batch_size=4)
    assert bank.last_seq() == 0
    with pytest.raises(NotFoundError):
        list(bank.export_signals("shared"))


def test_bad_rows_can_be_skipped(bank: Bank) -> None:
    rows: list[SignalRecord | BadRow] = [*_records(20), BadRow(21, "broken"), *_records(5, 1)]
    report = bank.import_signals("shared", rows, skip_invalid=True, batch_size=4)
    assert (report.added, report.bad_count, report.bad_rows) == (25, 1, (BadRow(21, "broken"),))


def test_exporting_an_unknown_bank_fails(bank: Bank) -> None:
    with pytest.raises(NotFoundError):
        bank.export_signals("nope")


def test_a_duplicate_is_the_same_type_and_value_in_the_same_bank(bank: Bank) -> None:
    records = _records(10)
    bank.import_signals("shared", records)
    other_type = [SignalRecord(r.value, signal_type="vpdq") for r in records[:3]]
    assert bank.import_signals("shared", other_type + records[:4]).added == 3
    assert bank.import_signals("elsewhere", records[:5]).added == 5


def test_the_duplicate_check_probes_the_index_once_per_value(engine: Engine, bank: Bank) -> None:
    """Never a scan of the whole bank, whatever the statistics (none, inside one import) say."""
    bank.import_signals("shared", _records(3000))
    keys = [("pdq", record.value.value) for record in _records(3000, seed=1)]
    with engine.connect() as connection:
        bank_id = connection.scalar(text("SELECT id FROM banks WHERE name = 'shared'"))
        plan = _plan(connection, existing_query(engine.dialect.name, bank_id, keys))
    if engine.dialect.name == "postgresql":
        assert "Nested Loop" in plan
        assert "Index Scan using ix_signals_bank_id_value on signals" in plan
        assert "Seq Scan on signals" not in plan
        assert "Bitmap Heap Scan on signals" not in plan
    else:
        assert "USING INDEX ix_signals_bank_id_value (bank_id=? AND value=?)" in plan
        assert "SCAN signals" not in plan


def _plan(connection: Connection, statement: TextClause | Select[Any]) -> str:
    compiled = statement.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    params = compiled.construct_params()
    if compiled.positional:
        explain = "EXPLAIN QUERY PLAN "
        arguments: Any = tuple(params[name] for name in compiled.positiontup or [])
    else:
        explain, arguments = "EXPLAIN ", params
    rows = connection.exec_driver_sql(explain + str(compiled), arguments).all()
    return "\n".join(str(row[-1]) for row in rows)
