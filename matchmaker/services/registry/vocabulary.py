"""An event's own vocabulary changed: tracks (赛道), groups (组别) and institution types
(机构类型) set from a preset, added, removed.

Every change goes on the audit trail. A term in use cannot be removed: the refusal names the
projects (or institutions) that use it. The lists work alike (a :class:`terms.Kind` says where
each lives); ``add_track``, ``add_group`` … are the names the callers use. An institution type
an organiser adds may say which of the six it behaves like in matching (``担保公司=bank``).
What reads the lists lives in ``terms.py`` and is importable from here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.db.models import Event, User
from matchmaker.domain import InstitutionType, check_name
from matchmaker.errors import Conflict, InvalidInput, NotFound, Problem
from matchmaker.messages import Ref
from matchmaker.services import audit
from matchmaker.services.registry.terms import (
    GROUP,
    INSTITUTION_TYPE,
    KINDS,
    TRACK,
    Kind,
    check_group,
    check_institution_type,
    check_track,
    event_vocabulary,
    group_label,
    groups_of,
    institution_type_label,
    institution_types_of,
    normalise_needs,
    parse_type_spec,
    track_label,
    vocabulary_of,
)
from matchmaker.vocabulary import (
    DEFAULT_PRESET,
    LABEL_LIMIT,
    PRESETS,
    Term,
    Vocabulary,
    custom_term,
)

__all__ = [
    "GROUP",
    "INSTITUTION_TYPE",
    "KINDS",
    "PRESETS",
    "TRACK",
    "Kind",
    "add_group",
    "add_term",
    "add_track",
    "check_group",
    "check_institution_type",
    "check_track",
    "event_vocabulary",
    "group_counts",
    "group_label",
    "groups_of",
    "institution_type_label",
    "institution_types_of",
    "normalise_needs",
    "parse_type_spec",
    "remove_group",
    "remove_term",
    "remove_track",
    "set_vocabulary",
    "term_counts",
    "track_counts",
    "track_label",
    "vocabulary_of",
]

NAMED = 10  # projects (institutions) a refusal names; the rest are counted


def set_vocabulary(
    db: Session,
    event: Event,
    preset: str | None = DEFAULT_PRESET,
    tracks: list[str] | None = None,
    actor: User | None = None,
    groups: list[str] | None = None,
    institution_types: list[str] | None = None,
) -> None:
    """Give ``event`` the vocabulary of ``preset``, then ``tracks``, ``groups`` and
    ``institution_types`` (labels; a type as ``担保公司=bank`` says what it behaves like) after
    its lists.

    ``preset`` None or ``"none"`` starts from no tracks and no groups (and the six institution
    types, as every preset). InvalidInput names an unknown preset, a malformed or repeated
    label, an unknown ``like``, or no tracks at all; a term in use that would go is refused as
    :func:`remove_term` refuses it.
    """
    name = preset or "none"
    if name not in PRESETS:
        choices = ", ".join(PRESETS)
        problem = Problem(
            "vocab.bad_preset", column="preset", value=preset, params={"choices": choices}
        )
        raise InvalidInput("vocab.bad_preset", [problem], choices=choices)
    new = PRESETS[name]
    for kind, labels in ((TRACK, tracks), (GROUP, groups), (INSTITUTION_TYPE, institution_types)):
        terms = kind.of(new)
        for label in labels or ():
            like = ""
            if kind is INSTITUTION_TYPE:
                label, like = parse_type_spec(label)
            terms = terms.adding(_new_term(kind, terms, label, like=like))
        new = new.replacing(kind.attr, terms)
    if not len(new.tracks):
        raise InvalidInput("vocab.no_tracks", [Problem("vocab.no_tracks", column="tracks")])
    old = event_vocabulary(event) if event.vocabulary is not None else None
    if old is not None and event.id is not None:
        for kind in KINDS:
            for gone in [t for t in kind.of(old) if t.key not in kind.of(new)]:
                _ensure_unused(db, event, kind, gone)
    event.vocabulary = new.to_dict()
    db.flush()
    audit.record(
        db,
        event,
        "vocabulary",
        actor,
        {k.attr: k.of(old).keys() for k in KINDS} if old is not None else None,
        {"preset": name, **{k.attr: k.of(new).keys() for k in KINDS}},
    )


def add_term(
    db: Session,
    event: Event,
    kind: Kind,
    label: str,
    en: str = "",
    aliases: Sequence[str] = (),
    actor: User | None = None,
    like: str = "",
) -> Term:
    """Add a ``kind`` term named ``label`` (its key) to ``event``, audited (``track_add`` …);
    an institution type behaves in matching like ``like`` (one of the six, by code, label or
    alias; blank: like none). InvalidInput if a term already goes by that name or an alias, the
    label is empty, too long or not a one-line name, or ``like`` is none of the six."""
    current = event_vocabulary(event)
    term = _new_term(kind, kind.of(current), label, en, aliases, like)
    event.vocabulary = current.replacing(kind.attr, kind.of(current).adding(term)).to_dict()
    db.flush()
    after = {kind.name: term.key, **({"like": term.like} if term.like else {})}
    audit.record(db, event, f"{kind.action}_add", actor, None, after)
    return term


def remove_term(
    db: Session, event: Event, kind: Kind, key_or_label: str, actor: User | None = None
) -> Term:
    """Remove the ``kind`` term named ``key_or_label`` from ``event`` and return it, audited.

    NotFound if the event has no such term; Conflict (``vocab.<kind>_in_use``) naming up to
    ten projects (registration id and name) if any uses it.
    """
    current = event_vocabulary(event)
    term = kind.of(current).find(key_or_label)
    if term is None:
        raise NotFound(what=Ref(f"what.{kind.name}"), key=key_or_label)
    _ensure_unused(db, event, kind, term)
    event.vocabulary = current.replacing(kind.attr, kind.of(current).without(term.key)).to_dict()
    db.flush()
    audit.record(db, event, f"{kind.action}_remove", actor, {kind.name: term.key}, None)
    return term


def term_counts(db: Session, event: Event, kind: Kind) -> dict[str, int]:
    """Return key → number of the event's registrations using it."""
    column = getattr(kind.model, kind.column)
    query = select(column, func.count()).where(kind.model.event_id == event.id).group_by(column)
    counts: dict[str, int] = {}
    for key, count in db.execute(query):
        if key is not None:
            counts[str(key)] = cast(int, count)
    return counts


