"""Investors' own applications (对接服务报名) from the event's public page, and the organiser's
decision on each.

An application is no institution: it waits in ``signup_requests``, where no list, shortlist or
agenda looks. Approving it makes, in the caller's one transaction, the institution (through
:func:`catalog.create_institution`, the service imports and the API use, so the same rules
hold) and an active investor account bound to it, with the password chosen at sign-up (only
its hash was ever kept). A decided application cannot be decided again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from matchmaker.db.models import Event, Institution, SignupRequest, User
from matchmaker.db.transactions import begin_write
from matchmaker.db.types import utcnow
from matchmaker.domain import Role, local_minute
from matchmaker.errors import Conflict, Gone, InvalidInput, NotFound, Problem
from matchmaker.messages import Ref
from matchmaker.services import audit
from matchmaker.services.registry.access import ensure_manages_accounts
from matchmaker.services.registry.catalog import create_institution
from matchmaker.services.registry.events import get_event
from matchmaker.services.registry.names import holders
from matchmaker.services.registry.passwords import password_problems
from matchmaker.services.registry.vocabulary import check_institution_type
from matchmaker.text import name_char, name_key

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
STATUSES = (PENDING, APPROVED, REJECTED)
# A user name people can type on a phone: an e-mail address, a phone number or a plain name.
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+\-]{2,99}")
CODE_MARK = "S"  # approved sign-ups are numbered <EVENT>-S001, -S002 …
REASON_MAX = 1000
# What the application keeps of the institution form (its portfolio is added once approved).
FIELDS = ("name", "type", "focus_sectors", "stages", "ticket_min", "ticket_max", "regions",
          "thesis")  # fmt: skip


@dataclass(frozen=True)
class Applicant:
    """Who applies: the contact person and the account they ask for (password as typed)."""

    contact_name: str
    contact_phone: str
    contact_email: str
    username: str
    password: str
    confirm: str


def signup_event(db: Session, code: str) -> Event:
    """Return the event whose public page takes sign-ups: NotFound for an unknown event, Gone
    (naming it) when its organisers have not opened sign-ups or closed them."""
    event = get_event(db, code)
    if not event.signups_open:
        raise Gone("signup.closed", event=event.name)
    return event


def open_signup_events(db: Session) -> list[Event]:
    """Return the events taking sign-ups, newest first (the sign-in page links them)."""
    query = select(Event).where(Event.signups_open.is_(True)).order_by(Event.year.desc(), Event.id)
    return list(db.scalars(query))


def set_signups_open(db: Session, event: Event, open_: bool, actor: User | None = None) -> Event:
    """Open or close ``event``'s public sign-up page (organisers; audited)."""
    ensure_manages_accounts(actor)
    if event.signups_open != open_:
        event.signups_open = open_
        db.flush()
        audit.record(db, event, "signups", actor, {"signups_open": not open_},
                     {"signups_open": open_})  # fmt: skip
    return event


def signup_problems(
    db: Session, event: Event, values: dict[str, Any], applicant: Applicant
) -> list[Problem]:
    """Return every problem of an application the form's schema could not see: the contact,
    the institution type (one of the event's own, named when it is not), a name taken in the
    event or by a pending application, the ticket range, the user name and the password
    policy. ``values`` holds the institution fields the schema read."""
    problems: list[Problem] = []
    given = {
        "name": values.get("name"),
        "type": values.get("type"),
        "contact_name": applicant.contact_name,
        "contact_phone": applicant.contact_phone,
    }
    for column, text in given.items():
        if not text:
            problems.append(Problem("import.required", column=column))
        elif column != "type" and (bad := name_char(text)) is not None:
            problems.append(Problem("field.bad_name_char", column=column, value=text,
                                    params={"char": bad}))  # fmt: skip
    if values.get("type"):
        try:
            check_institution_type(event, values["type"])
        except InvalidInput as exc:
            problems.extend(exc.problems)
    if values.get("name"):
        problems.extend(_name_problems(db, event, values["name"]))
    low, high = values.get("ticket_min"), values.get("ticket_max")
    if low is not None and high is not None and low > high:
        problems.append(Problem("field.range_inverted", column="ticket_min", value=f"{low}>{high}"))
    problems.extend(_username_problems(db, applicant.username))
    context = (applicant.contact_name, str(values.get("name") or ""), applicant.contact_phone)
    problems.extend(password_problems(applicant.password, applicant.username, *context))
    if applicant.password != applicant.confirm:
        problems.append(Problem("password.mismatch", column="confirm"))
    return problems


