"""Import and export of project and institution registrations: all-or-nothing, idempotent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matchmaker.config import pause_point
from matchmaker.db.models import Event, Institution, PortfolioEntry, Project, User
from matchmaker.domain import Labelled, Need, Progress, Stage, yuan_to_wan
from matchmaker.errors import ImportRejected, Problem
from matchmaker.identifiers import mask_id
from matchmaker.services.library.links import link_rows
from matchmaker.services.registry.clashes import Findings
from matchmaker.services.registry.eligibility import check
from matchmaker.services.registry.events import session_lookup
from matchmaker.services.registry.names import rename_problems
from matchmaker.services.registry.rows import search_text_of, write_records
from matchmaker.services.registry.vocabulary import event_vocabulary
from matchmaker.tabular.read import read_sheet
from matchmaker.tabular.records import INSTITUTIONS, PROJECTS, Column, TableSpec, parse_table
from matchmaker.tabular.write import write_table
from matchmaker.vocabulary import EventVocabulary

KINDS = ("projects", "institutions")


@dataclass
class ImportReport:
    """What an import did."""

    kind: str
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    encoding: str = ""
    warnings: list[Problem] = field(default_factory=list)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """Return a JSON-ready summary."""
        return {
            "kind": self.kind,
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "encoding": self.encoding,
            "warnings": [w.to_dict(lang) for w in self.warnings],
        }


def spec_for(kind: str) -> TableSpec:
    """Return the column spec for ``projects`` or ``institutions``."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    return PROJECTS if kind == "projects" else INSTITUTIONS


def import_registrations(
    db: Session,
    event: Event,
    kind: str,
    data: bytes,
    filename: str,
    progress: Progress | None = None,
    actor: User | None = None,
) -> ImportReport:
    """Validate the whole file, then insert or update every row keyed by its registration id.

    Raises :class:`ImportRejected` listing every problem before anything is written; the caller's
    transaction then holds no change from this file. Names must be unique in the event (within
    the file and against the parties already there); renames go on the audit trail as ``actor``.
    """
    spec = spec_for(kind)
    sheet = read_sheet(data, filename, spec.header_names())
    parsed = parse_table(sheet, spec, session_lookup(event), event_vocabulary(event))
    model = Project if kind == "projects" else Institution
    # every problem at once: a name another party holds is listed beside the file's own errors
    taken = rename_problems(db, model, event.id, parsed.records, parsed.headers.get("name", "name"))
    # the notices' rules (one project per enterprise …): refusals join the row errors
    findings = check(db, event, parsed.records, parsed.headers) if model is Project else Findings()
    problems = sorted([*parsed.problems, *taken, *findings.refused], key=lambda p: p.row or 0)
    if problems:
        raise ImportRejected(None, problems, count=len(problems))
    report = ImportReport(
        kind=kind,
        total=len(parsed.records),
        encoding=sheet.encoding,
        warnings=[*parsed.warnings, *findings.warned],
    )
    counts = write_records(db, event, model, parsed.records, progress, actor)
    report.created, report.updated, report.unchanged = (
        counts.created,
        counts.updated,
        counts.unchanged,
    )
    # new rows get their lasting identity: joined at once on an exact id, else proposed
    link_rows(db, event, model, actor)
    pause_point("import.rows")  # fault tests: a process killed here imports nothing
    return report


def search_text(row: Project | Institution) -> str:
    """Return the folded text that list filters search (name, labels, region, description)."""
    companies = [p.company for p in row.portfolio] if isinstance(row, Institution) else []
    fields = ("code", "name", "sectors", "region", "description", "focus_sectors", "regions")
    values = {name: getattr(row, name, None) for name in (*fields, "thesis")}
    return search_text_of(type(row), values, companies)


def export_registrations(
    db: Session, event: Event, kind: str, fmt: str, lang: str = "zh", reveal_ids: bool = False
) -> bytes:
    """Return the event's projects or institutions as a CSV/XLSX that imports back unchanged.

    Lead persons' id numbers are masked unless ``reveal_ids`` (organisers' own exports): a
    masked file does not import back, its ids fail their check characters.
    """
    spec = spec_for(kind)
    columns = [c for c in spec.columns if c.key != "ticket"]
    model = Project if kind == "projects" else Institution
    query = select(model).where(model.event_id == event.id).order_by(model.code)
    query = query.options(selectinload(model.sessions))
    if model is Institution:
        query = query.options(selectinload(Institution.portfolio))
    headers = [c.header_en if lang == "en" else c.header_zh for c in columns]
    vocab = event_vocabulary(event)
    rows = [[_cell(row, c, lang, reveal_ids, vocab) for c in columns] for row in db.scalars(query)]
    return write_table(headers, rows, fmt)


_VOCAB: dict[str, type[Labelled]] = {
    "stage": Stage,
    "needs": Need,
    "stages": Stage,
}


def _cell(row: Any, column: Column, lang: str, reveal_ids: bool, own: EventVocabulary) -> Any:
    key = column.key
    if key == "leader_id" and not reveal_ids:
        return mask_id(row.leader_id)
    sep = ", " if lang == "en" else "、"
    if key == "track":  # the event's own label, which imports back to the same key
        return own.tracks.label(row.track, lang)
    if key == "group":
        return own.groups.label(row.group, lang) or None
    if key == "type":
        return own.institution_types.label(row.type, lang)
    if key == "sessions":
        return sep.join(s.code for s in row.sessions)
    if key == "portfolio":
        return "|".join(_portfolio_cell(p, lang) for p in row.portfolio)
    value = getattr(row, key)
    if column.money:
        return None if value is None else yuan_to_wan(value)
    if key in _VOCAB:
        vocab = _VOCAB[key]
        if isinstance(value, list):
            return sep.join(_label(vocab, v, lang) for v in value)
        return _label(vocab, value, lang) if value is not None else None
    if isinstance(value, list):
        return sep.join(value)
    return value


def _label(vocab: type[Labelled], value: str, lang: str) -> str:
    """Return a member's label; a value outside the vocabulary (a need kept as written) as is."""
    try:
        return vocab(value).label(lang)
    except ValueError:
        return value


def _portfolio_cell(entry: PortfolioEntry, lang: str) -> str:
    inner = [*(entry.sectors or []), *([entry.stage.label(lang)] if entry.stage else [])]
    return f"{entry.company}（{'，'.join(inner)}）" if inner else entry.company
