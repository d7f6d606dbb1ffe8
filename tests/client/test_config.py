"""config.toml and where files live."""

from __future__ import annotations

from pathlib import Path

import pytest

from ediary_tui.client import locations
from ediary_tui.client.config import Config, ConfigError, Profile, load_config


def write(text: str) -> Path:
    path = locations.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class TestConfig:
    def test_a_missing_file_is_an_empty_config(self) -> None:
        assert load_config() == Config(profiles={}, default_profile=None, lang=None)

    def test_profiles_the_default_and_the_language(self) -> None:
        write(
            'default_profile = "school"\n'
            'lang = "ru"\n'
            "[profiles.school]\n"
            'server = "https://diary.school.ru"\n'
            'login = "ivanova"\n'
            "[profiles.local]\n"
            'server = "http://127.0.0.1:8000"\n'
        )
        config = load_config()
        assert config.profiles == {
            "school": Profile("school", "https://diary.school.ru", "ivanova"),
            "local": Profile("local", "http://127.0.0.1:8000", None),
        }
        assert (config.default_profile, config.lang) == ("school", "ru")
        assert config.profile() == config.profiles["school"]
        assert config.profile("local") == config.profiles["local"]

    def test_broken_toml_names_the_line(self) -> None:
        write('lang = "ru"\n[profiles.school\nserver = 1\n')
        with pytest.raises(ConfigError, match="line 2"):
            load_config()

    def test_a_value_of_the_wrong_type_is_named(self) -> None:
        write("[profiles.school]\nserver = 8000\n")
        with pytest.raises(ConfigError, match=r"profiles\.school\.server"):
            load_config()

    def test_a_default_profile_that_does_not_exist_is_an_error(self) -> None:
        write('default_profile = "work"\n[profiles.school]\nserver = "https://a.ru"\n')
        with pytest.raises(ConfigError, match=r"'work'.*school"):
            load_config()

    def test_another_path_can_be_given(self, tmp_path: Path) -> None:
        path = tmp_path / "other.toml"
        path.write_text('lang = "en"\n')
        assert load_config(path).lang == "en"


class TestLocations:
    def test_ediary_home_holds_everything(self, home: Path) -> None:
        assert locations.config_file() == home / "config" / "config.toml"
        assert locations.demo_db_path() == home / "data" / "demo-school.db"
        assert locations.token_file() == home / "data" / "tokens.json"
        assert locations.outbox_db_path() == home / "data" / "outbox.db"
        assert locations.cache_db_path() == home / "cache" / "cache.db"

    def test_without_it_the_platforms_directories(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("EDIARY_HOME")
        assert "ediary-tui" in str(locations.config_dir())
        assert "ediary-tui" in str(locations.data_dir())
        assert "ediary-tui" in str(locations.cache_dir())


class TestRealDiaryProfiles:
    def test_a_profile_names_its_provider_host_vendor_and_devkey(self) -> None:
        write(
            "[profiles.moscow]\n"
            'provider = "mos"\n'
            "[profiles.lyceum]\n"
            'provider = "eljur"\n'
            'server = "https://lyceum.eljur.ru"\n'
            'vendor = "lyceum"\n'
            'devkey = "abc123"\n'
        )
        config = load_config()
        assert config.profiles["moscow"] == Profile("moscow", None, None, "mos")
        assert config.profiles["lyceum"] == Profile(
            "lyceum", "https://lyceum.eljur.ru", None, "eljur", "abc123", "lyceum"
        )

    def test_an_unknown_provider_is_named_with_the_ones_there_are(self) -> None:
        write('[profiles.x]\nprovider = "netschool"\n')
        with pytest.raises(ConfigError) as caught:
            load_config()
        assert str(caught.value) == (
            "profiles.x.provider must be one of ediary, mos, dnevnik, eljur, not 'netschool'"
        )

    def test_a_server_that_is_not_an_address_is_refused(self) -> None:
        write('[profiles.x]\nprovider = "eljur"\nserver = "lyceum.eljur.ru"\n')
        with pytest.raises(ConfigError) as caught:
            load_config()
        assert "profiles.x.server must be an address like https://" in str(caught.value)
