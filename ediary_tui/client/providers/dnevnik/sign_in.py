"""Signing in to Dnevnik.ru with a login and password, as its mobile app does.

The mobile API's `authorizations/bycredentials` takes a registered client's id
and secret (a profile's `devkey = "id:secret"`: Dnevnik.ru gives them to its
partners; none ships with this app) with the person's login and password and
answers credentials,
or `type` "authorizationFailed" with a `description` and a `reason`. The public
clients do not list the reasons, so the refusal is read from both: a lock or an
exhausted number of attempts is said so, anything else is a wrong password.
The browser flow (OAuth2 implicit, the token in the redirect's fragment) is the
token paste.
"""

from __future__ import annotations

from typing import Any

from ediary_tui.client.errors import NotLoggedIn

from . import answers as a

MOBILE = "/mobile/v8.5"
LOGIN_PATH = f"{MOBILE}/authorizations/bycredentials"
SCOPE = "Schools,Relatives,EduGroups,Lessons,marks,EduWorks,Avatar"

_LOCKED = ("lock", "block", "заблок", "temporar", "временно")
_NO_ATTEMPTS = ("attempt", "попыт", "exceed", "limit")


def registered_client(devkey: str | None) -> tuple[str, str] | None:
    """The client id and secret a profile's `devkey` gives ("id:secret"), if it gives them."""
    if not devkey or ":" not in devkey:
        return None
    client_id, _, client_secret = devkey.partition(":")
    return (client_id, client_secret) if client_id and client_secret else None


def login_body(login: str, password: str, client: tuple[str, str]) -> dict[str, Any]:
    """The JSON the mobile app posts to sign in."""
    client_id, client_secret = client
    return {
        "agreeTerms": False,
        "clientId": client_id,
        "clientSecret": client_secret,
        "scope": SCOPE,
        "username": login,
        "password": password,
    }


def refusal(answer: a.LoginAnswer) -> NotLoggedIn:
    """The error for a refused sign-in, in our codes."""
    said = f"{answer.reason or ''} {answer.description or ''}".lower()
    if any(word in said for word in _NO_ATTEMPTS):
        return NotLoggedIn(
            "too many wrong passwords: no attempts are left; restore the password on dnevnik.ru",
            code="no_attempts_left",
        )
    if any(word in said for word in _LOCKED):
        return NotLoggedIn(
            "Dnevnik.ru has locked signing in for a while; try again later",
            code="temporarily_locked",
        )
    return NotLoggedIn("wrong login or password", code="wrong_credentials")
