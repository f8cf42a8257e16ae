"""Commands to back up an event (database rows + index set) and restore it."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx

# Test-only (tests/test_backup.py): with this set to N seconds, a restore says "paused" on
# stderr once its first table is written and sleeps N seconds inside its transaction, so the
# test can kill it there and check that nothing was written.
PAUSE_ENV = "MATCHMAKER_TEST_PAUSE_RESTORE"


@main.group()
def backup() -> None:
    """Back up one event to a ZIP archive and restore it (same or another database)."""


@backup.command("create")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Archive to write (.zip).",
)
@pass_ctx
@handles_errors
def backup_create(ctx: Context, event_code: str | None, output: Path) -> None:
    """Write the event's rows of every table and its index set, read at one moment."""
    from matchmaker.services.operations.backup import write_backup
    from matchmaker.services.registry.events import get_event

    started = time.perf_counter()
    with ctx.snapshot() as db:
        manifest = write_backup(db, get_event(db, event_code), output, ctx.matcher())
    seconds = round(time.perf_counter() - started, 3)
    rows = sum(t["rows"] for t in manifest["tables"].values())
    size = output.stat().st_size
    index = "with its index set" if manifest["index"] else "without an index set (rebuilt on use)"
    ctx.emit(
        {
            "ok": True,
            "output": str(output),
            "bytes": size,
            "rows": rows,
            "seconds": seconds,
            "event": manifest["event"]["code"],
            "index": manifest["index"] is not None,
        },
        f"wrote {output}: event {manifest['event']['code']}, {rows} rows in "
        f"{len(manifest['tables'])} tables, {index}; {size:,} bytes in {seconds} s",
    )


@backup.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--replace", is_flag=True, help="Delete the event first when it exists (else refused)."
)
@pass_ctx
@handles_errors
def backup_restore(ctx: Context, archive: Path, replace: bool) -> None:
    """Check the archive whole, then restore its event in one transaction."""
    from matchmaker.services.operations.backup import install_index, restore_event
    from matchmaker.services.operations.backup_files import read_archive

    started = time.perf_counter()
    checked = read_archive(archive)
    with ctx.transaction(immediate=True) as db:
        restored = restore_event(db, checked, replace, _pause_for_tests())
    matcher = ctx.matcher()
    restored.index = install_index(matcher.index_dir, checked, restored)
    seconds = round(time.perf_counter() - started, 3)
    ids = (
        "original ids kept"
        if restored.kept_ids
        else "ids remapped (the originals are taken in this database)"
    )
    index = (
        "index restored (served without a rebuild)"
        if restored.index == "restored"
        else "index rebuilt on first use"
    )
    text = (
        f"restored event {restored.event} from {archive.name}"
        f"{' (replacing the existing one)' if restored.replaced_id is not None else ''}: "
        f"{sum(restored.rows.values())} rows; {ids}; {index}; {seconds} s"
    )
    if restored.accounts_missing:
        text += "\n  ! accounts not in this database (their audit entries keep the name only): "
        text += ", ".join(restored.accounts_missing)
    ctx.emit({"ok": True, **restored.to_dict(), "seconds": seconds}, text)


def _pause_for_tests() -> Callable[[str], None] | None:
    seconds = float(os.environ.get(PAUSE_ENV, "0") or 0)
    if seconds <= 0:
        return None
    paused: list[str] = []

    def pause(table: str) -> None:
        if not paused:
            paused.append(table)
            print(f"paused after {table}", file=sys.stderr, flush=True)
            time.sleep(seconds)

    return pause
