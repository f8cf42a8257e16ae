"""The password policy: every path that sets a password (``user add``, an invitation, a reset)
checks it here, and each refusal says what is wrong.

A password needs at least :data:`MIN_LENGTH` characters, must not be the user name, and must
not be easy to guess. "Easy to guess" is zxcvbn's estimate (Dropbox's password-strength model:
a list of 30,000 common passwords, English words, names, keyboard walks, sequences, repeats and
dates, with their usual variations such as ``password12`` or ``P@ssw0rd``), which ships with its
word lists inside the package, so nothing is downloaded.
"""

from __future__ import annotations

from typing import Any

from matchmaker.errors import InvalidInput, Problem

MIN_LENGTH = 10
MAX_LENGTH = 200  # longer is no safer, and zxcvbn's time grows with the length it is given
# zxcvbn scores 0-4; 3 is "safely unguessable" (about 10^8 guesses or more): a passphrase or
# a long mixed password passes, a common password with a digit or a keyboard walk does not.
MIN_SCORE = 3
FIELD = "password"


def password_problems(password: str, username: str = "", *context: str) -> list[Problem]:
    """Return what is wrong with ``password`` for the account ``username`` (empty: nothing).

    ``context`` holds other words a guesser would try first (the person's name, their
    organisation); a password made of them counts as easy to guess.
    """
    if len(password) < MIN_LENGTH:
        return [Problem("password.too_short", column=FIELD, params={"min": MIN_LENGTH})]
    if len(password) > MAX_LENGTH:
        return [Problem("password.too_long", column=FIELD, params={"max": MAX_LENGTH})]
    if username and password.strip().casefold() == username.strip().casefold():
        return [Problem("password.is_username", column=FIELD)]
    verdict = _estimate(password, [w for w in (username, *context) if w])
    if verdict["score"] < MIN_SCORE:
        common = any(m.get("dictionary_name") == "passwords" for m in verdict["sequence"])
        code = "password.common" if common else "password.guessable"
        return [Problem(code, column=FIELD)]
    return []


def check_password(password: str, username: str = "", *context: str) -> None:
    """Refuse (InvalidInput naming the field and the reason) a password the policy rejects."""
    problems = password_problems(password, username, *context)
    if problems:
        raise InvalidInput("password.refused", problems)


def _estimate(password: str, user_inputs: list[str]) -> dict[str, Any]:
    from zxcvbn import zxcvbn  # imported on first use: it builds its word lists on import

    result: dict[str, Any] = zxcvbn(password, user_inputs=user_inputs)
    return result
