"""Each event's own vocabulary: its tracks (赛道), groups (组别) and institution types (机构类型),
from a preset or listed.

A :class:`Term` has a stable ``key`` (what a project's ``track`` or ``group`` column, or an
institution's ``type``, holds), a Chinese and an English label and aliases; a
:class:`Vocabulary` parses what a sheet or a form says into a key, folding width, case and
Traditional script as :meth:`matchmaker.domain.Labelled.parse` does.
The 中国创翼 keys (``advanced_manufacturing`` …) are those of :class:`matchmaker.domain.Track`, so
data written before events had vocabularies reads the same, and so are the groups' (``enterprise``,
``maker``: the notices' rule on 创客组 keys on :data:`MAKER`) and the six institution types'
(:class:`matchmaker.domain.InstitutionType`). A term an organiser adds is keyed by its Chinese
label; an institution type added so may say which of the six it behaves like in matching
(``like``: 担保公司 like ``bank``), else matching sees no offer from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from matchmaker.domain import Group, InstitutionType, Need, Track, aliases_of
from matchmaker.errors import InvalidInput, Problem
from matchmaker.text import fold

LABEL_LIMIT = 50  # characters in a track's label (its key, when added by an organiser)
KEY_LIMIT = 100  # the ``projects.track`` and ``projects.group`` columns
MAKER = "maker"  # the group an enterprise's project may not enter (创客组), whatever its label


def term_key(raw: object) -> str:
    """Return the folded form two names of a vocabulary must not share."""
    return _folded(str(raw or ""))


@lru_cache(maxsize=4096)  # a sheet repeats a handful of tracks on every row
def _folded(text: str) -> str:
    return fold(text).replace("_", "").replace("-", "")


@dataclass(frozen=True)
class Term:
    """One member of a vocabulary: its key, labels and the other names it goes by."""

    key: str
    zh: str
    en: str = ""
    aliases: tuple[str, ...] = ()
    like: str = ""  # an institution type's: the one of the six it behaves like in matching

    @property
    def value(self) -> str:
        """The key, under the name a :class:`matchmaker.domain.Labelled` member gives it (so a
        page lists an event's tracks as it lists a fixed vocabulary)."""
        return self.key

    def label(self, lang: str = "zh") -> str:
        """Return the display label in ``lang`` (the Chinese one when there is no English)."""
        return (self.en or self.zh) if lang == "en" else self.zh

    def names(self) -> tuple[str, ...]:
        """Return every name the term answers to: key, labels and aliases."""
        return tuple(n for n in (self.key, self.zh, self.en, *self.aliases) if n)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape stored with the event (``like`` only when it says one)."""
        out: dict[str, Any] = {
            "key": self.key,
            "zh": self.zh,
            "en": self.en,
            "aliases": list(self.aliases),
        }
        if self.like:
            out["like"] = self.like
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Term:
        """Build from :meth:`to_dict`'s shape."""
        return cls(
            key=str(data["key"]),
            zh=str(data.get("zh") or data["key"]),
            en=str(data.get("en") or ""),
            aliases=tuple(str(a) for a in data.get("aliases") or ()),
            like=str(data.get("like") or ""),
        )


@dataclass(frozen=True)
class Listing:
    """The labels of a vocabulary joined for a message, in the message's language."""

    terms: tuple[Term, ...]

    def label(self, lang: str = "zh") -> str:
        """Return ``先进制造、现代服务`` (or ``Advanced manufacturing, Modern services``)."""
        sep = ", " if lang == "en" else "、"
        return sep.join(t.label(lang) for t in self.terms) or (
            "(none)" if lang == "en" else "（无）"
        )

    def __str__(self) -> str:
        return self.label("zh")


@dataclass(frozen=True)
class Vocabulary:
    """An ordered list of terms, looked up by any of their names."""

    terms: tuple[Term, ...] = ()
    _table: dict[str, Term] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table: dict[str, Term] = {}
        for term in self.terms:
            for name in term.names():
                table.setdefault(term_key(name), term)
        object.__setattr__(self, "_table", table)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def __contains__(self, key: object) -> bool:
        return any(t.key == key for t in self.terms)

    def keys(self) -> list[str]:
        """Return the keys in order."""
        return [t.key for t in self.terms]

    def find(self, raw: object) -> Term | None:
        """Return the term named by ``raw`` (key, label or alias, any width/case/script)."""
        return self._table.get(term_key(raw)) if raw not in (None, "") else None

    def parse(self, raw: object) -> str:
        """Return the key of the term named by ``raw``; ValueError if none."""
        term = self.find(raw)
        if term is None:
            raise ValueError(f"unknown term: {raw!r}")
        return term.key

    def check(self, raw: object, column: str = "track", code: str = "import.bad_track") -> str:
        """Return the key named by ``raw``; InvalidInput (``code``) naming it and the choices."""
        try:
            return self.parse(raw)
        except ValueError:
            params = {"choices": self.listing(), "value": raw}
            problem = Problem(code, column=column, value=raw, params={"choices": self.listing()})
            raise InvalidInput(code, [problem], **params) from None

    def term(self, key: str) -> Term | None:
        """Return the term with exactly ``key``, or None."""
        return next((t for t in self.terms if t.key == key), None)

    def named(self, key: str) -> Term:
        """Return the term ``key``, or one labelled as stored when the list no longer holds it
        (for a message parameter, which shows a term's label in the message's language)."""
        return self.term(key) or Term(key, key)

    def label(self, key: str | None, lang: str = "zh") -> str:
        """Return the label of ``key``; a key the list no longer holds is shown as stored."""
        if not key:
            return ""
        term = self.term(key)
        return term.label(lang) if term is not None else key

    def choices(self, lang: str = "zh") -> str:
        """Return the labels joined for an error message."""
        return self.listing().label(lang)

    def listing(self) -> Listing:
        """Return the labels as a message parameter that renders in the message's language."""
        return Listing(self.terms)

    def clash(self, term: Term) -> Term | None:
        """Return the term already answering to one of ``term``'s names, or None."""
        for name in term.names():
            found = self._table.get(term_key(name))
            if found is not None:
                return found
        return None

    def adding(self, term: Term) -> Vocabulary:
        """Return this vocabulary with ``term`` appended (the caller checked :meth:`clash`)."""
        return Vocabulary((*self.terms, term))

    def without(self, key: str) -> Vocabulary:
        """Return this vocabulary without the term ``key``."""
        return Vocabulary(tuple(t for t in self.terms if t.key != key))

    def to_list(self) -> list[dict[str, Any]]:
        """Return the JSON shape stored with the event."""
        return [t.to_dict() for t in self.terms]

    @classmethod
    def from_list(cls, items: Iterable[Mapping[str, Any]]) -> Vocabulary:
        """Build from :meth:`to_list`'s shape."""
        return cls(tuple(Term.from_dict(i) for i in items))


@dataclass(frozen=True)
class EventVocabulary:
    """What an event calls its tracks, groups and institution types, and the preset it started
    from."""

    preset: str
    tracks: Vocabulary
    groups: Vocabulary
    institution_types: Vocabulary

    LISTS = ("tracks", "groups", "institution_types")

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON stored in ``events.vocabulary``."""
        return {
            "preset": self.preset,
            "tracks": self.tracks.to_list(),
            "groups": self.groups.to_list(),
            "institution_types": self.institution_types.to_list(),
        }

    def replacing(self, attr: str, terms: Vocabulary) -> EventVocabulary:
        """Return this vocabulary with its ``attr`` list (``tracks`` …) as ``terms``."""
        if attr not in self.LISTS:
            raise ValueError(f"no such list: {attr!r}")
        lists = {name: getattr(self, name) for name in self.LISTS}
        lists[attr] = terms
        return EventVocabulary(self.preset, **lists)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> EventVocabulary:
        """Build from ``events.vocabulary``; nothing stored means the 中国创翼 preset, and a
        vocabulary stored before events had institution types of their own has the six."""
        if not data:
            return PRESETS[DEFAULT_PRESET]
        types = data.get("institution_types")
        return cls(
            preset=str(data.get("preset") or "none"),
            tracks=Vocabulary.from_list(data.get("tracks") or ()),
            groups=Vocabulary.from_list(data.get("groups") or ()),
            institution_types=INSTITUTION_TYPES if types is None else Vocabulary.from_list(types),
        )

    def offers_like(self, type_key: str) -> str | None:
        """Return which of the six institution types ``type_key`` behaves like in matching: a
        type of the six itself, an added type its ``like``; None (no offers) otherwise."""
        if type_key in SIX_TYPES:
            return type_key
        term = self.institution_types.term(type_key)
        return term.like if term is not None and term.like in SIX_TYPES else None


def custom_term(label: str, en: str = "", aliases: Iterable[str] = (), like: str = "") -> Term:
    """Return a term an organiser lists: keyed by its label as written (trimmed)."""
    label = " ".join(label.split())
    return Term(
        key=label,
        zh=label,
        en=en.strip(),
        aliases=tuple(a.strip() for a in aliases if a),
        like=like,
    )


def _from_enum(
    enum_cls: type[Track] | type[Group] | type[Need] | type[InstitutionType],
) -> Vocabulary:
    return Vocabulary(
        tuple(Term(m.value, m.label("zh"), m.label("en"), aliases_of(m)) for m in enum_cls)
    )


_GROUPS = _from_enum(Group)
# The six kinds of institution matching knows what they offer (embeddings/composite.py OFFERS);
# every preset starts from them, ``none`` too (whose choice is about tracks and groups).
INSTITUTION_TYPES = _from_enum(InstitutionType)
SIX_TYPES = frozenset(t.value for t in InstitutionType)
# The needs matching understands (the same for every event); other needs are kept as written.
NEEDS = _from_enum(Need)

# 创客中国 (the MIIT's SME innovation contest) groups its entries by field; these are the fields
# its recent notices list, keyed in English like the 中国创翼 tracks, with the names city rounds
# and sheets also use as aliases.
_CHUANGKE = Vocabulary(
    (
        Term(
            "next_generation_it",
            "新一代信息技术",
            "Next-generation IT",
            ("电子信息", "信息技术", "人工智能", "集成电路", "软件和信息服务", "互联网"),
        ),
        Term(
            "high_end_equipment",
            "高端装备制造",
            "High-end equipment",
            ("高端装备", "智能制造", "装备制造", "先进制造"),
        ),
        Term("new_materials", "新材料", "New materials", ("新材料产业", "先进材料")),
        Term(
            "biomedicine",
            "生物医药",
            "Biomedicine",
            ("生物医药及高性能医疗器械", "医疗器械", "生物技术", "大健康"),
        ),
        Term(
            "new_energy",
            "新能源与节能环保",
            "New energy & energy saving",
            ("新能源", "节能环保", "新能源汽车", "绿色低碳"),
        ),
        Term(
            "digital_creative",
            "数字创意",
            "Digital economy & creative",
            ("数字经济", "文化创意", "数字文创"),
        ),
        Term("modern_agriculture", "现代农业", "Modern agriculture", ("农业", "智慧农业")),
        Term("modern_services", "现代服务业", "Modern services", ("现代服务", "服务业")),
    )
)

DEFAULT_PRESET = "zhongguo-chuangyi"
PRESETS: dict[str, EventVocabulary] = {
    "zhongguo-chuangyi": EventVocabulary(
        "zhongguo-chuangyi", _from_enum(Track), _GROUPS, INSTITUTION_TYPES
    ),
    "chuangke-zhongguo": EventVocabulary(
        "chuangke-zhongguo", _CHUANGKE, _GROUPS, INSTITUTION_TYPES
    ),
    # no preset: no tracks and no groups but those the organiser lists
    "none": EventVocabulary("none", Vocabulary(), Vocabulary(), INSTITUTION_TYPES),
}
