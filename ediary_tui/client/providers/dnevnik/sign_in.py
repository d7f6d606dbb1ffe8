"""Signing in to Dnevnik.ru with a login and password, as its mobile app does.

The mobile API's `authorizations/bycredentials` takes the app's public client
id and secret with the person's login and password and answers credentials,
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
# The official mobile app's public client (its id and secret ship inside the app);
# a profile's `devkey` may give another as "id:secret".
APP_CLIENT_ID = "1d7bd105-4cd1-4f6c-9ecc-394e400b53bd"
APP_CLIENT_SECRET = "5dcb5237-b5d3-406b-8fee-4441c3a66c99"
SCOPE = "Schools,Relatives,EduGroups,Lessons,marks,EduWorks,Avatar"

_LOCKED = ("lock", "block", "заблок", "temporar", "временно")
_NO_ATTEMPTS = ("attempt", "попыт", "exceed", "limit")


def login_body(login: str, password: str, devkey: str | None) -> dict[str, Any]:
    """The JSON the mobile app posts to sign in."""
    client_id, client_secret = APP_CLIENT_ID, APP_CLIENT_SECRET
    if devkey and ":" in devkey:
        client_id, _, client_secret = devkey.partition(":")
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
