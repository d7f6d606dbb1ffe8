"""Where ediary-tui keeps things on disk: every path in one place.

Paths follow the platform's conventions (platformdirs). EDIARY_HOME moves all
of them under one directory (`config/`, `data/`, `cache/`, `documents/`), so tests and
benchmarks never touch the user's real files. Nothing is created here: the
module that writes a file makes its directory, with the mode it needs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import platformdirs

APP_NAME = "ediary-tui"
HOME_VARIABLE = "EDIARY_HOME"


def _home(part: str) -> Path | None:
    """The EDIARY_HOME subdirectory `part`, when the override is set."""
    home = os.environ.get(HOME_VARIABLE)
    return Path(home).expanduser() / part if home else None


def config_dir() -> Path:
    """Settings the user edits: config.toml."""
    return _home("config") or Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """What must survive: the demo school, remembered tokens, the outbox."""
    return _home("data") or Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """What can be thrown away and fetched again: the offline cache."""
    return _home("cache") or Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def documents_dir() -> Path:
    """Where exports go unless config.toml's `export_dir` or the export dialog says otherwise."""
    return _home("documents") or Path(platformdirs.user_documents_dir())


def _file(directory: Callable[[], Path], name: str, doc: str) -> Callable[[], Path]:
    """The path of the file `name` in `directory` (asked at each call: EDIARY_HOME may move)."""

    def path() -> Path:
        return directory() / name

    path.__doc__ = doc
    return path


config_file = _file(
    config_dir, "config.toml", "The TOML file with profiles, the default profile and the language."
)
demo_db_path = _file(data_dir, "demo-school.db", "The embedded demo school's database.")
token_file = _file(
    data_dir, "tokens.json", "Remembered tokens when the machine has no OS keyring (mode 0600)."
)
logins_file = _file(
    data_dir,
    "logins.json",
    "Which login was used last on each server, and where its token is (no secrets).",
)
cache_db_path = _file(cache_dir, "cache.db", "The offline cache of what the user saw.")
outbox_db_path = _file(data_dir, "outbox.db", "Writes not yet acknowledged by the server.")
reports_dir = _file(
    data_dir,
    "reports",
    "Answers of a real diary service this version could not read, personal data blanked.",
)
