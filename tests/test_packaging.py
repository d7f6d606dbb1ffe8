"""The tests run against the installed package, and the package carries every file it needs.

pytest imports in importlib mode (pyproject.toml), so the repository's root is
not on sys.path and `ediary_tui` is the installed one: a stylesheet, a
translation or a migration template left out of the package data shows up
here, not on a school's computer. CI installs the package (not editable) and
sets EDIARY_TEST_INSTALLED=1, which makes an import from the source tree a
failure too.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import ediary_tui

SOURCE = Path(__file__).resolve().parents[1] / "ediary_tui"
IMPORTED = Path(ediary_tui.__file__).resolve().parent


def shipped(root: Path) -> set[str]:
    """Every file of the package under `root`, by its path relative to it."""
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix not in {".pyc", ".pyo"}
    }


def test_every_file_of_the_source_tree_is_in_the_imported_package() -> None:
    source = shipped(SOURCE)
    data = {name for name in source if not name.endswith(".py")}
    # Stylesheets, translations, the migrations' template and the example files of a
    # school (server/school/examples), at least: not an empty walk.
    assert {".tcss", ".toml", ".mako", ".csv", ".xlsx"} <= {Path(name).suffix for name in data}
    assert sorted(source - shipped(IMPORTED)) == []


def test_ci_imports_the_installed_package_not_the_source_tree() -> None:
    if os.environ.get("EDIARY_TEST_INSTALLED") != "1":
        # A developer's editable install imports the source tree, as it should.
        pytest.skip("set EDIARY_TEST_INSTALLED=1 where the package is installed (CI)")
    assert SOURCE != IMPORTED  # (CI's venv may be inside the checkout: only this is wrong)


def test_the_example_files_ship_with_the_package() -> None:
    """`ediary admin setup` and the README start from the package's own example school."""
    import importlib.resources

    examples = importlib.resources.files("ediary_tui.server.school") / "examples"
    assert (examples / "school.toml").is_file()
