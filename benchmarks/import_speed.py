"""Import throughput: matchmaker's validated, all-or-nothing import against a bare floor.

For each size N (default 5,000, 20,000, 100,000 and 200,000 rows, the documented row limit)
it builds N project rows from the packaged demo rows (new ids), then times, in the same run:
  floor    csv.reader + sqlite3 executemany of the raw cells (no validation, no ORM)
  sqlite   matchmaker import_registrations into SQLite (parse, validate, upsert, commit)
  reimport the same file again (every row compared, none written)
  postgres the same into PostgreSQL, when reachable (--no-postgres: skip)
  xlsx     the same rows as .xlsx into SQLite (up to --xlsx-max rows: writing a large XLSX
           takes longer than importing it)
prints each size's table with rows/s and the ratio to the floor, then one line per size and
the growth from the smallest size to the largest beside linear growth. The 2 cores are shared
with other work, so the ratio to the floor measured in the same run is what compares.
Run: .venv/bin/python benchmarks/import_speed.py [N ...] [--no-postgres] [--xlsx-max 20000]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text

from matchmaker.db.engine import make_engine, migrate, session_factory, transaction
from matchmaker.services.operations.demo import demo_file, load_demo
from matchmaker.services.registry.events import get_event
from matchmaker.services.registry.registrations import import_registrations
from matchmaker.tabular.write import write_table

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SIZES = (5_000, 20_000, 100_000, 200_000)


def build_rows(n: int) -> tuple[list[str], list[list[str]]]:
    reader = csv.reader(io.StringIO(demo_file("projects.csv").decode("utf-8-sig")))
    header, *rows = list(reader)
    out = []
    for i in range(n):
        row = list(rows[i % len(rows)])
        row[0] = f"BENCH-{i:06d}"
        row[1] = f"{row[1]}·{i}"  # names are unique within an event
        out.append(row)
    return header, out


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def floor(header: list[str], data: bytes, folder: Path) -> float:
    def run() -> None:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]
        con = sqlite3.connect(folder / "floor.db")
        cols = ", ".join(f"c{i} TEXT" for i in range(len(header)))
        con.execute(f"CREATE TABLE t ({cols})")
        marks = ", ".join("?" for _ in header)
        con.executemany(f"INSERT INTO t VALUES ({marks})", rows)
        con.commit()
        con.close()

    (folder / "floor.db").unlink(missing_ok=True)
    return timed(run)


def matchmaker_import(url: str, data: bytes, name: str, total: int) -> tuple[float, float]:
    engine = make_engine(url)
    migrate(engine)
    factory = session_factory(engine)
    with transaction(factory) as db:
        load_demo(db)

    def run() -> None:
        with transaction(factory) as db:
            report = import_registrations(db, get_event(db), "projects", data, name)
        assert report.total == total, report  # every row imported, not a refusal

    first, again = timed(run), timed(run)
    engine.dispose()
    return first, again


def postgres_import(data: bytes, total: int) -> tuple[float, float]:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"mm_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin.url.set(database=name).render_as_string(hide_password=False)
        return matchmaker_import(url, data, "p.csv", total)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def one_size(n: int, args: argparse.Namespace) -> dict[str, float]:
    header, rows = build_rows(n)
    csv_bytes = write_table(header, rows, "csv")
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results["floor"] = floor(header, csv_bytes, folder)
        url = f"sqlite:///{folder / 'a.db'}"
        results["sqlite"], results["sqlite again"] = matchmaker_import(url, csv_bytes, "p.csv", n)
        if n <= args.xlsx_max:
            xlsx_bytes = write_table(header, rows, "xlsx")
            other = f"sqlite:///{folder / 'b.db'}"
            results["xlsx"], _ = matchmaker_import(other, xlsx_bytes, "p.xlsx", n)
    if not args.no_postgres:
        try:
            results["postgres"], results["postgres again"] = postgres_import(csv_bytes, n)
        except Exception as exc:  # noqa: BLE001 - report and go on without PostgreSQL
            print(f"(PostgreSQL skipped: {exc.__class__.__name__}: {exc})")
    labels = {
        "floor": "floor: csv + sqlite3 executemany (no validation)",
        "sqlite": "matchmaker CSV → SQLite, first import",
        "sqlite again": "matchmaker CSV → SQLite, same file again",
        "xlsx": "matchmaker XLSX → SQLite, first import",
        "postgres": "matchmaker CSV → PostgreSQL, first import",
        "postgres again": "matchmaker CSV → PostgreSQL, same file again",
    }
    load = os.getloadavg()[0]
    print(f"\nimport of {n:,} project rows (times include parsing, validation and commit)")
    print(f"{'run':<48} {'seconds':>8} {'rows/s':>9} {'× floor':>8}   load {load:.1f}")
    for key, seconds in results.items():
        ratio = seconds / results["floor"]
        print(f"{labels[key]:<48} {seconds:>8.2f} {n / seconds:>9.0f} {ratio:>8.1f}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(SIZES))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--xlsx-max", type=int, default=20_000)
    args = parser.parse_args()
    table = {n: one_size(n, args) for n in args.sizes}
    print("\nsummary: seconds (× the floor of the same size)")
    keys = ["floor", "sqlite", "sqlite again", "postgres", "postgres again"]
    print(f"{'rows':>8} " + " ".join(f"{k:>16}" for k in keys))
    for n, results in table.items():
        cells = [
            f"{results[k]:>7.2f} ({results[k] / results['floor']:>5.1f}×)" if k in results else ""
            for k in keys
        ]
        print(f"{n:>8} " + " ".join(f"{c:>16}" for c in cells))
    small, large = min(table), max(table)
    if small != large:
        growth = table[large]["sqlite"] / table[small]["sqlite"]
        print(
            f"\nCSV → SQLite, first import: time({large:,}) / time({small:,}) = {growth:.1f}"
            f" (linear: {large / small:.0f}; floor: "
            f"{table[large]['floor'] / table[small]['floor']:.1f})"
        )


if __name__ == "__main__":
    main()
