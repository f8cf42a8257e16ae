"""Import throughput: matchmaker's validated, all-or-nothing import against a bare floor.

Builds N project rows from the packaged demo rows (new ids), then times, in the same run:
  floor    csv.reader + sqlite3 executemany of the raw cells (no validation, no ORM)
  sqlite   matchmaker import_registrations into SQLite (parse, validate, upsert, commit)
  reimport the same file again (every row compared, none written)
  postgres the same into PostgreSQL, when reachable
  xlsx     the same rows as .xlsx into SQLite
and prints rows/s with the ratio to the floor. Run: .venv/bin/python benchmarks/import_speed.py [N]
"""

from __future__ import annotations

import csv
import io
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from matchmaker.db.engine import make_engine, migrate, session_factory, transaction
from matchmaker.services.demo import demo_file, load_demo
from matchmaker.services.events import get_event
from matchmaker.services.registrations import import_registrations
from matchmaker.tabular.write import write_table

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


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


def timed(label: str, fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def floor(header: list[str], data: bytes, folder: Path) -> float:
    def run() -> None:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]
        con = sqlite3.connect(folder / "floor.db")
        cols = ", ".join(f"c{i} TEXT" for i in range(len(header)))
        con.execute(f"CREATE TABLE IF NOT EXISTS t ({cols})")
        marks = ", ".join("?" for _ in header)
        con.executemany(f"INSERT INTO t VALUES ({marks})", rows)
        con.commit()
        con.close()

    return timed("floor", run)


def matchmaker_import(url: str, data: bytes, name: str) -> tuple[float, float]:
    engine = make_engine(url)
    migrate(engine)
    factory = session_factory(engine)
    with transaction(factory) as db:
        load_demo(db)

    def run() -> None:
        with transaction(factory) as db:
            import_registrations(db, get_event(db), "projects", data, name)

    first, again = timed("import", run), timed("reimport", run)
    engine.dispose()
    return first, again


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    header, rows = build_rows(n)
    csv_bytes = write_table(header, rows, "csv")
    xlsx_bytes = write_table(header, rows, "xlsx")
    results: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = floor(header, csv_bytes, folder)
        results.append(("floor: csv + sqlite3 executemany (no validation)", base))
        first, again = matchmaker_import(f"sqlite:///{folder / 'a.db'}", csv_bytes, "p.csv")
        results += [
            ("matchmaker CSV → SQLite, first import", first),
            ("matchmaker CSV → SQLite, same file again", again),
        ]
        first, _ = matchmaker_import(f"sqlite:///{folder / 'b.db'}", xlsx_bytes, "p.xlsx")
        results.append(("matchmaker XLSX → SQLite, first import", first))
        try:
            admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
            name = f"mm_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            url = admin.url.set(database=name).render_as_string(hide_password=False)
            first, again = matchmaker_import(url, csv_bytes, "p.csv")
            results += [
                ("matchmaker CSV → PostgreSQL, first import", first),
                ("matchmaker CSV → PostgreSQL, same file again", again),
            ]
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        except Exception as exc:  # noqa: BLE001 - report and go on without PostgreSQL
            print(f"(PostgreSQL skipped: {exc.__class__.__name__})")
    print(f"\nimport of {n} project rows (times include parsing, validation and commit)")
    print(f"{'run':<48} {'seconds':>8} {'rows/s':>9} {'× floor':>8}")
    for label, seconds in results:
        print(f"{label:<48} {seconds:>8.2f} {n / seconds:>9.0f} {seconds / base:>8.1f}")


if __name__ == "__main__":
    main()
