"""Badges (胸卡): each party's signed check-in code, its QR image, and what a badge shows.

A badge code names an event, a party kind (project or institution) and the party's row id, and
ends with a tag: the first 60 bits of an HMAC-SHA256 keyed by ``itsdangerous`` from the app's
secret (as the unsubscribe links are, with a salt of its own). So a code cannot be guessed or
forged, and changing any part of it (another id, another event) breaks the tag; it needs no
row and never expires. The code is short enough to type from the printed badge
(``T2026.P12.K7Q2MXA9PLHM``); the tag is read case-blind, with spaces and dashes ignored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal

import segno
from itsdangerous import Signer
from sqlalchemy.orm import Session

from matchmaker.db.models import Event, Institution, MatchmakingSession, Project, User

__all__ = [
    "Badge",
    "BadgeRef",
    "PartyKind",
    "badge_code",
    "badge_qr_svg",
    "own_badge",
    "read_badge_code",
    "session_badges",
]

PartyKind = Literal["project", "institution"]
_SALT = "matchmaker.badge"
_LETTERS: dict[str, PartyKind] = {"P": "project", "I": "institution"}
_TAG_CHARS = 12  # base32: 60 bits


@dataclass(frozen=True)
class BadgeRef:
    """What a genuine badge code names."""

    event_code: str
    kind: PartyKind
    party_id: int


def _tag(secret: str, body: str) -> str:
    key = Signer(secret, salt=_SALT, digest_method=hashlib.sha256).derive_key()
    digest = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:_TAG_CHARS]


def badge_code(secret: str, event_code: str, kind: PartyKind, party_id: int) -> str:
    """Return the badge code of a project's or institution's people at ``event_code``."""
    letter = "P" if kind == "project" else "I"
    body = f"{event_code}.{letter}{party_id}"
    return f"{body}.{_tag(secret, body)}"


def read_badge_code(secret: str, code: str) -> BadgeRef | None:
    """Return what ``code`` names, or None when it is forged, altered or malformed.

    The caller compares :attr:`BadgeRef.event_code` with its own event: a genuine badge of
    another event is refused there, with a sentence of its own.
    """
    parts = code.strip().rsplit(".", 2)
    if len(parts) != 3:
        return None
    event_code, party, tag = parts
    kind = _LETTERS.get(party[:1].upper())
    digits = party[1:]
    if not event_code or kind is None or not digits.isascii() or not digits.isdigit():
        return None
    party_id = int(digits)
    body = f"{event_code}.{party[:1].upper()}{party_id}"
    typed = tag.upper().replace(" ", "").replace("-", "")
    if not hmac.compare_digest(typed.encode(), _tag(secret, body).encode()):
        return None
    return BadgeRef(event_code, kind, party_id)


def badge_qr_svg(code: str, scale: int = 4) -> str:
    """Return the QR code of ``code`` as an inline ``<svg>`` (white quiet zone, no style
    attribute, so the pages' Content-Security-Policy keeps it)."""
    qr = segno.make(code, error="m", micro=False)
    return str(qr.svg_inline(scale=scale, dark="#000", light="#fff", omitsize=False))


@dataclass(frozen=True)
class Badge:
    """What a printed badge shows: the event, the person, their project or institution, the
    code (typed when the QR cannot be read) and the QR image."""

    event: Event
    kind: PartyKind
    party: Project | Institution
    person: str
    code: str
    svg: str


def _badge(secret: str, event: Event, party: Project | Institution, person: str) -> Badge:
    kind: PartyKind = "project" if isinstance(party, Project) else "institution"
    code = badge_code(secret, event.code, kind, party.id)
    return Badge(event, kind, party, person, code, badge_qr_svg(code))


def own_badge(db: Session, secret: str, user: User) -> Badge | None:
    """Return the badge of an entrant's project or an investor's institution, in that person's
    name; None for organisers and staff (they check people in, nobody checks them)."""
    party = user.project or user.institution
    if party is None:
        return None
    event = db.get_one(Event, party.event_id)
    return _badge(secret, event, party, user.display_name or party.contact_name or party.name)


def session_badges(secret: str, session: MatchmakingSession) -> list[Badge]:
    """Return one badge for every institution and project of ``session`` (institutions first,
    each by registration id), in the name of its contact person."""
    parties: list[Project | Institution] = sorted(session.institutions, key=lambda i: i.code)
    parties += sorted(session.projects, key=lambda p: p.code)
    return [_badge(secret, session.event, party, party.contact_name) for party in parties]
