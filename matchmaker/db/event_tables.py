"""Which tables hold an event's data, and how their rows reach the event: the backup plan.

:data:`PLAN` names every table that holds event data with a filter for one event's rows;
:data:`NOT_EVENT_DATA` names the rest with the reason. ``tests/test_backup.py`` fails when a
table of the schema is in neither, so a new table is never silently left out of backups.
Reviewed by hand: a table joins one of the two when it is created.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy import Table as SATable
from sqlalchemy.sql.elements import ColumnElement

from matchmaker.db.models import Base

Row = dict[str, Any]
TABLES = Base.metadata.tables


def _ids(table: str, column: str, event_id: int) -> Select[Any]:
    return select(TABLES[table].c.id).where(TABLES[table].c[column] == event_id)


def _sessions(event_id: int) -> Select[Any]:
    return _ids("matchmaking_sessions", "event_id", event_id)


def _projects(event_id: int) -> Select[Any]:
    return _ids("projects", "event_id", event_id)


def _institutions(event_id: int) -> Select[Any]:
    return _ids("institutions", "event_id", event_id)


def _in_sessions(table: str) -> Callable[[int], ColumnElement[bool]]:
    return lambda e: TABLES[table].c.session_id.in_(_sessions(e))


def _portfolio(event_id: int) -> Select[Any]:
    entries = TABLES["portfolio_entries"]
    return select(entries.c.id).where(entries.c.institution_id.in_(_institutions(event_id)))


def _vectors(event_id: int) -> ColumnElement[bool]:
    vectors = TABLES["text_vectors"]
    owners = {"project": _projects, "institution": _institutions, "portfolio": _portfolio}
    return or_(
        *(
            and_(vectors.c.kind == kind, vectors.c.entity_id.in_(ids(event_id)))
            for kind, ids in owners.items()
        )
    )


def _users(event_id: int) -> ColumnElement[bool]:
    users = TABLES["users"]
    return or_(
        users.c.institution_id.in_(_institutions(event_id)),
        users.c.project_id.in_(_projects(event_id)),
    )


# table -> which of its rows belong to event ``e``.
PLAN: dict[str, Callable[[int], ColumnElement[bool]]] = {
    "events": lambda e: TABLES["events"].c.id == e,
    "matchmaking_sessions": lambda e: TABLES["matchmaking_sessions"].c.event_id == e,
    "slots": _in_sessions("slots"),
    "session_tables": _in_sessions("session_tables"),
    "projects": lambda e: TABLES["projects"].c.event_id == e,
    "institutions": lambda e: TABLES["institutions"].c.event_id == e,
    "portfolio_entries": lambda e: TABLES["portfolio_entries"].c.id.in_(_portfolio(e)),
    "session_projects": _in_sessions("session_projects"),
    "session_institutions": _in_sessions("session_institutions"),
    "unavailabilities": lambda e: TABLES["unavailabilities"].c.slot_id.in_(
        select(TABLES["slots"].c.id).where(TABLES["slots"].c.session_id.in_(_sessions(e)))
    ),
    "session_seats": _in_sessions("session_seats"),
    "agendas": _in_sessions("agendas"),
    "meeting_requests": _in_sessions("meeting_requests"),
    "meetings": _in_sessions("meetings"),
    # Who marked each meeting held or absent, their ratings and follow-ups; late reports
    "meeting_marks": lambda e: TABLES["meeting_marks"].c.meeting_id.in_(
        select(TABLES["meetings"].c.id).where(TABLES["meetings"].c.session_id.in_(_sessions(e)))
    ),
    "late_reports": _in_sessions("late_reports"),
    "intents": lambda e: TABLES["intents"].c.event_id == e,
    "due_diligence_tasks": lambda e: TABLES["due_diligence_tasks"].c.project_id.in_(_projects(e)),
    # Landings that are not investments (落户, 入驻园区, 合作), with their values or 待定
    "landings": lambda e: TABLES["landings"].c.event_id == e,
    "shortlist_feedback": lambda e: TABLES["shortlist_feedback"].c.institution_id.in_(
        _institutions(e)
    ),
    "match_weights": lambda e: TABLES["match_weights"].c.event_id == e,
    # The rows of the projects' files; the files themselves stay in the attachment folder
    # (MATCHMAKER_ATTACHMENT_DIR), which is backed up with the database's folder.
    "attachments": lambda e: TABLES["attachments"].c.project_id.in_(_projects(e)),
    # Investors and entrants bound to the event's institutions and projects, with their
    # password hashes. Organiser and staff accounts serve every event: they stay out, and rows
    # that name one (an audit actor, a verdict's user) are matched by user name on restore.
    "users": _users,
    "audit_entries": lambda e: TABLES["audit_entries"].c.event_id == e,
    "text_vectors": _vectors,
    # Investors' applications from the sign-up page: pending ones (a password hash and all)
    # still wait for a decision after a restore; decided ones keep who decided and why.
    "signup_requests": lambda e: TABLES["signup_requests"].c.event_id == e,
    # The notification choices (channels, own addresses, quiet hours, muted kinds) of the
    # event's investors and entrants, restored with their accounts.
    "notification_settings": lambda e: TABLES["notification_settings"].c.user_id.in_(
        select(TABLES["users"].c.id).where(_users(e))
    ),
    # Roadshow sessions: the pitch-order draws, investors' interest and its taps, and the pairs
    # whose interest the organiser turned into a score bonus in a later session.
    "roadshow_draws": _in_sessions("roadshow_draws"),
    "roadshow_interests": _in_sessions("roadshow_interests"),
    "roadshow_taps": _in_sessions("roadshow_taps"),
    "interest_boosts": _in_sessions("interest_boosts"),
    # Who arrived, when and for which session (the day's check-ins), with who checked them in.
    "check_ins": lambda e: TABLES["check_ins"].c.event_id == e,
}

NOT_EVENT_DATA: dict[str, str] = {
    "api_tokens": "bearer tokens are credentials: restored accounts sign in with their password"
    " or are issued new tokens (and a replaced event's tokens are revoked with its accounts)",
    "web_sessions": "page sign-ins are credentials: a restored server's users sign in again",
    "invitations": "one-time links to set a password are credentials: an organiser of the"
    " restored server issues new ones (re-send, reset) to those who still need them",
    "jobs": "the record of background work (index rebuilds, agenda builds) on this server: its"
    " results are in the restored rows and index, and a restored event's jobs are run afresh",
    "notices": "the messages this server wrote and sent (the outbox and the in-app lists): a"
    " restored server must not send them again, and what they told is in the restored agendas,"
    " requests and tasks",
    "notice_deliveries": "how each notice went out from this server (see notices)",
    "notice_attempts": "each try at a delivery from this server (see notices)",
    "library_parties": "the lasting library spans contests: no one event's backup owns an"
    " identity that other contests' rows share (a restore links the event's rows again as an"
    " import does: by exact id, the rest proposed to an organiser)",
    "library_links": "links of rows to the library's identities (see library_parties)",
    "library_proposals": "suggested library links (see library_parties): re-proposed by"
    " `matchmaker library link`",
    "rate_limit_hits": "this server's count of recent failed sign-ins and bookings (minutes"
    " old): it belongs to the server, not to an event",
}


# Tables outside any one event whose rows an event's audit trail may name (the library's
# identities, links and proposals span contests): a restored trail keeps those ids as written,
# as history, and the restore links the rows again (services/operations/backup.py).
KEPT_AS_WRITTEN = frozenset({"library_parties", "library_links", "library_proposals"})


@dataclass(frozen=True)
class SoftReference:
    """An integer column that points at a row without a foreign key. Column ``by`` of the same
    row says which table: its value is the table's name, or a key of ``kinds``."""

    by: str
    kinds: dict[str, str] | None = None

    def target(self, row: Row) -> str:
        """Return the table a row's reference points into (KeyError for an unknown kind)."""
        value = row[self.by]
        return value if self.kinds is None else self.kinds[value]

    def naming(self, table: str) -> list[str]:
        """Return the values of ``by`` that point into ``table``."""
        return [table] if self.kinds is None else [k for k, t in self.kinds.items() if t == table]


VECTOR_KINDS = {
    "project": "projects",
    "institution": "institutions",
    "portfolio": "portfolio_entries",
}
SOFT_REFERENCES = {
    ("audit_entries", "entity_id"): SoftReference("entity_type"),
    ("text_vectors", "entity_id"): SoftReference("kind", VECTOR_KINDS),
}
# Rows outside an event that its rows may name (an organiser who audited a change); they are
# carried as {id: user name} and found again by name, or left empty (the label stays).
SHARED = "users"


def tables() -> list[SATable]:
    """Return the planned tables, parents before children (the order rows are loaded in)."""
    return [t for t in Base.metadata.sorted_tables if t.name in PLAN]
