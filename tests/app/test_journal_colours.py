"""Marks at 16 colours (TERM=xterm): each grade keeps a colour of its own.

A 16-colour terminal shows each colour as the nearest of the 16 ANSI ones; with the
theme's $warning and $error both became bright red, so a 3 read as a 2. The grades'
styles are resolved here with the app's own theme variables and brought down to 16
colours as Rich does for such a terminal.
"""

from __future__ import annotations

import re

import pytest
from rich.color import ColorSystem
from textual.app import App
from textual.color import Color

from ediary_tui.widgets.mark_cell import GRADE_STYLES, grade_of


def ansi_colour(style: str, variables: dict[str, str]) -> int | None:
    """The ANSI colour number (0-15) a grade's style shows in on a 16-colour terminal."""
    names = re.findall(r"\$([\w-]+)", style)
    assert len(names) == 1, style
    color = Color.parse(variables[names[0]]).rich_color.downgrade(ColorSystem.STANDARD)
    return color.number


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_good_fair_and_poor_marks_differ_at_16_colours(theme: str) -> None:
    app: App[None] = App()
    async with app.run_test():
        app.theme = theme
        variables = app.theme_variables
        shown = {
            value: ansi_colour(GRADE_STYLES[grade_of(value)], variables) for value in range(1, 6)
        }
    assert shown[5] == shown[4]
    assert shown[2] == shown[1]
    assert len({shown[5], shown[3], shown[2]}) == 3, shown
    assert shown[2] in (1, 9)  # red: a fail reads as one
    assert shown[5] in (2, 10)  # green
    assert shown[3] in (3, 11)  # yellow
