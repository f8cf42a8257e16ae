"""One-click unsubscribe links: a signed token naming a person and a kind they may mute.

The token is signed with the app's secret key (``itsdangerous``, Flask's own signer), so it
cannot be forged or turned to another person or kind; it needs no row, and it does not expire:
an old mail's link still works. Security notices have no such link (:data:`MUTABLE_KINDS`).
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

from matchmaker.domain import MUTABLE_KINDS, NoticeKind

__all__ = ["read_unsubscribe_token", "unsubscribe_path", "unsubscribe_token"]

_SALT = "matchmaker.unsubscribe"


def unsubscribe_token(secret: str, user_id: int, kind: NoticeKind) -> str:
    """Return the token that mutes ``kind`` for ``user_id``; ValueError for a kind that cannot
    be muted."""
    if kind not in MUTABLE_KINDS:
        raise ValueError(f"{kind.value} notices cannot be unsubscribed from")
    return str(URLSafeSerializer(secret, salt=_SALT).dumps([user_id, kind.value]))


def unsubscribe_path(secret: str, user_id: int, kind: NoticeKind) -> str:
    """Return the path of the one-click unsubscribe page for ``user_id`` and ``kind``."""
    return f"/unsubscribe/{unsubscribe_token(secret, user_id, kind)}"


def read_unsubscribe_token(secret: str, token: str) -> tuple[int, NoticeKind] | None:
    """Return (user id, kind) a token names, or None when it is forged, altered or malformed."""
    try:
        user_id, kind = URLSafeSerializer(secret, salt=_SALT).loads(token)
        parsed = NoticeKind(kind)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or parsed not in MUTABLE_KINDS:
        return None
    return user_id, parsed