def add_track(
    db: Session,
    event: Event,
    label: str,
    en: str = "",
    aliases: Sequence[str] = (),
    actor: User | None = None,
) -> Term:
    """Add a track named ``label`` (see :func:`add_term`)."""
    return add_term(db, event, TRACK, label, en, aliases, actor)


def remove_track(db: Session, event: Event, key_or_label: str, actor: User | None = None) -> Term:
    """Remove a track no project uses (see :func:`remove_term`)."""
    return remove_term(db, event, TRACK, key_or_label, actor)


def track_counts(db: Session, event: Event) -> dict[str, int]:
    """Return track key → number of the event's projects in it."""
    return term_counts(db, event, TRACK)


def add_group(
    db: Session,
    event: Event,
    label: str,
    en: str = "",
    aliases: Sequence[str] = (),
    actor: User | None = None,
) -> Term:
    """Add a group (组别) named ``label`` (see :func:`add_term`)."""
    return add_term(db, event, GROUP, label, en, aliases, actor)


def remove_group(db: Session, event: Event, key_or_label: str, actor: User | None = None) -> Term:
    """Remove a group no project is in (see :func:`remove_term`)."""
    return remove_term(db, event, GROUP, key_or_label, actor)


def group_counts(db: Session, event: Event) -> dict[str, int]:
    """Return group key → number of the event's projects in it."""
    return term_counts(db, event, GROUP)


def _new_term(
    kind: Kind,
    vocab: Vocabulary,
    label: str,
    en: str = "",
    aliases: Iterable[str] = (),
    like: str = "",
) -> Term:
    like = _like(label, like) if like and kind is INSTITUTION_TYPE else ""  # types only
    term = custom_term(label, en, aliases, like)
    if not term.zh or len(term.zh) > LABEL_LIMIT:
        code = kind.code("bad_label")
        problem = Problem(code, column=kind.name, value=label, params={"limit": LABEL_LIMIT})
        raise InvalidInput(code, [problem], limit=LABEL_LIMIT)
    check_name(term.zh, kind.name)
    taken = vocab.clash(term)
    if taken is not None:
        code = kind.code("taken")
        problem = Problem(code, column=kind.name, value=label, params={kind.name: taken})
        raise InvalidInput(code, [problem], **{kind.name: taken})
    return term


def _like(label: str, like: str) -> str:
    """Return the code of the one of the six institution types ``like`` names."""
    try:
        return InstitutionType.parse(like).value
    except ValueError:
        choices = InstitutionType.choices()
        params = {"choices": choices, "label": label}
        problem = Problem("vocab.bad_like", column="like", value=like, params=params)
        raise InvalidInput("vocab.bad_like", [problem], **params) from None


def _ensure_unused(db: Session, event: Event, kind: Kind, term: Term) -> None:
    model = kind.model
    query = (
        select(model.code, model.name)
        .where(model.event_id == event.id, getattr(model, kind.column) == term.key)
        .order_by(model.code)
    )
    rows = db.execute(query).all()
    if not rows:
        return
    named = "、".join(f"{code} {name}" for code, name in rows[:NAMED])
    if len(rows) > NAMED:
        named += f" …(+{len(rows) - NAMED})"
    problem = Problem(
        kind.code("used_by"), column=kind.name, value=term.zh, params={"parties": named}
    )
    raise Conflict(kind.code("in_use"), [problem], count=len(rows), **{kind.name: term})
