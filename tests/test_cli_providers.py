"""`ediary --provider NAME [--replay DIR]` and profiles naming a real diary: which service
the app opens, and what is said when the command line does not add up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ediary_tui.cli import build_parser
from ediary_tui.cli.common import CliError
from ediary_tui.cli.service_choice import choose_service
from ediary_tui.client.api import DiaryClient
from ediary_tui.client.config import Config, Profile
from ediary_tui.client.providers.dnevnik.client import DnevnikClient
from ediary_tui.client.providers.eljur.client import EljurClient
from ediary_tui.client.providers.mos.client import MosClient

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EDIARY_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def chosen(*argv: str, config: Config | None = None):  # type: ignore[no-untyped-def]
    return choose_service(build_parser().parse_args(list(argv)), config or Config())


class TestChoosingTheService:
    async def test_a_recording_opens_on_its_day_with_its_login(self) -> None:
        found = chosen("--provider", "mos", "--replay", str(EXAMPLES / "mos"))
        assert isinstance(found.client, MosClient)
        assert found.client.server == "replay:mos"
        assert found.today == dt.date(2026, 12, 7)
        assert found.login_hint == "smirnova.olga / demo"
        assert found.client.clock().date() == dt.date(2026, 12, 7)
        await found.client.aclose()

    async def test_a_profile_gives_the_provider_its_host_vendor_and_devkey(self) -> None:
        config = Config(
            profiles={
                "lyceum": Profile(
                    "lyceum", "https://lyceum.eljur.ru", None, "eljur", "k3y", "lyceum"
                )
            },
            default_profile="lyceum",
        )
        found = chosen(config=config)
        client = found.client
        assert isinstance(client, EljurClient)
        assert (client.host, client.vendor, client.devkey) == (
            "https://lyceum.eljur.ru",
            "lyceum",
            "k3y",
        )
        assert found.today is None and found.demo_accounts is None

    async def test_the_command_line_wins_over_the_default_profile(self) -> None:
        config = Config(
            profiles={"moscow": Profile("moscow", None, None, "mos")}, default_profile="moscow"
        )
        assert isinstance(chosen("--provider", "dnevnik", config=config).client, DnevnikClient)
        ours = chosen("--server", "https://diary.school.ru", config=config).client
        assert isinstance(ours, DiaryClient) and ours.server == "https://diary.school.ru"

    def test_replay_without_a_provider_says_what_to_add(self) -> None:
        with pytest.raises(CliError) as caught:
            chosen("--replay", str(EXAMPLES / "mos"))
        assert "add --provider mos, dnevnik or eljur" in str(caught.value)

    def test_a_recording_of_another_service_is_refused(self) -> None:
        with pytest.raises(CliError) as caught:
            chosen("--provider", "eljur", "--replay", str(EXAMPLES / "mos"))
        assert str(caught.value) == f"{EXAMPLES / 'mos'} is a recording of mos, not eljur"

    def test_a_folder_that_is_no_recording(self, tmp_path: Path) -> None:
        with pytest.raises(CliError) as caught:
            chosen("--provider", "mos", "--replay", str(tmp_path))
        assert str(caught.value) == f"{tmp_path} is not a recording: it has no replay.toml"

    def test_demo_reset_is_for_the_demo_school_only(self) -> None:
        with pytest.raises(CliError) as caught:
            chosen("--provider", "mos", "--demo-reset")
        assert "--demo-reset is for the embedded demo school" in str(caught.value)

    def test_an_unknown_provider_is_refused_by_the_parser(self) -> None:
        with pytest.raises(SystemExit):
            build_parser().parse_args(["--provider", "netschool"])
