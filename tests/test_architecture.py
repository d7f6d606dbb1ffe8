"""The house rules that tools check: import contracts and lint."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; install the test extra: pip install '.[test]'")
    return found


class TestHouseRules:
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
