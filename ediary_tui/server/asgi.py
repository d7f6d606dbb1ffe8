"""The app for uvicorn's factory mode, so `ediary serve --workers N` can fork."""

from __future__ import annotations

import os

from fastapi import FastAPI

from .app import create_app
from .db import create_engine
from .settings import ServerSettings

# `ediary serve --docs` sets it to 1, for every worker process.
DOCS_VARIABLE = "EDIARY_DOCS"
# `ediary serve --trusted-proxy`: the proxies' addresses or networks, comma-separated.
PROXIES_VARIABLE = "EDIARY_TRUSTED_PROXIES"
# `ediary serve --access-log FILE` ("-": stderr); unset or empty: no access log.
ACCESS_LOG_VARIABLE = "EDIARY_ACCESS_LOG"


def app_from_env() -> FastAPI:
    """The server over the database named by EDIARY_DB (already migrated by `ediary serve`)."""
    url = os.environ.get("EDIARY_DB")
    if not url:
        raise RuntimeError("EDIARY_DB is not set; start the server with `ediary serve`")
    proxies = os.environ.get(PROXIES_VARIABLE, "").split(",")
    settings = ServerSettings(
        docs=os.environ.get(DOCS_VARIABLE) == "1",
        trusted_proxies=tuple(p.strip() for p in proxies if p.strip()),
        access_log=os.environ.get(ACCESS_LOG_VARIABLE) or None,
    )
    return create_app(create_engine(url), settings)
