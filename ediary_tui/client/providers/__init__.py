"""The real diaries, read-only: Moscow's МЭШ (`mos`), Dnevnik.ru (`dnevnik`) and ElJur (`eljur`).

Each is a `base.ProviderClient` with our server's client's shape, so the session
and every screen use it as they use our own server; `ServiceInfo` tells them
what it cannot do. Only `cli` picks one (config.toml's `provider`, `--provider`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import ProviderClient

# The provider's name (config.toml, --provider) and the module that holds its client.
PROVIDERS: dict[str, str] = {
    "mos": "ediary_tui.client.providers.mos.client:MosClient",
    "dnevnik": "ediary_tui.client.providers.dnevnik.client:DnevnikClient",
    "eljur": "ediary_tui.client.providers.eljur.client:EljurClient",
}


def provider_class(name: str) -> type[ProviderClient]:
    """The client class of provider `name` (KeyError for an unknown one)."""
    module, _, attr = PROVIDERS[name].partition(":")
    cls: type[ProviderClient] = getattr(import_module(module), attr)
    return cls
