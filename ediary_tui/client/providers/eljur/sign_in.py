"""ElJur's `auth`: a login and password for a token, and what its refusals mean.

ElJur says no in words (`response.error`) with a state; its public clients do not
list the words, so the refusal is read by what it says: locked, no attempts
left, or (anything else a 4xx) a wrong login or password.
"""

from __future__ import annotations

import datetime as dt

from ediary_tui.client.errors import NotLoggedIn

from ..base import SCHOOL_TZ

_LOCKED = ("заблокирован", "блокировк", "временно", "locked", "слишком много")
_NO_ATTEMPTS = ("не осталось", "исчерпан", "no attempts")


def refusal(state: int, error: str | None) -> NotLoggedIn:
    """Our error for ElJur's refusal of `auth`, with one of our sign-in codes."""
    text = (error or "").strip()
    low = text.lower()
    if any(word in low for word in _NO_ATTEMPTS):
        return NotLoggedIn(
            text or "no attempts left; restore the password on eljur.ru",
            code="no_attempts_left",
            status=state,
        )
    if state == 429 or any(word in low for word in _LOCKED):
        return NotLoggedIn(
            text or "sign-in is locked for a while; try again later",
            code="temporarily_locked",
            status=state,
        )
    return NotLoggedIn(text or "wrong login or password", code="wrong_credentials", status=state)


def expires_at(text: str | None) -> dt.datetime | None:
    """`expires` "2026-12-21 18:00:00" (Moscow time), None when it says nothing readable."""
    try:
        return dt.datetime.strptime((text or "").strip(), "%Y-%m-%d %H:%M:%S").replace(
            tzinfo=SCHOOL_TZ
        )
    except ValueError:
        return None
