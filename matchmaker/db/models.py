"""SQLAlchemy 2.0 models: the event, its sessions and slots, the parties, meetings, the ledger."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Double,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy import Table as SATable
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from matchmaker.db.types import JSONList, Money, UTCDateTime, str_enum, utcnow
from matchmaker.domain import (
    AgendaStatus,
    CooperationKind,
    DueDiligenceStatus,
    IntentStatus,
    JobKind,
    JobStatus,
    LandingKind,
    MeetingStatus,
    RequestStatus,
    Role,
    SessionKind,
    Stage,
    TaskKind,
    Verdict,
)
from matchmaker.text import NAME_KEY_LENGTH, name_key

# Deterministic constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

intpk = Annotated[int, mapped_column(primary_key=True)]
# Audited tables: their trails name rows by id, so SQLite must never hand a deleted row's id to
# a new one (without AUTOINCREMENT it reuses the highest; PostgreSQL sequences never go back).
AUDITED_IDS: dict[str, Any] = {"sqlite_autoincrement": True}
code_str = Annotated[str, mapped_column(String(64))]
name_str = Annotated[str, mapped_column(String(200))]
created = Annotated[datetime, mapped_column(UTCDateTime(), default=utcnow)]
updated = Annotated[datetime, mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)]


class Base(DeclarativeBase):
    """Declarative base with the naming convention."""

    metadata = MetaData(naming_convention=NAMING)


def _fk(target: str, nullable: bool = False, ondelete: str = "CASCADE") -> Any:
    return mapped_column(ForeignKey(target, ondelete=ondelete), index=True, nullable=nullable)


class Event(Base):
    """One competition edition (大赛 / 活动)."""

    __tablename__ = "events"

    id: Mapped[intpk]
    code: Mapped[code_str] = mapped_column(unique=True)
    name: Mapped[name_str]
    name_en: Mapped[str] = mapped_column(String(200), default="")
    year: Mapped[int]
    city: Mapped[str] = mapped_column(String(100), default="")
    organiser: Mapped[str] = mapped_column(String(300), default="")
    # The languages the event works in, comma-separated codes in order ("zh,en").
    languages: Mapped[str] = mapped_column(
        String(50), default="zh,en", server_default=text("'zh,en'")
    )
    # Its tracks and groups (matchmaker.vocabulary.EventVocabulary.to_dict); NULL reads as the
    # 中国创翼 preset (services/registry/vocabulary.py).
    vocabulary: Mapped[dict[str, Any] | None] = mapped_column(JSONList, nullable=True)
    # Bumped by every flush that changes its registrations (db/versioning.py).
    registrations_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Registration fields a party may no longer change (organisers still may), and the deadline
    # after which name, track and group lock by themselves (services/registry/profiles.py).
    locked_fields: Mapped[list[str]] = mapped_column(
        JSONList, default=list, server_default=text("'[]'")
    )
    registration_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The notices' eligibility rules switched on, and the barred past winners
    # (services/registry/eligibility.py); None: every rule off.
    rules: Mapped[dict[str, Any] | None] = mapped_column(JSONList, nullable=True)
    # Investors may apply from the event's public page (services/registry/signups.py).
    signups_open: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The adcode of the city or county that runs it, and the city's contest a county's 分赛场
    # belongs to (services/registry/scopes.py): an organiser scoped to the city sees both.
    division: Mapped[int | None] = mapped_column(nullable=True)
    parent_id: Mapped[int | None] = _fk("events.id", nullable=True, ondelete="RESTRICT")
    # Its parties, meetings and outcomes join the lasting library (services/library): other
    # contests' offices see its rows in histories, link proposals and carry-over only when on.
    share_library: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The year's targets beside which reports and the city's roll-up show the actuals
    # (services/ledger/targets.py): {metric: integer}, amounts in yuan.
    targets: Mapped[dict[str, int]] = mapped_column(
        JSONList, default=dict, server_default=text("'{}'")
    )
    created_at: Mapped[created]

    parent: Mapped[Event | None] = relationship(remote_side="Event.id")
    sessions: Mapped[list[MatchmakingSession]] = relationship(
        back_populates="event",
        order_by="MatchmakingSession.starts_at",
        cascade="all, delete-orphan",
    )


session_projects = SATable(
    "session_projects",
    Base.metadata,
    Column(
        "session_id", ForeignKey("matchmaking_sessions.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)

session_institutions = SATable(
    "session_institutions",
    Base.metadata,
    Column(
        "session_id", ForeignKey("matchmaking_sessions.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "institution_id",
        ForeignKey("institutions.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class MatchmakingSession(Base):
    """One matchmaking session (对接专场): a day, a venue, slots of fixed length, tables."""

    __tablename__ = "matchmaking_sessions"
    __table_args__ = (
        UniqueConstraint("event_id", "code"),
        CheckConstraint("slot_minutes > 0 AND slot_minutes <= 240", name="slot_minutes"),
        CheckConstraint("table_count >= 0", name="table_count"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[intpk]
    event_id: Mapped[int] = _fk("events.id")
    code: Mapped[code_str]
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind, "session_kind"))
    name: Mapped[name_str]
    name_en: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    venue: Mapped[str] = mapped_column(String(300), default="")
    slot_minutes: Mapped[int]
    table_count: Mapped[int] = mapped_column(default=0)
    # Pauses in local time, "HH:MM-HH:MM" in order (lunch): no slot overlaps one.
    breaks: Mapped[list[str]] = mapped_column(JSONList, default=list, server_default=text("'[]'"))
    created_at: Mapped[created]

    event: Mapped[Event] = relationship(back_populates="sessions")
    slots: Mapped[list[Slot]] = relationship(
        back_populates="session", order_by="Slot.number", cascade="all, delete-orphan"
    )
    tables: Mapped[list[Table]] = relationship(
        back_populates="session", order_by="Table.number", cascade="all, delete-orphan"
    )
    projects: Mapped[list[Project]] = relationship(
        secondary=session_projects, back_populates="sessions"
    )
    institutions: Mapped[list[Institution]] = relationship(
        secondary=session_institutions, back_populates="sessions"
    )


class Slot(Base):
    """A time slot inside a session (时段)."""

    __tablename__ = "slots"
    __table_args__ = (
        UniqueConstraint("session_id", "number"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[intpk]
    session_id: Mapped[int] = _fk("matchmaking_sessions.id")
    number: Mapped[int]
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())

    session: Mapped[MatchmakingSession] = relationship(back_populates="slots")


class Table(Base):
    """A numbered table (桌号) in a session's room; institutions sit, projects rotate."""

    __tablename__ = "session_tables"
    __table_args__ = (UniqueConstraint("session_id", "number"),)

    id: Mapped[intpk]
    session_id: Mapped[int] = _fk("matchmaking_sessions.id")
    number: Mapped[int]
    label: Mapped[str] = mapped_column(String(50), default="")

    session: Mapped[MatchmakingSession] = relationship(back_populates="tables")


