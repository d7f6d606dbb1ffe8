"""Key bindings that answer on both keyboard layouts and speak the user's language.

Russian families type on ЙЦУКЕН: the key that is `c` on QWERTY sends `с`.
`key()` adds that twin to a binding, so no binding lists it by hand. BINDINGS
are class attributes, read before the language is chosen, so descriptions are
catalogue keys ("keys.next_week"); `LocalisedKeys` translates them where
Textual reads them (`active_bindings`: the footer, the key panel, help and the
command palette), without rewriting any node's bindings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.binding import ActiveBinding, Binding

from ediary_tui.i18n import current_language, has, localise_text

if TYPE_CHECKING:
    from textual.screen import Screen

    _Base = Screen[object]
else:
    _Base = object

_QWERTY = "`qwertyuiop[]asdfghjkl;'zxcvbnm,."
_JCUKEN = "ёйцукенгшщзхъфывапролджэячсмитьбю"
_NAMED = {  # Textual's names for the punctuation keys above
    "grave_accent": "`",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "semicolon": ";",
    "apostrophe": "'",
    "comma": ",",
    "full_stop": ".",
}
TWINS: dict[str, str] = {
    **dict(zip(_QWERTY, _JCUKEN, strict=True)),
    **{q.upper(): j.upper() for q, j in zip(_QWERTY, _JCUKEN, strict=True) if q.isalpha()},
}
TWINS.update({name: TWINS[char] for name, char in _NAMED.items()})


def twin(key: str) -> str | None:
    """The key in the same place on a Russian layout (`c` → `с`), or None."""
    return TWINS.get(key)


def key(
    keys: str,
    action: str,
    description: str = "",
    *,
    show: bool = True,
    key_display: str | None = None,
    priority: bool = False,
    group: Binding.Group | None = None,
) -> Binding:
    """A Binding on `keys` and on their Russian-layout twins (added after them)."""
    names = keys.split(",")
    twins = [t for t in map(twin, names) if t is not None and t not in names]
    return Binding(
        ",".join(names + twins),
        action,
        description,
        show=show,
        key_display=key_display,
        priority=priority,
        group=group,
    )


@lru_cache(maxsize=1024)
def _localised(binding: Binding, lang: str) -> Binding:
    """`binding` with its texts in `lang` (cached: the footer asks on every refresh)."""
    group = binding.group
    return replace(
        binding,
        description=localise_text(binding.description),
        tooltip=localise_text(binding.tooltip),
        group=group and replace(group, description=localise_text(group.description)),
    )


@runtime_checkable
class KeyBadges(Protocol):
    """An app that puts a count on some keys ("m messages 2") while there is one."""

    def key_badge(self, binding: Binding) -> Binding: ...


class LocalisedKeys(_Base):
    """Mixed into every screen: its active bindings as the user reads them."""

    def adjust_binding(self, binding: Binding) -> Binding:
        """The screen's last word on how a key reads; by default the app's counts."""
        app = self.app
        return app.key_badge(binding) if isinstance(app, KeyBadges) else binding

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        lang = current_language()
        bindings = {
            name: ActiveBinding(
                active.node,
                self.adjust_binding(_localised(active.binding, lang)),
                active.enabled,
                localise_text(active.tooltip),
            )
            for name, active in super().active_bindings.items()
        }
        return help_first_if_cut(bindings, self.app.size.width, self.app.get_key_display)

    def on_resize(self) -> None:
        """Narrower or wider: the footer is laid out again (see `help_first_if_cut`)."""
        self.refresh_bindings()

    @property
    def own_keys(self) -> set[str]:
        """The keys described by our catalogue, not by a Textual widget ("Scroll Left"):
        help and the palette list these, in the user's language."""
        return {
            name
            for name, active in super().active_bindings.items()
            if has(active.binding.description)
        }


HELP_ACTIONS = frozenset({"help", "app.help"})
FOOTER_SLACK = 3  # cells the palette key's divider and padding take beyond the reckoning


def footer_width(bindings: dict[str, ActiveBinding], display: Callable[[Binding], str]) -> int:
    """About how many cells the compact footer takes: each shown action once as "key
    description " (a group's keys then its one description), and the palette's key."""
    seen: set[str] = set()
    groups: set[str] = set()
    width = 0
    for active in bindings.values():
        binding = active.binding
        if not (binding.show or binding.action == "command_palette") or binding.action in seen:
            continue
        seen.add(binding.action)
        width += len(display(binding)) + 1
        group = binding.group
        if group is None:
            width += len(binding.description) + 1
        elif group.description not in groups:
            groups.add(group.description)
            width += len(group.description) + 1
    return width


def help_first_if_cut(
    bindings: dict[str, ActiveBinding], width: int, display: Callable[[Binding], str]
) -> dict[str, ActiveBinding]:
    """The footer cuts what does not fit at its right end: where it would, "? help" goes
    first, so that the key to every other key is always on screen."""
    if not width or footer_width(bindings, display) + FOOTER_SLACK <= width:
        return bindings
    first = {k: a for k, a in bindings.items() if a.binding.action in HELP_ACTIONS}
    return {**first, **{k: a for k, a in bindings.items() if k not in first}}


def step_keys(
    action: str, previous: str, next_: str, *, group: Binding.Group | None = None
) -> list[Binding]:
    """`[` and `]`: `action` one step back and one forward (`period(-1)`, `period(1)`),
    described by the catalogue keys `previous` and `next_`."""
    return [
        key("left_square_bracket", f"{action}(-1)", previous, group=group),
        key("right_square_bracket", f"{action}(1)", next_, group=group),
    ]


def up_down_keys(
    down: str, up: str, *, described: tuple[str, str] = ("keys.down", "keys.up")
) -> list[Binding]:
    """↓/`j` and ↑/`k` on the actions `down` and `up` of a list-like widget (not in the footer)."""
    down_text, up_text = described
    return [key("down,j", down, down_text, show=False), key("up,k", up, up_text, show=False)]


# Home and End, Page Down and Page Up in a widget that scrolls by its own cursor.
PAGE_KEYS: list[Binding] = [
    Binding("home", "edge(0)", show=False),
    Binding("end", "edge(1)", show=False),
    Binding("pagedown", "page(1)", show=False),
    Binding("pageup", "page(-1)", show=False),
]
