"""One router per resource; `app.create_app` mounts them all under /api/v1."""

from fastapi import APIRouter

from . import auth, changes, homework, notices, report_card, week

ROUTERS: list[APIRouter] = [
    auth.router,
    changes.router,
    week.router,
    report_card.router,
    homework.router,
    notices.router,
]
