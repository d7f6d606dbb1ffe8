"""Exported files: in the chosen folder, 0600, never over a file without being asked."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from ediary_tui.client import locations
from ediary_tui.client.config import load_config
from ediary_tui.client.exports import Exports, safe_name


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most accounts have, under which a plain new file is 0644."""
    old = os.umask(0o022)
    yield
    os.umask(old)


class TestWhere:
    def test_the_default_is_the_documents_folder(self, home: Path) -> None:
        assert Exports().folder == locations.documents_dir() == home / "documents"

    def test_config_toml_names_another(self, home: Path) -> None:
        config_file = locations.config_file()
        config_file.parent.mkdir(parents=True)
        config_file.write_text('export_dir = "~/school-files"\n', encoding="utf-8")
        folder = load_config().export_dir
        assert folder == Path.home() / "school-files"
        assert Exports(folder).folder == folder

    def test_a_typed_path_a_name_or_a_folder(self, tmp_path: Path) -> None:
        exports = Exports(tmp_path)
        assert exports.target("", "a.csv") == tmp_path / "a.csv"
        assert exports.target("  b.csv ", "a.csv") == tmp_path / "b.csv"
        assert exports.target("x/b.csv", "a.csv") == tmp_path / "x" / "b.csv"
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        assert Exports(Path("/")).target(str(elsewhere), "a.csv") == elsewhere / "a.csv"
        assert exports.target("~/a.csv", "b.csv") == Path.home() / "a.csv"

    def test_a_name_keeps_letters_and_digits_only(self) -> None:
        assert safe_name("Жукова Дарья", "child") == "Жукова-Дарья"
        assert safe_name("10 Б/2", "class") == "10-Б-2"
        assert safe_name("../..", "child") == "child"


class TestWriting:
    def test_a_new_file_is_0600_and_the_default_folder_is_made_0700(self, home: Path) -> None:
        exports = Exports()
        path = exports.write(exports.target("", "card.csv"), "Предмет;5\r\n")
        assert path == home / "documents" / "card.csv"
        assert path.read_bytes().decode() == "Предмет;5\r\n"  # as given: no newline translation
        assert mode(path) == 0o600
        assert mode(path.parent) == 0o700

    def test_the_encoding_is_the_callers(self, tmp_path: Path) -> None:
        path = Exports(tmp_path).write(tmp_path / "a.csv", "Я", encoding="utf-8-sig")
        assert path.read_bytes() == "\ufeffЯ".encode()

    def test_a_file_already_there_is_never_overwritten_unasked(self, tmp_path: Path) -> None:
        path = tmp_path / "sheet.txt"
        path.write_text("older")
        with pytest.raises(FileExistsError):
            Exports(tmp_path).write(path, "newer")
        assert path.read_text() == "older"

    def test_nor_through_a_symlink(self, tmp_path: Path) -> None:
        victim = tmp_path / "victim"
        victim.write_text("mine")
        link = tmp_path / "sheet.txt"
        link.symlink_to(victim)
        with pytest.raises(FileExistsError):
            Exports(tmp_path).write(link, "passwords")
        assert victim.read_text() == "mine"

    def test_replacing_when_asked_makes_it_0600_and_leaves_no_temporary(
        self, tmp_path: Path
    ) -> None:
        path = tmp_path / "card.csv"
        path.write_text("older")
        path.chmod(0o644)
        Exports(tmp_path).write(path, "newer", replace=True)
        assert path.read_text() == "newer" and mode(path) == 0o600
        assert [p.name for p in tmp_path.iterdir()] == ["card.csv"]

    def test_a_folder_that_is_not_there_is_an_error_unless_it_is_the_default(
        self, tmp_path: Path
    ) -> None:
        exports = Exports(tmp_path / "default")
        with pytest.raises(FileNotFoundError):
            exports.write(tmp_path / "typo" / "a.csv", "x")
        assert not (tmp_path / "typo").exists()

    def test_the_folder_written_to_is_where_the_next_one_goes(self, tmp_path: Path) -> None:
        exports = Exports(tmp_path / "default")
        other = tmp_path / "other"
        other.mkdir()
        exports.write(exports.target(str(other), "a.csv"), "x")
        assert exports.folder == other
        assert exports.target("", "b.csv") == other / "b.csv"

    def test_a_failed_replace_leaves_the_old_file_whole(self, tmp_path: Path) -> None:
        folder = tmp_path / "folder"
        folder.mkdir()
        with pytest.raises(OSError):
            Exports(tmp_path).write(folder, "x", replace=True)  # a folder is in the way
        assert folder.is_dir() and list(tmp_path.iterdir()) == [folder]