class Contact:
    """Contact columns shared by projects and institutions (shown only to those allowed)."""

    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(50), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")


def _unique_name(table: str) -> Index:
    """No two parties of one kind share a name (after :func:`matchmaker.text.name_key`) in an
    event. Rows with no key (duplicates that predate migration 0010) are exempt until renamed."""
    return Index(f"uq_{table}_event_id_name_key", "event_id", "name_key", unique=True)


def _keep_name_key(row: Any, _key: str, value: str) -> str:
    """Set ``name_key`` when the name changes in a way that counts (not just spaces or case), so
    an old duplicate without a key keeps none until it is really renamed."""
    if row.name is None or name_key(row.name) != name_key(value):
        row.name_key = name_key(value)
    return value


class Project(Contact, Base):
    """A registered project (参赛项目). Text is kept as written; ``search_text`` is folded."""

    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("event_id", "code"),
        CheckConstraint("funding_ask IS NULL OR funding_ask >= 0", name="funding_ask_nonneg"),
        _unique_name("projects"),
    )

    id: Mapped[intpk]
    event_id: Mapped[int] = _fk("events.id")
    code: Mapped[code_str]
    name: Mapped[name_str]
    name_key: Mapped[str | None] = mapped_column(String(NAME_KEY_LENGTH), nullable=True)
    # Keys of the event's tracks and groups (its vocabulary), checked by the services, not the
    # database: an event may add tracks and groups of its own.
    track: Mapped[str] = mapped_column(String(100))
    group: Mapped[str | None] = mapped_column(String(100), nullable=True)
    sectors: Mapped[list[str]] = mapped_column(JSONList, default=list)
    stage: Mapped[Stage | None] = mapped_column(str_enum(Stage, "stage"), nullable=True)
    funding_ask: Mapped[int | None] = mapped_column(Money, nullable=True)
    region: Mapped[str] = mapped_column(String(200), default="")
    needs: Mapped[list[str]] = mapped_column(JSONList, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    # 统一社会信用代码 (an enterprise's) and the lead person's 身份证号, check characters verified
    # (matchmaker/identifiers.py); the id number is shown masked to all but organisers.
    credit_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    leader_id: Mapped[str | None] = mapped_column(String(18), nullable=True)
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created]
    updated_at: Mapped[updated]

    sessions: Mapped[list[MatchmakingSession]] = relationship(
        secondary=session_projects, back_populates="projects", order_by="MatchmakingSession.code"
    )
    # read only: the sign-in loads a party's event with it (the request's event look-ups then
    # come from the session, not the database)
    event: Mapped[Event] = relationship(viewonly=True)

    _name = validates("name")(_keep_name_key)


class Institution(Contact, Base):
    """A venture or service institution (创投机构 / 对接服务机构)."""

    __tablename__ = "institutions"
    __table_args__ = (
        UniqueConstraint("event_id", "code"),
        CheckConstraint(
            "(ticket_min IS NULL OR ticket_min >= 0) AND (ticket_max IS NULL OR ticket_max >= 0)",
            name="ticket_nonneg",
        ),
        CheckConstraint(
            "ticket_min IS NULL OR ticket_max IS NULL OR ticket_min <= ticket_max",
            name="ticket_ordered",
        ),
        _unique_name("institutions"),
    )

    id: Mapped[intpk]
    event_id: Mapped[int] = _fk("events.id")
    code: Mapped[code_str]
    name: Mapped[name_str]
    name_key: Mapped[str | None] = mapped_column(String(NAME_KEY_LENGTH), nullable=True)
    # A key of the event's institution types (its vocabulary), checked by the services: the six
    # of matchmaker.domain.InstitutionType, or a type the organiser added.
    type: Mapped[str] = mapped_column(String(100))
    focus_sectors: Mapped[list[str]] = mapped_column(JSONList, default=list)
    stages: Mapped[list[str]] = mapped_column(JSONList, default=list)
    ticket_min: Mapped[int | None] = mapped_column(Money, nullable=True)
    ticket_max: Mapped[int | None] = mapped_column(Money, nullable=True)
    regions: Mapped[list[str]] = mapped_column(JSONList, default=list)
    thesis: Mapped[str] = mapped_column(Text, default="")
    # Which preferences are hard limits (hide what falls outside) rather than score.
    hard_region: Mapped[bool] = mapped_column(default=True, server_default=true())
    hard_stage: Mapped[bool] = mapped_column(default=False, server_default=false())
    hard_ticket: Mapped[bool] = mapped_column(default=False, server_default=false())
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created]
    updated_at: Mapped[updated]

    portfolio: Mapped[list[PortfolioEntry]] = relationship(
        back_populates="institution",
        order_by="PortfolioEntry.position",
        cascade="all, delete-orphan",
    )
    sessions: Mapped[list[MatchmakingSession]] = relationship(
        secondary=session_institutions,
        back_populates="institutions",
        order_by="MatchmakingSession.code",
    )
    event: Mapped[Event] = relationship(viewonly=True)  # read only, as Project.event

    _name = validates("name")(_keep_name_key)


