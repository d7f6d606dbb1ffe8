"""One router per resource; `app.create_app` mounts them all under /api/v1.

A data route says each thing about itself once: its answer model is its return type
(`response_model=` only where it returns ready JSON), its description in the OpenAPI
document is its docstring (`common.DocumentedRoute`), and the errors every route of a
router gives are the router's (`common.data_router`).
"""

from fastapi import APIRouter

from . import (
    admin,
    announcements,
    auth,
    changes,
    classes,
    desk,
    homework,
    journal,
    lessons,
    marks,
    messages,
    notices,
    period_marks,
    progress,
    report_card,
    timetable,
    week,
    year_marks,
)

ROUTERS: list[APIRouter] = [
    auth.router,
    changes.router,
    week.router,
    report_card.router,
    homework.router,
    notices.router,
    announcements.router,
    messages.router,
    progress.router,
    journal.router,
    classes.router,
    desk.router,
    marks.router,
    lessons.router,
    timetable.router,
    period_marks.router,
    year_marks.router,
    admin.router,
]
