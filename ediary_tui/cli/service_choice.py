"""Which diary service the app opens: the embedded demo school, a school server, or a real
diary (`mos`, `dnevnik`, `eljur`), live or replayed from a recording.

`--server`/`--provider`/`--replay` on the command line win over the profile
(`--profile`, else config.toml's default); nothing at all is the demo school.
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .common import CliError

if TYPE_CHECKING:
    from ediary_tui.client.api import DiaryClient
    from ediary_tui.client.config import Config, Profile
    from ediary_tui.client.providers.base import ProviderClient


@dataclass
class Chosen:
    """The client to talk through, and what the app is told about it."""

    client: DiaryClient | ProviderClient
    demo_accounts: list[tuple[str, str]] | None = None
    today: dt.date | None = None  # a recording's day: the app opens on it
    login_hint: str | None = None  # what to type on a recording's login (its login, "demo")


def _profile(args: argparse.Namespace, config: Config) -> Profile | None:
    from ediary_tui.client import locations

    if args.profile:
        profile = config.profiles.get(args.profile)
        if profile is None:
            known = ", ".join(sorted(config.profiles)) or "none"
            raise CliError(
                f"no profile {args.profile!r} in {locations.config_file()} (profiles: {known})"
            )
        return profile
    return config.profile()


def choose_service(args: argparse.Namespace, config: Config) -> Chosen:
    """The service `args` and the config name, built (nothing is asked of it yet)."""
    profile = _profile(args, config) if args.server is None or args.provider else None
    provider = args.provider or (profile.provider if profile else "ediary")
    server = args.server or (profile.server if profile else None)
    if server is not None and not server.startswith(("http://", "https://")):
        raise CliError(f"--server wants a URL like https://diary.school.ru, not {server!r}")
    if args.replay is not None and provider == "ediary":
        raise CliError(
            "--replay plays a real diary's recorded answers: add --provider mos, dnevnik or eljur"
        )
    if args.demo_reset and (server is not None or provider != "ediary"):
        raise CliError("--demo-reset is for the embedded demo school; it cannot reset a server")
    if provider != "ediary":
        return _real_diary(provider, server, profile, args.replay)
    return _our_server(server)


def _our_server(server: str | None) -> Chosen:
    from ediary_tui.client import locations
    from ediary_tui.client.api import DiaryClient

    if server is not None:
        return Chosen(DiaryClient(server.rstrip("/")))
    from ediary_tui.embedded import DEMO_ACCOUNTS, EMBEDDED_URL, EmbeddedTransport

    client = DiaryClient(EMBEDDED_URL, transport=EmbeddedTransport(locations.demo_db_path()))
    return Chosen(client, demo_accounts=DEMO_ACCOUNTS)


def _real_diary(
    provider: str, server: str | None, profile: Profile | None, replay: Path | None
) -> Chosen:
    from ediary_tui.client.providers import provider_class

    cls = provider_class(provider)
    mine = profile is not None and profile.provider == provider
    devkey = profile.devkey if mine and profile else None
    vendor = profile.vendor if mine and profile else None
    if replay is None:
        return Chosen(cls(server, devkey=devkey, vendor=vendor))
    from ediary_tui.client.providers.replay import Recording, ReplayError

    try:
        recording = Recording.load(replay)
    except ReplayError as exc:
        raise CliError(str(exc)) from None
    if recording.provider != provider:
        raise CliError(
            f"{replay} is a recording of {recording.provider or 'no provider'}, not {provider}"
        )
    day = recording.today

    def recorded_day() -> dt.datetime:
        """The recording's day at the present time: the service answers as on that day."""
        now = dt.datetime.now().astimezone()
        return dt.datetime.combine(day, now.timetz())

    client = cls(
        server,
        transport=recording.transport(),
        clock=recorded_day,
        devkey=devkey or recording.devkey,
        vendor=vendor or recording.vendor,
        label=f"replay:{provider}",
    )
    hint = f"{recording.login} / demo" if recording.login else None
    return Chosen(client, today=recording.today, login_hint=hint)