class Attachment(Base):
    """A file a project team added to its profile (a BP PDF), kept beside the database under
    ``stored_name`` (made here, never from the uploaded name, so no name can leave the folder)."""

    __tablename__ = "attachments"
    __table_args__ = AUDITED_IDS

    id: Mapped[intpk]
    project_id: Mapped[int] = _fk("projects.id")
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    size: Mapped[int] = mapped_column(Money)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[created]

    project: Mapped[Project] = relationship()


class PortfolioEntry(Base):
    """A past investment of an institution (已投项目), used to profile it."""

    __tablename__ = "portfolio_entries"

    id: Mapped[intpk]
    institution_id: Mapped[int] = _fk("institutions.id")
    position: Mapped[int] = mapped_column(default=0)
    company: Mapped[name_str]
    sectors: Mapped[list[str]] = mapped_column(JSONList, default=list)
    stage: Mapped[Stage | None] = mapped_column(str_enum(Stage, "stage"), nullable=True)
    year: Mapped[int | None] = mapped_column(nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")

    institution: Mapped[Institution] = relationship(back_populates="portfolio")


class Unavailability(Base):
    """A slot in which one party (a project or an institution) cannot meet anyone."""

    __tablename__ = "unavailabilities"
    __table_args__ = (
        CheckConstraint(
            "(project_id IS NULL) <> (institution_id IS NULL)", name="exactly_one_party"
        ),
        UniqueConstraint("slot_id", "project_id"),
        UniqueConstraint("slot_id", "institution_id"),
    )

    id: Mapped[intpk]
    slot_id: Mapped[int] = _fk("slots.id")
    project_id: Mapped[int | None] = _fk("projects.id", nullable=True)
    institution_id: Mapped[int | None] = _fk("institutions.id", nullable=True)
    reason: Mapped[str] = mapped_column(String(200), default="")


class MeetingRequest(Base):
    """A request to meet (预约), asked by either side: pending → accepted/declined/expired."""

    __tablename__ = "meeting_requests"
    __table_args__ = AUDITED_IDS

    id: Mapped[intpk]
    session_id: Mapped[int] = _fk("matchmaking_sessions.id")
    project_id: Mapped[int] = _fk("projects.id")
    institution_id: Mapped[int] = _fk("institutions.id")
    requested_by: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus, "request_status"), default=RequestStatus.PENDING
    )
    slot_id: Mapped[int | None] = _fk("slots.id", nullable=True, ondelete="SET NULL")
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created]
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    session: Mapped[MatchmakingSession] = relationship()
    project: Mapped[Project] = relationship()
    institution: Mapped[Institution] = relationship()
    slot: Mapped[Slot | None] = relationship()


_LIVE_MEETING = text("status <> 'cancelled'")


class Meeting(Base):
    """A meeting (会见): institution × project × slot × table. Live meetings never double-book."""

    __tablename__ = "meetings"
    __table_args__ = (
        Index(
            "uq_meetings_live_institution_slot",
            "slot_id",
            "institution_id",
            unique=True,
            sqlite_where=_LIVE_MEETING,
            postgresql_where=_LIVE_MEETING,
        ),
        Index(
            "uq_meetings_live_project_slot",
            "slot_id",
            "project_id",
            unique=True,
            sqlite_where=_LIVE_MEETING,
            postgresql_where=_LIVE_MEETING,
        ),
        Index(
            "uq_meetings_live_table_slot",
            "slot_id",
            "table_id",
            unique=True,
            sqlite_where=_LIVE_MEETING,
            postgresql_where=_LIVE_MEETING,
        ),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        AUDITED_IDS,
    )

    id: Mapped[intpk]
    session_id: Mapped[int] = _fk("matchmaking_sessions.id")
    slot_id: Mapped[int] = _fk("slots.id")
    table_id: Mapped[int | None] = _fk("session_tables.id", nullable=True, ondelete="SET NULL")
    institution_id: Mapped[int] = _fk("institutions.id")
    project_id: Mapped[int] = _fk("projects.id")
    status: Mapped[MeetingStatus] = mapped_column(
        str_enum(MeetingStatus, "meeting_status"), default=MeetingStatus.SCHEDULED
    )
    locked: Mapped[bool] = mapped_column(default=False)
    request_id: Mapped[int | None] = _fk("meeting_requests.id", nullable=True, ondelete="SET NULL")
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[created]
    updated_at: Mapped[updated]

    session: Mapped[MatchmakingSession] = relationship()
    slot: Mapped[Slot] = relationship()
    table: Mapped[Table | None] = relationship()
    institution: Mapped[Institution] = relationship()
    project: Mapped[Project] = relationship()


