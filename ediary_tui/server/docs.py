"""The interactive API docs (Swagger UI), served from the installed package.

FastAPI's own page loads Swagger UI from a third-party CDN: it fails on a
school network without internet and runs whatever that host serves. Here the
files come from the `swagger-ui-bundle-v2` package, and the page's
Content-Security-Policy lets the browser load nothing from anywhere else.
Only `ediary serve --docs` mounts them; the OpenAPI document is always served.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

# Swagger UI's page starts itself with an inline script and styles itself inline.
CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)


def mount_docs(app: FastAPI, docs_url: str) -> None:
    """Swagger UI at `docs_url`, its files under `docs_url`/static."""
    # Imported here: a server without --docs never loads it.
    from starlette.staticfiles import StaticFiles
    from swagger_ui_bundle import swagger_ui_path

    static = f"{docs_url}/static"
    app.mount(static, StaticFiles(directory=str(swagger_ui_path)), name="docs-static")
    openapi_url = app.openapi_url or ""

    @app.get(docs_url, include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")  # behind a proxy that mounts us under a path
        page = get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title}: API docs",
            swagger_js_url=f"{root}{static}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{static}/swagger-ui.css",
            swagger_favicon_url=f"{root}{static}/favicon-32x32.png",
        )
        page.headers["Content-Security-Policy"] = CSP
        return page