def submit_signup(
    db: Session, event: Event, values: dict[str, Any], applicant: Applicant
) -> SignupRequest:
    """Store an application for ``event`` (whose sign-ups must be open), pending the organisers'
    decision; InvalidInput names every problem and nothing is stored."""
    if not event.signups_open:
        raise Gone("signup.closed", event=event.name)
    problems = signup_problems(db, event, values, applicant)
    if problems:
        raise InvalidInput("signup.refused", problems)
    password_hash = generate_password_hash(applicant.password)  # slow: before taking the lock
    # Two applications for one name at once: the second waits for the first, then is refused
    # (PostgreSQL locks the event's row, SQLite takes its write lock).
    begin_write(db)
    db.execute(select(Event.id).where(Event.id == event.id).with_for_update())
    if clash := _name_problems(db, event, values["name"]) + _username_problems(
        db, applicant.username
    ):
        raise InvalidInput("signup.refused", clash)
    values = {**values, "type": check_institution_type(event, values["type"])}  # its key
    payload = {key: _plain(values[key]) for key in FIELDS if values.get(key) is not None}
    row = SignupRequest(
        event_id=event.id,
        status=PENDING,
        name=values["name"],
        name_key=name_key(values["name"]),
        payload=payload,
        contact_name=applicant.contact_name,
        contact_phone=applicant.contact_phone,
        contact_email=applicant.contact_email,
        username=applicant.username,
        password_hash=password_hash,
        reason="",
    )
    db.add(row)
    db.flush()
    audit.record(db, row, "submitted", None, after={"name": row.name, "username": row.username})
    return row


def list_signups(
    db: Session, event: Event, status: str | None = PENDING, actor: User | None = None
) -> list[SignupRequest]:
    """Return ``event``'s applications with ``status`` (None: all), oldest first (organisers)."""
    ensure_manages_accounts(actor)
    query = select(SignupRequest).where(SignupRequest.event_id == event.id)
    if status is not None:
        if status not in STATUSES:
            choices = {"choices": ", ".join(STATUSES)}
            problem = Problem("field.invalid_choice", column="status", value=status, params=choices)
            raise InvalidInput(None, [problem])
        query = query.where(SignupRequest.status == status)
    return list(db.scalars(query.order_by(SignupRequest.id)))


def approve_signup(db: Session, request_id: int, actor: User | None = None) -> SignupRequest:
    """Approve a pending application: make its institution (coded ``<EVENT>-S001`` …, checked
    by the service imports use) and its active investor account with the chosen password, and
    record all three on the audit trail. Conflict when it was decided already, or when its name
    or user name was taken since it was sent (nothing changes then)."""
    row = _pending(db, request_id, actor)
    event = db.get_one(Event, row.event_id)
    if _taken_username(db, row.username, row.id):
        problem = Problem("signup.username_taken", column="username", value=row.username)
        raise Conflict("signup.username_taken_since", [problem], username=row.username)
    data: dict[str, Any] = {
        **row.payload,
        "code": next_code(db, event),
        "contact_name": row.contact_name,
        "contact_phone": row.contact_phone,
        "contact_email": row.contact_email,
    }
    institution = create_institution(db, event, data, actor)  # the type checked again
    user = User(
        username=row.username,
        role=Role.INVESTOR,
        display_name=row.contact_name,
        institution_id=institution.id,
        password_hash=row.password_hash,
    )
    db.add(user)
    row.status, row.decided_at = APPROVED, utcnow()
    row.decided_by = actor.id if actor is not None else None
    row.institution_id = institution.id
    db.flush()
    audit.record(db, institution, "create", actor, after={"code": institution.code,
                                                          "name": institution.name,
                                                          "signup": row.id})  # fmt: skip
    made = audit.record(db, user, "signed_up", actor, after={"username": user.username})
    made.event_id = event.id  # a user names no event itself: the trail goes with the event's
    audit.record(db, row, APPROVED, actor, {"status": PENDING},
                 {"status": APPROVED, "institution": institution.code})  # fmt: skip
    return row


