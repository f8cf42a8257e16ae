"""What the matcher sees of registrations: plain profiles, and their cached text vectors."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import CursorResult, delete, insert, select, update
from sqlalchemy.orm import Session

from matchmaker.db.event_tables import TABLES, VECTOR_KINDS
from matchmaker.db.models import Institution, PortfolioEntry, Project, TextVector
from matchmaker.domain import Progress
from matchmaker.embeddings.composite import InstitutionProfile, ProjectProfile
from matchmaker.embeddings.portfolio import PortfolioItem, institution_text, project_text
from matchmaker.vocabulary import EventVocabulary

BATCH = 256
LOOKUP_CHUNK = 5000  # ids per cache look-up (SQLite allows 32,766 bound values)


def project_profile(p: Project) -> ProjectProfile:
    """Return what the matcher sees of a project (text: name, sectors, description)."""
    return ProjectProfile(
        id=p.id,
        sectors=tuple(p.sectors or ()),
        stage=p.stage.value if p.stage else None,
        ask=p.funding_ask,
        region=p.region or "",
        needs=tuple(p.needs or ()),
        text=project_text(p.name, p.sectors or (), p.description),
        name=p.name,
    )


def institution_profile(
    i: Institution, vocabulary: EventVocabulary | None = None
) -> InstitutionProfile:
    """Return what the matcher sees of an institution; with no thesis its portfolio speaks.

    Its type is matched as the one of the six its event's ``vocabulary`` says it is or behaves
    like (none: a type the event added without saying; no vocabulary: the type as it is).
    """
    held = tuple(portfolio_item(e) for e in i.portfolio)
    kind = str(i.type)  # a key of the event's types (an enum member before it is stored)
    return InstitutionProfile(
        id=i.id,
        type=kind,
        like=(vocabulary.offers_like(kind) or "") if vocabulary is not None else None,
        sectors=tuple(i.focus_sectors or ()),
        portfolio_sectors=tuple(s for e in i.portfolio for s in (e.sectors or [])),
        stages=tuple(i.stages or ()),
        ticket_min=i.ticket_min,
        ticket_max=i.ticket_max,
        regions=tuple(i.regions or ()),
        text=institution_text(i.thesis, i.focus_sectors or (), held),
        portfolio=held,
        thesis=i.thesis or "",
    )


def portfolio_item(entry: PortfolioEntry) -> PortfolioItem:
    """Return what the matcher sees of one past investment."""
    return PortfolioItem(entry.id, entry.company, tuple(entry.sectors or ()), entry.description)


def text_hash(text: str) -> str:
    """Return the key under which a text's vector is cached."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cached_text_vectors(
    db: Session,
    encoder: Any,
    kind: str,
    profiles: Sequence[Any],
    progress: Progress | None = None,
) -> np.ndarray:
    """Return (n, dim) vectors: cached ones whose text is unchanged, the rest encoded and stored.

    The cache is keyed by encoder name, so a switch of encoder never mixes vector spaces. Only
    the rows of ``profiles`` are read, and new vectors are written in bulk: the path's cost over
    the bare encoder is what ``benchmarks/shortlist_latency.py --encode-only`` measures.
    """
    out = np.zeros((len(profiles), encoder.dim), dtype=np.float32)
    # Looked up a chunk at a time, so that at most LOOKUP_CHUNK cached rows (1.5 KB each) are
    # held at once: a million of them were gigabytes; only the rows to (re-)encode are kept.
    cached: dict[int, Any] = {}
    hashes: dict[int, str] = {}
    todo: list[int] = []
    columns = (TextVector.id, TextVector.entity_id, TextVector.text_hash, TextVector.dim)
    for start in range(0, len(profiles), LOOKUP_CHUNK):
        chunk = [profiles[i] for i in range(start, min(len(profiles), start + LOOKUP_CHUNK))]
        query = select(*columns, TextVector.vector).where(
            TextVector.kind == kind,
            TextVector.encoder == encoder.name,
            TextVector.entity_id.in_([p.id for p in chunk]),
        )
        found = {row.entity_id: row for row in db.execute(query)}
        for i, profile in enumerate(chunk, start):
            row = found.get(profile.id)
            key = text_hash(profile.text)
            if row is not None and row.text_hash == key and row.dim == encoder.dim:
                out[i] = np.frombuffer(row.vector, dtype=np.float32)
                continue
            todo.append(i)
            hashes[i] = key
            if row is not None:
                cached[profile.id] = row
    for start in range(0, len(todo), BATCH):
        chunk = todo[start : start + BATCH]
        texts = [profiles[i] for i in chunk]
        vectors = encoder.encode([p.text for p in texts])
        added, changed = [], []
        for i, profile, vector in zip(chunk, texts, vectors, strict=True):
            out[i] = vector
            values = {
                "text_hash": hashes[i],
                "dim": encoder.dim,
                "vector": np.asarray(vector, np.float32).tobytes(),
            }
            row = cached.get(profile.id)
            if row is None:
                added.append(
                    {"kind": kind, "entity_id": profile.id, "encoder": encoder.name, **values}
                )
            else:
                changed.append({"id": row.id, **values})
        if added:
            db.execute(insert(TextVector), added)
        if changed:
            db.execute(update(TextVector), changed)
        if progress:
            progress(min(start + BATCH, len(todo)), len(todo))
    return out


def prune_text_vectors(db: Session) -> int:
    """Delete cached vectors whose project, institution or portfolio entry no longer exists
    (a replaced portfolio leaves its old entries' rows behind); return how many went."""
    gone = 0
    for kind, table in VECTOR_KINDS.items():
        owners = TABLES[table].c.id
        statement = delete(TextVector).where(
            TextVector.kind == kind, TextVector.entity_id.not_in(select(owners))
        )
        result: CursorResult[Any] = db.execute(statement)  # type: ignore[assignment]
        gone += result.rowcount or 0
    return gone
