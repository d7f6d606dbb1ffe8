"""The house rules that tools check: import contracts, no import cycle, and lint."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; install the test extra: pip install '.[test]'")
    return found


def import_cycles(package: str) -> set[tuple[str, ...]]:
    """Every circle of imports in `package` (imports for type checking only included), each
    as the sorted modules on its shortest way round."""
    graph = grimp.build_graph(package)
    found: set[tuple[str, ...]] = set()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                found.add(tuple(sorted({importer, *back})))
    return found


def session_internals(folder: Path) -> list[str]:
    """Where code under `folder` reaches past the session for its cache or HTTP client
    (`session.cache`, `self.session.client`), as "path:line"."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Attribute) and node.attr in ("cache", "client")):
                continue
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name == "session":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


class TestHouseRules:
    def test_screens_and_widgets_never_reach_past_the_session(self) -> None:
        """The import contracts say what they may import; this, what they may not touch."""
        assert session_internals(ROOT / "ediary_tui" / "screens") == []
        assert session_internals(ROOT / "ediary_tui" / "widgets") == []

    def test_no_module_of_the_package_imports_itself_round_a_circle(self) -> None:
        assert import_cycles("ediary_tui") == set()

    def test_import_contracts_of_architecture_md_hold(self) -> None:
        result = subprocess.run(
            [_tool("lint-imports"), "--no-cache"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr

    def test_ruff_is_clean(self) -> None:
        result = subprocess.run(
            [_tool("ruff"), "check", "ediary_tui", "tests", "bench"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
