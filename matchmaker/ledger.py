"""The intent ladder's rules and the follow-up funnel, on plain values (no database, no web).

An intent climbs 关注 watching → 意向洽谈 negotiating → 签约意向 signed → 尽调 due_diligence →
投资落地 invested, or ends as 终止 dropped (ARCHITECTURE §2). Moving up may skip steps (a
signature at the event itself is common); moving down, or reopening a dropped intent, needs a
reason. What each step needs (an amount from signing on, the date, the invested amount …) is
checked here, for the API, the pages and the spreadsheet import alike. An investment may land
with its amount still to be fixed (金额待定): it counts as invested, its amount is filled in
later, and until then the totals hold only fixed amounts and say how many are unfixed.

The funnel counts what stands now: an intent counts at every step up to its current one, a
dropped one only as a follow-up. Amounts are integer yuan and are only ever added as ints.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from matchmaker.domain import DropReason, IntentStatus, format_yuan
from matchmaker.errors import Problem

LADDER: tuple[IntentStatus, ...] = (
    IntentStatus.WATCHING,
    IntentStatus.NEGOTIATING,
    IntentStatus.SIGNED,
    IntentStatus.DUE_DILIGENCE,
    IntentStatus.INVESTED,
)
SIGNED_OR_LATER = frozenset(LADDER[2:])


def rank(status: IntentStatus) -> int:
    """Return the step on the ladder (watching = 0); dropped is −1."""
    return LADDER.index(status) if status in LADDER else -1


@dataclass(frozen=True)
class IntentFacts:
    """What the rules look at: an intent's status and the fields its step needs."""

    status: IntentStatus
    amount: int | None = None
    signed_at: date | None = None
    signatories: str = ""
    invested_amount: int | None = None
    invested_at: date | None = None
    drop_reason: str = ""
    invested_amount_pending: bool = False  # 金额待定: landed, amount to be fixed later


def check_change(
    before: IntentFacts | None, after: IntentFacts, reason: str, today: date
) -> list[Problem]:
    """Return every problem with moving ``before`` (None: a new intent) to ``after``.

    ``reason`` is the free-text justification the user gave for this change (needed for a move
    down the ladder or out of dropped); ``today`` is the local date (no signing in the future).
    """
    problems: list[Problem] = []
    old, new = (before.status if before else None), after.status
    if old is not None and old != new:
        if old == IntentStatus.DROPPED and not reason.strip():
            problems.append(_p("intent.reopen_needs_reason", "status", new, old=old))
        elif new != IntentStatus.DROPPED and rank(new) < rank(old) and not reason.strip():
            problems.append(_p("intent.back_needs_reason", "status", new, old=old))
    if new == IntentStatus.DROPPED:
        if not after.drop_reason:
            problems.append(_p("intent.drop_needs_reason", "drop_reason", None))
        elif after.drop_reason not in {r.value for r in DropReason}:
            problems.append(
                _p("intent.bad_drop_reason", "drop_reason", after.drop_reason, choices=_reasons())
            )
    if new in SIGNED_OR_LATER:
        if after.amount is None:
            problems.append(_p("intent.amount_required", "amount", None, status=new))
        elif after.amount == 0:
            problems.append(_p("intent.amount_zero", "amount", 0, status=new))
        if after.signed_at is None:
            problems.append(_p("intent.signed_at_required", "signed_at", None, status=new))
    if new == IntentStatus.INVESTED:
        if after.invested_amount is None and not after.invested_amount_pending:
            problems.append(_p("intent.invested_amount_required", "invested_amount", None))
        elif after.invested_amount == 0:
            problems.append(_p("intent.amount_zero", "invested_amount", 0, status=new))
        if after.invested_at is None:
            problems.append(_p("intent.invested_at_required", "invested_at", None))
    for name in ("amount", "invested_amount"):
        value = getattr(after, name)
        if value is not None and value < 0:
            problems.append(_p("import.negative_amount", name, value))
    for name in ("signed_at", "invested_at"):
        value = getattr(after, name)
        if value is not None and value > today:
            problems.append(_p("intent.date_in_future", name, value.isoformat()))
    if after.signed_at and after.invested_at and after.invested_at < after.signed_at:
        problems.append(
            _p("intent.invested_before_signed", "invested_at", after.invested_at.isoformat())
        )
    return problems


def _reasons() -> str:
    return DropReason.choices()


def _p(code: str, column: str, value: Any, **params: Any) -> Problem:
    return Problem(code, column=column, value=value, params=params)


# ---- the funnel ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRow:
    """One intent as the report sees it: the groups it belongs to and its current standing.

    ``history`` lists ``(status, since)`` in order, the last one being the current status.
    """

    groups: dict[str, str]  # dimension -> key, e.g. {"session": "S1", "track": "green_economy"}
    project: str
    status: IntentStatus
    amount: int | None
    invested_amount: int | None
    history: tuple[tuple[IntentStatus, datetime], ...] = ()


