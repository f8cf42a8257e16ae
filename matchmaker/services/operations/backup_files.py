"""The backup archive: a ZIP of ``manifest.json``, ``data/<table>.jsonl`` and ``index/set.*``.

The manifest carries the format, app version, Alembic revision, the event, row counts per table
and the SHA-256 and size of every other member. Members are written as streams with their
checksums (:class:`Member`) and an archive is read back checked whole (:func:`read_archive`)
before anything touches a database.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matchmaker.db.dump import decode_row
from matchmaker.db.event_tables import PLAN, Row, tables
from matchmaker.errors import InvalidInput, Problem
from matchmaker.services.matching.index_store import OPTIONAL, SUFFIXES
from matchmaker.services.matching.state import stamp_from

FORMAT = "matchmaker-event-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
INDEX = "index/set"  # + each of SUFFIXES


@dataclass
class Archive:
    """A checked archive: its manifest, the rows as Python values, the index set's files."""

    manifest: dict[str, Any]
    rows: dict[str, list[Row]]
    index: dict[str, bytes] = field(default_factory=dict)

    @property
    def event_code(self) -> str:
        return str(self.manifest["event"]["code"])


class Member:
    """One archive member written as a stream, with its SHA-256, size and line count."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self.name, self.archive = name, archive
        self.sha, self.size, self.lines = hashlib.sha256(), 0, 0

    def __enter__(self) -> Member:
        self.out = self.archive.open(self.name, "w")
        return self

    def __exit__(self, *exc: object) -> None:
        self.out.close()

    def write(self, raw: bytes) -> None:
        self.sha.update(raw)
        self.size += len(raw)
        self.out.write(raw)

    def line(self, text: str) -> None:
        self.write((text + "\n").encode("utf-8"))
        self.lines += 1

    def summary(self) -> dict[str, Any]:
        return {"sha256": self.sha.hexdigest(), "bytes": self.size}


def read_archive(path: Path) -> Archive:
    """Open and check an archive whole: manifest, every member's size and SHA-256, every row.

    Raises InvalidInput naming what is wrong; nothing has touched a database yet.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidInput("backup.not_archive", name=path.name, reason=str(exc)) from None
    with archive:
        manifest = _manifest(archive)
        contents, problems = _members(archive, manifest["members"])
        rows: dict[str, list[Row]] = {}
        for table in tables():
            name = f"data/{table.name}.jsonl"
            declared = manifest["tables"].get(table.name)
            if declared is None or name not in manifest["members"]:
                problems.append(Problem("backup.table_missing", column=name))
            elif name in contents:
                rows[table.name] = _rows(table, name, contents[name], declared, problems)
        extra = set(manifest["tables"]) - set(PLAN)
        problems += [Problem("backup.table_unknown", column=t) for t in sorted(extra)]
    if problems:
        raise InvalidInput("backup.damaged", problems, name=path.name, count=len(problems))
    index = {s: contents[INDEX + s] for s in (*SUFFIXES, OPTIONAL) if INDEX + s in contents}
    return Archive(manifest, rows, index if all(s in index for s in SUFFIXES) else {})


def _manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(MANIFEST))
        fmt, version = manifest["format"], manifest["format_version"]
        _check_shape(manifest)
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InvalidInput("backup.bad_manifest", reason=f"{type(exc).__name__}: {exc}") from None
    if fmt != FORMAT or version != FORMAT_VERSION:
        raise InvalidInput("backup.format", found=f"{fmt} {version}", expected=FORMAT_VERSION)
    return manifest  # type: ignore[no-any-return]


def _check_shape(manifest: Any) -> None:
    """Raise TypeError/KeyError/ValueError unless the manifest has what a restore reads."""
    _expect(manifest, dict, "manifest")
    for key in ("members", "tables", "accounts", "event"):
        _expect(manifest[key], dict, key)
    _expect(manifest["event"]["code"], str, "event.code")
    _expect(manifest["event"]["id"], int, "event.id")
    _expect(manifest["alembic_revision"], str, "alembic_revision")
    for name, meta in manifest["members"].items():
        _expect(meta["sha256"], str, name)
        _expect(meta["bytes"], int, name)
    for name, meta in manifest["tables"].items():
        _expect(meta["rows"], int, name)
        _expect(meta["columns"], list, name)
    for key, name in manifest["accounts"].items():
        int(key)
        _expect(name, str, f"accounts.{key}")
    if manifest["index"] is not None:
        _expect(manifest["index"]["key"], str, "index.key")
        stamp_from(manifest["index"])


def _expect(value: Any, kind: type, what: str) -> None:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{what}: expected {kind.__name__}, found {type(value).__name__}")


def _members(
    archive: zipfile.ZipFile, declared: dict[str, dict[str, Any]]
) -> tuple[dict[str, bytes], list[Problem]]:
    """Return the declared members' contents (each checked) and what is wrong with the others."""
    present = set(archive.namelist()) - {MANIFEST}
    problems = [
        Problem("backup.member_unexpected", column=n) for n in sorted(present - set(declared))
    ]
    contents: dict[str, bytes] = {}
    for name, meta in sorted(declared.items()):
        if name not in present:
            problems.append(Problem("backup.member_missing", column=name))
            continue
        size = archive.getinfo(name).file_size
        if size != meta["bytes"]:
            problems.append(
                Problem(
                    "backup.member_size",
                    column=name,
                    params={"size": size, "expected": meta["bytes"]},
                )
            )
            continue
        try:
            content = archive.read(name)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            problems.append(
                Problem("backup.member_corrupt", column=name, params={"reason": str(exc)})
            )
            continue
        if hashlib.sha256(content).hexdigest() != meta["sha256"]:
            problems.append(Problem("backup.checksum", column=name))
            continue
        contents[name] = content
    return contents, problems


def _rows(
    table: Any, name: str, content: bytes, declared: dict[str, Any], problems: list[Problem]
) -> list[Row]:
    if sorted(declared["columns"]) != sorted(table.c.keys()):
        problems.append(Problem("backup.columns", column=name))
        return []
    rows = []
    lines = content.decode("utf-8", "replace").split("\n")  # not splitlines(): text may hold U+2028
    for number, line in enumerate(lines[:-1] if lines[-1] == "" else lines, start=1):
        try:
            rows.append(decode_row(table, json.loads(line)))
        except (ValueError, TypeError, AttributeError) as exc:
            problems.append(
                Problem("backup.bad_row", row=number, column=name, params={"reason": str(exc)})
            )
            return []
    if len(rows) != declared["rows"]:
        problems.append(
            Problem(
                "backup.row_count",
                column=name,
                params={"rows": len(rows), "expected": declared["rows"]},
            )
        )
    return rows
