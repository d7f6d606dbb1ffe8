"""One router per resource; `app.create_app` mounts them all under /api/v1."""

from fastapi import APIRouter

from . import auth, changes

ROUTERS: list[APIRouter] = [auth.router, changes.router]
