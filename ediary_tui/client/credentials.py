"""Remembered logins: the token (never the password) per server and login.

Tokens go to the OS keyring, service "ediary-tui:<server>", user = the login.
Where there is no keyring (an SSH session, a container) they go to a JSON
file readable only by the user (0600, in a 0700 directory), and the app says
so once. Beside it, `logins.json` records which login was used last on each
server and where its token lies; it holds no secret, and reading it is what
lets a start decide "straight to the diary" without waking the keyring.

`keyring` is imported only when a token is really stored or read there: its
backend discovery costs about 100 ms, too much to pay on every start.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from ediary_tui.i18n import _

from . import locations

SERVICE_PREFIX = "ediary-tui:"
NOT_REMEMBERED = "not remembered (--no-remember)"
_RECORD_VERSION = 1
_UNKNOWN: Any = object()


def service_name(server: str) -> str:
    """The keyring service a server's tokens are kept under."""
    return SERVICE_PREFIX + server


def _shown(path: Path) -> str:
    """A path as a person would type it: the home directory as ~."""
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)


def _read_json(path: Path) -> dict[str, Any]:
    """The file's object, or an empty one when it is missing or broken: never a crash."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_private(path: Path, data: dict[str, Any]) -> None:
    """Replace `path` atomically with a file only the user can read, in a 0700 directory."""
    directory = path.parent
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if directory.stat().st_mode & 0o077:
        with contextlib.suppress(OSError):  # not ours to change; the file is 0600 anyway
            directory.chmod(0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # O_CREAT's mode does not apply to a leftover file
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            fd = -1
            json.dump(data, out, ensure_ascii=False, indent=1, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        tmp.unlink(missing_ok=True)
        raise


def usable_keyring(backend: Any) -> bool:
    """Whether `backend` really stores secrets (not the fail, null or an empty chainer one)."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return bool(backend.backends)
    return True


def _keyring_name(backend: Any) -> str:
    cls = type(backend)
    return cls.__module__.rsplit(".", 1)[-1] if cls.__name__ == "Keyring" else cls.__name__


