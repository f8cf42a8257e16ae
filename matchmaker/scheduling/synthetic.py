"""Synthetic instances shaped like a real matchmaking day, for tests and benchmarks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np

from matchmaker.domain import LOCAL_TZ

SCORED = 0.9  # share of pairs the service scores (the rest fail an institution's hard limits)


def make_instance(
    projects: int = 242,
    institutions: int = 41,
    sessions: int = 3,
    slots_per_session: int = 9,
    unavailability: float = 0.15,
    forbidden: float = 0.05,
    must_meet: float = 0.02,
    min_meetings: int = 2,
    max_meetings: int = 6,
    seed: int = 0,
    candidates: int | None = None,
) -> dict[str, Any]:
    """Return a JSON instance (the ``matchmaker schedule`` format) like a real event's.

    The defaults are the real event's size: 242 projects, 41 institutions, three half-day
    sessions of nine 20-minute slots, one table per institution. Scores in [0, 1] are a
    rank-4 taste × trait product plus noise (so some projects are popular and institutions
    agree in part); 90 % of pairs are scored. Deterministic for a ``seed``.

    Parameters
    ----------
    unavailability
        Expected share of away slots per party: half single slots, half a late arrival or
        early departure (a run at the start or end of a session).
    forbidden
        Share of scored pairs that must not meet (conflicts of interest, passes).
    must_meet
        Share of scored pairs that must meet, drawn towards high scores, at most
        ``min_meetings`` per project and half an institution's free slots, always with a
        common free slot, so the instance stays feasible at any size.
    min_meetings, max_meetings
        Every project's bounds; institutions may meet in every slot (minimum 0).
    candidates
        If given, each project is scored against only its ``candidates`` best-fitting
        institutions (what a shortlist hands a province- or nation-wide event), not 90 % of
        all of them; scores, forbidden pairs and must-meets follow the same rules among those.
        Built a block of projects at a time, so 50,000 × 5,000 never holds a dense matrix.
    """
    rng = np.random.default_rng(seed)
    start = datetime(2026, 12, 8, 9, 0, tzinfo=LOCAL_TZ)
    slots = [
        {
            "id": f"S{s + 1}-{k + 1}",
            "session": f"S{s + 1}",
            "start": (start + timedelta(days=s, minutes=20 * k)).isoformat(),
            "minutes": 20,
        }
        for s in range(sessions)
        for k in range(slots_per_session)
    ]
    n_slots = len(slots)
    p_ids = [f"P{n:04d}" for n in range(projects)]
    i_ids = [f"I{n:03d}" for n in range(institutions)]
    if candidates is None:
        raw = rng.normal(size=(institutions, 4)) @ rng.normal(size=(projects, 4)).T / 2
        score = 1 / (1 + np.exp(-(raw + rng.normal(scale=0.5, size=raw.shape))))
        scored = rng.random(score.shape) < SCORED
        veto = scored & (rng.random(score.shape) < forbidden)
        away_i = _away(rng, institutions, sessions, slots_per_session, unavailability)
        away_p = _away(rng, projects, sessions, slots_per_session, unavailability)
        musts = _musts(rng, score, scored & ~veto, away_i, away_p, must_meet, min_meetings)
        pi, pp = np.nonzero(scored)
        ps = score[pi, pp]
        vi, vp = np.nonzero(veto)
    else:
        pi, pp, ps = _shortlists(rng, institutions, projects, candidates)
        vetoed = rng.random(len(ps)) < forbidden
        vi, vp = pi[vetoed], pp[vetoed]
        away_i = _away(rng, institutions, sessions, slots_per_session, unavailability)
        away_p = _away(rng, projects, sessions, slots_per_session, unavailability)
        ok = ~vetoed
        musts = _sparse_musts(rng, pi[ok], pp[ok], ps[ok], away_i, away_p, must_meet, min_meetings)
    ids = [slot["id"] for slot in slots]

    def party(pid: str, away: np.ndarray, low: int, high: int) -> dict[str, Any]:
        return {
            "id": pid,
            "min_meetings": low,
            "max_meetings": high,
            "unavailable": [ids[k] for k in np.flatnonzero(away)],
        }

    return {
        "slots": slots,
        "institutions": [party(i, away_i[n], 0, n_slots) for n, i in enumerate(i_ids)],
        "projects": [party(p, away_p[n], min_meetings, max_meetings) for n, p in enumerate(p_ids)],
        "scores": [
            {"institution": i_ids[i], "project": p_ids[p], "score": round(s, 4)}
            for i, p, s in zip(pi.tolist(), pp.tolist(), ps.tolist(), strict=True)
        ],
        "must_meet": [{"institution": i_ids[i], "project": p_ids[p]} for i, p in musts],
        "forbidden": [
            {"institution": i_ids[i], "project": p_ids[p]}
            for i, p in zip(vi.tolist(), vp.tolist(), strict=True)
        ],
        "locked": [],
        "tables": [{"session": f"S{s + 1}", "count": institutions} for s in range(sessions)],
    }


def _away(
    rng: np.random.Generator, parties: int, sessions: int, per_session: int, share: float
) -> np.ndarray:
    """Return a (parties, slots) Boolean array of away slots."""
    away = rng.random((parties, sessions * per_session)) < share / 2
    for v, s in zip(*np.nonzero(rng.random((parties, sessions)) < share), strict=True):
        length = int(rng.integers(1, per_session))  # mean ≈ half a session
        first = s * per_session + (0 if rng.random() < 0.5 else per_session - length)
        away[v, first : first + length] = True
    return away


def _musts(
    rng: np.random.Generator,
    score: np.ndarray,
    allowed: np.ndarray,
    away_i: np.ndarray,
    away_p: np.ndarray,
    share: float,
    per_project: int,
) -> list[tuple[int, int]]:
    """Return must-meet pairs: high scores are likelier, capped so the instance stays feasible."""
    target = int(round(share * allowed.sum()))
    if target == 0 or per_project == 0:
        return []
    weights = np.where(allowed, score**4, 0.0).ravel()
    draws = min(int(np.count_nonzero(weights)), 4 * target)
    order = rng.choice(weights.size, size=draws, replace=False, p=weights / weights.sum())
    left_p = np.full(score.shape[1], per_project)
    left_i = (~away_i).sum(axis=1) // 2
    out: list[tuple[int, int]] = []
    for flat in order:
        i, p = divmod(int(flat), score.shape[1])
        if left_p[p] and left_i[i] and (~away_i[i] & ~away_p[p]).any():
            out.append((i, p))
            left_p[p] -= 1
            left_i[i] -= 1
            if len(out) == target:
                break
    return sorted(out)


def _shortlists(
    rng: np.random.Generator, institutions: int, projects: int, candidates: int, block: int = 2048
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (institution, project, score) arrays: each project's ``candidates`` best fits.

    The same rank-4 taste × trait model as the dense instances, one block of projects at a
    time; ordered by institution, then project, as the dense instances' pairs are.
    """
    k = min(candidates, institutions)
    taste = rng.normal(size=(institutions, 4))
    trait = rng.normal(size=(projects, 4))
    rows, cols, vals = [], [], []
    for first in range(0, projects, block):
        part = trait[first : first + block]
        raw = part @ taste.T / 2 + rng.normal(scale=0.5, size=(len(part), institutions))
        best = np.argpartition(-raw, k - 1, axis=1)[:, :k]
        rows.append(best.ravel())
        cols.append(np.repeat(np.arange(first, first + len(part)), k))
        vals.append(1 / (1 + np.exp(-np.take_along_axis(raw, best, axis=1).ravel())))
    pi, pp, ps = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    order = np.lexsort((pp, pi))
    return pi[order], pp[order], ps[order]


def _sparse_musts(
    rng: np.random.Generator,
    pi: np.ndarray,
    pp: np.ndarray,
    ps: np.ndarray,
    away_i: np.ndarray,
    away_p: np.ndarray,
    share: float,
    per_project: int,
) -> list[tuple[int, int]]:
    """Return must-meet pairs among listed pairs, under :func:`_musts`' rules."""
    target = int(round(share * len(ps)))
    if target == 0 or per_project == 0:
        return []
    weights = ps**4
    draws = min(len(ps), 4 * target)
    order = rng.choice(len(ps), size=draws, replace=False, p=weights / weights.sum())
    left_p = np.full(away_p.shape[0], per_project)
    left_i = (~away_i).sum(axis=1) // 2
    out: list[tuple[int, int]] = []
    for n in order.tolist():
        i, p = int(pi[n]), int(pp[n])
        if left_p[p] and left_i[i] and (~away_i[i] & ~away_p[p]).any():
            out.append((i, p))
            left_p[p] -= 1
            left_i[i] -= 1
            if len(out) == target:
                break
    return sorted(out)
