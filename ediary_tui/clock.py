"""What time it is, as something to call: the app's clock, pinned by tests and snapshots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def local_now() -> dt.datetime:
    """Now, in the computer's own time zone (the default clock)."""
    return dt.datetime.now().astimezone()
