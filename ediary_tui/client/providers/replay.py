"""Recorded answers of a real diary service, served as if it answered: tests and `--replay`.

None of the real services can be reached from where this app is built, so each
provider is built and tried against recordings whose every field follows the
public sources (../shared/SERVICES.md), with made-up people. A recording is a
folder:

    replay.toml         provider = "mos"; today = "2026-12-07" (the day it shows);
                        login = "..." (what to type; the password is "demo");
                        devkey, vendor: what a profile would give (made up)
    *.json              one answer each: {"method": "GET", "url": "https://...",
                        "query": {...}, "body_has": {...}, "status": 200,
                        "headers": {...}, "json": ... | "text": "..."}

A request is answered by the recording whose method and address match and
whose `query` (and `body_has`, for sign-in steps) it contains, the most
specific first; anything else is a 404 saying nothing was recorded for it.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx

REPLAY_FILE = "replay.toml"


class ReplayError(Exception):
    """The folder is not a recording this version can serve; the message says what to fix."""


@dataclass(frozen=True)
class Answer:
    """One recorded answer and the request it answers."""

    method: str
    url: str  # scheme, host and path, no query
    query: dict[str, str] = field(default_factory=dict)
    body_has: dict[str, str] = field(default_factory=dict)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    text: str | None = None
    name: str = ""

    def matches(self, request: httpx.Request, body: dict[str, str]) -> bool:
        url = request.url
        if request.method != self.method or f"{url.scheme}://{url.host}{url.path}" != self.url:
            return False
        query = dict(url.params.multi_items())
        if any(query.get(k) != v for k, v in self.query.items()):
            return False
        return all(body.get(k) == v for k, v in self.body_has.items())

    def response(self) -> httpx.Response:
        headers = dict(self.headers)
        if self.text is not None:
            return httpx.Response(self.status, text=self.text, headers=headers)
        return httpx.Response(self.status, json=self.json, headers=headers)


@dataclass(frozen=True)
class Recording:
    """A provider's recorded answers and the day they were recorded on."""

    provider: str
    today: Any  # dt.date
    login: str
    answers: tuple[Answer, ...]
    folder: Path | None = None
    devkey: str | None = None
    vendor: str | None = None

    @classmethod
    def load(cls, folder: Path) -> Recording:
        import datetime as dt

        meta_path = folder / REPLAY_FILE
        try:
            meta = tomllib.loads(meta_path.read_text("utf-8"))
        except FileNotFoundError:
            raise ReplayError(f"{folder} is not a recording: it has no {REPLAY_FILE}") from None
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ReplayError(f"{meta_path}: {exc}") from None
        answers = []
        for path in sorted(folder.glob("*.json")):
            try:
                data = json.loads(path.read_text("utf-8"))
                answers.append(answer_from(data, name=path.name))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise ReplayError(f"{path}: not a recorded answer ({exc})") from None
        today = meta.get("today")
        if not isinstance(today, dt.date):
            raise ReplayError(f"{meta_path}: `today` must be a date, today = 2026-12-07")
        return cls(
            provider=str(meta.get("provider", "")),
            today=today,
            login=str(meta.get("login", "")),
            answers=tuple(answers),
            folder=folder,
            devkey=meta.get("devkey"),
            vendor=meta.get("vendor"),
        )

    def with_answers(self, *extra: Answer) -> Recording:
        """The same recording with `extra` answers taking precedence (tests vary one answer)."""
        return dataclasses.replace(self, answers=(*extra, *self.answers))

    def without(self, method: str, url: str) -> Recording:
        kept = tuple(a for a in self.answers if not (a.method == method and a.url == url))
        return dataclasses.replace(self, answers=kept)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = _body_fields(request)
        found = [a for a in self.answers if a.matches(request, body)]
        if not found:
            return httpx.Response(
                404,
                json={"replay": f"no recorded answer for {request.method} {request.url}"},
            )
        # The most specific recording wins; among equals, the first (extra answers come first).
        best = max(found, key=lambda a: len(a.query) + len(a.body_has))
        return best.response()


def answer_from(data: dict[str, Any], *, name: str = "") -> Answer:
    return Answer(
        method=str(data.get("method", "GET")).upper(),
        url=str(data["url"]),
        query={str(k): str(v) for k, v in (data.get("query") or {}).items()},
        body_has={str(k): str(v) for k, v in (data.get("body_has") or {}).items()},
        status=int(data.get("status", 200)),
        headers={str(k): str(v) for k, v in (data.get("headers") or {}).items()},
        json=data.get("json"),
        text=data.get("text"),
        name=name,
    )


def _body_fields(request: httpx.Request) -> dict[str, str]:
    """A request's form or JSON body as flat text fields (what `body_has` looks at)."""
    content = request.content
    if not content:
        return {}
    kind = request.headers.get("content-type", "")
    text = content.decode("utf-8", "replace")
    if "json" in kind:
        try:
            data = json.loads(text)
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    return dict(parse_qsl(text))
