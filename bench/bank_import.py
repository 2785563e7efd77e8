"""Bulk import and export speed of the bank on SQLite: prints a table, plots to bench/out/.

Usage: python bench/bank_import.py [SIGNALS ...]   (default: 100000 1000000)
The whole path is timed: reading a CSV file, parsing the hashes, batched inserts with their
change-feed rows, in one transaction.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from stukje.bank import Bank, create_bank_engine, migrate, read_signals

OUT = Path(__file__).resolve().parent / "out"


def _write_csv(path: Path, count: int) -> None:
    rng = random.Random(count)
    with path.open("w", encoding="utf-8") as stream:
        stream.write("value,quality\n")
        for _ in range(count):
            stream.write(f"{rng.randbytes(32).hex()},100\n")


def measure(count: int, workdir: Path) -> tuple[float, float]:
    source = workdir / f"signals-{count}.csv"
    _write_csv(source, count)
    engine = create_bank_engine(f"sqlite:///{workdir / f'bank-{count}.db'}")
    migrate(engine)
    with Bank(engine) as bank, source.open(encoding="utf-8", newline="") as stream:
        started = time.perf_counter()
        report = bank.import_signals("bench", read_signals(stream, "csv"))
        imported = time.perf_counter() - started
        assert report.added == count
        started = time.perf_counter()
        exported = sum(1 for _ in bank.export_signals("bench"))
        export_s = time.perf_counter() - started
        assert exported == count
    return imported, export_s


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [100_000, 1_000_000]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for count in sizes:
            import_s, export_s = measure(count, Path(tmp))
            rows.append((count, import_s, count / import_s, export_s, count / export_s))
    print(f"{'signals':>10} {'import s':>9} {'import/s':>10} {'export s':>9} {'export/s':>10}")
    for count, import_s, import_rate, export_s, export_rate in rows:
        timings = f"{import_s:>9.1f} {import_rate:>10.0f} {export_s:>9.1f} {export_rate:>10.0f}"
        print(f"{count:>10} {timings}")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib not installed: no plot; pip install -e '.[bench]')")
        return
    OUT.mkdir(exist_ok=True)
    figure, axes = plt.subplots()
    axes.plot([r[0] for r in rows], [r[1] for r in rows], marker="o", label="import")
    axes.plot([r[0] for r in rows], [r[3] for r in rows], marker="o", label="export")
    axes.set(xlabel="signals", ylabel="seconds", title="stukje bank on SQLite")
    axes.legend()
    figure.savefig(OUT / "bank_import.png")


if __name__ == "__main__":
    main()