class CheckIn(Base):
    """A party's arrival (签到) at an event, for one session or (``session_id`` NULL) the day:
    who checked them in, when, and how (a scanned badge or its code typed). One per party and
    session; a second scan finds this row and says when it was made. The party is a project or
    an institution (exactly one), with foreign keys so backups and deletions follow it."""

    __tablename__ = "check_ins"
    __table_args__ = (
        CheckConstraint(
            "(project_id IS NULL) <> (institution_id IS NULL)", name="exactly_one_party"
        ),
        CheckConstraint("method IN ('scan', 'typed')", name="method_known"),
        UniqueConstraint("session_id", "project_id"),
        UniqueConstraint("session_id", "institution_id"),
    )

    id: Mapped[intpk]
    event_id: Mapped[int] = _fk("events.id")
    session_id: Mapped[int | None] = _fk("matchmaking_sessions.id", nullable=True)
    project_id: Mapped[int | None] = _fk("projects.id", nullable=True)
    institution_id: Mapped[int | None] = _fk("institutions.id", nullable=True)
    at: Mapped[created]
    by_user_id: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    method: Mapped[str] = mapped_column(String(10))

    session: Mapped[MatchmakingSession | None] = relationship()
    project: Mapped[Project | None] = relationship()
    institution: Mapped[Institution | None] = relationship()


class Intent(Base):
    """An investment intent (投资意向) on the ladder watching → … → invested, or dropped.

    One per institution × project: a pair's story is one record whose history is the audit
    trail. ``version`` goes up with every change, so a stale edit is refused (409).
    """

    __tablename__ = "intents"
    __table_args__ = (
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount_nonneg"),
        CheckConstraint(
            "invested_amount IS NULL OR invested_amount >= 0", name="invested_amount_nonneg"
        ),
        UniqueConstraint("institution_id", "project_id"),
        AUDITED_IDS,
    )

    id: Mapped[intpk]
    event_id: Mapped[int] = _fk("events.id")
    institution_id: Mapped[int] = _fk("institutions.id")
    project_id: Mapped[int] = _fk("projects.id")
    session_id: Mapped[int | None] = _fk(
        "matchmaking_sessions.id", nullable=True, ondelete="SET NULL"
    )
    meeting_id: Mapped[int | None] = _fk("meetings.id", nullable=True, ondelete="SET NULL")
    status: Mapped[IntentStatus] = mapped_column(
        str_enum(IntentStatus, "intent_status"), default=IntentStatus.WATCHING
    )
    amount: Mapped[int | None] = mapped_column(Money, nullable=True)
    signed_at: Mapped[date | None] = mapped_column(nullable=True)
    signatories: Mapped[str] = mapped_column(String(300), default="")
    invested_amount: Mapped[int | None] = mapped_column(Money, nullable=True)
    # 金额待定: landed with the amount still to be fixed (invested_amount None until it is)
    invested_amount_pending: Mapped[bool] = mapped_column(default=False, server_default=false())
    invested_at: Mapped[date | None] = mapped_column(nullable=True)
    drop_reason: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    status_since: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    created_at: Mapped[created]
    updated_at: Mapped[updated]

    # loaded with the intent, like its parties: the API shows an intent after its commit
    event: Mapped[Event] = relationship(viewonly=True, lazy="joined", innerjoin=True)
    institution: Mapped[Institution] = relationship(lazy="joined", innerjoin=True)
    project: Mapped[Project] = relationship(lazy="joined", innerjoin=True)
    session: Mapped[MatchmakingSession | None] = relationship()
    tasks: Mapped[list[DueDiligence]] = relationship(
        back_populates="intent", order_by="DueDiligence.id", passive_deletes=True
    )


class DueDiligence(Base):
    """A follow-up task: due diligence (入场评估考察 / 尽调) with an institution, or a
    government service's own task (贷款对接, 入驻, 培训, 政策申报) whose counterpart is named as
    text and that may have no institution at all."""

    __tablename__ = "due_diligence_tasks"
    __table_args__ = (
        CheckConstraint(
            "kind <> 'due_diligence' OR institution_id IS NOT NULL", name="dd_has_institution"
        ),
        AUDITED_IDS,
    )

    id: Mapped[intpk]
    intent_id: Mapped[int | None] = _fk("intents.id", nullable=True, ondelete="SET NULL")
    project_id: Mapped[int] = _fk("projects.id")
    institution_id: Mapped[int | None] = _fk("institutions.id", nullable=True)
    kind: Mapped[TaskKind] = mapped_column(
        str_enum(TaskKind, "task_kind"),
        default=TaskKind.DUE_DILIGENCE,
        server_default=text("'due_diligence'"),
    )
    counterpart: Mapped[str] = mapped_column(String(200), default="", server_default=text("''"))
    owner: Mapped[str] = mapped_column(String(100), default="")
    due_date: Mapped[date | None] = mapped_column(nullable=True)
    next_follow_up: Mapped[date | None] = mapped_column(nullable=True)
    status: Mapped[DueDiligenceStatus] = mapped_column(
        str_enum(DueDiligenceStatus, "dd_status"), default=DueDiligenceStatus.OPEN
    )
    outcome: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    created_at: Mapped[created]
    updated_at: Mapped[updated]

    intent: Mapped[Intent | None] = relationship(back_populates="tasks")
    institution: Mapped[Institution | None] = relationship(lazy="joined")
    project: Mapped[Project] = relationship(lazy="joined", innerjoin=True)

    @property
    def counterpart_name(self) -> str:
        """Return whom the task is with: the institution's name, else the service as typed."""
        if self.institution is not None:
            return self.institution.name
        return self.counterpart


