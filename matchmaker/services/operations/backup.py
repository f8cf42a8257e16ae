"""Back up one event to a ZIP archive and restore it: its rows (``db/dump.py``) and index set.

The archive (``backup_files.py``) holds the event's rows of every planned table, database-neutral,
and its index set when one was built for the data backed up. A backup reads one snapshot; a
restore checks the whole archive before it touches the database, writes the event in one
transaction, then puts the index set in place so shortlists are served without a rebuild.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaker.db import dump
from matchmaker.db.event_tables import TABLES
from matchmaker.db.models import Event, Institution, Project, User
from matchmaker.db.revisions import head_revision, known_revisions, schema_revision
from matchmaker.errors import Conflict, InvalidInput
from matchmaker.services.library.links import link_event
from matchmaker.services.matching.index_store import IndexStore
from matchmaker.services.matching.matcher import Matcher
from matchmaker.services.matching.state import stamp_fields, stamp_from
from matchmaker.services.operations.backup_files import (
    FORMAT,
    FORMAT_VERSION,
    INDEX,
    MANIFEST,
    Archive,
    Member,
)


@dataclass
class Restored:
    """What a restore did, for the one-line answer and ``--json``."""

    event: str
    event_id: int
    kept_ids: bool
    replaced_id: int | None
    version: int
    rows: dict[str, int]
    accounts_missing: list[str]
    index: str = "rebuild"  # or "restored": the set is in place, served without a rebuild
    library: dict[str, Any] = field(default_factory=dict)  # links made again, proposals

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "ids": "kept" if self.kept_ids else "remapped",
            "replaced": self.replaced_id is not None,
            "rows": self.rows,
            "index": self.index,
            "accounts_missing": self.accounts_missing,
            "library": self.library,
        }


# ---- create --------------------------------------------------------------------------------


def write_backup(db: Session, event: Event, path: Path, matcher: Matcher | None) -> dict[str, Any]:
    """Write the event's archive to ``path`` and return its manifest.

    ``db`` should be a snapshot (``db.engine.snapshot``), so every table and the index set are
    of one moment. The file appears whole or not at all (written aside, then renamed).
    """
    conn = db.connection()
    members: dict[str, dict[str, Any]] = {}
    counts: dict[str, dict[str, Any]] = {}
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for table, rows in dump.dump_event(conn, event.id):
                with Member(archive, f"data/{table.name}.jsonl") as writer:
                    for row in rows:
                        writer.line(json.dumps(row, ensure_ascii=False, sort_keys=True))
                members[writer.name] = writer.summary()
                counts[table.name] = {"rows": writer.lines, "columns": list(table.c.keys())}
            index = _index_set(db, event.id, matcher)
            if index is not None:
                for suffix, content in index[1].items():
                    with Member(archive, INDEX + suffix) as writer:
                        writer.write(content)
                    members[writer.name] = writer.summary()
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "app_version": _app_version(),
                "alembic_revision": schema_revision(conn),
                "created_at": datetime.now(UTC).isoformat(),
                "database": conn.dialect.name,
                "event": {"id": event.id, "code": event.code, "name": event.name},
                "tables": counts,
                "accounts": {str(k): v for k, v in dump.shared_accounts(conn, event.id).items()},
                "index": index[0] if index is not None else None,
                "members": members,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _index_set(
    db: Session, event_id: int, matcher: Matcher | None
) -> tuple[dict[str, Any], dict[str, bytes]] | None:
    """Return the index set built for the data being backed up (with its stamp), or None."""
    if matcher is None or matcher.index_dir is None:
        return None
    stamp = matcher.stamp(db, event_id)
    files = IndexStore(matcher.index_dir).files(event_id, stamp)
    if files is None:
        return None
    p_ids = db.scalars(select(Project.id).where(Project.event_id == event_id).order_by(Project.id))
    q_ids = db.scalars(
        select(Institution.id).where(Institution.event_id == event_id).order_by(Institution.id)
    )
    try:
        with np.load(io.BytesIO(files[".npz"]), allow_pickle=False) as data:
            same = list(data["p_ids"]) == list(p_ids) and list(data["q_ids"]) == list(q_ids)
    except (OSError, ValueError, KeyError):
        return None  # rewritten while read: the restore rebuilds instead
    if not same:
        return None
    return {**stamp_fields(stamp), "key": IndexStore.key(stamp)}, files


def _app_version() -> str:
    try:
        return metadata.version("matchmaker")
    except metadata.PackageNotFoundError:
        return "unknown"


# ---- restore -------------------------------------------------------------------------------


def restore_event(
    db: Session,
    archive: Archive,
    replace: bool = False,
    written: Callable[[str], None] | None = None,
) -> Restored:
    """Write the archive's event into this database, inside the caller's one transaction.

    Refuses (raising, so the caller rolls back) another schema revision, an event that exists
    unless ``replace`` (then its rows are deleted first), and accounts that belong to others.
    Original ids are kept when every one is free, else all are remapped consistently.
    """
    conn = db.connection()
    check_schema(conn, archive.manifest)
    events = TABLES["events"]
    code = archive.event_code
    existing = conn.execute(
        select(events.c.id, events.c.registrations_version).where(events.c.code == code)
    ).first()
    if existing is not None and not replace:
        raise Conflict("backup.event_exists", code=code)
    if existing is not None:
        dump.delete_event(conn, existing.id)
    _accounts_free(conn, archive)
    keep = dump.ids_free(conn, archive.rows)
    try:
        loaded = dump.load_event(
            conn,
            archive.rows,
            {int(k): v for k, v in archive.manifest["accounts"].items()},
            keep,
            written,
        )
        (event_row,) = archive.rows["events"]
        event_id = loaded.ids["events"][event_row["id"]]
        version = int(event_row["registrations_version"])
        if existing is not None and existing.id == event_id:
            # Processes may hold the replaced event's state under this id: a version it never
            # had keeps them from mistaking the restored event for it.
            version = max(version, existing.registrations_version + 1)
            conn.execute(
                update(events).where(events.c.id == event_id).values(registrations_version=version)
            )
    except IntegrityError as exc:
        reason = str(exc.orig if exc.orig is not None else exc).splitlines()[0]
        raise Conflict("backup.constraint", reason=reason) from None
    # Library links are not in the archive (an identity spans contests): the restored rows are
    # linked again as an import links them, by exact id, and the rest proposed to an organiser.
    linked = link_event(db, db.get_one(Event, event_id))
    return Restored(
        event=code,
        event_id=event_id,
        kept_ids=keep,
        replaced_id=existing.id if existing is not None else None,
        version=version,
        rows={name: len(rows) for name, rows in archive.rows.items()},
        accounts_missing=loaded.accounts_missing,
        library=linked.to_dict(),
    )


def check_schema(conn: Connection, manifest: dict[str, Any]) -> None:
    """Refuse an archive of another schema revision, or a database not at this code's newest."""
    head, database, made = head_revision(), schema_revision(conn), manifest["alembic_revision"]
    if database != head:
        raise InvalidInput("backup.database_behind", database=database or "-", head=head)
    if made != head:
        older = made in known_revisions()
        code = "backup.revision_older" if older else "backup.revision_newer"
        raise InvalidInput(code, archive=made, database=head)


