"""Asking before an action that cannot be taken back: on a terminal, or `--yes`."""

from __future__ import annotations

import sys

from ..common import CliError


def confirm(question: str, *, yes: bool, what: str) -> bool:
    """Whether to go on: `--yes` says so; else the person at the terminal answers y.

    Without a terminal (a script, a pipe) and without `--yes` nobody can answer:
    that is an error saying to add --yes (to `what`), never a silent yes or no.
    """
    if yes:
        return True
    if not sys.stdin.isatty():
        raise CliError(f"there is no terminal to ask at; to {what} without asking, add --yes")
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes", "д", "да")
