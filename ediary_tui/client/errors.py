"""What can go wrong when talking to the server, in the caller's terms.

A screen needs to know only which of a few things happened (log in again, not
allowed, no such thing, fix a field, wait, no connection) and what to tell the
person; the HTTP status and the server's error body are turned into one of
these by `DiaryClient`. `message` is the server's own words where it gave any.
"""

from __future__ import annotations


class ClientError(Exception):
    """Anything the server refused or the client could not do."""

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r}, status={self.status})"


class NotLoggedIn(ClientError):
    """401: wrong login or password, or the token expired or was revoked."""


class NotAllowed(ClientError):
    """403: logged in, but this is not the caller's to see or do."""


class PasswordChangeRequired(NotAllowed):
    """403 `must_change_password`: a temporary password must be replaced first."""


class NotFound(ClientError):
    """404: unknown, or not visible to the caller (the server does not say which)."""


class Invalid(ClientError):
    """422 (and 400, 413): the request was wrong; `field` names the culprit when known."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.field = field


class KeyReused(Invalid):
    """422 `idempotency_key_reused`: the key already carried a different request.

    A retry whose content changed after an earlier try reached the school: what
    the school has is that earlier version, and this one was not made.
    """


class Conflict(Invalid):
    """409: the request clashes with the current state (an overlapping notice, say)."""


class Throttled(ClientError):
    """429: too many attempts; try again after `retry_after` seconds."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: int,
        code: str | None = "throttled",
        status: int | None = 429,
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.retry_after = retry_after


class ServerUnreachable(ClientError):
    """No usable answer: connection refused, DNS failure, timeout, or a 5xx."""


class CodeRequired(ClientError):
    """The service sent a one-time code (an SMS) that must be typed to finish signing in.

    `message` says where it went ("to +7 *** ***-**-12"); the session keeps what the
    next step needs, and `DiarySession.login_code` finishes the sign-in.
    """

    def __init__(
        self, message: str, *, code: str | None = "code_required", length: int = 0
    ) -> None:
        super().__init__(message, code=code, status=None)
        self.length = length  # the code's number of digits, 0 when the service does not say


class Unsupported(ClientError):
    """The service has no call for this (a city diary has no signature under the week)."""

    def __init__(self, message: str, *, code: str | None = "unsupported") -> None:
        super().__init__(message, code=code, status=None)


class UnknownAnswer(ClientError):
    """The service answered in a form this version does not know (its API changed).

    `saved_to` is the raw answer, with personal data blanked, kept for a bug report.
    """

    def __init__(self, message: str, *, saved_to: str | None = None) -> None:
        super().__init__(message, code="unknown_answer", status=None)
        self.saved_to = saved_to
