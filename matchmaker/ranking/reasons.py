"""Why a project fits an institution: per-block fits turned into sentences a person can read."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from matchmaker.domain import Need, Stage, format_yuan
from matchmaker.embeddings import regions
from matchmaker.embeddings.composite import (
    CompositeSpace,
    InstitutionProfile,
    ProjectProfile,
    offers_of,
    sector_labels,
    ticket_bucket,
)
from matchmaker.embeddings.portfolio import follow_on
from matchmaker.messages import render

# Below these fits a block is not worth a sentence (it is still in the score).
SHOW_TEXT_FROM = 0.35
SHOW_SECTOR_FROM = 0.45
# A portfolio neighbour is named from this cosine: unrelated Chinese descriptions in one field
# reach ~0.4 with the default encoder, a company doing much the same thing ~0.6 and more.
SHOW_NEIGHBOUR_FROM = 0.5
# A liked (passed) project is named from this similarity over the feedback blocks
# (``feedback.QueryFeedback.similarity``; 1 = the same project).
SHOW_VERDICT_FROM = 0.5


@dataclass(frozen=True)
class Neighbour:
    """The text fit's two parts for a pair whose winning view is a portfolio entry.

    ``profile`` and ``entry`` are cosines; ``share`` s weighs them: fit_text = (1 − s)·profile +
    s·entry (``embeddings/views.py``).
    """

    company: str
    profile: float
    entry: float
    share: float
    past: bool = False  # the entry is a project the institution liked at an earlier contest


@dataclass(frozen=True)
class FeedbackNeighbour:
    """What the institution's own verdicts did to one project (``ranking/feedback.py``).

    ``term`` is ⟨d, p⟩, added to the score; ``liked`` and ``passed`` name the project's nearest
    liked and passed projects other than itself (None: none), with their similarities.
    """

    term: float
    liked: str | None = None
    liked_similarity: float = 0.0
    passed: str | None = None
    passed_similarity: float = 0.0


@dataclass(frozen=True)
class Reason:
    """One sentence about a match; ``positive`` False marks a concern."""

    block: str
    code: str
    fit: float
    contribution: float
    positive: bool = True
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "zh") -> str:
        """Return the sentence in ``lang``."""
        return render(self.code, lang, **{k: _local(v, lang) for k, v in self.params.items()})

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """Return a JSON-ready form."""
        return {
            "block": self.block,
            "fit": round(self.fit, 4),
            "contribution": round(self.contribution, 4),
            "positive": self.positive,
            "text": self.text(lang),
        }


@dataclass(frozen=True)
class _Bilingual:
    zh: str
    en: str


def _local(value: Any, lang: str) -> Any:
    if isinstance(value, _Bilingual):
        return value.en if lang == "en" else value.zh
    return value


def explain(
    space: CompositeSpace,
    project: ProjectProfile,
    institution: InstitutionProfile,
    project_vector: np.ndarray,
    institution_vector: np.ndarray,
    fits: dict[str, float] | None = None,
    neighbour: Neighbour | None = None,
    feedback: FeedbackNeighbour | None = None,
) -> list[Reason]:
    """Return the reasons for one pair, strongest contribution first, concerns last.

    ``institution_vector`` is the view that scored the pair (``embeddings/views.py``); ``fits``
    may be passed when the caller already has ``space.fits`` of the pair. With ``neighbour`` the
    text block speaks as its two parts (profile, nearest portfolio company), whose contributions
    add up to the block's. A follow-on (the project is a portfolio company by name) comes first;
    it is a fact, not part of the score (contribution 0). With ``feedback`` (the institution
    has liked or passed projects), a project its likes moved up names the nearest liked one, and
    one its passes moved down the nearest passed one (a concern).
    """
    fits = fits or space.fits(project_vector, institution_vector)
    w = space.w
    out: list[Reason] = []
    sector = _sector_reason(space, project, institution, fits["sector"], w["sector"])
    if sector:
        out.append(sector)
    out += _text_reasons(fits["text"], w["text"], neighbour)
    out += _stage_reasons(project, institution, fits["stage"], w["stage"])
    out += _ticket_reasons(project, institution, fits["ticket"], w["ticket"])
    out += _region_reasons(project, institution, fits["region"], w["region"])
    out += _needs_reasons(project, institution, fits["needs"], w["needs"])
    out += _feedback_reasons(feedback)
    out = sorted(out, key=lambda r: (not r.positive, -r.contribution))
    held = follow_on(project.name, institution.portfolio) if project.name else None
    if held is not None:
        out.insert(
            0, Reason("portfolio", "reason.follow_on", 1.0, 0.0, params={"company": held.company})
        )
    return out


def _text_reasons(fit: float, weight: float, neighbour: Neighbour | None) -> list[Reason]:
    if neighbour is None:
        if fit < SHOW_TEXT_FROM:
            return []
        params = {"percent": round(100 * fit)}
        return [Reason("text", "reason.text", fit, fit * weight, params=params)]
    out = []
    if neighbour.profile >= SHOW_TEXT_FROM:
        out.append(
            Reason(
                "text",
                "reason.text",
                neighbour.profile,
                (1 - neighbour.share) * neighbour.profile * weight,
                params={"percent": round(100 * neighbour.profile)},
            )
        )
    if neighbour.entry >= SHOW_NEIGHBOUR_FROM:
        out.append(
            Reason(
                "text",
                "reason.past_near" if neighbour.past else "reason.portfolio_near",
                neighbour.entry,
                neighbour.share * neighbour.entry * weight,
                params={"company": neighbour.company, "percent": round(100 * neighbour.entry)},
            )
        )
    return out


def _sector_reason(
    space: CompositeSpace,
    project: ProjectProfile,
    institution: InstitutionProfile,
    fit: float,
    weight: float,
) -> Reason | None:
    if fit < SHOW_SECTOR_FROM:
        return None
    mapper = space.mapper
    mine = mapper.nodes_for(project.sectors, project.text)
    focus, held = sector_labels(institution)
    theirs = mapper.nodes_for(focus) + mapper.nodes_for(held)
    best: tuple[float, str, int, str, int] | None = None
    for label, node in mine:
        for their_label, their_node in theirs:
            similarity = mapper.similarity(node, their_node)
            if best is None or similarity > best[0]:
                best = (similarity, label, node, their_label, their_node)
    if best is None:
        return None
    _sim, label, node, their_label, their_node = best
    tax = mapper.taxonomy
    mine_name = _Bilingual(label or tax.name(node), label or tax.name(node, "en"))
    theirs_name = _Bilingual(
        their_label or tax.name(their_node), their_label or tax.name(their_node, "en")
    )
    if not label:
        mine_name = _Bilingual(tax.name(node), tax.name(node, "en"))
        return Reason(
            "sector",
            "reason.sector_inferred",
            fit,
            fit * weight,
            params={"project": mine_name, "institution": theirs_name},
        )
    if node == their_node and label == their_label:
        return Reason("sector", "reason.sector_same", fit, fit * weight, params={"label": label})
    return Reason(
        "sector",
        "reason.sector_near",
        fit,
        fit * weight,
        params={"project": mine_name, "institution": theirs_name},
    )


@lru_cache(maxsize=1024)
def _stage_names(stages: tuple[str, ...]) -> _Bilingual:
    members = [Stage(s) for s in stages]
    return _Bilingual(
        "、".join(m.label("zh") for m in members), ", ".join(m.label("en") for m in members)
    )


def _stage_reasons(p: ProjectProfile, q: InstitutionProfile, fit: float, w: float) -> list[Reason]:
    if not p.stage or not q.stages:
        return []
    stage = Stage(p.stage)
    params = {
        "stage": _Bilingual(stage.label("zh"), stage.label("en")),
        "stages": _stage_names(q.stages),
    }
    if fit >= 0.99:
        return [Reason("stage", "reason.stage_match", fit, fit * w, params=params)]
    if fit >= 0.49:
        return [Reason("stage", "reason.stage_near", fit, fit * w, params=params)]
    return [Reason("stage", "reason.stage_off", fit, fit * w, positive=False, params=params)]


def _ticket_reasons(p: ProjectProfile, q: InstitutionProfile, fit: float, w: float) -> list[Reason]:
    if not p.ask or (q.ticket_min is None and q.ticket_max is None):
        return []
    ends = [v for v in (q.ticket_min, q.ticket_max) if v is not None]
    params = {
        "ask": _Bilingual(format_yuan(p.ask), format_yuan(p.ask, "en")),
        "range": _Bilingual(
            "–".join(format_yuan(v) for v in ends), "–".join(format_yuan(v, "en") for v in ends)
        ),
    }
    low, high = q.ticket_min or 0, q.ticket_max
    if low <= p.ask and (high is None or p.ask <= high):
        return [Reason("ticket", "reason.ticket_in", fit, fit * w, params=params)]
    if fit >= 0.49 or (high is not None and ticket_bucket(p.ask) == ticket_bucket(high)):
        return [Reason("ticket", "reason.ticket_near", fit, fit * w, params=params)]
    return [Reason("ticket", "reason.ticket_off", fit, fit * w, positive=False, params=params)]


def _region_reasons(p: ProjectProfile, q: InstitutionProfile, fit: float, w: float) -> list[Reason]:
    place = regions.place_of(p.region)
    if place is None:
        return []
    if regions.is_nationwide(q.regions):
        return [Reason("region", "reason.region_any", fit, fit * w)]
    covered = regions.targets(q.regions)
    matched = regions.match(place, covered)
    if fit >= 0.99 and matched is not None:  # the most specific target it lies in (太原市)
        name = _Bilingual(regions.display(matched), regions.display(matched, "en"))
        return [Reason("region", "reason.region_in", fit, fit * w, params={"region": name})]
    if fit >= 0.49:  # names only a division that holds a target (山西 for a 太原 fund)
        return []
    off = regions.off_name(place, covered)
    name = _Bilingual(regions.display(off), regions.display(off, "en"))
    return [
        Reason("region", "reason.region_off", fit, fit * w, positive=False, params={"region": name})
    ]


def _feedback_reasons(f: FeedbackNeighbour | None) -> list[Reason]:
    """Name the liked project behind a positive term, the passed one behind a negative term."""
    if f is None:
        return []
    if f.term > 0 and f.liked is not None and f.liked_similarity >= SHOW_VERDICT_FROM:
        params = {"project": f.liked}
        return [Reason("feedback", "reason.liked_near", f.liked_similarity, f.term, True, params)]
    if f.term < 0 and f.passed is not None and f.passed_similarity >= SHOW_VERDICT_FROM:
        params = {"project": f.passed}
        return [
            Reason("feedback", "reason.passed_near", f.passed_similarity, f.term, False, params)
        ]
    return []


_NEED_CODES = frozenset(n.value for n in Need)


def _needs_reasons(p: ProjectProfile, q: InstitutionProfile, fit: float, w: float) -> list[Reason]:
    offers = offers_of(q)
    # a need kept as the entrant wrote it (no known need) is no reason either way
    met = [Need(n) for n in p.needs if n in _NEED_CODES and Need(n) in offers]
    if not met:
        return []
    names = _Bilingual("、".join(n.label("zh") for n in met), ", ".join(n.label("en") for n in met))
    return [Reason("needs", "reason.needs", fit, fit * w, params={"needs": names})]