def reject_signup(
    db: Session, request_id: int, reason: str, actor: User | None = None
) -> SignupRequest:
    """Reject a pending application, saying why (InvalidInput without a reason; Conflict when
    it was decided already). Its password hash is forgotten."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("signup.reason_needed", [Problem("import.required", column="reason")])
    if len(reason) > REASON_MAX:
        raise InvalidInput(None, [Problem("import.too_long", column="reason",
                                          params={"limit": REASON_MAX})])  # fmt: skip
    row = _pending(db, request_id, actor)
    row.status, row.decided_at, row.reason = REJECTED, utcnow(), reason
    row.decided_by = actor.id if actor is not None else None
    row.password_hash = ""
    db.flush()
    audit.record(db, row, REJECTED, actor, {"status": PENDING},
                 {"status": REJECTED, "reason": reason})  # fmt: skip
    return row


def next_code(db: Session, event: Event) -> str:
    """Return the next free ``<EVENT>-S001``-style registration id of ``event``."""
    prefix = f"{event.code}-{CODE_MARK}"
    codes = db.scalars(
        select(Institution.code).where(
            Institution.event_id == event.id, Institution.code.startswith(prefix, autoescape=True)
        )
    )
    numbers = [int(code[len(prefix) :]) for code in codes if code[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _pending(db: Session, request_id: int, actor: User | None) -> SignupRequest:
    """Return the application to decide, locked against a second organiser deciding it."""
    ensure_manages_accounts(actor)
    begin_write(db)
    row = db.scalar(select(SignupRequest).where(SignupRequest.id == request_id).with_for_update())
    if row is None:
        raise NotFound(what=Ref("what.signup"), key=request_id)
    if row.status != PENDING:
        when = local_minute(row.decided_at) if row.decided_at else ""  # Beijing time
        who = row.decider.username if row.decider is not None else "system"
        status = Ref(f"signup.status_{row.status}")
        raise Conflict("signup.decided", status=status, who=who, when=when)
    return row


def _name_problems(db: Session, event: Event, name: str) -> list[Problem]:
    key = name_key(name)
    found = holders(db, Institution, event.id, [key]).get(key, [])
    if found:
        params = {"name": name, "what": Ref("what.institution"), "key": found[0][1]}
        return [Problem("field.name_taken", column="name", value=name, params=params)]
    pending = db.scalar(
        select(func.count())
        .select_from(SignupRequest)
        .where(
            SignupRequest.event_id == event.id,
            SignupRequest.status == PENDING,
            SignupRequest.name_key == key,
        )
    )
    return [Problem("signup.name_pending", column="name", value=name)] if pending else []


def _username_problems(db: Session, username: str) -> list[Problem]:
    if not username:
        return [Problem("import.required", column="username")]
    if not USERNAME.fullmatch(username):
        return [Problem("signup.bad_username", column="username", value=username)]
    if _taken_username(db, username):
        return [Problem("signup.username_taken", column="username", value=username)]
    return []


def _taken_username(db: Session, username: str, own: int | None = None) -> bool:
    """Whether an account, or another pending application than ``own``, has ``username``
    (in either case)."""
    folded = username.casefold()
    if db.scalar(select(User.id).where(func.lower(User.username) == folded)) is not None:
        return True
    return (
        db.scalar(
            select(SignupRequest.id).where(
                func.lower(SignupRequest.username) == folded,
                SignupRequest.status == PENDING,
                SignupRequest.id != (own or 0),
            )
        )
        is not None
    )


def _plain(value: Any) -> Any:
    """A form value as JSON keeps it: vocabulary members by their code."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