class Landing(Base):
    """A landing that is not an investment: 落户, 入驻园区 (place, date) or 合作 (a loan, space,
    equipment or orders, with a value in yuan where there is one, or one still to be fixed).

    A project may land several times; the counterpart (a park, a city service, a bank) is named
    as text, and may also be an institution of the event and the pair's intent.
    """

    __tablename__ = "landings"
    __table_args__ = (
        CheckConstraint("value IS NULL OR value >= 0", name="value_nonneg"),
        CheckConstraint(
            "(kind = 'cooperation') = (cooperation IS NOT NULL)", name="cooperation_given"
        ),
        AUDITED_IDS,
    )

    id: Mapped[intpk]
    event_id: Mapped[int] = _fk("events.id")
    project_id: Mapped[int] = _fk("projects.id")
    institution_id: Mapped[int | None] = _fk("institutions.id", nullable=True, ondelete="SET NULL")
    intent_id: Mapped[int | None] = _fk("intents.id", nullable=True, ondelete="SET NULL")
    kind: Mapped[LandingKind] = mapped_column(str_enum(LandingKind, "landing_kind"))
    cooperation: Mapped[CooperationKind | None] = mapped_column(
        str_enum(CooperationKind, "cooperation_kind"), nullable=True
    )
    counterpart: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    landed_on: Mapped[date]
    value: Mapped[int | None] = mapped_column(Money, nullable=True)
    value_pending: Mapped[bool] = mapped_column(default=False, server_default=false())
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    created_at: Mapped[created]
    updated_at: Mapped[updated]

    project: Mapped[Project] = relationship(lazy="joined", innerjoin=True)
    institution: Mapped[Institution | None] = relationship(lazy="joined")
    intent: Mapped[Intent | None] = relationship()


class AuditEntry(Base):
    """One change to an audited record: who, when, before → after. Append-only.

    ``event_id`` says whose trail it is even after the record itself was deleted, so an event's
    backup carries its whole trail (``services/operations/backup.py``).
    """

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_entity", "entity_type", "entity_id"),)

    id: Mapped[intpk]
    event_id: Mapped[int | None] = _fk("events.id", nullable=True)
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[created]
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONList, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONList, nullable=True)


class User(Base):
    """A person who signs in; investors are bound to an institution, entrants to a project."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "(role = 'investor' AND institution_id IS NOT NULL AND project_id IS NULL)"
            " OR (role = 'entrant' AND project_id IS NOT NULL AND institution_id IS NULL)"
            " OR (role IN ('organiser', 'staff') AND project_id IS NULL"
            " AND institution_id IS NULL)",
            name="role_binding",
        ),
        CheckConstraint(
            "scope_event_id IS NULL OR role IN ('organiser', 'staff')", name="scope_staff_only"
        ),
    )

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    institution_id: Mapped[int | None] = _fk("institutions.id", nullable=True)
    project_id: Mapped[int | None] = _fk("projects.id", nullable=True)
    # An organiser or staff account limited to this event and the events under it (a city's
    # counties); NULL: every event (services/registry/scopes.py).
    scope_event_id: Mapped[int | None] = _fk("events.id", nullable=True, ondelete="RESTRICT")
    password_hash: Mapped[str] = mapped_column(String(300), default="")
    language: Mapped[str] = mapped_column(String(8), default="zh")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created]

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    institution: Mapped[Institution | None] = relationship()
    project: Mapped[Project | None] = relationship()


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored, so a database leak reveals no token."""

    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    user_id: Mapped[int] = _fk("users.id")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[created]
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    user: Mapped[User] = relationship(back_populates="tokens")


class WebSession(Base):
    """A page sign-in. The signed cookie carries a random token; only its SHA-256 is stored, and
    signing out deletes the row, so a copied or replayed cookie no longer signs anyone in."""

    __tablename__ = "web_sessions"

    id: Mapped[intpk]
    user_id: Mapped[int] = _fk("users.id")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created]


class Invitation(Base):
    """A one-time link that lets a person set their password: an invitation to a new account,
    or a password reset. Only the token's SHA-256 is stored; a link works until it expires, is
    used or is revoked (a newer link for the same person revokes the older)."""

    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint("purpose IN ('invite', 'reset')", name="purpose_known"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = _fk("users.id")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[created]
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    user: Mapped[User] = relationship()


class SignupRequest(Base):
    """An investor's application from the event's public page (对接服务报名). It is no
    institution until an organiser approves it: then the institution and its account are made
    from it (``institution_id``). ``payload`` holds the institution's fields as the form read
    them; the password is kept only as its hash."""

    __tablename__ = "signup_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status_known"),
        AUDITED_IDS,
    )

    id: Mapped[intpk]
    event_id: Mapped[int] = _fk("events.id")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    name: Mapped[name_str]
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_LENGTH))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONList)
    contact_name: Mapped[str] = mapped_column(String(100))
    contact_phone: Mapped[str] = mapped_column(String(50))
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    username: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[created]
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    reason: Mapped[str] = mapped_column(Text, default="")
    institution_id: Mapped[int | None] = _fk("institutions.id", nullable=True, ondelete="SET NULL")

    institution: Mapped[Institution | None] = relationship()
    decider: Mapped[User | None] = relationship()


