"""The instance's secret key on a server's first start: every worker signs with the same key.

``matchmaker serve`` forks its workers before any key exists; each creates the app at once. If
each kept a key of its own, a sign-in made by one worker would be refused by the other (the
page sends the person back to sign in, a form answers 400): seen in a browser on a fresh
instance folder, gone after a restart.
"""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

import pytest

from matchmaker.config import Settings, instance_secret

WORKERS = 8


def _start(
    folder: str, gate: multiprocessing.synchronize.Barrier, out: multiprocessing.Queue
) -> None:  # type: ignore[type-arg]
    gate.wait()  # every worker asks at the same moment, as forked workers do
    out.put(instance_secret(Settings(instance_dir=Path(folder))))


def test_workers_starting_together_share_one_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every worker waits where it has made a key but not published it: the widest race
    monkeypatch.setenv("MATCHMAKER_PAUSE_AT", "secret_key:0.5")
    context = multiprocessing.get_context("fork")
    gate, out = context.Barrier(WORKERS), context.Queue()
    folder = tmp_path / "instance"
    workers = [
        context.Process(target=_start, args=(str(folder), gate, out)) for _ in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    keys = [out.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    kept = (folder / "secret_key").read_text().strip()
    assert set(keys) == {kept} and len(kept) == 64
    assert stat.S_IMODE((folder / "secret_key").stat().st_mode) == 0o600
    assert [p.name for p in folder.iterdir()] == ["secret_key"]  # no drafts left behind
    # a restart reads the same key: sign-ins and mailed links survive it
    assert instance_secret(Settings(instance_dir=folder)) == kept
