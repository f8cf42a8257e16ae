"""A person's notification settings: channels, own addresses, quiet hours and muted kinds.

Every notice is on the person's in-app list; the settings say where else it goes. An empty
e-mail or phone means their project's or institution's contact (shown on the settings page, so
they know where their mail goes). Quiet hours are Asia/Shanghai ``HH:MM`` to ``HH:MM`` and may
wrap midnight (22:00–07:00). Only :data:`MUTABLE_KINDS` may be muted: security notices and the
notices about one's own meetings always go out. Each change is audited on the person's account,
as the house audits account changes, and a refused change changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from matchmaker.db.models import NotificationSettings, User
from matchmaker.domain import MUTABLE_KINDS, SECURITY_KINDS, Channel, NoticeKind
from matchmaker.errors import InvalidInput, Problem
from matchmaker.services import audit

__all__ = [
    "FIELDS",
    "Contact",
    "contact_of",
    "mute",
    "parse_channel",
    "parse_email",
    "parse_mutable_kind",
    "parse_phone",
    "parse_quiet_time",
    "settings_of",
    "update_settings",
]

FIELDS = ("channels", "email", "phone", "quiet_start", "quiet_end", "muted")
DEFAULT_CHANNELS = (Channel.EMAIL.value,)
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s()-]+$")
ACTION = "notify_settings"  # the audit trail's name for a change to them


@dataclass(frozen=True)
class Contact:
    """Where notices go when the person gave no address of their own: their party's contact."""

    party: str  # the project's or institution's name; empty for organisers and staff
    email: str
    phone: str


def contact_of(user: User) -> Contact:
    """Return the contact of ``user``'s project or institution (empty for organisers, staff)."""
    party = user.project if user.project is not None else user.institution
    if party is None:
        return Contact("", "", "")
    return Contact(party.name, party.contact_email or "", party.contact_phone or "")


def settings_of(db: Session, user: User) -> NotificationSettings:
    """Return ``user``'s settings; the defaults (e-mail only, nothing muted) if never saved.

    The defaults are not written: a row appears when the person first saves a change.
    """
    found = db.get(NotificationSettings, user.id)
    if found is not None:
        return found
    return NotificationSettings(
        user_id=user.id,
        user=user,
        channels=list(DEFAULT_CHANNELS),
        email="",
        phone="",
        quiet_start="",
        quiet_end="",
        muted=[],
    )


def update_settings(
    db: Session, user: User, changes: Mapping[str, Any], actor: User | None = None
) -> NotificationSettings:
    """Change ``user``'s settings: the fields of ``changes`` (of :data:`FIELDS`) replace theirs.

    Every value is checked, and every problem named with its field and value in one
    :class:`InvalidInput`; then nothing is changed. ``actor`` (by default the person) is who
    the audit trail names.
    """
    current = settings_of(db, user)
    before = _values(current)
    wanted = {**before, **{k: v for k, v in changes.items() if k in FIELDS}}
    problems: list[Problem] = []
    after = {
        "channels": _each(wanted["channels"], parse_channel, "channels", problems),
        "email": _one(wanted["email"], parse_email, "email", problems),
        "phone": _one(wanted["phone"], parse_phone, "phone", problems),
        "quiet_start": _one(wanted["quiet_start"], parse_quiet_time, "quiet_start", problems),
        "quiet_end": _one(wanted["quiet_end"], parse_quiet_time, "quiet_end", problems),
        "muted": _each(wanted["muted"], parse_mutable_kind, "muted", problems),
    }
    if not problems:
        problems += _rules(after, contact_of(user))
    if problems:
        raise InvalidInput("notify.prefs.invalid", problems, count=len(problems))
    return _save(db, user, current, after, actor if actor is not None else user)


def mute(db: Session, user: User, kind: NoticeKind) -> bool:
    """Mute ``kind`` for ``user`` (a one-click unsubscribe); return False if it already was.

    Only the muted kinds change, so nothing else about the settings can stand in its way (a
    contact address removed since they were saved, say).
    """
    current = settings_of(db, user)
    if kind.value in current.muted:
        return False
    if kind not in MUTABLE_KINDS:
        raise ValueError(f"{kind.value} notices cannot be muted")
    after = {**_values(current), "muted": [*current.muted, kind.value]}
    _save(db, user, current, after, user)
    return True


