"""An event's own vocabulary: its tracks (赛道) and groups, set from a preset, added, removed.

Every change goes on the audit trail. A track in use cannot be removed: the refusal names the
projects that use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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
    "PRESETS",
    "add_track",
    "check_track",
    "event_vocabulary",
    "normalise_needs",
    "remove_track",
    "set_vocabulary",
    "track_label",
    "vocabulary_of",
]

NAMED = 10  # projects a refusal names; the rest are counted


def vocabulary_of(event: Event) -> Vocabulary:
    """Return the event's tracks (the 中国创翼 preset's when none are stored)."""
    return event_vocabulary(event).tracks


def event_vocabulary(event: Event) -> EventVocabulary:
    """Return the event's tracks and groups with the preset they started from."""
    return EventVocabulary.from_dict(event.vocabulary)


def track_label(event: Event, key: str | None, lang: str = "zh") -> str:
    """Return the label of a track key in ``event`` (a key it no longer lists: as stored)."""
    return vocabulary_of(event).label(key, lang)


def check_track(event: Event, raw: object, column: str = "track") -> str:
    """Return the key of the event's track named by ``raw`` (key, label or alias).

    InvalidInput (``import.bad_track``) names the value and the event's tracks otherwise.
    """
    return vocabulary_of(event).check(raw, column)


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
) -> None:
    """Give ``event`` the tracks and groups of ``preset`` and then ``tracks`` (labels) after them.

    ``preset`` None or ``"none"`` starts from no tracks. InvalidInput names an unknown preset, a
    malformed or repeated label, or an empty list; projects already using a track that would go
    are refused as :func:`remove_track` refuses them.
    """
    name = preset or "none"
    if name not in PRESETS:
        choices = ", ".join(PRESETS)
        problem = Problem(
            "vocab.bad_preset", column="preset", value=preset, params={"choices": choices}
        )
        raise InvalidInput("vocab.bad_preset", [problem], choices=choices)
    base = PRESETS[name]
    vocab = base.tracks
    for label in tracks or ():
        term = _new_term(vocab, label)
        vocab = vocab.adding(term)
    if not len(vocab):
        raise InvalidInput("vocab.no_tracks", [Problem("vocab.no_tracks", column="tracks")])
    old = event_vocabulary(event) if event.vocabulary is not None else None
    if old is not None and event.id is not None:
        for gone in [t for t in old.tracks if t.key not in vocab]:
            _ensure_unused(db, event, gone)
    new = EventVocabulary(name, vocab, base.groups)
    event.vocabulary = new.to_dict()
    db.flush()
    audit.record(
        db,
        event,
        "vocabulary",
        actor,
        {"tracks": old.tracks.keys()} if old is not None else None,
        {"preset": name, "tracks": vocab.keys()},
    )


def add_track(
    db: Session,
    event: Event,
    label: str,
    en: str = "",
    aliases: Sequence[str] = (),
    actor: User | None = None,
) -> Term:
    """Add a track named ``label`` (its key) to ``event``; InvalidInput if a track already goes
    by that name or an alias, or the label is empty, too long or not a one-line name."""
    current = event_vocabulary(event)
    term = _new_term(current.tracks, label, en, aliases)
    _store(event, current, current.tracks.adding(term))
    db.flush()
    audit.record(db, event, "track_add", actor, None, {"track": term.key})
    return term


def remove_track(db: Session, event: Event, key_or_label: str, actor: User | None = None) -> Term:
    """Remove the track named ``key_or_label`` from ``event`` and return it.

    NotFound if the event has no such track; Conflict (``vocab.track_in_use``) naming up to
    ten projects (registration id and name) if any project uses it.
    """
    current = event_vocabulary(event)
    term = current.tracks.find(key_or_label)
    if term is None:
        raise NotFound(what=Ref("what.track"), key=key_or_label)
    _ensure_unused(db, event, term)
    _store(event, current, current.tracks.without(term.key))
    db.flush()
    audit.record(db, event, "track_remove", actor, {"track": term.key}, None)
    return term


def track_counts(db: Session, event: Event) -> dict[str, int]:
    """Return track key → number of the event's projects in it."""
    rows = db.execute(
        select(Project.track, func.count())
        .where(Project.event_id == event.id)
        .group_by(Project.track)
    )
    return {key: count for key, count in rows}


def _store(event: Event, current: EventVocabulary, tracks: Vocabulary) -> None:
    event.vocabulary = EventVocabulary(current.preset, tracks, current.groups).to_dict()


def _new_term(vocab: Vocabulary, label: str, en: str = "", aliases: Iterable[str] = ()) -> Term:
    term = custom_term(label, en, aliases)
    if not term.zh or len(term.zh) > LABEL_LIMIT:
        problem = Problem(
            "vocab.bad_label", column="track", value=label, params={"limit": LABEL_LIMIT}
        )
        raise InvalidInput("vocab.bad_label", [problem], limit=LABEL_LIMIT)
    check_name(term.zh, "track")
    taken = vocab.clash(term)
    if taken is not None:
        problem = Problem(
            "vocab.track_taken", column="track", value=label, params={"track": taken.zh}
        )
        raise InvalidInput("vocab.track_taken", [problem], track=taken.zh)
    return term


def _ensure_unused(db: Session, event: Event, term: Term) -> None:
    query = (
        select(Project.code, Project.name)
        .where(Project.event_id == event.id, Project.track == term.key)
        .order_by(Project.code)
    )
    rows = db.execute(query).all()
    if not rows:
        return
    named = "、".join(f"{code} {name}" for code, name in rows[:NAMED])
    if len(rows) > NAMED:
        named += f" …(+{len(rows) - NAMED})"
    problem = Problem(
        "vocab.track_used_by", column="track", value=term.zh, params={"projects": named}
    )
    raise Conflict("vocab.track_in_use", [problem], track=term.zh, count=len(rows))
