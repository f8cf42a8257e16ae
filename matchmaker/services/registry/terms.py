"""Where each list of an event's vocabulary lives and how callers read it: an event's tracks
(赛道), groups (组别) and institution types (机构类型), their labels, and checks that name the
event's list when a value is none of it. ``vocabulary.py`` changes the lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from matchmaker.db.models import Event, Institution, Project
from matchmaker.domain import Need
from matchmaker.errors import InvalidInput, Problem
from matchmaker.vocabulary import EventVocabulary, Vocabulary


@dataclass(frozen=True)
class Kind:
    """One list of an event's vocabulary: ``name`` is the word its messages, audit actions and
    problems use (``track``), ``attr`` the list in :class:`EventVocabulary` (``tracks``),
    ``model.column`` what holds its keys (``Project.track``), ``counted`` the message that
    counts its users and ``audit`` the word of its audit actions (``track_add``; they hold 20
    characters)."""

    name: str
    attr: str
    model: Any
    column: str
    counted: str = "vocab.projects_count"
    audit: str = ""

    @property
    def action(self) -> str:
        """Return the stem of its audit actions (``track`` → ``track_add``)."""
        return self.audit or self.name

    def of(self, vocabulary: EventVocabulary) -> Vocabulary:
        """Return this list of ``vocabulary``."""
        terms: Vocabulary = getattr(vocabulary, self.attr)
        return terms

    def code(self, what: str) -> str:
        """Return the message code ``vocab.<name>_<what>`` (``vocab.group_in_use``)."""
        return f"vocab.{self.name}_{what}"


TRACK = Kind("track", "tracks", Project, "track")
GROUP = Kind("group", "groups", Project, "group")
INSTITUTION_TYPE = Kind(
    "institution_type",
    "institution_types",
    Institution,
    "type",
    "vocab.institutions_count",
    audit="type",
)


def vocabulary_of(event: Event) -> Vocabulary:
    """Return the event's tracks (the 中国创翼 preset's when none are stored)."""
    return event_vocabulary(event).tracks


def groups_of(event: Event) -> Vocabulary:
    """Return the event's groups (组别; 企业组 and 创客组 when none are stored)."""
    return event_vocabulary(event).groups


def institution_types_of(event: Event) -> Vocabulary:
    """Return the event's institution types (the six when none are stored)."""
    return event_vocabulary(event).institution_types


def event_vocabulary(event: Event) -> EventVocabulary:
    """Return the event's tracks, groups and institution types with the preset they started
    from."""
    return EventVocabulary.from_dict(event.vocabulary)


def track_label(event: Event, key: str | None, lang: str = "zh") -> str:
    """Return the label of a track key in ``event`` (a key it no longer lists: as stored)."""
    return vocabulary_of(event).label(key, lang)


def group_label(event: Event, key: str | None, lang: str = "zh") -> str:
    """Return the label of a group key in ``event`` (a key it no longer lists: as stored)."""
    return groups_of(event).label(key, lang)


def institution_type_label(event: Event, key: str | None, lang: str = "zh") -> str:
    """Return the label of an institution type key in ``event`` (unlisted: as stored)."""
    return institution_types_of(event).label(key, lang)


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


def check_institution_type(event: Event, raw: object, column: str = "type") -> str:
    """Return the key of the event's institution type named by ``raw`` (key, label or alias).

    InvalidInput names a blank type (``import.required``), else the value and the event's types
    (``import.bad_institution_type``).
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise InvalidInput(None, [Problem("import.required", column=column)])
    return institution_types_of(event).check(raw, column, "import.bad_institution_type")


def parse_type_spec(spec: str) -> tuple[str, str]:
    """Split an institution type as an organiser lists it, ``担保公司=银行`` or ``担保公司``, into
    its label and the one of the six it behaves like (a code, label or alias; may be blank)."""
    label, _sep, like = spec.replace("＝", "=").partition("=")
    return label.strip(), like.strip()


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


KINDS = (TRACK, GROUP, INSTITUTION_TYPE)
