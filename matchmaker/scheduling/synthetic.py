"""Synthetic instances shaped like a real matchmaking day, for tests and benchmarks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np

from matchmaker.domain import LOCAL_TZ


def make_instance(
    projects: int = 242,
    institutions: int = 41,
    sessions: int = 3,
    slots_per_session: int = 9,
    unavailability: float = 0.15,
    forbidden: float = 0.05,
    must_meet: float = 0.02,
    project_min: int = 2,
    project_max: int = 6,
    seed: int = 0,
) -> dict[str, Any]:
    """Return a JSON instance: low-rank scores plus noise, away slots, vetoes and must-meets.

    Every institution attends every session (as at the real event: 41 institutions, 27 slots,
    1,107 seats); each project is scored against every institution, as the service does.
    """
    rng = np.random.default_rng(seed)
    slots = []
    day = datetime(2026, 12, 8, 9, 0, tzinfo=LOCAL_TZ)
    for s in range(sessions):
        for k in range(slots_per_session):
            start = day + timedelta(days=s, minutes=20 * k)
            slots.append(
                {
                    "id": f"S{s + 1}-{k + 1}",
                    "session": f"S{s + 1}",
                    "start": start.isoformat(),
                    "minutes": 20,
                }
            )
    ids = [slot["id"] for slot in slots]
    p_ids = [f"P{n:04d}" for n in range(projects)]
    i_ids = [f"I{n:03d}" for n in range(institutions)]
    taste = rng.normal(size=(institutions, 4))
    trait = rng.normal(size=(projects, 4))
    raw = taste @ trait.T / 2 + rng.normal(scale=0.5, size=(institutions, projects))
    score = 1 / (1 + np.exp(-raw))

    def away() -> list[str]:
        return [slot for slot in ids if rng.random() < unavailability]

    pairs = [(i, p) for i in range(institutions) for p in range(projects)]
    picks = rng.random(len(pairs))
    banned = [pairs[n] for n in np.flatnonzero(picks < forbidden)]
    musts = [
        pairs[n] for n in np.flatnonzero((picks >= forbidden) & (picks < forbidden + must_meet / 3))
    ]
    return {
        "slots": slots,
        "institutions": [
            {"id": i, "min_meetings": 0, "max_meetings": len(ids), "unavailable": away()}
            for i in i_ids
        ],
        "projects": [
            {
                "id": p,
                "min_meetings": project_min,
                "max_meetings": project_max,
                "unavailable": away(),
            }
            for p in p_ids
        ],
        "scores": [
            {"institution": i_ids[i], "project": p_ids[p], "score": round(float(score[i, p]), 4)}
            for i, p in pairs
        ],
        "must_meet": [{"institution": i_ids[i], "project": p_ids[p]} for i, p in musts],
        "forbidden": [{"institution": i_ids[i], "project": p_ids[p]} for i, p in banned],
        "locked": [],
    }