def _save(
    db: Session, user: User, current: NotificationSettings, after: dict[str, Any], actor: User
) -> NotificationSettings:
    """Write ``after`` to ``user``'s settings (listed in a fixed order) and audit what changed."""
    before = _values(current)
    after = {
        **after,
        "channels": [c.value for c in Channel if c.value in after["channels"]],
        "muted": [k.value for k in NoticeKind if k.value in after["muted"]],
    }
    changed = [name for name in FIELDS if after[name] != before[name]]
    if not changed:
        return current
    for name in FIELDS:
        setattr(current, name, after[name])
    if current not in db:
        db.add(current)
    db.flush()
    audit.record(db, user, ACTION, actor, {k: before[k] for k in changed},
                 {k: after[k] for k in changed})  # fmt: skip
    return current


# ---- one value each: normalised, or InvalidInput naming it ----------------------------------


def parse_quiet_time(value: Any, field: str = "quiet_start") -> str:
    """Return a time of day as ``HH:MM`` (``7:30`` and ``７：３０`` too); "" for none."""
    text = _text(value)
    if not text:
        return ""
    match = _TIME.match(text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise InvalidInput(None, [Problem("notify.prefs.bad_time", column=field, value=text)])
    return f"{int(match[1]):02d}:{match[2]}"


def parse_email(value: Any, field: str = "email") -> str:
    """Return an e-mail address as written (trimmed); "" for none."""
    text = _text(value)
    if text and (len(text) > 200 or not _EMAIL.match(text)):
        raise InvalidInput(None, [Problem("notify.prefs.bad_email", column=field, value=text)])
    return text


def parse_phone(value: Any, field: str = "phone") -> str:
    """Return a phone number as written (trimmed): 7 to 15 digits, with ``+``, spaces, ``-``
    and brackets allowed between them; "" for none."""
    text = _text(value)
    digits = sum(c.isdigit() for c in text)
    if text and (len(text) > 50 or not _PHONE.match(text) or not 7 <= digits <= 15):
        raise InvalidInput(None, [Problem("notify.prefs.bad_phone", column=field, value=text)])
    return text


def parse_channel(value: Any, field: str = "channels") -> str:
    """Return a channel's code (its code or either label accepted)."""
    try:
        return Channel.parse(_text(value)).value
    except ValueError:
        choices = ", ".join(c.value for c in Channel)
        problem = Problem("notify.prefs.bad_channel", column=field, value=_text(value),
                          params={"choices": choices})  # fmt: skip
        raise InvalidInput(None, [problem]) from None


def parse_mutable_kind(value: Any, field: str = "muted") -> str:
    """Return the code of a kind a person may mute; a security notice or one about their own
    meetings is refused, saying so."""
    text = _text(value)
    try:
        kind = NoticeKind.parse(text)
    except ValueError:
        problem = Problem("notify.prefs.bad_kind", column=field, value=text)
        raise InvalidInput(None, [problem]) from None
    if kind in MUTABLE_KINDS:
        return kind.value
    code = "notify.prefs.security" if kind in SECURITY_KINDS else "notify.prefs.not_mutable"
    raise InvalidInput(None, [Problem(code, column=field, value=text)])


# ---- helpers --------------------------------------------------------------------------------


def _values(row: NotificationSettings) -> dict[str, Any]:
    return {name: _copy(getattr(row, name)) for name in FIELDS}


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else (value or "")


def _text(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()


def _one(value: Any, parse: Any, field: str, problems: list[Problem]) -> Any:
    try:
        return parse(value, field)
    except InvalidInput as exc:
        problems += exc.problems
        return ""


def _each(values: Any, parse: Any, field: str, problems: list[Problem]) -> list[str]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        values = [values] if values not in (None, "") else []
    out: list[str] = []
    for value in values:
        try:
            out.append(parse(value, field))
        except InvalidInput as exc:
            problems += exc.problems
    return list(dict.fromkeys(out))


def _rules(after: Mapping[str, Any], contact: Contact) -> list[Problem]:
    """The rules between fields: both ends of quiet hours or neither, and an address for each
    channel that needs one (the person's own, else their party's contact)."""
    problems = []
    start, end = after["quiet_start"], after["quiet_end"]
    if bool(start) != bool(end):
        field = "quiet_end" if start else "quiet_start"
        problems.append(Problem("notify.prefs.quiet_both", column=field))
    elif start and start == end:
        problems.append(Problem("notify.prefs.quiet_same", column="quiet_end", value=end))
    needs = {Channel.EMAIL: ("email", contact.email), Channel.SMS: ("phone", contact.phone)}
    for channel, (field, fallback) in needs.items():
        if channel.value in after["channels"] and not after[field] and not fallback:
            params = {"channel": channel}
            problems.append(Problem("notify.prefs.no_address", column=field, params=params))
    return problems
