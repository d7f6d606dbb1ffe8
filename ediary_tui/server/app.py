"""The school server as an ASGI app: routers, error bodies, limits."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp

from ediary_tui.domain.models import Health

from .access_log import AccessLog, open_log
from .bodies import Utf8Json
from .docs import mount_docs
from .errors import documented, install_handlers
from .headers import AnswerHeaders
from .limits import BodyLimit
from .routes import ROUTERS
from .settings import ServerContext, ServerSettings

API = "/api/v1"
OPENAPI_URL = f"{API}/openapi.json"
DOCS_URL = f"{API}/docs"

# What any request may be answered, whatever its route: BodyLimit and Utf8Json refuse
# before routing. Each router and route declares the rest (401, 403, 404, 409, 429).
_ERRORS = documented(413, 422)


class SchoolApp(FastAPI):
    """FastAPI with the answer headers outermost, so that even a 500 carries them (and
    the access log, when asked for, around them)."""

    def build_middleware_stack(self) -> ASGIApp:
        stack: ASGIApp = AnswerHeaders(
            super().build_middleware_stack(), public=(OPENAPI_URL, DOCS_URL)
        )
        settings: ServerSettings = self.state.ctx.settings
        if settings.access_log is not None:  # outermost: it times and sees every answer
            stack = AccessLog(
                stack,
                open_log(settings.access_log).info,
                trusted_proxies=settings.trusted_proxies,
                clock=settings.clock,
            )
        return stack


def create_app(engine: AsyncEngine, settings: ServerSettings | None = None) -> FastAPI:
    """The API over an already-migrated database."""
    settings = settings or ServerSettings()
    app = SchoolApp(
        title="ediary-tui school server",
        version="1",
        description="The electronic diary and journal of a school: API v1.",
        openapi_url=OPENAPI_URL,
        docs_url=None,  # FastAPI's page loads Swagger UI from a CDN; see mount_docs
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
    if settings.docs:
        mount_docs(app, DOCS_URL)
    app.add_middleware(Utf8Json)  # inside BodyLimit: it reads only bodies within the limit
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app