def _accounts_free(conn: Connection, archive: Archive) -> None:
    names = sorted(u["username"] for u in archive.rows.get("users", []))
    taken = [
        n
        for chunk in dump.chunks(names)
        for n in conn.scalars(select(User.username).where(User.username.in_(chunk)))
    ]
    if taken:
        raise Conflict("backup.accounts_taken", names=", ".join(sorted(taken)))


def install_index(index_dir: Path | None, archive: Archive, restored: Restored) -> str:
    """After the restore committed: put the archive's index set in place when the ids were kept
    (re-keyed to the restored stamp), so shortlists are served without a rebuild; else clear
    the event's stale sets so the next use rebuilds. Returns "restored" or "rebuild"."""
    if index_dir is None:
        return "rebuild"
    store = IndexStore(index_dir)
    try:
        if restored.replaced_id is not None and restored.replaced_id != restored.event_id:
            store.clear(restored.replaced_id)
        info = archive.manifest["index"]
        old = stamp_from(info) if info is not None and archive.index else None
        new = stamp_from(info, restored.version) if old is not None else None
        if not (restored.kept_ids and old and new and IndexStore.key(old) == info["key"]):
            store.clear(restored.event_id)  # a set of the ids it was built for only
            return "rebuild"
        store.install(restored.event_id, new, archive.index)
    except OSError:
        return "rebuild"  # the database is restored; the set is only a head start
    return "restored"
