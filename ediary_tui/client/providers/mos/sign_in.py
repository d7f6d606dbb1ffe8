"""Signing in to МЭШ through mos.ru's headless flow, as the public clients do.

`sps/oauth/ae` starts the flow and hands out a hashcash header; the password
step (`headless/password`) is sent with the solved stamp; the service then
either refuses (an `errors` list), asks to send an SMS (`ask_to_send_sms`, then
`headless/sms/bind` says `enter_sms_code`), or redirects to the diary's
callback whose answer sets the `aupd_token` cookie: the token.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json

import httpx

from ediary_tui.client.errors import CodeRequired, NotLoggedIn
from ediary_tui.client.providers.base import ProviderClient

from . import answers as a

AUTH = "https://login.mos.ru"
START = f"{AUTH}/sps/oauth/ae"
PASSWORD = f"{AUTH}/sps/login/methods/headless/password"
SMS = f"{AUTH}/sps/login/methods/headless/sms/bind"
CLIENT_ID = "dnevnik.mos.ru"
CALLBACK = "https://school.mos.ru/v3/auth/sudir/callback"
TOKEN_COOKIE = "aupd_token"
MAX_STAMP_BITS = 24  # a header asking for more would take minutes: the flow has changed

# The service's refusals, in our codes and words.
REFUSALS: dict[str, tuple[str, str]] = {
    "invalid_credentials": ("wrong_credentials", "wrong login or password"),
    "no_subject_found": ("wrong_credentials", "wrong login or password"),
    "pswd_method_temp_locked": (
        "temporarily_locked",
        "mos.ru has locked sign-in by password for a while; try again later",
    ),
    "invalid_otp": ("code_wrong", "the code is wrong"),
    "expired": ("code_wrong", "the code has expired; sign in again for a new one"),
    "no_attempts": ("no_attempts_left", "no attempts left; sign in again later"),
}


def solve_stamp(header: str) -> str:
    """The hashcash stamp for `header` ("1:bits:...:"): a hex counter giving `bits` zero bits."""
    try:
        bits = int(header.split(":")[1])
    except (IndexError, ValueError):
        bits = -1
    if not 0 <= bits <= MAX_STAMP_BITS:
        raise NotLoggedIn(
            "mos.ru asked for a proof of work this version does not know", code="flow_changed"
        )
    prefix = header.encode()
    counter = 0
    while True:
        text = format(counter, "x")
        digest = hashlib.sha1(prefix + text.encode()).digest()
        if int.from_bytes(digest, "big") >> (160 - bits) == 0:
            return header + text
        counter += 1


def token_expiry(token: str) -> dt.datetime | None:
    """When a JWT token expires (its `exp`), or None when the token does not say."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    body = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(body))
        return dt.datetime.fromtimestamp(int(claims["exp"]), dt.UTC)
    except (binascii.Error, ValueError, KeyError, TypeError, OverflowError):
        return None


class SignIn:
    """One sign-in in progress: kept between the password and the SMS code."""

    def __init__(self, client: ProviderClient) -> None:
        self.client = client

    async def start(self, login: str, password: str) -> str:
        """The token for `login`, or `CodeRequired` when an SMS code must be typed first."""
        params = {
            "client_id": CLIENT_ID,
            "response_type": "code",
            "redirect_uri": CALLBACK,
            "scope": "openid profile",
            "display": "script",
        }
        response = await self.client.call("GET", START, params=params, signed_in=False)
        begun = self._answer(response, "the start of sign-in")
        header = next(
            (i.proof_of_work for i in begun.items if i.inquire == "login_with_password"), None
        )
        if not header:
            raise self.client.unknown("the start of sign-in", response.text, str(response.url))
        body = {"login": login, "password": password, "proofOfWork": solve_stamp(header)}
        response = await self.client.call("POST", PASSWORD, json_body=body, signed_in=False)
        return await self._next(response)

    async def code(self, code: str) -> str:
        """The token once the SMS code is taken."""
        response = await self.client.call(
            "POST", SMS, form={"sms-code": code.strip()}, signed_in=False
        )
        return await self._next(response)

    async def _next(self, response: httpx.Response) -> str:
        """Follow one step's answer to the token, a refusal or the code prompt."""
        token = response.cookies.get(TOKEN_COOKIE)
        if token:
            return token
        location = response.headers.get("location")
        if response.is_redirect and location:
            return await self._callback(location)
        answer = self._answer(response, "a sign-in step")
        for error in answer.errors:
            our, words = REFUSALS.get(error.code or "", ("refused", "mos.ru refused to sign in"))
            raise NotLoggedIn(words, code=our, status=response.status_code)
        if answer.redirect_url:
            return await self._callback(answer.redirect_url)
        if answer.inquire == "enter_sms_code":
            # Where it went, as mos.ru masks it: the login form says it in either language.
            raise CodeRequired(answer.contact or "SMS", length=0)
        if any(i.inquire in ("ask_to_send_sms", "go_to_web") for i in answer.items):
            sent = await self.client.call("POST", SMS, form={}, signed_in=False)
            return await self._next(sent)
        raise self.client.unknown("a sign-in step", response.text, str(response.url))

    async def _callback(self, url: str) -> str:
        """The diary's callback: its answer sets the token cookie."""
        response = await self.client.call("GET", url, signed_in=False)
        token = response.cookies.get(TOKEN_COOKIE)
        if not token:
            raise NotLoggedIn("mos.ru signed in but the diary gave no token", code="refused")
        return token

    def _answer(self, response: httpx.Response, what: str) -> a.AuthAnswer:
        if response.status_code == 429:
            raise NotLoggedIn(REFUSALS["pswd_method_temp_locked"][1], code="temporarily_locked")
        data = self.client.json_of(response, what=what)
        return self.client.parse(a.AuthAnswer, data, what=what, url=str(response.url))
