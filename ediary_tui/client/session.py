"""DiarySession: what the screens hold — the client, the cache, the credentials, the user,
and where the files they export go.

It owns the rules that join the three: a login is remembered and the user
cached; a start resumes from the remembered token, and paints from the cache
before the network answers; an unreachable server means "offline", shown
from the cache, not an error screen. Screens never touch tokens or files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from ediary_tui.clock import Clock, local_now

from .errors import ClientError, NotLoggedIn, ServerUnreachable, Unsupported
from .exports import Exports

if TYPE_CHECKING:
    from .capabilities import Can
    from .service import ServiceInfo

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ediary_tui.domain.models import LoginResult, Signature, User

    from .api import DiaryClient
    from .cache import OfflineCache
    from .credentials import CredentialStore
    from .providers.base import ProviderClient
    from .reads import Cached, Read

T = TypeVar("T")

RECONNECT_FIRST = 1.0  # s before the first try to reconnect; doubled after each failure
RECONNECT_MOST = 30.0  # s between tries at most


class Backoff:
    """How long to wait before each try to reach a lost service: 1, 2, 4 … 30 s, then 30 s."""

    def __init__(self, first: float = RECONNECT_FIRST, most: float = RECONNECT_MOST) -> None:
        self.first = first
        self.most = most
        self.tries = 0

    def next_delay(self) -> float:
        """The wait before the next try (each call is one more try)."""
        delay = min(self.most, self.first * 2**self.tries)
        self.tries += 1
        return delay

    def reset(self) -> None:
        """The service answered: a later loss starts again from the first wait."""
        self.tries = 0


M = TypeVar("M", bound="BaseModel")


class DiarySession:
    """One person's session with one server, as the app sees it."""

    def __init__(
        self,
        client: DiaryClient | ProviderClient,
        credentials: CredentialStore,
        cache: OfflineCache,
        exports: Exports | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        self.client = client
        self.credentials = credentials
        self.cache = cache
        self.exports = exports or Exports()
        self.clock: Clock = clock or local_now
        self.user: User | None = None
        self._offline = False  # the one rule: the last call could not reach the service
        # Told when the service is lost (offline turns true): the app starts reconnecting.
        self.on_lost: Callable[[], None] | None = None

    @property
    def offline(self) -> bool:
        """Whether the last call could not reach the service."""
        return self._offline

    @offline.setter
    def offline(self, value: bool) -> None:
        lost = value and not self._offline
        self._offline = value
        if lost and self.on_lost is not None:
            self.on_lost()

    @property
    def server(self) -> str:
        return self.client.server

    @property
    def info(self) -> ServiceInfo:
        """Which kind of service this is, how one signs in, what it can do."""
        return self.client.info

    def can(self, what: Can) -> bool:
        """Whether the service offers `what` (screens hide what it does not)."""
        return self.client.info.can(what)

    # --- who -------------------------------------------------------------------------

    async def login(self, login: str, password: str) -> LoginResult:
        """Log in, remember the token (not the password) and cache who this is.

        A service that sends a one-time code raises `CodeRequired`: `login_code` goes on.
        """
        return self._signed_in(await self._online(self.client.login(login, password)))

    async def login_code(self, code: str) -> LoginResult:
        """The one-time code the service sent (an SMS), finishing the sign-in."""
        return self._signed_in(await self._online(self.client.submit_code(code)))

    async def login_token(self, token: str) -> LoginResult:
        """A token copied from a browser session, where the service signs in no other way."""
        return self._signed_in(await self._online(self.client.login_with_token(token)))

    def _signed_in(self, result: LoginResult) -> LoginResult:
        self.user = result.user
        # Not being able to remember (a read-only home) must not undo a good login.
        with contextlib.suppress(OSError):
            self.credentials.save(self.server, result.user.login, result.token)
        if self.credentials.remember:
            self.cache.put_me(self.server, result.user)
        return result

    async def resume(self) -> User | None:
        """Carry on as the remembered login: the user, or None when they must log in again.

        An unreachable server is no reason to log out: the cached user is
        returned and `offline` is set, so the diary shows what it has.
        """
        stored = self.credentials.load(self.server)
        if stored is None:
            return None
        login, token = stored
        self.client.token = token
        try:
            user = await self._online(self.client.me())
        except NotLoggedIn:  # expired or revoked: forget it, and ask for the password
            self.credentials.forget(self.server, login)
            self.client.token = None
            self.user = None
            return None
        except ServerUnreachable:
            self.user = self.cached_user()
            return self.user
        self.user = user
        self.cache.put_me(self.server, user)
        return user

    def cached_user(self) -> User | None:
        """The remembered login's user from the cache: what to paint before any network.

        Only when it is the login whose token is kept, so a shared computer never
        shows one person's diary while resuming another's session.
        """
        user = self.cache.get_me(self.server)
        if user is None or user.login != self.credentials.last_login(self.server):
            return None
        return user

    async def logout(self) -> None:
        """Revoke the token if the server can be reached, and forget it here in any case."""
        login = self.user.login if self.user is not None else None
        if login is None:
            login = self.credentials.last_login(self.server)
        try:
            await self.client.logout()
        except ClientError:  # unreachable, or refused: forgetting locally is what matters
            self.client.token = None
        if login is not None:
            self.credentials.forget(self.server, login)
        self.user = None
        self.offline = False

    # --- reads, cache-first: the one seam the screens read through ----------------------

    def _user_id(self) -> str | None:
        user = self.user or self.cached_user()
        return user.id if user is not None else None

    def saved(self, read: Read[M]) -> Cached[M] | None:
        """The answer kept from last time, at once (no network), or None."""
        user_id = self._user_id()
        if user_id is None:
            return None
        row = self.cache.get_raw(self.server, user_id, read.kind, read.key)
        value = read.parse(row[0]) if row is not None else None
        if row is None or value is None:
            return None
        when = dt.datetime.fromtimestamp(row[1], dt.UTC).astimezone(self.clock().tzinfo)
        from .reads import Cached  # pydantic and the models: not before the first frame

        return Cached(value, when, saved=True)

    async def fetch(self, read: Read[M]) -> Cached[M]:
        """The service's answer, kept for the next start or a lost network."""
        value = await self._online(read.ask(self.client))
        return self.keep(read, value)

    def keep(self, read: Read[M], value: M, *, at: dt.datetime | None = None) -> Cached[M]:
        """Keep `value` as the answer to `read` (after a write the screen already shows)."""
        when = at or self.clock()
        user_id = self._user_id()
        if user_id is not None:
            text = value.model_dump_json()
            for key in (read.key, *read.also):
                self.cache.put_raw(self.server, user_id, read.kind, key, text, at=when)
        from .reads import Cached

        return Cached(value, when)

    def forget(self, read: Read[M]) -> None:
        """Drop the kept answer (it would show something that is no longer so)."""
        user_id = self._user_id()
        if user_id is not None:
            self.cache.delete(self.server, user_id, read.kind, read.key)

    async def send(self, call: Callable[[DiaryClient], Awaitable[T]]) -> T:
        """A write (or a read not worth keeping) to our server, under the online rule.

        A real diary is read only here: the screens hide what would write to it, and
        this says so, should a key slip through, rather than failing on a missing call.
        """
        if self.info.read_only:
            raise Unsupported(f"{self.info.title} is read only in this app")
        return await self._online(call(self.client))  # type: ignore[arg-type]

    async def sign_week(self, student_id: str, monday: dt.date) -> Signature:
        """A parent signs the week; the kept copy shows the signature at once."""
        from . import reads

        signature = await self.send(lambda api: api.sign_week(student_id, monday))
        read = reads.week(student_id, monday)
        found = self.saved(read)
        if found is not None:
            signed = found.value.model_copy(
                update={"signed_by": signature.signed_by, "signed_at": signature.signed_at}
            )
            self.keep(read, signed, at=found.fetched_at)
        return signature

    async def reachable(self) -> bool:
        """Whether the service answers now (reconnecting): asks who we are, keeps nothing."""
        try:
            await self._online(self.client.me())
        except ServerUnreachable:
            return False
        except ClientError:  # it answered, if only to say no (a screen's fetch will say what)
            return True
        return True

    async def _online(self, call: Awaitable[T]) -> T:
        """Await a server call, keeping `offline` true to whether the server answered."""
        try:
            result = await call
        except ServerUnreachable:
            self.offline = True
            raise
        except ClientError:
            self.offline = False  # it answered, if only to say no
            raise
        self.offline = False
        return result
