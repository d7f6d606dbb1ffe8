"""Fixtures of the providers' tests: a home of their own, and each provider's recording."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own config, data and cache directories (and reports folder)."""
    path = tmp_path / "home"
    monkeypatch.setenv("EDIARY_HOME", str(path))
    return path
