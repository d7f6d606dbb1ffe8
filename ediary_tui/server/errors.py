"""Domain errors of the server and their HTTP form.

Services raise these; `install_handlers` turns them (and FastAPI's own
validation and routing errors) into API.md's body:
`{"error": {"code", "message", "field"}}`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ediary_tui.domain.models import ErrorBody

# The error code of each status: what an ApiError of it says by default, and what
# FastAPI's own errors (routing, methods, validation) are answered with.
STATUS_CODES = {
    400: "bad_request",
    401: "not_logged_in",
    403: "not_allowed",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "throttled",
}


class ApiError(Exception):
    """An error a service raises; a subclass names its status: `class X(ApiError, status=404)`."""

    status = 400
    code = STATUS_CODES[status]

    def __init_subclass__(cls, *, status: int, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.status = status
        cls.code = STATUS_CODES[status]

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.headers = headers or {}
        if code:
            self.code = code

    def body(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            detail["field"] = self.field
        return {"error": detail}


class NotLoggedIn(ApiError, status=401):
    """No token, or one that expired or was revoked."""


class NotAllowed(ApiError, status=403):
    """Logged in, but not allowed this (or the password must be changed first)."""


class NotFound(ApiError, status=404):
    """Unknown, or not visible to the caller: the two are not told apart."""


class Conflict(ApiError, status=409):
    """The request is sound but the data's state refuses it (a closed period, a stale mark)."""


class TooLarge(ApiError, status=413):
    """A body over the limit."""


class Invalid(ApiError, status=422):
    """A field the caller sent is wrong; `field` names it."""


class Throttled(ApiError, status=429):
    """Too many tries; the answer says when to try again."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = retry_after


# What each error status means, for the OpenAPI document.
_MEANING = {
    401: "not logged in, or the token expired or was revoked",
    403: "logged in but not allowed, or the password must be changed first",
    404: "unknown, or not visible to the caller",
    409: "conflict",
    413: "body over 1 MiB",
    422: "an invalid field, named in error.field (invalid_json: the body is not UTF-8 JSON)",
    429: "throttled; see Retry-After",
}
_RETRY_AFTER = {
    "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}},
}


def documented(*answers: int | tuple[int, str]) -> dict[int | str, dict[str, Any]]:
    """The error answers a route gives, for its `responses=`: a status, or a status with
    what it means there (its codes), so the document lists only what can happen."""
    out: dict[int | str, dict[str, Any]] = {}
    for answer in answers:
        status, meaning = answer if isinstance(answer, tuple) else (answer, _MEANING[answer])
        out[status] = {"model": ErrorBody, "description": meaning}
        if status == 429:
            out[status]["headers"] = _RETRY_AFTER
    return out


def error_response(err: ApiError) -> JSONResponse:
    return JSONResponse(err.body(), status_code=err.status, headers=err.headers)


def _field_path(loc: tuple[Any, ...]) -> str:
    if loc and loc[0] in ("body", "query", "path", "header"):
        loc = loc[
            1:
        ]  # where it came from, not part of the field's name (a field may be called "body")
    return ".".join(str(p) for p in loc)


# What FastAPI says when a JSON body cannot be decoded at all (bad UTF-8, a number too long).
_UNPARSEABLE_BODY = "There was an error parsing the body"
_NOT_JSON = "the body is not valid UTF-8 JSON"


# Strict input (domain.models) refused in words a client's author reads: a number or a
# boolean of another JSON type, and text pydantic cannot read (a lone surrogate).
_SAID = {
    "int_type": ('give a whole number such as 4 (not true, 4.0 or "4")', "invalid_field"),
    "bool_type": ('give true or false (not 1 or "true")', "invalid_field"),
    "string_unicode": ("holds half of a surrogate pair, which is not a character", "invalid_text"),
}


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        field = _field_path(tuple(first.get("loc", ())))
        if first.get("type") == "json_invalid":
            reason = (first.get("ctx") or {}).get("error")
            message = f"{_NOT_JSON}: {reason}" if reason else _NOT_JSON
            return error_response(Invalid(message, code="invalid_json"))
        if first.get("loc") == ("body",) and first.get("type") == "missing":
            return error_response(Invalid("the request needs a JSON body", code="invalid_json"))
        if first.get("loc") == ("body",) and isinstance(first.get("input"), bytes):
            # FastAPI passes a body it did not read as JSON (no or another Content-Type) as bytes.
            message = f"{_NOT_JSON}: send it with Content-Type: application/json"
            return error_response(Invalid(message, code="invalid_json"))
        said, code = _SAID.get(str(first.get("type")), (str(first.get("msg")), "invalid_field"))
        message = f"{field}: {said}" if field else said
        return error_response(Invalid(message, code=code, field=field or None))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == _UNPARSEABLE_BODY:
            return error_response(Invalid(_NOT_JSON, code="invalid_json"))
        code = STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        if exc.status_code == 404 and message == "Not Found":
            message = "no such resource"
        body = {"error": {"code": code, "message": message}}
        return JSONResponse(
            body, status_code=exc.status_code, headers=getattr(exc, "headers", None)
        )