class TextVector(Base):
    """A cached text embedding of a project or institution, keyed by encoder and text hash.

    A switch of encoder never mixes spaces: vectors are looked up by the encoder's name, and a
    changed text (hash) is encoded again.
    """

    __tablename__ = "text_vectors"
    __table_args__ = (UniqueConstraint("kind", "entity_id", "encoder"),)

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int]
    encoder: Mapped[str] = mapped_column(String(200))
    text_hash: Mapped[str] = mapped_column(String(64))
    dim: Mapped[int]
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[created]


class Feedback(Base):
    """An investor's like/pass on a shortlisted project; a pass hides it from the shortlist."""

    __tablename__ = "shortlist_feedback"
    __table_args__ = (UniqueConstraint("institution_id", "project_id"),)

    id: Mapped[intpk]
    institution_id: Mapped[int] = _fk("institutions.id")
    project_id: Mapped[int] = _fk("projects.id")
    verdict: Mapped[Verdict] = mapped_column(str_enum(Verdict, "verdict"))
    user_id: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[created]
    updated_at: Mapped[updated]


class MatchWeights(Base):
    """Block weights learned from an event's own outcomes, used by its shortlists."""

    __tablename__ = "match_weights"

    id: Mapped[intpk]
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    weights: Mapped[dict[str, Any]] = mapped_column(JSONList)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONList, default=dict)
    fitted_at: Mapped[created]


class SessionSeat(Base):
    """Where an institution sits (桌号) for a whole session: one table each, never shared."""

    __tablename__ = "session_seats"
    __table_args__ = (
        UniqueConstraint("session_id", "institution_id"),
        UniqueConstraint("session_id", "table_id"),
    )

    id: Mapped[intpk]
    session_id: Mapped[int] = _fk("matchmaking_sessions.id")
    institution_id: Mapped[int] = _fk("institutions.id")
    table_id: Mapped[int] = _fk("session_tables.id")


class Agenda(Base):
    """A session's agenda (议程): how it was built, whether it is published, its certificate."""

    __tablename__ = "agendas"
    __table_args__ = (CheckConstraint("revision >= 0", name="revision_nonneg"), AUDITED_IDS)

    id: Mapped[intpk]
    session_id: Mapped[int] = mapped_column(
        ForeignKey("matchmaking_sessions.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[AgendaStatus] = mapped_column(
        str_enum(AgendaStatus, "agenda_status"), default=AgendaStatus.DRAFT
    )
    revision: Mapped[int] = mapped_column(default=0)
    solver_status: Mapped[str] = mapped_column(String(20), default="")
    objective: Mapped[float] = mapped_column(Float, default=0.0)
    bound: Mapped[float] = mapped_column(Float, default=0.0)
    fair: Mapped[bool] = mapped_column(default=False)
    fair_minimum: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Solver figures and the diagnostics of the last build or repair, as shown to the organiser.
    summary: Mapped[dict[str, Any]] = mapped_column(JSONList, default=dict)
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[updated]


class Job(Base):
    """A piece of background work (index rebuild, agenda build) and what became of it.

    The row, not the queue, is the record: a worker that dies leaves a ``running`` row whose
    heartbeat (a Redis key, or the process itself without Redis) is gone, and the next worker to
    look finds it, retries it or marks it failed. ``worker`` is ``host:pid``.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_nonneg"),
        Index("ix_jobs_status", "status"),
    )

    id: Mapped[intpk]
    kind: Mapped[JobKind] = mapped_column(str_enum(JobKind, "job_kind"))
    status: Mapped[JobStatus] = mapped_column(
        str_enum(JobStatus, "job_status"), default=JobStatus.QUEUED
    )
    event_id: Mapped[int] = _fk("events.id")
    session_id: Mapped[int | None] = _fk("matchmaking_sessions.id", nullable=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSONList, default=dict)
    attempts: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[created]
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    worker: Mapped[str] = mapped_column(String(100), default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONList, nullable=True)
    # What went wrong, as shown to the organiser (a message code and its parameters).
    error: Mapped[dict[str, Any] | None] = mapped_column(JSONList, nullable=True)

    event: Mapped[Event] = relationship(lazy="joined", innerjoin=True)
    session: Mapped[MatchmakingSession | None] = relationship(lazy="joined")


class RateLimitHit(Base):
    """One counted attempt against a rate limit (a failed sign-in, a booking sent), kept while
    it is inside its window: without Redis the counters live here, so every worker sees them
    (``db/rate_limits.py``). Times are seconds since the epoch, as the limits library counts."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (
        Index("ix_rate_limit_hits_key_at", "key", "at"),
        Index("ix_rate_limit_hits_expires_at", "expires_at"),
    )

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(255))
    at: Mapped[float] = mapped_column(Double)
    expires_at: Mapped[float] = mapped_column(Double)


