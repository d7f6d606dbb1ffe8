"""What a screen tells the app, whichever screen it is: one module, one handler each.

A refusal about the session rather than the request (the token expired, the
password must be changed first) is the app's business: the screen posts one
of these and the app takes the user to the login or the password form.
"""

from __future__ import annotations

from textual.message import Message

from ediary_tui.client.errors import ClientError, NotLoggedIn, PasswordChangeRequired


class SessionEnded(Message):
    """The server no longer accepts the token: back to the login."""


class PasswordRequired(Message):
    """The server wants the password changed before anything else."""


def session_message(exc: ClientError) -> Message | None:
    """The app-wide message `exc` means, or None when it is about the request only."""
    if isinstance(exc, PasswordChangeRequired):
        return PasswordRequired()
    if isinstance(exc, NotLoggedIn):
        return SessionEnded()
    return None
