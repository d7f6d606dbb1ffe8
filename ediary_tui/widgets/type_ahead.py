"""Type-ahead: keys typed faster than the screen changes wait for it, as a terminal's do.

A quick typist, a paste or tmux send-keys hands the app a burst of keys in one read.
Textual gives each key to whoever has the focus when the app reads it, but a key's
effect (Enter moving to the password, `P` opening a dialog) lands a little later: the
focus moves in a callback, a screen mounts over several messages. So the keys behind it
went to the old field (`studentdemo` in Login) or were lost (`P5` dropped the 5).

`TypeAhead` hands the app one key at a time: after a key, the next waits until the screen
has done what that key set off (every message of the screen's widgets handled, the app's
own callbacks run, a new screen mounted), then goes to the focus of that moment. Workers
(a login, a fetch) are not waited for, and no key waits longer than `MAX_WAIT`.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from textual import events
from textual.message_pump import MessagePump

if TYPE_CHECKING:
    from textual.app import App

    _Base = App[None]
else:
    _Base = object

MAX_WAIT = 1.0  # seconds a key waits for the screen at most (a handler stuck on I/O)
MAX_HOLD = 10.0  # seconds a key waits at most for a worker of `HOLD_FOR` or a screen not ready
RETRY = 0.01  # seconds between looks once the first few found the screen still busy


def _busy(pump: MessagePump) -> bool:
    """Messages queued for `pump`, or one being handled (counted until it is done)."""
    queue = pump._message_queue
    return bool(getattr(queue, "_unfinished_tasks", queue.qsize()))


class TypeAhead(_Base):
    """Mixed into the app, before `App`: keys are delivered one settled step at a time.

    Keys typed while a worker of a group in `HOLD_FOR` runs wait for it too: after
    `parent⏎demo⏎m` the `m` is for the diary the login opens, not the password field.
    """

    HOLD_FOR: frozenset[str] = frozenset()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held_keys: deque[events.Key] = deque()
        self._key_in_flight = False
        self._key_since = 0.0

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self._key_in_flight or self._held_keys:
                self._held_keys.append(event)
            else:
                await self._deliver_key(event)
            return
        await super().on_event(event)

    async def _deliver_key(self, event: events.Key) -> None:
        """Give `event` to Textual as it came, and hold the keys behind it until it settles."""
        self._key_in_flight = True
        self._key_since = time.monotonic()
        await super().on_event(event)
        self.call_later(self._release_key)

    def _settled(self) -> bool:
        """The key's effects are done: the app's queue is empty and so is the screen's tree."""
        if self._message_queue.qsize():
            return False  # a focus change or a screen switch is queued for the app
        screen = self.screen
        if not screen.is_mounted or _busy(screen):
            return False
        return not any(
            _busy(node) or not node.is_mounted for node in screen.walk_children(with_self=False)
        )

    def _holding(self) -> bool:
        """A worker the keys behind wait for (a login) is still at work, or the screen says
        it cannot take keys yet (`keys_ready` False: a journal still loading its first copy,
        where `P5` would find no student to give the mark to)."""
        if not getattr(self.screen, "keys_ready", True):
            return True
        hold = self.HOLD_FOR
        return bool(hold) and any(
            worker.group in hold and not worker.is_finished for worker in self.workers
        )

    async def _release_key(self) -> None:
        waited = time.monotonic() - self._key_since
        if self._holding() and waited < MAX_HOLD:
            self.set_timer(RETRY, self._release_key)  # a network call: look now and then
            return
        if not self._settled() and waited < MAX_WAIT:
            await asyncio.sleep(0)  # let the screen's tasks run, then look again
            self.call_later(self._release_key)
            return
        self._key_in_flight = False
        if self._held_keys:
            await self._deliver_key(self._held_keys.popleft())