class Notice(Base):
    """A notice (通知) to one person: on their in-app list at once, and delivered through each
    channel they chose by a :class:`NoticeDelivery`. Written in the same transaction as the
    change that causes it (the outbox), so a rolled-back change leaves no notice.

    ``key`` is the idempotency key every delivery of it carries (the e-mail's Message-ID, the
    webhook's ``Idempotency-Key``): a retry after a crash sends the same message again, never a
    different one. ``params`` fill the kind's sentences and ``items`` list its lines (one per
    meeting a repair moved, say), rendered in the person's language when it is delivered.
    ``fold_key`` lets a burst fold into one notice while nothing of it has gone out yet.
    """

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_user_id_read_at", "user_id", "read_at"),)

    id: Mapped[intpk]
    event_id: Mapped[int | None] = _fk("events.id", nullable=True)
    user_id: Mapped[int] = _fk("users.id")
    kind: Mapped[str] = mapped_column(String(32))  # a NoticeKind value
    key: Mapped[str] = mapped_column(String(100), unique=True)
    fold_key: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSONList, default=dict)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONList, default=list)
    created_at: Mapped[created]
    # Set when a sender has fanned the notice out into its deliveries; until then more items
    # may fold into it.
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    user: Mapped[User] = relationship()
    deliveries: Mapped[list[NoticeDelivery]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="NoticeDelivery.channel"
    )


class NoticeDelivery(Base):
    """One notice through one channel, to the address it had when the notice was written.

    ``pending`` until sent; a failed attempt sets ``next_attempt_at`` (backoff) and after the
    last one the status is ``failed``, shown to the organiser. A sender claims a row by setting
    ``claimed_until``; a sender killed mid-batch leaves a claim that lapses, and the next sender
    delivers the row again under the same key.
    """

    __tablename__ = "notice_deliveries"
    __table_args__ = (
        UniqueConstraint("notice_id", "channel"),
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_nonneg"),
        Index("ix_notice_deliveries_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[intpk]
    notice_id: Mapped[int] = _fk("notices.id")
    channel: Mapped[str] = mapped_column(String(10))  # a Channel value
    address: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")

    notice: Mapped[Notice] = relationship(back_populates="deliveries")
    attempt_log: Mapped[list[NoticeAttempt]] = relationship(
        back_populates="delivery", cascade="all, delete-orphan", order_by="NoticeAttempt.id"
    )


class NoticeAttempt(Base):
    """One try at a delivery and what came of it (the organiser's view lists them)."""

    __tablename__ = "notice_attempts"

    id: Mapped[intpk]
    delivery_id: Mapped[int] = _fk("notice_deliveries.id")
    at: Mapped[created]
    ok: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str] = mapped_column(Text, default="")
    worker: Mapped[str] = mapped_column(String(100), default="")

    delivery: Mapped[NoticeDelivery] = relationship(back_populates="attempt_log")


class NotificationSettings(Base):
    """A person's choices: channels, addresses (empty: their project's or institution's
    contact), quiet hours (Asia/Shanghai ``HH:MM``; empty: none) and the kinds they muted."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    channels: Mapped[list[str]] = mapped_column(JSONList, default=lambda: ["email"])
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    quiet_start: Mapped[str] = mapped_column(String(5), default="")
    quiet_end: Mapped[str] = mapped_column(String(5), default="")
    muted: Mapped[list[str]] = mapped_column(JSONList, default=list)
    updated_at: Mapped[updated]

    user: Mapped[User] = relationship()


class RoadshowDraw(Base):
    """A drawing of lots for a roadshow session's pitch order (路演抽签). The order is
    ``random.Random(seed).shuffle`` of the session's project codes sorted, so anyone holding the
    seed can draw it again and compare. A draw made before another is kept (``number`` counts
    them); once one is published no new draw is made."""

    __tablename__ = "roadshow_draws"
    __table_args__ = (
        UniqueConstraint("session_id", "number"),
        CheckConstraint("seed >= 0", name="seed_nonneg"),
        CheckConstraint(
            "pitch_minutes IS NULL OR (pitch_minutes > 0 AND pitch_minutes <= 240)",
            name="pitch_minutes",
        ),
        AUDITED_IDS,
    )

    id: Mapped[intpk]
    session_id: Mapped[int] = _fk("matchmaking_sessions.id")
    number: Mapped[int]
    seed: Mapped[int] = mapped_column(BigInteger)
    # Project codes in pitching order, as drawn.
    order: Mapped[list[str]] = mapped_column(JSONList)
    # Minutes per pitch from the session's start; None: the session's slots, one per pitch.
    pitch_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[created]
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RoadshowInterest(Base):
    """An investor's "感兴趣" in a project pitching at a roadshow session: one row per person
    and project, switched on and off by taps; the pair's count is how many of the
    institution's people have it on."""

    __tablename__ = "roadshow_interests"
    __table_args__ = (UniqueConstraint("session_id", "user_id", "project_id"),)

    id: Mapped[intpk]
    session_id: Mapped[int] = _fk("matchmaking_sessions.id")
    user_id: Mapped[int] = _fk("users.id")
    institution_id: Mapped[int] = _fk("institutions.id")
    project_id: Mapped[int] = _fk("projects.id")
    interested: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[updated]


class RoadshowTap(Base):
    """One tap as sent, keyed by the ``client_key`` its form carried: a tap sent again (a
    phone replaying its offline queue) finds its key here and changes nothing."""

    __tablename__ = "roadshow_taps"

    id: Mapped[intpk]
    session_id: Mapped[int] = _fk("matchmaking_sessions.id")
    client_key: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = _fk("users.id")
    project_id: Mapped[int] = _fk("projects.id")
    interested: Mapped[bool]
    at: Mapped[created]


class InterestBoost(Base):
    """A pair whose roadshow interest raises its score when ``session_id``'s agenda is built
    (services/agendas/instance.py), as the organiser chose; ``source_session_id`` is the
    roadshow the interest came from."""

    __tablename__ = "interest_boosts"
    __table_args__ = (UniqueConstraint("session_id", "institution_id", "project_id"),)

    id: Mapped[intpk]
    session_id: Mapped[int] = _fk("matchmaking_sessions.id")
    source_session_id: Mapped[int] = _fk("matchmaking_sessions.id")
    institution_id: Mapped[int] = _fk("institutions.id")
    project_id: Mapped[int] = _fk("projects.id")
    created_by: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[created]


class MeetingMark(Base):
    """One tap about a meeting from one side (出席记录): held, or who did not come; and after
    it, that side's rating (1–5) and whether to follow up (继续跟进). Append-only: a side's
    latest mark counts, the investor's over the entrant's and the organiser's over both.

    ``client_key`` is drawn by the server into the form (or sent by an API client): a form
    queued offline and sent twice is one tap, recorded once.
    """

    __tablename__ = "meeting_marks"
    __table_args__ = (
        CheckConstraint("side IN ('investor', 'entrant', 'organiser')", name="side_known"),
        CheckConstraint(
            "mark IS NULL OR mark IN ('held', 'project_absent', 'institution_absent')",
            name="mark_known",
        ),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
    )

    id: Mapped[intpk]
    meeting_id: Mapped[int] = _fk("meetings.id")
    side: Mapped[str] = mapped_column(String(10))
    mark: Mapped[str | None] = mapped_column(String(20), nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    follow_up: Mapped[bool | None] = mapped_column(nullable=True)
    user_id: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    at: Mapped[created]
    client_key: Mapped[str] = mapped_column(String(64), unique=True)

    meeting: Mapped[Meeting] = relationship()


class LateReport(Base):
    """A party's own word that it will be late to a session ("I'm 20 minutes late"); pending
    until an organiser confirms it (the late-arrival repair runs) or dismisses it."""

    __tablename__ = "late_reports"
    __table_args__ = (
        CheckConstraint(
            "(project_id IS NULL) <> (institution_id IS NULL)", name="exactly_one_party"
        ),
        CheckConstraint("status IN ('pending', 'confirmed', 'dismissed')", name="status_known"),
        CheckConstraint("minutes >= 1 AND minutes <= 600", name="minutes_range"),
        AUDITED_IDS,
    )

    id: Mapped[intpk]
    session_id: Mapped[int] = _fk("matchmaking_sessions.id")
    project_id: Mapped[int | None] = _fk("projects.id", nullable=True)
    institution_id: Mapped[int | None] = _fk("institutions.id", nullable=True)
    minutes: Mapped[int] = mapped_column(Integer)
    expected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10), default="pending")
    user_id: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    at: Mapped[created]
    client_key: Mapped[str] = mapped_column(String(64), unique=True)
    decided_by: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    session: Mapped[MatchmakingSession] = relationship()
    project: Mapped[Project | None] = relationship()
    institution: Mapped[Institution | None] = relationship()


