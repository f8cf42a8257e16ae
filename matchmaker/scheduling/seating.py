"""Tables: each institution gets one table per session, kept from locks and earlier agendas."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from matchmaker.scheduling.instance import Placement
from matchmaker.scheduling.model import Facts


def seat(
    facts: Facts,
    placed: Sequence[Placement],
    prefer: dict[tuple[str, str], str] | None = None,
) -> list[Placement]:
    """Return ``placed`` with every meeting at its institution's table for that session.

    A table already on a meeting (a locked one) is kept and claims that table for the
    institution; ``prefer`` maps ``(session id, institution id)`` to the table it had before
    (repair keeps it when still free); the rest take the free tables in order. The slot models
    keep the number of institutions per session within its tables, so there is always room.
    """
    session_of = {facts.slot_ids[k]: facts.session_ids[s] for k, s in enumerate(facts.session_of)}
    claimed: dict[tuple[str, str], str] = {}
    active: dict[str, set[str]] = defaultdict(set)
    for m in placed:
        session = session_of[m.slot]
        active[session].add(m.institution)
        if m.table is not None:
            claimed.setdefault((session, m.institution), m.table)
    seats = dict(claimed)
    for session, institutions in active.items():
        listed = facts.instance.tables.get(session)
        used = {t for (s, _), t in claimed.items() if s == session}
        waiting = sorted(i for i in institutions if (session, i) not in seats)
        for institution in list(waiting):
            table = (prefer or {}).get((session, institution))
            if table is not None and table not in used and _exists(table, listed):
                seats[(session, institution)] = table
                used.add(table)
                waiting.remove(institution)
        free = (t for t in _pool(listed) if t not in used)
        for institution in waiting:
            table = next(free, None)
            if table is None:  # the models forbid this; reaching it is a bug
                raise RuntimeError(f"session {session}: more institutions than tables")
            seats[(session, institution)] = table
            used.add(table)
    return [
        Placement(m.institution, m.project, m.slot, seats[(session_of[m.slot], m.institution)])
        for m in placed
    ]


def _exists(table: str, listed: tuple[str, ...] | None) -> bool:
    return table in listed if listed is not None else table.isdigit() and int(table) > 0


def _pool(listed: tuple[str, ...] | None) -> Iterator[str]:
    if listed is not None:
        yield from listed
        return
    n = 0
    while True:  # a session without a table list has tables "1", "2", … without limit
        n += 1
        yield str(n)
