"""benchmarks/load.py, small: the books balance under load and PostgreSQL restarts are survived.

The real figures come from running the script at 200 users (README); this keeps the script
working and shows recovery from a database restart with no manual step, in CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.postgres
@pytest.mark.skipif(os.geteuid() != 0, reason="the private PostgreSQL cluster needs root")
@pytest.mark.skipif(
    not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")),
    reason="PostgreSQL server binaries (Debian postgresql) are not installed",
)
def test_a_short_morning_with_a_postgres_restart_keeps_the_books() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "load.py"), "--users", "30",
         "--duration", "16", "--workers", "2", "--restart-postgres",
         "--capacity-seconds", "6", "--capacity-users", "10"],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    out = run.stdout
    assert run.returncode == 0 and "RESULT: OK" in out, out + run.stderr[-3000:]
    assert "the API read the database again after" in out
    assert "capacity, 10 users with no pauses: the morning's mix" in out
    assert "failures other than 503 while PostgreSQL restarted: 0" in out
    books = next(line for line in out.splitlines() if line.startswith("books: "))
    for kind in ("institution", "project", "table"):
        assert f"double-booked {kind} 0" in books
    assert "lost or changed 0" in books and "requests lost 0" in books
    assert "accepts without a meeting 0" in books