@dataclass
class Step:
    """One funnel step: how many intents (and distinct projects) reached it, and their amount."""

    count: int = 0
    projects: set[str] = field(default_factory=set)
    amount: int = 0  # fixed amounts only
    unfixed: int = 0  # how many counted here have their amount still to be fixed (金额待定)

    def to_dict(self, lang: str = "zh", amounts: bool = True) -> dict[str, Any]:
        """Return a JSON-ready step; ``amounts`` False hides money."""
        out: dict[str, Any] = {"count": self.count, "projects": len(self.projects)}
        if amounts:
            out["amount"] = self.amount
            out["amount_text"] = format_yuan(self.amount, lang)
            out["unfixed"] = self.unfixed
        return out


@dataclass
class Funnel:
    """Meetings held → follow-ups → negotiating → signed → due diligence → invested, for a group."""

    key: str
    meetings_held: int = 0
    follow_ups: Step = field(default_factory=Step)
    negotiating: Step = field(default_factory=Step)
    signed: Step = field(default_factory=Step)
    due_diligence: Step = field(default_factory=Step)
    invested: Step = field(default_factory=Step)
    dropped: Step = field(default_factory=Step)
    open_tasks: int = 0
    unrecorded: int = 0  # meetings still scheduled after their slot ended: attendance unknown
    days: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    STEPS = ("follow_ups", "negotiating", "signed", "due_diligence", "invested")

    def add(self, row: LedgerRow, now: datetime) -> None:
        """Count ``row`` at every step it stands on."""
        self.follow_ups.count += 1
        self.follow_ups.projects.add(row.project)
        if row.status == IntentStatus.DROPPED:
            self.dropped.count += 1
            self.dropped.projects.add(row.project)
            self.dropped.amount += row.amount or 0
        else:
            step = rank(row.status)
            for at, name in ((1, "negotiating"), (2, "signed"), (3, "due_diligence")):
                if step >= at:
                    target: Step = getattr(self, name)
                    target.count += 1
                    target.projects.add(row.project)
                    target.amount += row.amount or 0
            if row.status == IntentStatus.INVESTED:
                self.invested.count += 1
                self.invested.projects.add(row.project)
                if row.invested_amount is None:
                    self.invested.unfixed += 1
                else:
                    self.invested.amount += row.invested_amount
        for (status, since), following in zip(
            row.history, [*(t for _s, t in row.history[1:]), now], strict=True
        ):
            self.days[status.value].append(max(0.0, (following - since).total_seconds() / 86400))

    def rates(self) -> dict[str, float | None]:
        """Return the conversion from each step to the next (None when the step is empty)."""
        pairs = {
            "follow_up_per_meeting": (self.follow_ups.count, self.meetings_held),
            "signed_per_follow_up": (self.signed.count, self.follow_ups.count),
            "due_diligence_per_signed": (self.due_diligence.count, self.signed.count),
            "invested_per_signed": (self.invested.count, self.signed.count),
        }
        return {k: (round(a / b, 4) if b else None) for k, (a, b) in pairs.items()}

    def to_dict(self, lang: str = "zh", amounts: bool = True) -> dict[str, Any]:
        """Return the JSON-ready funnel."""
        days = {
            status: {
                "intents": len(values),
                "mean": round(statistics.fmean(values), 1),
                "median": round(statistics.median(values), 1),
            }
            for status, values in self.days.items()
            if values
        }
        return {
            "key": self.key,
            "meetings_held": self.meetings_held,
            **{name: getattr(self, name).to_dict(lang, amounts) for name in self.STEPS},
            "dropped": self.dropped.to_dict(lang, amounts),
            "open_due_diligence_tasks": self.open_tasks,
            "meetings_unrecorded": self.unrecorded,
            "rates": self.rates(),
            "days_in_stage": days,
        }


def funnels(
    rows: Iterable[LedgerRow],
    dimension: str | None,
    now: datetime,
    meetings_held: dict[str, int] | None = None,
    open_tasks: dict[str, int] | None = None,
    unrecorded: dict[str, int] | None = None,
) -> tuple[Funnel, list[Funnel]]:
    """Return the overall funnel and one per key of ``dimension`` (None: overall only).

    ``meetings_held``, ``open_tasks`` and ``unrecorded`` (meetings whose attendance nobody
    recorded) map a group key (or ``"*"`` for the whole) to counts.
    Every group's figures add up to the overall figures when each row has one key.
    """
    meetings_held, open_tasks = meetings_held or {}, open_tasks or {}
    unrecorded = unrecorded or {}
    total = Funnel(
        "*",
        meetings_held=meetings_held.get("*", 0),
        open_tasks=open_tasks.get("*", 0),
        unrecorded=unrecorded.get("*", 0),
    )
    groups: dict[str, Funnel] = {}
    for row in rows:
        total.add(row, now)
        if dimension is not None:
            key = row.groups.get(dimension, "")
            if key not in groups:
                groups[key] = Funnel(key)
            groups[key].add(row, now)
    if dimension is not None:
        for key in set(meetings_held) | set(open_tasks) | set(unrecorded):
            if key != "*" and key not in groups:
                groups[key] = Funnel(key)
        for key, funnel in groups.items():
            funnel.meetings_held = meetings_held.get(key, 0)
            funnel.open_tasks = open_tasks.get(key, 0)
            funnel.unrecorded = unrecorded.get(key, 0)
    ordered = sorted(groups.values(), key=lambda f: (-f.signed.amount, -f.follow_ups.count, f.key))
    return total, ordered
