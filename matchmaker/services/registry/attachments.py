"""Project attachments (a BP PDF): checked, kept beside the database, listed, fetched, deleted.

A file is kept under a name made here (``<random>.pdf``), never under the name it was uploaded
with, so no uploaded name (``../../x``, ``C:\\x``) can leave the folder; the uploaded name is
cleaned and kept for display and download only. A file is checked whole (its size, its
``%PDF-`` header) before anything is written, so a refused upload stores nothing; its row is
flushed before the file is written, so a file is never left without a row (a commit that fails
after that leaves the file behind, unlisted and unreachable).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from matchmaker.db.models import Attachment, Event, Project, User
from matchmaker.errors import InvalidInput, NotFound, PermissionDenied, Problem, TooLarge
from matchmaker.messages import Ref, size_text
from matchmaker.services.audit import record
from matchmaker.services.registry.access import ensure_manages_attachments, may_read_attachments
from matchmaker.services.registry.parties import project_for
from matchmaker.services.registry.profiles import ATTACH, DETACH

PDF_MAGIC = b"%PDF-"
NAME_LIMIT = 150
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def attachments_dir_for(database_url: str, instance_dir: Path, configured: str = "") -> Path:
    """Return where a database's attachments live: the configured folder, else beside a SQLite
    file (``<folder>/attachments/<file stem>``), else in the instance folder, one per database."""
    if configured.strip():
        return Path(configured).resolve()
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database).resolve()
        return path.parent / "attachments" / path.stem
    name = "-".join(str(p) for p in (url.get_backend_name(), url.host, url.port, url.database) if p)
    return instance_dir.resolve() / "attachments" / re.sub(r"[^\w.-]", "_", name)


@dataclass(frozen=True)
class AttachmentStore:
    """One folder of attachment files and the largest file it takes."""

    directory: Path
    max_bytes: int

    def path(self, stored_name: str) -> Path:
        """Return the file of ``stored_name``; NotFound for a name that would leave the folder."""
        folder = self.directory.resolve()
        path = (folder / stored_name).resolve()
        if path.parent != folder:
            raise NotFound(what=Ref("what.attachment"), key=stored_name)
        return path


def clean_filename(raw: str) -> str:
    """Return an uploaded file's name fit to show and to offer as a download's name: its last
    path part, without control or reserved characters or leading dots, at most 150 characters,
    ending in ``.pdf``."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = stem[: NAME_LIMIT - 4].strip() or "attachment"
    return f"{stem}.pdf"


def list_attachments(db: Session, viewer: User, project: Project) -> list[Attachment]:
    """Return ``project``'s files, oldest first, if ``viewer`` may see them (else none)."""
    if not may_read_attachments(viewer, project):
        return []
    query = select(Attachment).where(Attachment.project_id == project.id)
    return list(db.scalars(query.order_by(Attachment.id)))


def attachments_of(db: Session, viewer: User, code: str, event: str | None) -> list[Attachment]:
    """Return the files of the project ``code`` (found as :func:`parties.project_for` finds
    it); PermissionDenied for a viewer who may not see them."""
    project = project_for(db, viewer, code, event)
    if not may_read_attachments(viewer, project):
        raise PermissionDenied()
    return list_attachments(db, viewer, project)


def add_attachment(
    db: Session,
    store: AttachmentStore,
    viewer: User,
    code: str,
    event: str | None,
    filename: str,
    data: bytes,
) -> Attachment:
    """Keep ``data`` as a file of the project ``code`` (its own team or an organiser), audited;
    the project is found as :func:`parties.project_for` finds it.

    Refused, with nothing stored: a file over the limit (TooLarge), an empty one or one that is
    not a PDF by its first bytes (InvalidInput naming the file).
    """
    project = project_for(db, viewer, code, event)
    ensure_manages_attachments(viewer, project)
    shown = clean_filename(filename or "")
    if len(data) > store.max_bytes:
        raise TooLarge(limit=size_text(store.max_bytes))
    if not data.startswith(PDF_MAGIC):
        problem = Problem("attachment.not_pdf", column="file", value=filename)
        raise InvalidInput("attachment.not_pdf", [problem], name=filename)
    attachment = Attachment(
        project_id=project.id,
        filename=shown,
        stored_name=f"{secrets.token_hex(16)}.pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=viewer.id,
    )
    db.add(attachment)
    record(db, project, ATTACH, viewer, None, {"attachment": shown})
    db.flush()  # the row is written first: a file is never left without one
    target = store.path(attachment.stored_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    os.replace(partial, target)  # whole or absent: a reader never sees half a file
    return attachment


def get_attachment(
    db: Session, viewer: User, attachment_id: int, code: str | None = None
) -> Attachment:
    """Return the attachment ``attachment_id`` (of the project ``code``, when given) if
    ``viewer`` may fetch it; else NotFound, as if it did not exist: its name is the project's
    business."""
    attachment = db.get(Attachment, attachment_id)
    if (
        attachment is None
        or (code is not None and attachment.project.code != code)
        or not may_read_attachments(viewer, attachment.project)
    ):
        raise NotFound(what=Ref("what.attachment"), key=attachment_id)
    return attachment


def attachment_file(
    db: Session, store: AttachmentStore, viewer: User, attachment_id: int, code: str | None = None
) -> tuple[Attachment, Path]:
    """Return the attachment ``attachment_id`` and its file, for ``viewer`` to download
    (NotFound when it is not theirs to fetch, or its file is gone from the folder)."""
    attachment = get_attachment(db, viewer, attachment_id, code)
    path = store.path(attachment.stored_name)
    if not path.is_file():
        raise NotFound(what=Ref("what.attachment"), key=attachment.filename)
    return attachment, path


@dataclass(frozen=True)
class Deleted:
    """A deleted file: its name, and its project's registration id and event code."""

    filename: str
    project: str
    event: str


def delete_attachment(
    db: Session, store: AttachmentStore, viewer: User, attachment_id: int, code: str | None = None
) -> Deleted:
    """Delete a file (its project's own team or an organiser), audited."""
    attachment = get_attachment(db, viewer, attachment_id, code)
    project = attachment.project
    ensure_manages_attachments(viewer, project)
    record(db, project, DETACH, viewer, {"attachment": attachment.filename}, None)
    db.delete(attachment)
    db.flush()
    store.path(attachment.stored_name).unlink(missing_ok=True)
    event = db.get_one(Event, project.event_id)
    return Deleted(attachment.filename, project.code, event.code)
