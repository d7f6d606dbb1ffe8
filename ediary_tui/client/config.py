"""The user's config.toml: named server profiles, the default one, the language.

    default_profile = "school"
    lang = "ru"
    export_dir = "~/Documents/school"

    [profiles.school]
    server = "https://diary.school.ru"
    login = "ivanova"

    [profiles.moscow]            # a real diary, read only: mos, dnevnik or eljur
    provider = "mos"

    [profiles.lyceum]
    provider = "eljur"
    server = "https://lyceum.eljur.ru"   # the school's ElJur host
    vendor = "lyceum"
    devkey = "..."                        # ElJur's developer key

A missing file is an empty config (the embedded demo school); a broken one is
a ConfigError that names the line, so the person can fix it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import locations


class ConfigError(Exception):
    """The config file cannot be used as it is; the message says where and why."""


# The services a profile may name: our own school server, or a real diary read through its API.
PROVIDERS = ("ediary", "mos", "dnevnik", "eljur")


@dataclass
class Profile:
    name: str
    server: str | None
    login: str | None = None
    provider: str = "ediary"
    devkey: str | None = None
    vendor: str | None = None


@dataclass
class Config:
    profiles: dict[str, Profile] = field(default_factory=dict)
    default_profile: str | None = None
    lang: str | None = None
    # Where exports go (the user's documents folder when None).
    export_dir: Path | None = None

    def profile(self, name: str | None = None) -> Profile | None:
        """The named profile, or the default one without a name."""
        wanted = name if name is not None else self.default_profile
        return self.profiles.get(wanted) if wanted is not None else None


def _text(table: dict[str, Any], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{where}{key} must be a string in quotes, not {value!r}")
    return value


def load_config(path: Path | None = None) -> Config:
    """Read the config file (locations.config_file() by default)."""
    path = path or locations.config_file()
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        return Config()
    except tomllib.TOMLDecodeError as exc:  # its message carries "(at line N, column M)"
        raise ConfigError(f"not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read it: {exc}") from None

    tables = data.get("profiles", {})
    if not isinstance(tables, dict):
        raise ConfigError("profiles must be tables: [profiles.NAME]")
    profiles: dict[str, Profile] = {}
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise ConfigError(f"profiles.{name} must be a table: [profiles.{name}]")
        where = f"profiles.{name}."
        provider = _text(table, "provider", where) or "ediary"
        if provider not in PROVIDERS:
            raise ConfigError(
                f"{where}provider must be one of {', '.join(PROVIDERS)}, not {provider!r}"
            )
        server = _text(table, "server", where)
        if server is not None and not server.startswith(("http://", "https://")):
            raise ConfigError(f"{where}server must be an address like https://..., not {server!r}")
        profiles[name] = Profile(
            name,
            server,
            _text(table, "login", where),
            provider,
            _text(table, "devkey", where),
            _text(table, "vendor", where),
        )

    default = _text(data, "default_profile", "")
    if default is not None and default not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(f"default_profile {default!r} is not a profile (profiles: {known})")
    export_dir = _text(data, "export_dir", "")
    return Config(
        profiles,
        default,
        _text(data, "lang", ""),
        Path(export_dir).expanduser() if export_dir else None,
    )
