"""The school server as an ASGI app: routers, error bodies, limits."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.domain.models import ErrorBody, Health

from .errors import install_handlers
from .limits import BodyLimit
from .routes import ROUTERS
from .settings import ServerContext, ServerSettings

API = "/api/v1"

_ERRORS = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        401: "not logged in, or the token expired or was revoked",
        403: "logged in but not allowed, or the password must be changed first",
        404: "unknown, or not visible to the caller",
        409: "conflict",
        413: "body over 1 MiB",
        422: "an invalid field, named in error.field",
        429: "throttled; see Retry-After",
    }.items()
}


def create_app(engine: AsyncEngine, settings: ServerSettings | None = None) -> FastAPI:
    """The API over an already-migrated database."""
    settings = settings or ServerSettings()
    app = FastAPI(
        title="ediary-tui school server",
        version="1",
        description="The electronic diary and journal of a school: API v1.",
        openapi_url=f"{API}/openapi.json",
        docs_url=f"{API}/docs",
        redoc_url=None,
        responses=_ERRORS,
    )
    app.state.ctx = ServerContext(engine=engine, settings=settings)
    install_handlers(app)

    @app.get("/healthz", response_model=Health, tags=["health"])
    async def healthz() -> Health:
        return Health()

    for router in ROUTERS:
        app.include_router(router, prefix=API)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app
