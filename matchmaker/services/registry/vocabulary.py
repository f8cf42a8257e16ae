"""An event's own vocabulary: tracks (赛道) and groups (组别), set from a preset, added, removed.

Every change goes on the audit trail. A track or group in use cannot be removed: the refusal
names the projects that use it. Both lists work alike (a :class:`Kind` says where each lives);
``add_track``, ``add_group`` … are the names the callers use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.db.models import Event, Project, User
from matchmaker.domain import Need, check_name
from matchmaker.errors import Conflict, InvalidInput, NotFound, Problem
from matchmaker.messages import Ref
from matchmaker.services import audit
from matchmaker.vocabulary import (
    DEFAULT_PRESET,
    LABEL_LIMIT,
    PRESETS,
    EventVocabulary,
    Term,
    Vocabulary,
    custom_term,
)

__all__ = [
    "GROUP",
    "PRESETS",
    "TRACK",
    "Kind",
    "add_group",
    "add_term",
    "add_track",
    "check_group",
    "check_track",
    "event_vocabulary",
    "group_counts",
    "group_label",
    "groups_of",
    "normalise_needs",
    "remove_group",
    "remove_term",
    "remove_track",
    "set_vocabulary",
    "term_counts",
    "track_counts",
    "track_label",
    "vocabulary_of",
]

NAMED = 10  # projects a refusal names; the rest are counted


@dataclass(frozen=True)
class Kind:
    """One list of an event's vocabulary: ``name`` is the word its messages, audit actions and
    problems use (``track``), ``attr`` the list in :class:`EventVocabulary` (``tracks``), and
    ``model.column`` what holds its keys (``Project.track``)."""

    name: str
    attr: str
    model: Any
    column: str

    def of(self, vocabulary: EventVocabulary) -> Vocabulary:
        """Return this list of ``vocabulary``."""
        terms: Vocabulary = getattr(vocabulary, self.attr)
        return terms

    def code(self, what: str) -> str:
        """Return the message code ``vocab.<name>_<what>`` (``vocab.group_in_use``)."""
        return f"vocab.{self.name}_{what}"


TRACK = Kind("track", "tracks", Project, "track")
GROUP = Kind("group", "groups", Project, "group")


def vocabulary_of(event: Event) -> Vocabulary:
    """Return the event's tracks (the 中国创翼 preset's when none are stored)."""
    return event_vocabulary(event).tracks


def groups_of(event: Event) -> Vocabulary:
    """Return the event's groups (组别; 企业组 and 创客组 when none are stored)."""
    return event_vocabulary(event).groups


def event_vocabulary(event: Event) -> EventVocabulary:
    """Return the event's tracks and groups with the preset they started from."""
    return EventVocabulary.from_dict(event.vocabulary)


def track_label(event: Event, key: str | None, lang: str = "zh") -> str:
    """Return the label of a track key in ``event`` (a key it no longer lists: as stored)."""
    return vocabulary_of(event).label(key, lang)


def group_label(event: Event, key: str | None, lang: str = "zh") -> str:
    """Return the label of a group key in ``event`` (a key it no longer lists: as stored)."""
    return groups_of(event).label(key, lang)


def check_track(event: Event, raw: object, column: str = "track") -> str:
    """Return the key of the event's track named by ``raw`` (key, label or alias).

    InvalidInput (``import.bad_track``) names the value and the event's tracks otherwise.
    """
    return vocabulary_of(event).check(raw, column)


def check_group(event: Event, raw: object, column: str = "group") -> str | None:
    """Return the key of the event's group named by ``raw``, None for no group (blank).

    InvalidInput (``import.bad_group``) names the value and the event's groups otherwise.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return groups_of(event).check(raw, column, "import.bad_group")


def normalise_needs(raw: Iterable[str]) -> list[str]:
    """Return needs as stored: a known need (code, label or synonym such as 贷款) as its code,
    any other kept as written (trimmed), each once."""
    out: list[str] = []
    for item in raw:
        text = " ".join(str(item).split())
        if not text:
            continue
        try:
            text = Need.parse(text).value
        except ValueError:
            pass  # an unusual need is the entrant's own words, not an error
        if text not in out:
            out.append(text)
    return out


def set_vocabulary(
    db: Session,
    event: Event,
    preset: str | None = DEFAULT_PRESET,
    tracks: list[str] | None = None,
    actor: User | None = None,
    groups: list[str] | None = None,
) -> None:
    """Give ``event`` the tracks and groups of ``preset``, then ``tracks`` and ``groups`` (labels)
    after them.

    ``preset`` None or ``"none"`` starts from no tracks and no groups. InvalidInput names an
    unknown preset, a malformed or repeated label, or no tracks at all; projects already using
    a track or group that would go are refused as :func:`remove_track` refuses them.
    """
    name = preset or "none"
    if name not in PRESETS:
        choices = ", ".join(PRESETS)
        problem = Problem(
            "vocab.bad_preset", column="preset", value=preset, params={"choices": choices}
        )
        raise InvalidInput("vocab.bad_preset", [problem], choices=choices)
    new = PRESETS[name]
    for kind, labels in ((TRACK, tracks), (GROUP, groups)):
        terms = kind.of(new)
        for label in labels or ():
            terms = terms.adding(_new_term(kind, terms, label))
        new = new.replacing(kind.attr, terms)
    if not len(new.tracks):
        raise InvalidInput("vocab.no_tracks", [Problem("vocab.no_tracks", column="tracks")])
    old = event_vocabulary(event) if event.vocabulary is not None else None
    if old is not None and event.id is not None:
        for kind in (TRACK, GROUP):
            for gone in [t for t in kind.of(old) if t.key not in kind.of(new)]:
                _ensure_unused(db, event, kind, gone)
    event.vocabulary = new.to_dict()
    db.flush()
    audit.record(
        db,
        event,
        "vocabulary",
        actor,
        {"tracks": old.tracks.keys(), "groups": old.groups.keys()} if old is not None else None,
        {"preset": name, "tracks": new.tracks.keys(), "groups": new.groups.keys()},
    )


def add_term(
    db: Session,
    event: Event,
    kind: Kind,
    label: str,
    en: str = "",
    aliases: Sequence[str] = (),
    actor: User | None = None,
) -> Term:
    """Add a ``kind`` term named ``label`` (its key) to ``event``, audited (``<kind>_add``);
    InvalidInput if one already goes by that name or an alias, or the label is empty, too long
    or not a one-line name."""
    current = event_vocabulary(event)
    term = _new_term(kind, kind.of(current), label, en, aliases)
    event.vocabulary = current.replacing(kind.attr, kind.of(current).adding(term)).to_dict()
    db.flush()
    audit.record(db, event, f"{kind.name}_add", actor, None, {kind.name: term.key})
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
    audit.record(db, event, f"{kind.name}_remove", actor, {kind.name: term.key}, None)
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
    kind: Kind, vocab: Vocabulary, label: str, en: str = "", aliases: Iterable[str] = ()
) -> Term:
    term = custom_term(label, en, aliases)
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