class CredentialStore:
    """Where the app keeps the token of the last login on each server."""

    def __init__(self, *, remember: bool = True, token_file: Path | None = None) -> None:
        self.remember = remember
        self.token_file = token_file or locations.token_file()
        self.logins_file = self.token_file.with_name(locations.logins_file().name)
        self._keyring: Any = _UNKNOWN
        self._notice: Any = _UNKNOWN

    # --- which store --------------------------------------------------------------

    def _backend(self) -> Any | None:
        """The keyring backend to use, or None for the file; asked once, on first need."""
        if self._keyring is _UNKNOWN:
            import keyring

            backend = keyring.get_keyring()
            self._keyring = backend if usable_keyring(backend) else None
        return self._keyring

    @property
    def backend(self) -> str:
        """Where tokens are kept, for a person: shown in the app's help and settings."""
        if not self.remember:
            return NOT_REMEMBERED
        keyring_backend = self._backend()
        if keyring_backend is None:
            return f"file {_shown(self.token_file)} (readable only by you)"
        return f"OS keyring ({_keyring_name(keyring_backend)})"

    @property
    def fallback_notice(self) -> str | None:
        """The one sentence to show when tokens will go to a file; None once it is in use.

        It is decided without the keyring when the record already says where
        tokens are (a keyring was used, or the file exists), so a normal start
        does not pay for keyring discovery.
        """
        if self._notice is _UNKNOWN:
            self._notice = None
            shown = self.notice_marker.exists()  # said once already: not on every start
            if self.remember and not shown and not self.token_file.exists():
                used_keyring = any(
                    where == "keyring"
                    for entry in self._record().values()
                    for where in entry.get("logins", {}).values()
                )
                if not used_keyring and self._backend() is None:
                    self._notice = _("login.keyring_notice", path=_shown(self.token_file))
        return self._notice

    @property
    def notice_marker(self) -> Path:
        """Kept once the notice was shown, so that it is said once, not on every start."""
        return self.token_file.with_name("keyring-notice-shown")

    def notice_shown(self) -> None:
        """The user has seen the notice: later starts keep quiet about it."""
        with contextlib.suppress(OSError):
            self.notice_marker.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.notice_marker.touch()

    # --- the record of logins (no secrets) ---------------------------------------------

    def _record(self) -> dict[str, dict[str, Any]]:
        """Server -> {"last": login, "logins": {login: "keyring" | "file"}}; junk left out."""
        data = _read_json(self.logins_file)
        servers = data.get("servers") if data.get("version") == _RECORD_VERSION else None
        if not isinstance(servers, dict):
            return {}
        return {
            server: entry
            for server, entry in servers.items()
            if isinstance(entry, dict) and isinstance(entry.get("logins"), dict)
        }

    def _write_record(self, servers: dict[str, dict[str, Any]]) -> None:
        _write_private(self.logins_file, {"version": _RECORD_VERSION, "servers": servers})

    def last_login(self, server: str) -> str | None:
        """The login last used on `server` with a token kept; cheap (no keyring)."""
        return self._last(server)[0]

    def _last(self, server: str) -> tuple[str | None, str | None]:
        """(login, "keyring" | "file") of the last login kept on `server`."""
        if not self.remember:
            return None, None
        entry = self._record().get(server, {"logins": {}})
        last = entry.get("last")
        if isinstance(last, str) and last in entry["logins"]:
            return last, entry["logins"][last]
        return None, None

    # --- the secrets --------------------------------------------------------------------

    def _file_tokens(self) -> dict[str, dict[str, str]]:
        servers = _read_json(self.token_file).get("servers")
        return servers if isinstance(servers, dict) else {}

    def _write_file_token(self, server: str, login: str, token: str | None) -> None:
        servers = self._file_tokens()
        tokens = servers.setdefault(server, {})
        if token is None:
            if login not in tokens:
                return
            del tokens[login]
            if not tokens:
                del servers[server]
        else:
            tokens[login] = token
        _write_private(self.token_file, {"version": _RECORD_VERSION, "servers": servers})

    def save(self, server: str, login: str, token: str) -> None:
        """Remember `token` as the last login on `server` (a no-op with --no-remember)."""
        if not self.remember:
            return
        where = "file"
        keyring_backend = self._backend()
        if keyring_backend is not None:
            from keyring.errors import KeyringError

            try:
                keyring_backend.set_password(service_name(server), login, token)
                where = "keyring"
            except KeyringError:  # locked, or refused: the file still keeps the user logged in
                self._keyring = None
        if where == "file":
            self._write_file_token(server, login, token)
        elif self.token_file.exists():
            self._write_file_token(server, login, None)  # no stale copy outside the keyring
        servers = self._record()
        entry = servers.setdefault(server, {})
        entry["last"] = login
        entry.setdefault("logins", {})[login] = where
        self._write_record(servers)

    def load(self, server: str) -> tuple[str, str] | None:
        """(login, token) last used on `server`, or None: nothing kept, or the keyring is gone."""
        login, where = self._last(server)
        if login is None:
            return None
        token: str | None
        if where == "keyring":
            token = self._keyring_token(server, login)
        else:
            token = self._file_tokens().get(server, {}).get(login)
        return (login, token) if isinstance(token, str) and token else None

    def _keyring_token(self, server: str, login: str) -> str | None:
        keyring_backend = self._backend()
        if keyring_backend is None:
            return None
        from keyring.errors import KeyringError

        try:
            return keyring_backend.get_password(service_name(server), login)
        except KeyringError:
            return None

    def forget(self, server: str, login: str | None = None) -> None:
        """Drop the token of `login` on `server`, or of every login kept there."""
        servers = self._record()
        entry = servers.get(server, {})
        kept: dict[str, str] = entry.get("logins", {})
        logins = [login] if login is not None else list(kept)
        for name in logins:
            if kept.get(name) == "keyring":
                self._delete_from_keyring(server, name)
            if self.token_file.exists():
                self._write_file_token(server, name, None)
            kept.pop(name, None)
        if server not in servers:
            return
        if entry.get("last") not in kept:
            entry.pop("last", None)
        if not kept:
            del servers[server]
        self._write_record(servers)

    def _delete_from_keyring(self, server: str, login: str) -> None:
        keyring_backend = self._backend()
        if keyring_backend is None:
            return
        from keyring.errors import KeyringError

        with contextlib.suppress(KeyringError):  # PasswordDeleteError: already gone
            keyring_backend.delete_password(service_name(server), login)