class LibraryParty(Base):
    """A lasting identity (项目库 / 机构库) of a project or an institution across contests; each
    event's row joins it through a :class:`LibraryLink`."""

    __tablename__ = "library_parties"
    __table_args__ = (
        CheckConstraint("kind IN ('project', 'institution')", name="kind_known"),
        AUDITED_IDS,
    )

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[name_str]
    created_at: Mapped[created]


class LibraryLink(Base):
    """One event's project or institution row joined to its lasting identity: ``how`` it was
    linked (``new`` the row the party was made around, when a second row first joined it or
    was proposed for it; ``credit_code``/``leader_id`` an exact id match; ``confirmed`` an
    organiser's confirmed proposal; ``alumni`` copied into an alumni session from
    ``source_project_id``). A row without a link is an identity of its own."""

    __tablename__ = "library_links"
    __table_args__ = (
        CheckConstraint(
            "(project_id IS NULL) <> (institution_id IS NULL)", name="exactly_one_party"
        ),
        CheckConstraint(
            "how IN ('new', 'credit_code', 'leader_id', 'confirmed', 'alumni')", name="how_known"
        ),
        AUDITED_IDS,
    )

    id: Mapped[intpk]
    party_id: Mapped[int] = _fk("library_parties.id")
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), unique=True, nullable=True
    )
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), unique=True, nullable=True
    )
    how: Mapped[str] = mapped_column(String(12))
    source_project_id: Mapped[int | None] = _fk("projects.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[created]

    party: Mapped[LibraryParty] = relationship()


class LibraryProposal(Base):
    """A suggested link the organiser confirms or rejects: this event's row may be the lasting
    party ``party_id`` (same phone, e-mail or name as one of its rows in a sharing contest, or a
    registration the duplicate detector finds repeated there)."""

    __tablename__ = "library_proposals"
    __table_args__ = (
        CheckConstraint(
            "(project_id IS NULL) <> (institution_id IS NULL)", name="exactly_one_party"
        ),
        CheckConstraint("status IN ('pending', 'confirmed', 'rejected')", name="status_known"),
        UniqueConstraint("project_id", "party_id"),
        UniqueConstraint("institution_id", "party_id"),
        AUDITED_IDS,
    )

    id: Mapped[intpk]
    event_id: Mapped[int] = _fk("events.id")
    project_id: Mapped[int | None] = _fk("projects.id", nullable=True)
    institution_id: Mapped[int | None] = _fk("institutions.id", nullable=True)
    party_id: Mapped[int] = _fk("library_parties.id")
    # what matched, comma-separated: phone, email, name, duplicate
    reasons: Mapped[str] = mapped_column(String(50))
    # for "duplicate": the detector's kind, similarity and evidence (migration 0036)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSONList, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[created]
    decided_by: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    party: Mapped[LibraryParty] = relationship()
